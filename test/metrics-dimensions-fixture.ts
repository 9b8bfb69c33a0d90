import { expect } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import type { ActorKind, MessageAuthorKind } from '../src/generated/prisma/enums.ts';
import type { Prisma } from '../src/generated/prisma/client.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';
import { insertAgents, insertTeams } from './helpers/workload.ts';
import { createPolicy, dbId } from './sla-helpers.ts';

/**
 * Every metric × every dimension it can be grouped by, and every statistic it supports, against
 * values worked out by hand below from one read-only fixture (built once for the file). Calendar
 * clock; times UTC, all in March 2026; the range is [03-01, 04-01).
 *
 * Teams A, B · agents X (the workspace's own), Y · organizations O1, O2 ·
 * customers K1 (O1), K2 (O2), K3 (none).
 *
 * Conversations (times 09:00 on the day; C customer, A public agent message, B bot):
 *   conv  day   channel function team agent cust  messages                        first resolved  work
 *   V1    03-02 CHAT    SERVICE  A    X     K1    C 09:00 A 09:10 C 09:20 A 09:40  09:45          300
 *   V2    03-03 EMAIL   SERVICE  B    Y     K2    C 09:00 A 09:30 C 09:35 A 09:45  10:00          900
 *   V3    03-04 PHONE   SUPPORT  A    —     K3    C 09:00 (no reply yet)           —              500 (excluded: unresolved)
 *   V4    03-05 CHAT    SERVICE  —    X     K1    C 09:00 B 09:01 (bot only)       09:05          120
 *   first response: V1 600, V2 1800 (V3 no reply yet, V4 bot only: excluded, not 0)
 *   next reply:     V1 09:20 → 09:40 = 1200, V2 09:35 → 09:45 = 600
 *   escalated:      V1 → T1, V2 → T3 (SUPPORT tickets); SERVICE conversations V1 ✓ V2 ✓ V4 ✗
 *   handle time:    V1 300, V2 900, V4 120
 *
 * Tickets (created 10:00 on the day; ch = channel of the conversation escalated from):
 *   T   day   src  ch     func     prio    team agent org  requester tags
 *   T1  03-02 V1   CHAT   SUPPORT  HIGH    A    X     O1   K1        billing
 *   T2  03-03 —    —      SERVICE  NORMAL  B    Y     O2   K2        —
 *   T3  03-04 V2   EMAIL  SUPPORT  LOW     A    —     O2   K2        billing, vip
 *   T4  03-05 —    —      SUPPORT  URGENT  —    X     —    K1        vip           (agent-created; no reply, unsolved)
 *   T5  03-06 —    —      SUPPORT  HIGH    B    Y     O2   K2        billing       merged into T1: never a sample of its own
 *   comments: T1 A 10:10 | C 10:20 | A 10:50; solved 11:00
 *             T2 A 10:30 | C 11:00 | A 11:10; solved 12:00 | C 12:30 (a reopen) | A 13:00; not solved now
 *             T3 A 10:05 | C 10:06 (unanswered); solved 10:15
 *             T5 A 10:01 | C 10:02 | A 10:03; solved 10:05; merged 11:00
 *   first response T1 600, T2 1800, T3 300 · first resolution T1 3600, T2 7200, T3 900 ·
 *   full resolution T1 3600, T3 900 (T2 reopened) · public agent replies T1 2, T2 3, T3 1 →
 *   first-contact resolution T1 ✗ T2 ✗ T3 ✓ · reopened T2 · solved T1 T2 T3 ·
 *   next reply T1 1800, T2 600 and 1800 (T3's wait is unanswered, T5's 60 is merged away) ·
 *   handle time (work per solved ticket): T1 600 + T5's 60 = 660, T2 1200, T3 300 (T4's 500: unsolved)
 *   backlog at 04-01: T2 (reopened), T4
 *
 * SLA policy (calendar minutes): first response HIGH 15, NORMAL 60, LOW 10, URGENT 5;
 * next response HIGH 20, NORMAL 15; resolution HIGH 120, NORMAL 60, LOW 60.
 *   first response: T1 10 min ✓, T2 30 min ✓, T3 5 min ✓, T4 never, due 10:05 ✗ → 3 / 4
 *   next response:  T1 30 min ✗, T2 10 min ✓ and 30 min ✗ → 1 / 3
 *   resolution:     T1 60 min ✓, T2 not solved now, due 11:00 ✗, T3 15 min ✓ → 2 / 3
 *
 * Surveys (sent 03-10 08:00, answered 09:00). A survey takes team, agent, channel and function
 * from its conversation, else from its ticket (channel: the ticket's source conversation);
 * priority from its ticket; organization from its customer.
 *   S1 CSAT 5 T1 · S2 CSAT 2 V2 · S3 CSAT 4 T2 · S4 CSAT unanswered T3 · S5 NPS 10 T1 ·
 *   S6 NPS 6 V4 · S7 NPS 9 T3 · S8 CES 3 T2 · S9 CES 6 V1 · S10 CES 7 T3
 *
 * Customer events: K1 login 02-10, purchase 100 EUR 03-02, 50 EUR 03-20 · K2 login 02-15,
 * purchase 40 EUR 03-05, cancellation 03-25 · K3 login 02-20.
 *   retention (preceding period [01-29, 03-01)): K1 ✓ (active), K2 ✗ (latest event a
 *   cancellation), K3 ✓ (started V3) · lifetime value K1 150, K2 40 · repeat purchase K1 ✓ K2 ✗
 */

export const MARCH = { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' };
const at = (day: string, time: string) => new Date(`2026-${day}T${time}:00Z`);

export interface Ids {
  ws: TestWorkspace;
  A: string; B: string; X: string; Y: string; O1: string; O2: string; K1: string; K2: string; K3: string;
}

async function build(): Promise<Ids> {
  const ws = await createTestWorkspace();
  const { prisma } = await testDatabase();
  const w = ws.workspaceId;
  const [teamA, teamB] = await insertTeams(ws, ['Tier 1', 'Tier 2']);
  const [agentY] = await insertAgents(ws, ['Yuki']);
  const agentX = ws.agentId;
  const [o1, o2] = [uuidv7(), uuidv7()];
  await prisma.organization.createMany({ data: [{ id: o1, workspaceId: w, name: 'One' }, { id: o2, workspaceId: w, name: 'Two' }] });
  const [k1, k2, k3] = await insertCustomers(w, 3);
  await prisma.customer.update({ where: { id: k1!.id }, data: { organizationId: o1 } });
  await prisma.customer.update({ where: { id: k2!.id }, data: { organizationId: o2 } });

  // Conversations with their messages (the triggers derive the reply waits from the messages).
  const conv = async (
    day: string,
    fields: Omit<Prisma.ConversationUncheckedCreateInput, 'id' | 'workspaceId' | 'createdAt'>,
    messages: Array<[string, MessageAuthorKind]>,
  ) => {
    const id = uuidv7(at(day, '09:00'));
    await prisma.conversation.create({ data: { id, workspaceId: w, createdAt: at(day, '09:00'), firstCustomerMessageAt: at(day, '09:00'), ...fields } });
    await prisma.message.createMany({
      data: messages.map(([time, authorKind]) => ({
        id: uuidv7(at(day, time)), workspaceId: w, conversationId: id, authorKind, body: 'x', createdAt: at(day, time),
        authorAgentId: authorKind === 'AGENT' ? (fields.assigneeId ?? agentX) : null,
        authorCustomerId: authorKind === 'CUSTOMER' ? fields.customerId : null,
        authorName: authorKind === 'BOT' ? 'Bot' : null,
        direction: authorKind === 'CUSTOMER' ? 'INBOUND' as const : 'OUTBOUND' as const,
      })),
    });
    return id;
  };
  const v1 = await conv('03-02', { channel: 'CHAT', function: 'SERVICE', teamId: teamA, assigneeId: agentX, customerId: k1!.id, firstAgentResponseAt: at('03-02', '09:10'), firstResolvedAt: at('03-02', '09:45'), status: 'RESOLVED' },
    [['09:00', 'CUSTOMER'], ['09:10', 'AGENT'], ['09:20', 'CUSTOMER'], ['09:40', 'AGENT']]);
  const v2 = await conv('03-03', { channel: 'EMAIL', function: 'SERVICE', teamId: teamB, assigneeId: agentY, customerId: k2!.id, firstAgentResponseAt: at('03-03', '09:30'), firstResolvedAt: at('03-03', '10:00'), status: 'RESOLVED' },
    [['09:00', 'CUSTOMER'], ['09:30', 'AGENT'], ['09:35', 'CUSTOMER'], ['09:45', 'AGENT']]);
  const v3 = await conv('03-04', { channel: 'PHONE', function: 'SUPPORT', teamId: teamA, customerId: k3!.id }, [['09:00', 'CUSTOMER']]);
  const v4 = await conv('03-05', { channel: 'CHAT', function: 'SERVICE', assigneeId: agentX, customerId: k1!.id, firstBotResponseAt: at('03-05', '09:01'), firstResolvedAt: at('03-05', '09:05'), status: 'RESOLVED' },
    [['09:00', 'CUSTOMER'], ['09:01', 'BOT']]);

  const slaPolicyId = dbId(await createPolicy(ws, {
    name: 'Matrix',
    targets: [
      ...([['HIGH', 15], ['NORMAL', 60], ['LOW', 10], ['URGENT', 5]] as const).map(([priority, minutes]) => ({ priority, kind: 'FIRST_RESPONSE', minutes, businessHours: false })),
      ...([['HIGH', 20], ['NORMAL', 15]] as const).map(([priority, minutes]) => ({ priority, kind: 'NEXT_RESPONSE', minutes, businessHours: false })),
      ...([['HIGH', 120], ['NORMAL', 60], ['LOW', 60]] as const).map(([priority, minutes]) => ({ priority, kind: 'RESOLUTION', minutes, businessHours: false })),
    ],
  }));

  type Row = Omit<Prisma.TicketUncheckedCreateInput, 'id' | 'workspaceId' | 'subject' | 'number' | 'createdAt'> & { day: string };
  const rows: Row[] = [
    { day: '03-02', sourceConversationId: v1, function: 'SUPPORT', priority: 'HIGH', teamId: teamA, assigneeId: agentX, organizationId: o1, requesterId: k1!.id, tags: ['billing'],
      firstResponseAt: at('03-02', '10:10'), firstSolvedAt: at('03-02', '11:00'), solvedAt: at('03-02', '11:00'), status: 'SOLVED', publicAgentReplyCount: 2 },
    { day: '03-03', function: 'SERVICE', priority: 'NORMAL', teamId: teamB, assigneeId: agentY, organizationId: o2, requesterId: k2!.id, tags: [],
      firstResponseAt: at('03-03', '10:30'), firstSolvedAt: at('03-03', '12:00'), status: 'OPEN', reopenCount: 1, lastReopenedAt: at('03-03', '12:30'), publicAgentReplyCount: 3 },
    { day: '03-04', sourceConversationId: v2, function: 'SUPPORT', priority: 'LOW', teamId: teamA, organizationId: o2, requesterId: k2!.id, tags: ['billing', 'vip'],
      firstResponseAt: at('03-04', '10:05'), firstSolvedAt: at('03-04', '10:15'), solvedAt: at('03-04', '10:15'), status: 'SOLVED', publicAgentReplyCount: 1 },
    { day: '03-05', function: 'SUPPORT', priority: 'URGENT', assigneeId: agentX, requesterId: k1!.id, tags: ['vip'], createdByKind: 'AGENT', createdByAgentId: agentX, status: 'NEW' },
    { day: '03-06', function: 'SUPPORT', priority: 'HIGH', teamId: teamB, assigneeId: agentY, organizationId: o2, requesterId: k2!.id, tags: ['billing'],
      firstResponseAt: at('03-06', '10:01'), firstSolvedAt: at('03-06', '10:05'), solvedAt: at('03-06', '10:05'), status: 'SOLVED', publicAgentReplyCount: 2 },
  ];
  const ticketIds = rows.map((r) => uuidv7(at(r.day, '10:00')));
  await prisma.ticket.createMany({
    data: rows.map(({ day, ...r }, i) => ({ ...r, id: ticketIds[i]!, workspaceId: w, subject: `T${i + 1}`, number: i + 1, createdAt: at(day, '10:00'), slaPolicyId })),
  });
  const [t1, t2, t3, t4, t5] = ticketIds as [string, string, string, string, string];
  const comments: Array<[string, string, string, ActorKind]> = [
    [t1, '03-02', '10:10', 'AGENT'], [t1, '03-02', '10:20', 'CUSTOMER'], [t1, '03-02', '10:50', 'AGENT'],
    [t2, '03-03', '10:30', 'AGENT'], [t2, '03-03', '11:00', 'CUSTOMER'], [t2, '03-03', '11:10', 'AGENT'], [t2, '03-03', '12:30', 'CUSTOMER'], [t2, '03-03', '13:00', 'AGENT'],
    [t3, '03-04', '10:05', 'AGENT'], [t3, '03-04', '10:06', 'CUSTOMER'],
    [t5, '03-06', '10:01', 'AGENT'], [t5, '03-06', '10:02', 'CUSTOMER'], [t5, '03-06', '10:03', 'AGENT'],
  ];
  const requester = new Map([[t1, k1!.id], [t2, k2!.id], [t3, k2!.id], [t5, k2!.id]]);
  await prisma.ticketComment.createMany({
    data: comments.map(([ticketId, day, time, authorKind]) => ({
      id: uuidv7(at(day, time)), workspaceId: w, ticketId, authorKind, body: 'x', isPublic: true, createdAt: at(day, time),
      authorAgentId: authorKind === 'AGENT' ? agentX : null, authorCustomerId: authorKind === 'CUSTOMER' ? requester.get(ticketId)! : null,
    })),
  });
  await prisma.ticket.update({ where: { id: t5 }, data: { mergedIntoId: t1, status: 'CLOSED', closedAt: at('03-06', '11:00') } });

  // The audit trail the backlog is replayed from.
  const events: Prisma.TicketEventCreateManyInput[] = [];
  const event = (ticketId: string, day: string, time: string, kind: Prisma.TicketEventCreateManyInput['kind'], extra: Partial<Prisma.TicketEventCreateManyInput> = {}) =>
    events.push({ id: uuidv7(at(day, time)), workspaceId: w, ticketId, kind, actorKind: 'AGENT', createdAt: at(day, time), ...extra });
  const status = (ticketId: string, day: string, time: string, from: string, to: string) => event(ticketId, day, time, 'FIELD_CHANGED', { field: 'status', oldValue: from, newValue: to });
  for (const [i, id] of ticketIds.entries()) event(id, rows[i]!.day, '10:00', 'CREATED', { newValue: { status: 'NEW' } });
  status(t1, '03-02', '11:00', 'NEW', 'SOLVED');
  status(t2, '03-03', '12:00', 'NEW', 'SOLVED');
  status(t2, '03-03', '12:30', 'SOLVED', 'OPEN');
  event(t2, '03-03', '12:30', 'REOPENED', { oldValue: 'SOLVED', newValue: 'OPEN' });
  status(t3, '03-04', '10:15', 'NEW', 'SOLVED');
  status(t5, '03-06', '10:05', 'NEW', 'SOLVED');
  event(t5, '03-06', '11:00', 'MERGED_INTO', { oldValue: { status: 'SOLVED' }, newValue: { ticketId: t1, number: 1 } });
  event(t1, '03-06', '11:00', 'MERGED_FROM', { newValue: { ticketId: t5, number: 5 } });
  await prisma.ticketEvent.createMany({ data: events });

  const work = (target: { ticketId: string } | { conversationId: string }, day: string, seconds: number) =>
    ({ id: uuidv7(), workspaceId: w, agentId: agentX, startedAt: at(day, '08:00'), seconds, source: 'MANUAL' as const, ...target });
  await prisma.workEntry.createMany({
    data: [
      work({ ticketId: t1 }, '03-02', 600), work({ ticketId: t2 }, '03-03', 1200), work({ ticketId: t3 }, '03-04', 300),
      work({ ticketId: t4 }, '03-05', 500), work({ ticketId: t5 }, '03-06', 60),
      work({ conversationId: v1 }, '03-02', 300), work({ conversationId: v2 }, '03-03', 900), work({ conversationId: v3 }, '03-04', 500), work({ conversationId: v4 }, '03-05', 120),
    ],
  });

  const survey = (kind: 'CSAT' | 'NPS' | 'CES', score: number | null, customerId: string, on: { ticketId: string } | { conversationId: string }) => ({
    id: uuidv7(), workspaceId: w, kind, score, customerId, ...on, sentAt: at('03-10', '08:00'), respondedAt: score === null ? null : at('03-10', '09:00'),
  });
  await prisma.surveyResponse.createMany({
    data: [
      survey('CSAT', 5, k1!.id, { ticketId: t1 }), survey('CSAT', 2, k2!.id, { conversationId: v2 }), survey('CSAT', 4, k2!.id, { ticketId: t2 }),
      survey('CSAT', null, k2!.id, { ticketId: t3 }), survey('NPS', 10, k1!.id, { ticketId: t1 }), survey('NPS', 6, k1!.id, { conversationId: v4 }),
      survey('NPS', 9, k2!.id, { ticketId: t3 }), survey('CES', 3, k2!.id, { ticketId: t2 }), survey('CES', 6, k1!.id, { conversationId: v1 }),
      survey('CES', 7, k2!.id, { ticketId: t3 }),
    ],
  });

  const customerEvent = (customerId: string, type: string, day: string, value?: number) =>
    ({ id: uuidv7(), workspaceId: w, customerId, type, occurredAt: new Date(`2026-${day}T12:00:00Z`), value: value ?? null, currency: value === undefined ? null : 'EUR' });
  await prisma.customerEvent.createMany({
    data: [
      customerEvent(k1!.id, 'login', '02-10'), customerEvent(k1!.id, 'purchase', '03-02', 100), customerEvent(k1!.id, 'purchase', '03-20', 50),
      customerEvent(k2!.id, 'login', '02-15'), customerEvent(k2!.id, 'purchase', '03-05', 40), customerEvent(k2!.id, 'cancellation', '03-25'),
      customerEvent(k3!.id, 'login', '02-20'),
    ],
  });

  const ids = {
    ws,
    A: encodeGlobalId('Team', teamA!), B: encodeGlobalId('Team', teamB!),
    X: encodeGlobalId('Agent', agentX), Y: encodeGlobalId('Agent', agentY!),
    O1: encodeGlobalId('Organization', o1), O2: encodeGlobalId('Organization', o2),
    K1: encodeGlobalId('Customer', k1!.id), K2: encodeGlobalId('Customer', k2!.id), K3: encodeGlobalId('Customer', k3!.id),
  };
  names = new Map(Object.entries(ids).filter(([name]) => name !== 'ws').map(([name, id]) => [id as string, name]));
  return ids;
}

let shared: Promise<Ids> | undefined;
export const fixture = () => (shared ??= build());

/** A group's expected [key, value, sampleSize]. */
export type Group = [key: string | null, value: number | null, sampleSize: number];

const RESULT = 'value sampleSize groups { key value sampleSize }';

/** One request per metric: an alias per statistic and per dimension. */
export async function measure(ws: TestWorkspace, key: string, statistics: string[], dims: string[], extra: Record<string, unknown> = {}) {
  const parts = [...statistics.map((s) => ['s_' + s, { statistic: s }] as const), ...dims.map((d) => ['g_' + d, { groupBy: d }] as const)];
  const query = `query (${parts.map(([alias]) => `$${alias}: MetricInput!`).join(', ')}) { ${parts.map(([alias]) => `${alias}: metric(input: $${alias}) { ${RESULT} }`).join(' ')} }`;
  const variables = Object.fromEntries(parts.map(([alias, input]) => [alias, { key, ...MARCH, ...extra, ...input }]));
  const res = await ws.gql(query, variables);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data as Record<string, { value: number | null; sampleSize: number; groups: Array<{ key: string | null; value: number | null; sampleSize: number }> }>;
}

export function expectClose(actual: number | null, expected: number | null, label: string) {
  if (expected === null) expect(actual, label).toBeNull();
  else expect(actual, label).toBeCloseTo(expected, 9);
}

/** Names the fixture's global IDs (A, X, O1, K2, …) in failure messages. */
let names = new Map<string, string>();

export function expectGroups(actual: Array<{ key: string | null; value: number | null; sampleSize: number }>, expected: Group[], label: string) {
  const byKey = (k: string | null) => (k === null ? '(none)' : (names.get(k) ?? k));
  expect(actual.map((g) => byKey(g.key)).sort(), label).toEqual(expected.map(([k]) => byKey(k)).sort());
  for (const [key, value, n] of expected) {
    const group = actual.find((g) => g.key === key)!;
    expect(group.sampleSize, `${label} ${byKey(key)} sampleSize`).toBe(n);
    expectClose(group.value, value, `${label} ${byKey(key)} value`);
  }
}
