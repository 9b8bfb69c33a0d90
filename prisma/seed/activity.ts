import type { Channel, TicketPriority } from '../../src/generated/prisma/client.ts';
import { PROBLEM_TOPICS, SERVICE_TOPICS, SUPPORT_TOPICS, type Topic } from './content/topics.ts';
import { buildConversation } from './conversations.ts';
import { buildCustomer, buildCustomerEvents, finishCustomers, type CustomerRecord, type NameBook, type OrgProfile } from './customers.ts';
import type { CustomerPlan, TicketPlan } from './plan.ts';
import { arrivalTime, DAY, HOUR, MINUTE, type Rng } from './rng.ts';
import { conversationSurveys, relationshipSurvey, ticketSurveys } from './surveys.ts';
import { compactScript, fullScript, type ProblemRef } from './ticket-scripts.ts';
import { buildTicket, type Actor, type TicketInput } from './tickets.ts';
import type { CustomerProfile, RowBag, SeedContext, Staff, StaffAgent, StaffTeam } from './types.ts';
import { buildWorkEntries, workFrom } from './work.ts';

/** Shared by all batches of one workspace. */
export interface ActivityEnv {
  ctx: SeedContext;
  staff: Staff;
  names: NameBook;
  orgs: readonly OrgProfile[];
  /** Emails handed out so far (unique per workspace). */
  emails: Set<string>;
  /** Bulk mode: short ticket histories (1–3 comments and events per ticket). */
  compact: boolean;
  /** Multiplier for logins and purchases per customer. */
  eventScale: number;
}

const CHANNELS: readonly (readonly [Channel, number])[] = [
  ['EMAIL', 25], ['CHAT', 24], ['WHATSAPP', 12], ['PHONE', 12], ['WEB', 13], ['SOCIAL', 8], ['SMS', 6],
];
const PHONE_ONLY: readonly Channel[] = ['WHATSAPP', 'SMS', 'PHONE'];
const BOT_CHANNELS: ReadonlySet<Channel> = new Set(['CHAT', 'WEB', 'WHATSAPP', 'SOCIAL']);
const PRIORITIES: readonly (readonly [TicketPriority, number])[] = [['URGENT', 3], ['HIGH', 15], ['NORMAL', 60], ['LOW', 22]];
const INCIDENT_PRIORITIES: readonly (readonly [TicketPriority, number])[] = [['URGENT', 15], ['HIGH', 40], ['NORMAL', 45]];

function channelFor(rng: Rng, customer: CustomerProfile, pool: readonly (readonly [Channel, number])[] = CHANNELS): Channel {
  return customer.hasEmail ? rng.weighted(pool) : rng.pick(PHONE_ONLY);
}

function teamFor(staff: Staff, topic: Topic): StaffTeam {
  return topic.function === 'SERVICE' ? staff.teams.service : staff.teams.tier1;
}

interface ProblemState extends ProblemRef {
  topic: Topic;
}

/** Generates customers, their journeys, conversations, tickets and surveys for one batch. */
export function buildActivity(env: ActivityEnv, plans: readonly CustomerPlan[], batchLabel: string, rows: RowBag): void {
  const { ctx, staff } = env;
  const rng = ctx.rng.fork(`activity/${batchLabel}`);
  const work = workFrom(rows);
  const records: CustomerRecord[] = [];
  const byIndex = new Map<number, CustomerProfile>();
  for (const plan of plans.filter((p) => !p.tombstone)) {
    const record = buildCustomer(ctx, rng, env.names, env.orgs, { index: plan.index, firstSeenAt: plan.firstSeenAt }, env.emails);
    records.push(record);
    byIndex.set(plan.index, record.profile);
  }
  const survivors = records.filter((r) => r.profile.organizationId === null && r.profile.name !== null);
  for (const plan of plans.filter((p) => p.tombstone && survivors.length > 0)) {
    const survivor = rng.pick(survivors).profile;
    const from = Math.max(plan.firstSeenAt, survivor.firstSeenAt) + DAY;
    const at = Math.floor(rng.between(Math.min(from, ctx.now - 2 * DAY), ctx.now - DAY));
    const by = rng.pick(staff.teams.service.workers);
    records.push(buildCustomer(ctx, rng, env.names, env.orgs, { index: plan.index, firstSeenAt: Math.min(plan.firstSeenAt, at - HOUR), mergedInto: { survivor, at, by } }, env.emails));
  }

  for (const record of records) {
    if (record.row.mergedIntoId === null) buildCustomerEvents(ctx, rng, record, rows, env.eventScale);
  }

  for (const plan of plans) {
    const customer = byIndex.get(plan.index);
    if (!customer) continue;
    for (let i = 0; i < plan.conversations; i++) {
      const topic = rng.pick(rng.chance(0.55) ? SERVICE_TOPICS : SUPPORT_TOPICS);
      const channel = channelFor(rng, customer);
      const team = teamFor(staff, topic);
      const start = arrivalTime(rng, Math.max(ctx.windowStart, customer.firstSeenAt + HOUR), ctx.now - 5 * MINUTE);
      const row = buildConversation(ctx, rng, {
        customer, channel, topic, team, agent: rng.pick(team.workers), bot: BOT_CHANNELS.has(channel) && rng.chance(0.45), start,
      }, rows);
      conversationSurveys(ctx, rng, row, customer, rows);
    }
  }

  const tickets = plans.flatMap((p) => p.tickets).sort((a, b) => a.number - b.number);
  const problems: ProblemState[] = [];
  // Problems first: incidents created before their problem are linked to it later.
  for (const plan of [...tickets.filter((t) => t.type === 'PROBLEM'), ...tickets.filter((t) => t.type !== 'PROBLEM')]) {
    const customer = byIndex.get(plan.customer)!;
    const problem = plan.type === 'INCIDENT' ? findProblem(rng, problems, plan, env.compact) : null;
    const result = buildOneTicket(env, rng, plan, customer, problem, rows);
    if (plan.type === 'PROBLEM') problems.push(result);
  }

  for (const record of records) {
    if (record.row.mergedIntoId === null) relationshipSurvey(ctx, rng, record.profile, rows);
  }
  finishCustomers(records, rows);
  buildWorkEntries(ctx, staff, rows, work);
}

function findProblem(rng: Rng, problems: readonly ProblemState[], plan: TicketPlan, compact: boolean): ProblemState | null {
  // Compact escalations have no event budget left for the link.
  if (compact && (plan.origin === 'ESCALATION' || plan.origin === 'BOT')) return null;
  const near = problems.filter((p) => p.createdAt >= plan.createdAt - 10 * DAY && p.createdAt <= plan.createdAt + 3 * DAY);
  return near.length > 0 && rng.chance(0.8) ? rng.pick(near) : null;
}

function buildOneTicket(env: ActivityEnv, rng: Rng, plan: TicketPlan, customer: CustomerProfile, problem: ProblemState | null, rows: RowBag): ProblemState {
  const { ctx, staff } = env;
  const topic = problem?.topic ?? (plan.type === 'PROBLEM' || plan.type === 'INCIDENT' ? rng.pick(PROBLEM_TOPICS) : rng.pick(plan.function === 'SERVICE' ? SERVICE_TOPICS : SUPPORT_TOPICS));
  const team: StaffTeam =
    plan.type === 'PROBLEM' || (plan.type === 'INCIDENT' && rng.chance(0.3)) ? staff.teams.tier2 : plan.function === 'SERVICE' ? staff.teams.service : staff.teams.tier1;
  let priority = rng.weighted(plan.type === 'PROBLEM' ? [['HIGH', 60], ['URGENT', 40]] as const : plan.type === 'INCIDENT' ? INCIDENT_PRIORITIES : PRIORITIES);
  if (customer.vip && priority === 'NORMAL' && rng.chance(0.5)) priority = 'HIGH';
  const worker = rng.pick(team.workers);

  let channel: Channel;
  let creator: Actor;
  let sourceConversationId: string | null = null;
  if (plan.origin === 'ESCALATION' || plan.origin === 'BOT') {
    const byBot = plan.origin === 'BOT';
    channel = byBot ? rng.pick(customer.hasEmail ? ['CHAT', 'WEB', 'WHATSAPP'] as const : ['WHATSAPP'] as const) : channelFor(rng, customer);
    const convTeam = teamFor(staff, topic);
    const convAgent = rng.pick(convTeam.workers);
    const conversation = buildConversation(ctx, rng, {
      customer, channel, topic, team: convTeam, agent: convAgent, bot: byBot || (BOT_CHANNELS.has(channel) && rng.chance(0.35)),
      escalate: { at: plan.createdAt, by: byBot ? 'BOT' : 'AGENT' },
    }, rows);
    sourceConversationId = conversation.id;
    creator = byBot ? { kind: 'BOT' } : { kind: 'AGENT', agent: convAgent };
  } else if (plan.origin === 'AGENT') {
    channel = customer.hasEmail && rng.chance(0.5) ? 'EMAIL' : 'PHONE';
    creator = { kind: 'AGENT', agent: worker };
  } else {
    channel = customer.hasEmail && rng.chance(0.7) ? 'EMAIL' : 'WEB';
    creator = { kind: 'CUSTOMER' };
  }

  const routed = env.compact || plan.origin === 'AGENT' || plan.origin === 'ESCALATION' || rng.chance(0.4);
  const initialAssignee: StaffAgent | null = routed ? worker : null;
  const input: TicketInput = {
    plan, customer, topic, team, priority, channel, creator, initialAssignee, sourceConversationId,
    slaPolicyId: staff.slaPolicyId, commentEvents: !env.compact,
  };
  const acts = env.compact ? compactScript(ctx, rng, input, worker, problem) : fullScript(ctx, rng, input, worker, problem);
  const { row } = buildTicket(ctx, rng, input, acts, rows);
  ticketSurveys(ctx, rng, row, customer, rows);
  return { id: row.id, createdAt: plan.createdAt, solvedAt: row.firstSolvedAt?.getTime() ?? null, topic };
}
