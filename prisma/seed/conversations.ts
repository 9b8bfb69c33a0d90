import type { Channel, Conversation, ConversationStatus } from '../../src/generated/prisma/client.ts';
import {
  AGENT_ESCALATE, AGENT_PROGRESS, agentBody, BOT_GREETING, BOT_HANDOFF, BOT_NAME, BOT_TICKET, CUSTOMER_REOPEN, CUSTOMER_STILL_STUCK,
  CUSTOMER_THANKS, customerBody, fill, orderNumber, subjectFor, SYSTEM_NAME,
} from './content/phrases.ts';
import type { Topic } from './content/topics.ts';
import { DAY, HOUR, MINUTE, nextWorkingTime, SECOND, type Rng } from './rng.ts';
import { touch, type CustomerProfile, type RowBag, type SeedContext, type StaffAgent, type StaffTeam } from './types.ts';

/**
 * Conversations are generated as a script of timed actions, cut at `now`, and only then turned
 * into rows: every denormalized column (first response, waiting since, resolution, counts) is
 * derived from the messages that were actually written, the way the service maintains them.
 */

type Act =
  | { kind: 'customer' | 'bot' | 'handoff' | 'note'; at: number; body: string }
  | { kind: 'agent'; at: number; body: string; awaitsCustomer: boolean }
  | { kind: 'resolve' | 'escalate'; at: number };

export interface ConversationInput {
  customer: CustomerProfile;
  channel: Channel;
  topic: Topic;
  team: StaffTeam;
  agent: StaffAgent;
  bot: boolean;
  /** Forward: the customer's first message is sent at `start`. */
  start?: number;
  /** Backward: the conversation is escalated to a ticket exactly at `at`. */
  escalate?: { at: number; by: 'AGENT' | 'BOT' };
}

/** Median time to the first human reply, by channel (live channels are answered in minutes). */
const FIRST_REPLY: Record<Channel, number> = {
  CHAT: 4 * MINUTE, WEB: 9 * MINUTE, PHONE: 2 * MINUTE, WHATSAPP: 35 * MINUTE, SOCIAL: 50 * MINUTE, SMS: 40 * MINUTE, EMAIL: 5 * HOUR,
};
const LIVE: ReadonlySet<Channel> = new Set(['CHAT', 'WEB', 'PHONE']);

function script(ctx: SeedContext, rng: Rng, input: ConversationInput, start: number, order: string): Act[] {
  const { channel, topic, customer, agent } = input;
  const live = LIVE.has(channel);
  const values = { order };
  const acts: Act[] = [];
  const human = (at: number) => nextWorkingTime(at, rng);
  const customerDelay = () => (live ? rng.duration(2 * MINUTE, 0.7) : rng.duration(channel === 'EMAIL' ? 6 * HOUR : 40 * MINUTE, 1));
  const agentDelay = () => (live ? rng.duration(3 * MINUTE, 0.7) : rng.duration(channel === 'EMAIL' ? 4 * HOUR : 30 * MINUTE, 1));
  const said = (kind: 'customer' | 'note', at: number, text: string, opening = false) =>
    acts.push({ kind, at, body: kind === 'note' ? fill(text, values) : customerBody(channel, fill(text, values), customer.firstName, opening) });
  const reply = (at: number, text: string, awaitsCustomer: boolean) =>
    acts.push({ kind: 'agent', at, body: agentBody(channel, fill(text, values), customer.firstName, agent.firstName), awaitsCustomer });

  // Calls outside staffed hours reach the voicemail; the reply is the call back the next morning.
  let t = start;
  said('customer', t, rng.pick(topic.opener), true);
  if (live && channel !== 'PHONE' && rng.chance(0.3)) said('customer', (t += rng.int(20, 90) * SECOND), rng.pick(topic.details));
  if (input.bot) {
    t += rng.int(3, 8) * SECOND;
    acts.push({ kind: 'bot', at: t, body: fill(rng.pick(BOT_GREETING), { article: `https://help.lumenhome.example/articles/${topic.article}` }) });
    if (input.escalate?.by === 'BOT') {
      said('customer', (t += rng.int(30, 180) * SECOND), rng.pick(CUSTOMER_STILL_STUCK));
      acts.push({ kind: 'bot', at: (t += rng.int(2, 6) * SECOND), body: BOT_TICKET });
      acts.push({ kind: 'escalate', at: t + SECOND }, { kind: 'resolve', at: t + 2 * SECOND });
      return acts;
    }
    if (!input.escalate && rng.chance(0.3)) {
      t += rng.int(1, 5) * MINUTE;
      if (rng.chance(0.7)) said('customer', t, rng.pick(CUSTOMER_THANKS));
      acts.push({ kind: 'resolve', at: t + rng.int(1, 3) * MINUTE });
      return acts;
    }
    said('customer', (t += rng.int(30, 180) * SECOND), rng.pick(CUSTOMER_STILL_STUCK));
    acts.push({ kind: 'handoff', at: (t += rng.int(2, 5) * SECOND), body: fill(BOT_HANDOFF, { team: input.team.name }) });
  }

  t = human(t + rng.duration(FIRST_REPLY[channel], 0.9));
  const rounds = input.escalate ? rng.int(0, 1) : rng.weighted([[0, 30], [1, 35], [2, 22], [3, 13]] as const);
  for (let r = 0; r < rounds; r++) {
    if (rng.chance(0.15)) {
      said('note', t, rng.pick(topic.note));
      t += rng.int(20, 180) * SECOND;
    }
    reply(t, r === 0 ? rng.pick(topic.ask) : rng.pick(AGENT_PROGRESS), true);
    said('customer', (t += customerDelay()), rng.pick(topic.details));
    t = human(t + agentDelay());
  }
  if (input.escalate) {
    reply(t, rng.pick(AGENT_ESCALATE), false);
    const at = t + rng.int(10, 60) * SECOND;
    acts.push({ kind: 'escalate', at }, { kind: 'resolve', at: at + rng.int(1, 3) * MINUTE });
    return acts;
  }

  // Only recent conversations can still be in progress; older ones have been worked off.
  const recent = start > ctx.now - 7 * DAY;
  const outcome = rng.weighted([['resolved', 82], ['unanswered', 10], ['ongoing', recent ? 30 : 0]] as const);
  if (outcome === 'unanswered') {
    // Waiting on the customer, who never answers: closed automatically after three days.
    reply(t, rng.pick(topic.ask), true);
    acts.push({ kind: 'resolve', at: t + 3 * DAY });
    return acts;
  }
  if (outcome === 'ongoing') {
    reply(t, rng.pick(topic.answer), false);
    if (rng.chance(0.5)) said('customer', t + customerDelay(), rng.pick(topic.details));
    return acts;
  }
  if (rng.chance(0.2)) said('note', (t += rng.int(1, 4) * MINUTE), rng.pick(topic.note));
  reply((t += rng.int(1, 60) * SECOND), rounds === 0 && rng.chance(0.5) ? `${rng.pick(topic.answer)} ${rng.pick(topic.fix)}` : rng.pick(topic.fix), false);
  if (rng.chance(0.4)) said('customer', (t += customerDelay()), rng.pick(CUSTOMER_THANKS));
  acts.push({ kind: 'resolve', at: (t += rng.int(1, 10) * MINUTE) });
  for (let k = 0; k < 2 && rng.chance(k === 0 ? 0.1 : 0.2); k++) {
    said('customer', (t += rng.duration(2 * DAY, 0.6)), rng.pick(CUSTOMER_REOPEN));
    reply((t = human(t + agentDelay())), rng.pick(topic.answer), false);
    acts.push({ kind: 'resolve', at: (t += rng.int(2, 15) * MINUTE) });
  }
  return acts;
}

/** Places a backward-anchored script so its escalation lands exactly on the ticket's creation time. */
function anchor(acts: Act[], at: number, earliest: number): void {
  const marker = acts.findIndex((a) => a.kind === 'escalate');
  const shift = at - acts[marker]!.at;
  for (const act of acts) act.at += shift;
  if (acts[0]!.at < earliest) {
    const factor = (at - earliest) / (at - acts[0]!.at);
    for (const act of acts) act.at = Math.round(at + (act.at - at) * factor);
  }
  for (let i = marker - 1; i >= 0; i--) acts[i]!.at = Math.min(acts[i]!.at, acts[i + 1]!.at - 1);
  for (let i = marker + 1; i < acts.length; i++) acts[i]!.at = Math.max(acts[i]!.at, acts[i - 1]!.at + 1);
}

export function buildConversation(ctx: SeedContext, rng: Rng, input: ConversationInput, rows: RowBag): Conversation {
  const order = orderNumber(rng);
  let acts: Act[];
  if (input.escalate) {
    acts = script(ctx, rng, input, input.escalate.at - 2 * HOUR, order);
    anchor(acts, input.escalate.at, input.customer.firstSeenAt + MINUTE);
  } else {
    acts = script(ctx, rng, input, input.start!, order);
    for (let i = 1; i < acts.length; i++) acts[i]!.at = Math.max(acts[i]!.at, acts[i - 1]!.at + 1);
  }
  acts = acts.filter((a) => a.at <= ctx.now);
  if (acts.length === 0) throw new Error('a conversation must start before the seed\'s now');

  const { customer, agent, team } = input;
  const createdAt = acts[0]!.at;
  const id = ctx.ids.at(createdAt);
  let status: ConversationStatus = 'OPEN';
  let firstCustomer: number | null = null, lastCustomer: number | null = null, firstAgent: number | null = null, lastAgent: number | null = null;
  let firstBot: number | null = null, handoff: number | null = null, resolvedAt: number | null = null, firstResolvedAt: number | null = null;
  let reopenCount = 0, version = 1, lastAt = createdAt, humanInvolved = !input.bot, agentActed = false;
  const customerTimes: number[] = [];
  const message = (at: number, kind: 'CUSTOMER' | 'AGENT' | 'BOT' | 'SYSTEM', body: string, internal = false) =>
    rows.Message.push({
      id: ctx.ids.at(at), workspaceId: ctx.workspaceId, conversationId: id, authorKind: kind,
      authorAgentId: kind === 'AGENT' ? agent.id : null, authorCustomerId: kind === 'CUSTOMER' ? customer.id : null,
      authorName: kind === 'BOT' ? BOT_NAME : kind === 'SYSTEM' ? SYSTEM_NAME : null,
      direction: kind === 'CUSTOMER' ? 'INBOUND' : 'OUTBOUND', body, isInternalNote: internal, createdAt: new Date(at),
    });
  let messageCount = 0;
  for (const act of acts) {
    // The ticket it becomes is written by the ticket generator; the marker only placed the script.
    if (act.kind === 'escalate') continue;
    version += 1;
    lastAt = act.at;
    if (act.kind === 'resolve') {
      status = 'RESOLVED';
      resolvedAt = act.at;
      firstResolvedAt ??= act.at;
      continue;
    }
    messageCount += 1;
    if (act.kind === 'customer') {
      if (status === 'RESOLVED') {
        reopenCount += 1;
        resolvedAt = null;
      }
      status = 'OPEN';
      firstCustomer ??= act.at;
      lastCustomer = act.at;
      customerTimes.push(act.at);
      touch(customer, act.at);
      message(act.at, 'CUSTOMER', act.body);
    } else if (act.kind === 'bot') {
      firstBot ??= act.at;
      message(act.at, 'BOT', act.body);
    } else if (act.kind === 'handoff') {
      handoff ??= act.at;
      humanInvolved = true;
      message(act.at, 'SYSTEM', act.body);
    } else if (act.kind === 'agent') {
      firstAgent ??= act.at;
      lastAgent = act.at;
      agentActed = true;
      status = act.awaitsCustomer ? 'PENDING' : 'OPEN';
      message(act.at, 'AGENT', act.body);
    } else if (act.kind === 'note') {
      agentActed = true;
      message(act.at, 'AGENT', act.body, true);
    }
  }

  // The customer waits from their first message after the last human reply (bots do not count).
  const waitingSince = status === 'RESOLVED' ? null : (customerTimes.find((at) => lastAgent === null || at > lastAgent) ?? null);
  let snoozedUntil: number | null = null;
  if (status !== 'RESOLVED' && waitingSince === null && lastAt > ctx.now - 3 * DAY && rng.chance(0.4)) {
    status = 'SNOOZED';
    lastAt = Math.min(ctx.now, lastAt + 2 * MINUTE);
    snoozedUntil = ctx.now + rng.int(4, 72) * HOUR;
    version += 1;
  }
  const assigned = agentActed || (humanInvolved && rng.chance(0.5));
  const date = (ms: number | null) => (ms === null ? null : new Date(ms));
  const row: Conversation = {
    id, workspaceId: ctx.workspaceId, customerId: customer.id, assigneeId: assigned ? agent.id : null, teamId: humanInvolved ? team.id : null,
    channel: input.channel, status, function: input.topic.function,
    subject: input.channel === 'EMAIL' || input.channel === 'WEB' || rng.chance(0.3) ? subjectFor(input.topic, { order }) : null,
    firstCustomerMessageAt: date(firstCustomer), firstAgentResponseAt: date(firstAgent), firstBotResponseAt: date(firstBot), botHandoffAt: date(handoff),
    lastCustomerMessageAt: date(lastCustomer), lastAgentMessageAt: date(lastAgent), waitingSince: date(waitingSince), snoozedUntil: date(snoozedUntil),
    resolvedAt: date(resolvedAt), firstResolvedAt: date(firstResolvedAt), reopenCount, messageCount, version,
    createdAt: new Date(createdAt), updatedAt: new Date(lastAt),
  };
  rows.Conversation.push(row);
  return row;
}
