import type { ActorKind, Channel, Prisma, Ticket, TicketEventKind, TicketPriority, TicketStatus } from '../../src/generated/prisma/client.ts';
import { fill, TASK_SUBJECTS } from './content/phrases.ts';
import type { Topic } from './content/topics.ts';
import type { TicketPlan } from './plan.ts';
import type { Rng } from './rng.ts';
import { touch, type CustomerProfile, type RowBag, type SeedContext, type StaffAgent, type StaffTeam } from './types.ts';

/**
 * Tickets, like conversations, are a script of actions cut at `now` and then replayed: the
 * replay writes the comments and the audit events and maintains the ticket's own columns
 * exactly as the service does, so the columns always agree with the history.
 */

export type Actor = { kind: 'AGENT'; agent: StaffAgent } | { kind: 'CUSTOMER' | 'SYSTEM' | 'BOT' };

export type TicketAct =
  | { kind: 'assign'; at: number; agent: StaffAgent; actor: Actor }
  | { kind: 'reply'; at: number; agent: StaffAgent; body: string; status?: TicketStatus }
  | { kind: 'note'; at: number; agent: StaffAgent; body: string }
  | { kind: 'customer'; at: number; body: string }
  | { kind: 'status'; at: number; to: TicketStatus; actor: Actor }
  | { kind: 'priority'; at: number; to: TicketPriority; actor: Actor }
  | { kind: 'link'; at: number; problemId: string; actor: Actor };

export interface TicketInput {
  plan: TicketPlan;
  customer: CustomerProfile;
  topic: Topic;
  team: StaffTeam;
  priority: TicketPriority;
  channel: Channel;
  /** Who opened it: the customer, the bot, or an agent (escalations and agent-created tickets). */
  creator: Actor;
  /** Routed on creation (recorded in the CREATED event, no separate assignment event). */
  initialAssignee: StaffAgent | null;
  sourceConversationId: string | null;
  slaPolicyId: string;
  /** Write a COMMENT_ADDED event for each comment (the demo does; the bulk seed keeps events to 1–3). */
  commentEvents: boolean;
}

export interface TicketResult {
  row: Ticket;
  commentCount: number;
  eventCount: number;
}

const OPENING_KINDS: ReadonlySet<TicketEventKind> = new Set(['CREATED', 'ESCALATED_FROM_CONVERSATION']);

function actorColumns(actor: Actor): { actorKind: ActorKind; actorAgentId: string | null } {
  return { actorKind: actor.kind, actorAgentId: actor.kind === 'AGENT' ? actor.agent.id : null };
}

export function ticketSubject(rng: Rng, input: Pick<TicketInput, 'plan' | 'topic'>, order: string): string {
  if (input.plan.type === 'PROBLEM') return `Problem: ${input.topic.problem ?? input.topic.ticketSubject}`;
  if (input.plan.type === 'TASK') return rng.pick(TASK_SUBJECTS);
  return fill(input.topic.ticketSubject, { order });
}

/** Replays `acts` (already cut at now, in time order) into the ticket, its comments and events. */
export function buildTicket(ctx: SeedContext, rng: Rng, input: TicketInput, acts: readonly TicketAct[], rows: RowBag): TicketResult {
  const { plan, customer } = input;
  const t0 = plan.createdAt;
  const id = ctx.ids.at(t0);
  const order = `LH-${rng.int(10000, 99999)}`;
  const commentsBefore = rows.TicketComment.length;
  let eventCount = 0;
  let changeCount = 0;
  const event = (at: number, kind: TicketEventKind, actor: Actor, field: string | null, oldValue: Prisma.JsonValue, newValue: Prisma.JsonValue) => {
    eventCount += 1;
    // Every change after creation bumped the optimistic-concurrency version.
    if (!OPENING_KINDS.has(kind)) changeCount += 1;
    rows.TicketEvent.push({
      id: ctx.ids.at(at), workspaceId: ctx.workspaceId, ticketId: id, kind, field, oldValue, newValue, ...actorColumns(actor), actorApiKeyId: null, createdAt: new Date(at),
    });
  };
  const comment = (at: number, author: Actor, body: string, isPublic: boolean) => {
    const commentId = ctx.ids.at(at);
    rows.TicketComment.push({
      id: commentId, workspaceId: ctx.workspaceId, ticketId: id, authorKind: author.kind, authorAgentId: author.kind === 'AGENT' ? author.agent.id : null,
      authorCustomerId: author.kind === 'CUSTOMER' ? customer.id : null, body, isPublic, createdAt: new Date(at),
    });
    if (input.commentEvents) event(at, 'COMMENT_ADDED', author, null, null, { commentId, isPublic });
  };

  // Widened on purpose: the closures below change it.
  let status = 'NEW' as TicketStatus;
  let priority = input.priority;
  let assignee = input.initialAssignee;
  let firstResponseAt: number | null = null, firstSolvedAt: number | null = null, solvedAt: number | null = null, closedAt: number | null = null;
  let reopenCount = 0, lastReopenedAt: number | null = null, publicReplies = 0, problemId: string | null = null, lastAt = t0;
  const setStatus = (at: number, to: TicketStatus, actor: Actor) => {
    // Only solved tickets close; a script never asks otherwise, but the history must stay valid.
    if (to === status || (to === 'CLOSED' && status !== 'SOLVED')) return;
    event(at, 'FIELD_CHANGED', actor, 'status', status, to);
    status = to;
    if (to === 'SOLVED') {
      solvedAt = at;
      firstSolvedAt ??= at;
    }
    if (to === 'CLOSED') closedAt = at;
  };
  const assign = (at: number, agent: StaffAgent, actor: Actor) => {
    if (assignee?.id === agent.id) return;
    event(at, 'FIELD_CHANGED', actor, 'assignee', assignee?.id ?? null, agent.id);
    assignee = agent;
  };

  event(t0, 'CREATED', input.creator, null, null, { status, priority, type: plan.type, assigneeId: assignee?.id ?? null });
  if (input.sourceConversationId) event(t0, 'ESCALATED_FROM_CONVERSATION', input.creator, 'sourceConversationId', null, input.sourceConversationId);
  if (input.creator.kind === 'CUSTOMER') touch(customer, t0);

  for (const act of acts) {
    lastAt = act.at;
    switch (act.kind) {
      case 'assign':
        assign(act.at, act.agent, act.actor);
        break;
      case 'reply': {
        const actor: Actor = { kind: 'AGENT', agent: act.agent };
        if (!assignee) assign(act.at, act.agent, actor);
        comment(act.at, actor, act.body, true);
        firstResponseAt ??= act.at;
        publicReplies += 1;
        if (act.status) setStatus(act.at, act.status, actor);
        break;
      }
      case 'note':
        comment(act.at, { kind: 'AGENT', agent: act.agent }, act.body, false);
        break;
      case 'customer':
        comment(act.at, { kind: 'CUSTOMER' }, act.body, true);
        touch(customer, act.at);
        if (status === 'SOLVED') {
          event(act.at, 'REOPENED', { kind: 'CUSTOMER' }, 'status', 'SOLVED', 'OPEN');
          status = 'OPEN';
          solvedAt = null;
          reopenCount += 1;
          lastReopenedAt = act.at;
        } else if (status === 'PENDING') {
          setStatus(act.at, 'OPEN', { kind: 'CUSTOMER' });
        }
        break;
      case 'status':
        setStatus(act.at, act.to, act.actor);
        break;
      case 'priority':
        if (act.to !== priority) event(act.at, 'FIELD_CHANGED', act.actor, 'priority', priority, act.to);
        priority = act.to;
        break;
      case 'link':
        event(act.at, 'LINKED_TO_PROBLEM', act.actor, 'problemId', null, act.problemId);
        problemId = act.problemId;
        break;
    }
  }

  const opener = fill(input.topic.opener[0]!, { order });
  const description =
    plan.origin === 'ESCALATION' || plan.origin === 'BOT'
      ? `Escalated from a ${input.channel.toLowerCase()} conversation.\n\nCustomer reported: ${opener}`
      : plan.type === 'PROBLEM'
        ? `Root cause investigation for repeated reports: ${input.topic.subject.toLowerCase()}.`
        : opener;
  const tags = [...input.topic.tags, ...(customer.vip ? ['vip'] : []), ...(plan.type === 'INCIDENT' ? ['incident'] : [])];
  const creatorAgent = input.creator.kind === 'AGENT' ? input.creator.agent : null;
  const date = (ms: number | null) => (ms === null ? null : new Date(ms));
  const row: Ticket = {
    id, workspaceId: ctx.workspaceId, number: plan.number, subject: ticketSubject(rng, input, order), description, status, priority, type: plan.type,
    function: plan.function, requesterId: customer.id, organizationId: customer.organizationId, assigneeId: assignee?.id ?? null, teamId: input.team.id,
    tags, customFields: { product: input.topic.product, source: input.channel.toLowerCase(), ...(input.topic.function === 'SERVICE' ? { orderNumber: order } : {}) },
    sourceConversationId: input.sourceConversationId, problemId, mergedIntoId: null, slaPolicyId: input.slaPolicyId,
    createdByKind: input.creator.kind, createdByAgentId: creatorAgent?.id ?? null,
    firstResponseAt: date(firstResponseAt), firstSolvedAt: date(firstSolvedAt), solvedAt: date(solvedAt), closedAt: date(closedAt),
    reopenCount, lastReopenedAt: date(lastReopenedAt), publicAgentReplyCount: publicReplies,
    version: 1 + changeCount, createdAt: new Date(t0), updatedAt: new Date(lastAt),
  };
  rows.Ticket.push(row);
  return { row, commentCount: rows.TicketComment.length - commentsBefore, eventCount };
}
