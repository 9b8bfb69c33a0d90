import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import type { Prisma } from '../src/generated/prisma/client.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';
import { CEST, CET, createCalendar } from './sla-helpers.ts';

/**
 * Every duration metric × every statistic × both clocks, against one set of hand-computed
 * intervals: each of the eight SECONDS metrics gets exactly the six samples below, from its own
 * tickets or conversations, so one hand computation serves all of them. Office calendar (see
 * sla-helpers): Mon–Fri 09:00–17:00 Europe/Berlin, holiday Thu 03-12; DST starts Sun 03-29
 * (CET, UTC+1 → CEST, UTC+2). March 2026: Mon = 2, 9, 16, 23, 30. Times below are Berlin local.
 *
 *        start                  stop                    calendar                    business (open hours inside)
 *   (a)  Tue 03-03 10:00 CET    Tue 03-03 11:30 CET     1 h 30       =   5400       1 h 30                         = 5400
 *   (b)  Tue 03-03 16:00 CET    Wed 03-04 10:00 CET     18 h         =  64800       1 h Tue + 1 h Wed              = 7200
 *   (c)  Fri 03-06 16:30 CET    Mon 03-09 09:45 CET     65 h 15      = 234900       30 min Fri + weekend + 45 min  = 4500
 *   (d)  Wed 03-11 16:00 CET    Fri 03-13 10:00 CET     42 h         = 151200       1 h Wed + holiday + 1 h Fri    = 7200
 *   (e)  Fri 03-27 16:00 CET    Mon 03-30 10:30 CEST    65 h 30      = 235800       1 h Fri + weekend/DST + 1 h 30 = 9000
 *        (15:00Z → 08:30Z: the DST night is one hour short)
 *   (f)  Sat 03-14 10:00 CET    Sun 03-15 18:00 CET     32 h         = 115200       weekend                        =    0
 *
 * Calendar: sorted 5400, 64800, 115200, 151200, 234900, 235800
 *   MEAN 807300 / 6 = 134550 · MEDIAN (115200 + 151200) / 2 = 133200 ·
 *   P90 at position 0.9 × 5 = 4.5: 234900 + 0.5 × 900 = 235350 · COUNT 6
 * Business: sorted 0, 4500, 5400, 7200, 7200, 9000
 *   MEAN 33300 / 6 = 5550 · MEDIAN (5400 + 7200) / 2 = 6300 · P90 7200 + 0.5 × 1800 = 8100 · COUNT 6
 *
 * How each metric gets its samples (one item per interval):
 *   ticket first response / first resolution / full resolution: a ticket created at start, first
 *     replied, first solved and solved at stop;
 *   average_handle_time: the same tickets carry work entries covering [start, stop) in pieces of at
 *     most 12 hours (the largest a work entry may be); attributed to the first solve (stop);
 *   conversation first response and conversation_handle_time: a conversation whose first customer
 *     message is at start, first agent reply and first resolution at stop, with work entries as above;
 *   ticket / conversation next reply: a ticket / conversation from 02-20 (outside the range, so
 *     none of its other durations count) with an agent reply, then a customer comment / message at
 *     start and the next agent reply at stop.
 * Priorities of the tickets: (a), (b) HIGH · (c), (d) NORMAL · (e), (f) LOW.
 */

type Interval = [start: string, stop: string];
const I: Record<'a' | 'b' | 'c' | 'd' | 'e' | 'f', Interval> = {
  a: [CET('03T10:00:00'), CET('03T11:30:00')],
  b: [CET('03T16:00:00'), CET('04T10:00:00')],
  c: [CET('06T16:30:00'), CET('09T09:45:00')],
  d: [CET('11T16:00:00'), CET('13T10:00:00')],
  e: [CET('27T16:00:00'), CEST('30T10:30:00')],
  f: [CET('14T10:00:00'), CET('15T18:00:00')],
};
const PRIORITY = { a: 'HIGH', b: 'HIGH', c: 'NORMAL', d: 'NORMAL', e: 'LOW', f: 'LOW' } as const;

const CALENDAR = { MEAN: 134550, MEDIAN: 133200, P90: 235350, COUNT: 6 };
const BUSINESS = { MEAN: 5550, MEDIAN: 6300, P90: 8100, COUNT: 6 };

const MARCH = { from: CET('01T00:00:00'), to: '2026-04-01T00:00:00+02:00' };
const FEB = (time: string) => new Date(`2026-02-20T${time}:00Z`);

/** [start, stop) as work entries of at most 12 hours each. */
function pieces(start: Date, stop: Date): Array<[Date, number]> {
  const out: Array<[Date, number]> = [];
  for (let t = start.getTime(); t < stop.getTime(); t += 43_200_000) out.push([new Date(t), Math.min(43_200, (stop.getTime() - t) / 1000)]);
  return out;
}

async function build() {
  const ws = await createTestWorkspace();
  const calendarId = await createCalendar(ws);
  const { prisma } = await testDatabase();
  const w = ws.workspaceId;
  const [customer] = await insertCustomers(w, 1);
  const c = customer!.id;
  const tickets: Prisma.TicketCreateManyInput[] = [];
  const comments: Prisma.TicketCommentCreateManyInput[] = [];
  const conversations: Prisma.ConversationCreateManyInput[] = [];
  const messages: Prisma.MessageCreateManyInput[] = [];
  const work: Prisma.WorkEntryCreateManyInput[] = [];
  const ticket = (data: Omit<Prisma.TicketCreateManyInput, 'id' | 'workspaceId' | 'number' | 'subject' | 'requesterId'>) => {
    const id = uuidv7();
    tickets.push({ id, workspaceId: w, number: tickets.length + 1, subject: 'x', requesterId: c, ...data });
    return id;
  };
  const conversation = (data: Omit<Prisma.ConversationCreateManyInput, 'id' | 'workspaceId' | 'customerId' | 'channel'>) => {
    const id = uuidv7();
    conversations.push({ id, workspaceId: w, customerId: c, channel: 'CHAT', ...data });
    return id;
  };
  const comment = (ticketId: string, at: Date, authorKind: 'AGENT' | 'CUSTOMER') =>
    comments.push({ id: uuidv7(at), workspaceId: w, ticketId, authorKind, body: 'x', createdAt: at, authorAgentId: authorKind === 'AGENT' ? ws.agentId : null, authorCustomerId: authorKind === 'CUSTOMER' ? c : null });
  const message = (conversationId: string, at: Date, authorKind: 'AGENT' | 'CUSTOMER') =>
    messages.push({ id: uuidv7(at), workspaceId: w, conversationId, authorKind, body: 'x', createdAt: at, direction: authorKind === 'CUSTOMER' ? 'INBOUND' : 'OUTBOUND', authorAgentId: authorKind === 'AGENT' ? ws.agentId : null, authorCustomerId: authorKind === 'CUSTOMER' ? c : null });
  const logged = (target: { ticketId: string } | { conversationId: string }, start: Date, stop: Date) => {
    for (const [startedAt, seconds] of pieces(start, stop)) work.push({ id: uuidv7(), workspaceId: w, agentId: ws.agentId, startedAt, seconds, ...target });
  };
  for (const [name, [from, to]] of Object.entries(I) as Array<[keyof typeof I, Interval]>) {
    const [start, stop] = [new Date(from), new Date(to)];
    const solved = ticket({ priority: PRIORITY[name], createdAt: start, firstResponseAt: stop, firstSolvedAt: stop, solvedAt: stop, status: 'SOLVED', publicAgentReplyCount: 1 });
    logged({ ticketId: solved }, start, stop);
    const answered = conversation({ createdAt: start, firstCustomerMessageAt: start, firstAgentResponseAt: stop, firstResolvedAt: stop, status: 'RESOLVED' });
    logged({ conversationId: answered }, start, stop);
    const waiting = ticket({ priority: PRIORITY[name], createdAt: FEB('08:00'), firstResponseAt: FEB('08:30'), status: 'OPEN', publicAgentReplyCount: 2 });
    comment(waiting, FEB('08:30'), 'AGENT');
    comment(waiting, start, 'CUSTOMER');
    comment(waiting, stop, 'AGENT');
    const chat = conversation({ createdAt: FEB('08:00'), firstCustomerMessageAt: FEB('08:00'), firstAgentResponseAt: FEB('08:30') });
    message(chat, FEB('08:00'), 'CUSTOMER');
    message(chat, FEB('08:30'), 'AGENT');
    message(chat, start, 'CUSTOMER');
    message(chat, stop, 'AGENT');
  }
  await prisma.ticket.createMany({ data: tickets });
  await prisma.ticketComment.createMany({ data: comments });
  await prisma.conversation.createMany({ data: conversations });
  await prisma.message.createMany({ data: messages });
  await prisma.workEntry.createMany({ data: work });
  return { ws, calendarId };
}

/**
 * The fixture is only read, so the file builds it once: laying out a calendar's open hours takes
 * seconds on the embedded database.
 */
let shared: ReturnType<typeof build> | undefined;
const fixture = () => (shared ??= build());

const SECONDS_METRICS = [
  'ticket_first_response_time', 'ticket_first_resolution_time', 'ticket_full_resolution_time', 'average_handle_time',
  'ticket_next_reply_time', 'conversation_first_response_time', 'conversation_next_reply_time', 'conversation_handle_time',
];

async function batch(ws: TestWorkspace, inputs: Record<string, Record<string, unknown>>, fields = 'value sampleSize') {
  const aliases = Object.keys(inputs);
  const query = `query (${aliases.map((a) => `$${a}: MetricInput!`).join(', ')}) { ${aliases.map((a) => `${a}: metric(input: $${a}) { ${fields} }`).join(' ')} }`;
  const res = await ws.gql(query, Object.fromEntries(aliases.map((a) => [a, { ...MARCH, ...inputs[a] }])));
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data as Record<string, any>;
}

describe('duration metrics: every statistic in both clocks (hand-computed)', () => {
  it('lists exactly these eight metrics as durations with both clocks', async () => {
    const { ws } = await fixture();
    const res = await ws.gql(/* GraphQL */ `{ metricDefinitions { key unit clocks statistics } }`);
    const durations = res.data!.metricDefinitions.filter((d: { unit: string }) => d.unit === 'SECONDS');
    expect(durations.map((d: { key: string }) => d.key).sort()).toEqual([...SECONDS_METRICS].sort());
    for (const d of durations) expect([d.clocks, [...d.statistics].sort()], d.key).toEqual([['CALENDAR', 'BUSINESS'], ['COUNT', 'MEAN', 'MEDIAN', 'P90']]);
  });

  it.each(SECONDS_METRICS)('%s', async (key) => {
    const { ws, calendarId } = await fixture();
    const inputs: Record<string, Record<string, unknown>> = {};
    for (const statistic of Object.keys(CALENDAR)) {
      inputs[`calendar_${statistic}`] = { key, statistic };
      inputs[`business_${statistic}`] = { key, statistic, clock: 'BUSINESS', calendarId };
    }
    const data = await batch(ws, inputs);
    for (const [statistic, value] of Object.entries(CALENDAR)) {
      expect(data[`calendar_${statistic}`].sampleSize, `${key} calendar ${statistic}`).toBe(6);
      expect(data[`calendar_${statistic}`].value, `${key} calendar ${statistic}`).toBeCloseTo(value, 6);
    }
    for (const [statistic, value] of Object.entries(BUSINESS)) {
      expect(data[`business_${statistic}`].sampleSize, `${key} business ${statistic}`).toBe(6);
      expect(data[`business_${statistic}`].value, `${key} business ${statistic}`).toBeCloseTo(value, 6);
    }
  });
});

describe('the business clock with groups and time buckets (hand-computed)', () => {
  it('groups business and calendar seconds by priority', async () => {
    const { ws, calendarId } = await fixture();
    const data = await batch(
      ws,
      {
        business: { key: 'ticket_first_response_time', statistic: 'MEAN', groupBy: 'PRIORITY', clock: 'BUSINESS', calendarId },
        calendar: { key: 'ticket_first_response_time', statistic: 'MEAN', groupBy: 'PRIORITY' },
        // The next-reply tickets have the same priorities: the same groups.
        nextReply: { key: 'ticket_next_reply_time', statistic: 'MEAN', groupBy: 'PRIORITY', clock: 'BUSINESS', calendarId },
      },
      'groups { key value sampleSize }',
    );
    // Business: HIGH (a 5400, b 7200) 6300 · NORMAL (c 4500, d 7200) 5850 · LOW (e 9000, f 0) 4500.
    const business = [
      { key: 'HIGH', value: 6300, sampleSize: 2 },
      { key: 'LOW', value: 4500, sampleSize: 2 },
      { key: 'NORMAL', value: 5850, sampleSize: 2 },
    ];
    expect(data.business.groups).toEqual(business);
    expect(data.nextReply.groups).toEqual(business);
    // Calendar: HIGH (5400 + 64800) / 2 = 35100 · NORMAL (234900 + 151200) / 2 = 193050 · LOW (235800 + 115200) / 2 = 175500.
    expect(data.calendar.groups).toEqual([
      { key: 'HIGH', value: 35100, sampleSize: 2 },
      { key: 'LOW', value: 175500, sampleSize: 2 },
      { key: 'NORMAL', value: 193050, sampleSize: 2 },
    ]);
  });

  it('buckets by local Monday-start weeks, attributed to each metric\'s own instant, across the DST change', async () => {
    const { ws, calendarId } = await fixture();
    const week = { bucket: 'WEEK', timeZone: 'Europe/Berlin', statistic: 'MEAN', clock: 'BUSINESS', calendarId };
    const data = await batch(
      ws,
      {
        created: { key: 'ticket_first_response_time', ...week },
        solved: { key: 'average_handle_time', ...week },
        calendar: { key: 'ticket_first_response_time', bucket: 'WEEK', timeZone: 'Europe/Berlin', statistic: 'MEAN' },
        count: { key: 'ticket_first_response_time', bucket: 'WEEK', timeZone: 'Europe/Berlin', statistic: 'COUNT' },
      },
      'series { bucketStart value sampleSize }',
    );
    // March 1 is a Sunday, so the first week starts Mon 02-23; the range ends in the week of Mon
    // 03-30, whose local midnight is already CEST (22:00Z).
    const starts = ['2026-02-22T23:00:00.000Z', '2026-03-01T23:00:00.000Z', '2026-03-08T23:00:00.000Z', '2026-03-15T23:00:00.000Z', '2026-03-22T23:00:00.000Z', '2026-03-29T22:00:00.000Z'];
    const series = (values: Array<[number | null, number]>) => values.map(([value, sampleSize], i) => ({ bucketStart: starts[i], value, sampleSize }));
    // By creation (start): week 03-02 {a, b, c}, week 03-09 {d, f}, week 03-23 {e}.
    // Business: (5400 + 7200 + 4500) / 3 = 5700 · (7200 + 0) / 2 = 3600 · 9000.
    expect(data.created.series).toEqual(series([[null, 0], [5700, 3], [3600, 2], [null, 0], [9000, 1], [null, 0]]));
    // Calendar: (5400 + 64800 + 234900) / 3 = 101700 · (151200 + 115200) / 2 = 133200 · 235800.
    expect(data.calendar.series).toEqual(series([[null, 0], [101700, 3], [133200, 2], [null, 0], [235800, 1], [null, 0]]));
    // COUNT: an empty week is 0, not null.
    expect(data.count.series).toEqual(series([[0, 0], [3, 3], [2, 2], [0, 0], [1, 1], [0, 0]]));
    // Handle time by the first solve (stop): a Tue 03-03, b Wed 03-04 → week 03-02: (5400 + 7200) / 2 = 6300;
    // c Mon 03-09, d Fri 03-13, f Sun 03-15 → week 03-09: (4500 + 7200 + 0) / 3 = 3900; e Mon 03-30 → week 03-30: 9000.
    expect(data.solved.series).toEqual(series([[null, 0], [6300, 2], [3900, 3], [null, 0], [null, 0], [9000, 1]]));
  });

  it('counts a sample at the range start and leaves out one at the range end', async () => {
    const { ws, calendarId } = await fixture();
    // [Tue 03-03 10:00, Fri 03-06 16:30): (a) starts exactly at `from` and counts; (c) starts exactly at `to` and does not.
    // Samples a 5400 and b 7200 business → MEAN 6300.
    const data = await batch(ws, {
      edge: { key: 'ticket_first_response_time', from: I.a[0], to: I.c[0], statistic: 'MEAN', clock: 'BUSINESS', calendarId },
    });
    expect(data.edge).toEqual({ value: 6300, sampleSize: 2 });
  });
});
