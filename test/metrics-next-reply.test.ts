import { describe, expect, it } from 'vitest';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, type TestWorkspace } from './helpers/factories.ts';
import { CEST, CET, createCalendar, dbId, gid, insertConversation, insertTickets, metric, TWO_WAITS } from './sla-helpers.ts';

/**
 * Next reply time, against hand-computed values. Office calendar: Mon–Fri 09:00–17:00
 * Europe/Berlin, holiday Thu 2026-03-12; DST starts Sun 03-29 (CET → CEST).
 *
 * Tickets (A = public human agent reply, C = customer, B = bot, K = integration key, n = internal note):
 *   T1  A Mon 03-09 10:00 | C 16:30, C 16:45 | B Tue 09:05, n 09:10 | A Tue 09:20 | C 10:00 | A 11:30
 *       wait 1: Mon 16:30 → Tue 09:20: calendar 16 h 50 min = 60600; business 30 min Mon + 20 min Tue = 3000
 *       (the second customer comment, the bot and the note neither start nor end it)
 *       wait 2: Tue 10:00 → 11:30: 5400 in both clocks
 *   T2  A Fri 03-27 14:30 CET | C 16:30 CET | A Mon 03-30 09:45 CEST | C 10:00 CEST (no reply: excluded)
 *       Fri 15:30Z → Mon 07:45Z: calendar 64 h 15 min = 231300 (the DST night is one hour short);
 *       business 30 min Fri + 45 min Mon = 4500
 *   T3  A Wed 03-11 15:10 | C 16:40 | A Fri 03-13 09:10
 *       calendar 40 h 30 min = 145800; business 20 min Wed + holiday + 10 min Fri = 1800
 *   T4  C Mon 03-16 09:00 | A 09:30 (first response, not a next reply) | C 10:05 | K 10:10 | A 10:35
 *       10:05 → 10:35 = 1800 in both clocks (the integration's reply does not end the wait)
 *   T5  merged into T1: its wait (600 s) is not counted.
 * Calendar: 60600, 5400, 231300, 145800, 1800 → n 5, mean 444900 / 5 = 88980, median 60600.
 * Business: 3000, 5400, 4500, 1800, 1800 → mean 16500 / 5 = 3300, median 3000.
 *
 * Conversations (messages):
 *   V1  C Mon 03-09 08:00 | A 09:15 | C 16:30 | B 16:31 | C 16:50 | n Tue 09:05 | A Tue 09:30 | C 10:00 (no reply)
 *       16:30 → Tue 09:30: calendar 17 h = 61200; business 30 min + 30 min = 3600
 *   V2  A Wed 03-11 16:00 | C 16:30 | A Fri 03-13 09:45
 *       calendar 41 h 15 min = 148500; business 30 min Wed + holiday + 45 min Fri = 4500
 * Calendar mean (61200 + 148500) / 2 = 104850; business mean (3600 + 4500) / 2 = 4050.
 */

async function fixture(ws: TestWorkspace) {
  const calendarId = await createCalendar(ws);
  const ids = await insertTickets(ws, [
    {
      createdAt: CET('06T16:30:00'),
      firstResponseAt: CET('09T10:00:00'),
      comments: TWO_WAITS,
    },
    {
      createdAt: CET('27T14:00:00'),
      comments: [
        [CET('27T14:30:00'), 'AGENT'],
        [CET('27T16:30:00'), 'CUSTOMER'],
        [CEST('30T09:45:00'), 'AGENT'],
        [CEST('30T10:00:00'), 'CUSTOMER'],
      ],
    },
    {
      createdAt: CET('11T15:00:00'),
      comments: [
        [CET('11T15:10:00'), 'AGENT'],
        [CET('11T16:40:00'), 'CUSTOMER'],
        [CET('13T09:10:00'), 'AGENT'],
      ],
    },
    {
      createdAt: CET('16T09:00:00'),
      comments: [
        [CET('16T09:00:00'), 'CUSTOMER'],
        [CET('16T09:30:00'), 'AGENT'],
        [CET('16T10:05:00'), 'CUSTOMER'],
        [CET('16T10:10:00'), 'API_KEY'],
        [CET('16T10:35:00'), 'AGENT'],
      ],
    },
  ]);
  await insertTickets(ws, [
    {
      createdAt: CET('16T09:00:00'),
      mergedIntoId: ids[0]!,
      comments: [
        [CET('16T09:00:00'), 'AGENT'],
        [CET('16T09:10:00'), 'CUSTOMER'],
        [CET('16T09:20:00'), 'AGENT'],
      ],
    },
  ]);
  await insertConversation(ws, [
    [CET('09T08:00:00'), 'CUSTOMER'],
    [CET('09T09:15:00'), 'AGENT'],
    [CET('09T16:30:00'), 'CUSTOMER'],
    [CET('09T16:31:00'), 'BOT'],
    [CET('09T16:50:00'), 'CUSTOMER'],
    [CET('10T09:05:00'), 'AGENT', true],
    [CET('10T09:30:00'), 'AGENT'],
    [CET('10T10:00:00'), 'CUSTOMER'],
  ]);
  await insertConversation(ws, [
    [CET('11T16:00:00'), 'AGENT'],
    [CET('11T16:30:00'), 'CUSTOMER'],
    [CET('13T09:45:00'), 'AGENT'],
  ]);
  return { calendarId, t1: gid('Ticket', ids[0]!), t2: gid('Ticket', ids[1]!) };
}

const MARCH = { from: CET('01T00:00:00'), to: CEST('31T00:00:00') };

describe('ticket_next_reply_time', () => {
  it('measures each answered wait after an agent reply, in calendar and business time', async () => {
    const ws = await createTestWorkspace();
    const { calendarId } = await fixture(ws);
    const key = 'ticket_next_reply_time';
    const business = { clock: 'BUSINESS', calendarId };
    expect(await metric(ws, { key, ...MARCH, statistic: 'MEAN' })).toEqual({ value: 88980, sampleSize: 5 });
    expect(await metric(ws, { key, ...MARCH })).toEqual({ value: 60600, sampleSize: 5 });
    expect(await metric(ws, { key, ...MARCH, ...business, statistic: 'MEAN' })).toEqual({ value: 3300, sampleSize: 5 });
    expect(await metric(ws, { key, ...MARCH, ...business })).toEqual({ value: 3000, sampleSize: 5 });
    // Attributed to the start of the wait: Monday 03-09 holds only T1's first wait, Tuesday its second.
    expect(await metric(ws, { key, from: CET('09T00:00:00'), to: CET('10T00:00:00') })).toEqual({ value: 60600, sampleSize: 1 });
    expect(await metric(ws, { key, from: CET('10T00:00:00'), to: CET('11T00:00:00') })).toEqual({ value: 5400, sampleSize: 1 });
    // No waits in the range: null, not 0.
    expect(await metric(ws, { key, from: '2026-04-01T00:00:00+02:00', to: '2026-05-01T00:00:00+02:00', statistic: 'MEAN' })).toEqual({ value: null, sampleSize: 0 });
  });

  it('is listed per ticket in Ticket.metrics, in either clock', async () => {
    const ws = await createTestWorkspace();
    const { calendarId, t1 } = await fixture(ws);
    const query = /* GraphQL */ `
      query ($id: ID!, $calendarId: ID) {
        ticket(id: $id) {
          calendar: metrics { nextReplyTimes firstResponseTime }
          business: metrics(calendarId: $calendarId) { nextReplyTimes firstResponseTime }
        }
      }
    `;
    const res = await ws.gql(query, { id: t1, calendarId });
    expect(res.errors).toBeUndefined();
    // First response Fri 16:30 → Mon 10:00: calendar 65 h 30 min = 235800; business 30 min + 60 min = 5400.
    expect(res.data!.ticket).toEqual({
      calendar: { nextReplyTimes: [60600, 5400], firstResponseTime: 235800 },
      business: { nextReplyTimes: [3000, 5400], firstResponseTime: 5400 },
    });
  });
});

describe('ReplyWait (kept by triggers on comments)', () => {
  it('lists every wait after an agent reply with its reply, unanswered ones with none', async () => {
    const ws = await createTestWorkspace();
    const { t2 } = await fixture(ws);
    const { prisma } = await testDatabase();
    const rows = await prisma.replyWait.findMany({ where: { ticketId: dbId(t2) }, orderBy: { waitingSince: 'asc' } });
    expect(rows.map((r) => [r.waitingSince.toISOString(), r.repliedAt?.toISOString() ?? null])).toEqual([
      ['2026-03-27T15:30:00.000Z', '2026-03-30T07:45:00.000Z'],
      ['2026-03-30T08:00:00.000Z', null],
    ]);
    expect(rows.every((r) => r.workspaceId === ws.workspaceId && r.conversationId === null)).toBe(true);
    const other = await createTestWorkspace();
    expect(await prisma.replyWait.count({ where: { workspaceId: other.workspaceId } })).toBe(0);
  });
});

describe('conversation_next_reply_time', () => {
  it('measures waits on messages; bots, notes and unanswered waits do not count', async () => {
    const ws = await createTestWorkspace();
    const { calendarId } = await fixture(ws);
    const key = 'conversation_next_reply_time';
    expect(await metric(ws, { key, ...MARCH, statistic: 'MEAN' })).toEqual({ value: 104850, sampleSize: 2 });
    expect(await metric(ws, { key, ...MARCH, statistic: 'MEAN', clock: 'BUSINESS', calendarId })).toEqual({ value: 4050, sampleSize: 2 });
    expect(await metric(ws, { key, ...MARCH, statistic: 'P90', clock: 'BUSINESS', calendarId })).toEqual({ value: 3600 + 0.9 * 900, sampleSize: 2 });
  });
});

describe('next reply time isolation', () => {
  it('never counts another workspace\'s waits, and refuses its calendar', async () => {
    const ws = await createTestWorkspace();
    const { t1 } = await fixture(ws);
    const other = await createTestWorkspace();
    const theirs = await createCalendar(other);
    for (const key of ['ticket_next_reply_time', 'conversation_next_reply_time']) {
      expect(await metric(other, { key, ...MARCH })).toEqual({ value: null, sampleSize: 0 });
    }
    // Their own data only: one wait of 15 minutes.
    await insertTickets(other, [{ createdAt: CET('09T09:00:00'), comments: [[CET('09T09:00:00'), 'AGENT'], [CET('09T09:30:00'), 'CUSTOMER'], [CET('09T09:45:00'), 'AGENT']] }]);
    expect(await metric(other, { key: 'ticket_next_reply_time', ...MARCH })).toEqual({ value: 900, sampleSize: 1 });
    expect(await metric(ws, { key: 'ticket_next_reply_time', ...MARCH })).toEqual({ value: 60600, sampleSize: 5 });
    const res = await ws.gql(/* GraphQL */ `query ($id: ID!, $c: ID) { ticket(id: $id) { metrics(calendarId: $c) { nextReplyTimes } } }`, { id: t1, c: theirs });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', argument: 'calendarId' });
    const wrongType = await ws.gql(/* GraphQL */ `query ($id: ID!, $c: ID) { ticket(id: $id) { metrics(calendarId: $c) { nextReplyTimes } } }`, { id: t1, c: t1 });
    expect(wrongType.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'calendarId' });
  });

  it('lists both metrics with both clocks', async () => {
    const ws = await createTestWorkspace();
    const res = await ws.gql(/* GraphQL */ `{ metricDefinitions { key unit clocks attributedTo } }`);
    const byKey = new Map(res.data!.metricDefinitions.map((d: any) => [d.key, d]));
    for (const key of ['ticket_next_reply_time', 'conversation_next_reply_time']) {
      expect(byKey.get(key)).toMatchObject({ unit: 'SECONDS', clocks: ['CALENDAR', 'BUSINESS'] });
    }
  });
});
