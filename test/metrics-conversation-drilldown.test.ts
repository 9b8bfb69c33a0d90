import { describe, expect, it } from 'vitest';
import type { ConversationStatus, MessageAuthorKind } from '../src/generated/prisma/enums.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, type TestWorkspace } from './helpers/factories.ts';
import { CEST, CET, createCalendar, gid, insertConversation } from './sla-helpers.ts';

/**
 * Conversation.metrics in calendar and business time, against hand-computed values. Office
 * calendar: Mon–Fri 09:00–17:00 Europe/Berlin, holiday Thu 2026-03-12; DST starts Sun 03-29.
 * (C = customer message, A = public human agent message, B = bot, n = internal note; Berlin times.)
 *
 *  V1 C Fri 03-06 16:00 | B 16:01 | B 16:30 hands off | A Mon 03-09 10:00 | C 16:30 | B 16:40 |
 *     n Tue 09:05 | C 09:10 | A 09:20 | C 10:00 | A 11:30 | first resolved Tue 12:00 |
 *     C Wed 03-11 09:00 (reopened; still waiting)
 *     first response Fri 16:00 → Mon 10:00: calendar 66 h = 237600; business 1 h Fri + 1 h Mon = 7200
 *     from handoff Fri 16:30 → Mon 10:00: calendar 65 h 30 = 235800; business 30 min + 1 h = 5400
 *     first resolution Fri 16:00 → Tue 12:00: calendar 92 h = 331200; business 1 h + 8 h + 3 h = 43200
 *     wait Mon 16:30 → Tue 09:20 (the bot, the note and the second C neither end nor restart it):
 *       calendar 16 h 50 = 60600; business 30 min Mon + 20 min Tue = 3000
 *     wait Tue 10:00 → 11:30: 5400 in both clocks; wait Wed 09:00: unanswered, not listed
 *  V2 C Fri 03-27 14:00 CET | A 14:30 | C 16:30 | A Mon 03-30 09:45 CEST | C 10:00 (unanswered)
 *     first response 1800 in both clocks; no handoff, not resolved: null
 *     wait Fri 15:30Z → Mon 07:45Z: calendar 64 h 15 = 231300 (the DST night is an hour short);
 *       business 30 min Fri + 45 min Mon = 4500
 *  V3 A Wed 03-11 16:00 | B 16:10 hands off | C 16:30 | A Fri 03-13 09:45 | first resolved 10:00
 *     an agent wrote first, and before the handoff: both first response times null in both clocks
 *     first resolution Wed 16:00 → Fri 10:00: calendar 42 h = 151200; business 1 h + holiday + 1 h = 7200
 *     wait Wed 16:30 → Fri 09:45: calendar 41 h 15 = 148500; business 30 min + holiday + 45 min = 4500
 *  V4 C Mon 03-16 09:00 only: every duration null, no waits.
 */

type Messages = Array<[string, MessageAuthorKind, boolean?]>;

type TimeField = 'firstCustomerMessageAt' | 'firstAgentResponseAt' | 'firstBotResponseAt' | 'botHandoffAt' | 'resolvedAt' | 'firstResolvedAt' | 'waitingSince';

/** A conversation with its messages, and the timestamps the service would have kept (set here as chosen). */
async function conversation(ws: TestWorkspace, messages: Messages, times: Partial<Record<TimeField, string>>, extra: { status?: ConversationStatus; reopenCount?: number } = {}) {
  const id = await insertConversation(ws, messages);
  const { prisma } = await testDatabase();
  const data = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, new Date(v)]));
  await prisma.conversation.update({ where: { id }, data: { ...data, ...extra } });
  return gid('Conversation', id);
}

const v2 = (ws: TestWorkspace) =>
  conversation(
    ws,
    [
      [CET('27T14:00:00'), 'CUSTOMER'],
      [CET('27T14:30:00'), 'AGENT'],
      [CET('27T16:30:00'), 'CUSTOMER'],
      [CEST('30T09:45:00'), 'AGENT'],
      [CEST('30T10:00:00'), 'CUSTOMER'],
    ],
    { firstCustomerMessageAt: CET('27T14:00:00'), firstAgentResponseAt: CET('27T14:30:00'), waitingSince: CEST('30T10:00:00') },
  );

async function fixture(ws: TestWorkspace) {
  const calendarId = await createCalendar(ws);
  const v1 = await conversation(
    ws,
    [
      [CET('06T16:00:00'), 'CUSTOMER'],
      [CET('06T16:01:00'), 'BOT'],
      [CET('06T16:30:00'), 'BOT'],
      [CET('09T10:00:00'), 'AGENT'],
      [CET('09T16:30:00'), 'CUSTOMER'],
      [CET('09T16:40:00'), 'BOT'],
      [CET('10T09:05:00'), 'AGENT', true],
      [CET('10T09:10:00'), 'CUSTOMER'],
      [CET('10T09:20:00'), 'AGENT'],
      [CET('10T10:00:00'), 'CUSTOMER'],
      [CET('10T11:30:00'), 'AGENT'],
      [CET('11T09:00:00'), 'CUSTOMER'],
    ],
    {
      firstCustomerMessageAt: CET('06T16:00:00'),
      firstBotResponseAt: CET('06T16:01:00'),
      botHandoffAt: CET('06T16:30:00'),
      firstAgentResponseAt: CET('09T10:00:00'),
      firstResolvedAt: CET('10T12:00:00'),
      waitingSince: CET('11T09:00:00'),
    },
    { reopenCount: 1 },
  );
  const v3 = await conversation(
    ws,
    [
      [CET('11T16:00:00'), 'AGENT'],
      [CET('11T16:10:00'), 'BOT'],
      [CET('11T16:30:00'), 'CUSTOMER'],
      [CET('13T09:45:00'), 'AGENT'],
    ],
    {
      firstAgentResponseAt: CET('11T16:00:00'),
      botHandoffAt: CET('11T16:10:00'),
      firstCustomerMessageAt: CET('11T16:30:00'),
      resolvedAt: CET('13T10:00:00'),
      firstResolvedAt: CET('13T10:00:00'),
    },
    { status: 'RESOLVED' },
  );
  const v4 = await conversation(ws, [[CET('16T09:00:00'), 'CUSTOMER']], { firstCustomerMessageAt: CET('16T09:00:00'), waitingSince: CET('16T09:00:00') });
  return { calendarId, v1, v2: await v2(ws), v3, v4 };
}

const FIELDS = 'firstResponseTime firstResponseTimeFromHandoff firstResolutionTime nextReplyTimes reopened';
const NULLS = { firstResponseTime: null, firstResponseTimeFromHandoff: null, firstResolutionTime: null };

const EXPECTED = {
  calendar: {
    v1: { firstResponseTime: 237600, firstResponseTimeFromHandoff: 235800, firstResolutionTime: 331200, nextReplyTimes: [60600, 5400], reopened: true },
    v2: { ...NULLS, firstResponseTime: 1800, nextReplyTimes: [231300], reopened: false },
    v3: { ...NULLS, firstResolutionTime: 151200, nextReplyTimes: [148500], reopened: false },
    v4: { ...NULLS, nextReplyTimes: [], reopened: false },
  },
  business: {
    v1: { firstResponseTime: 7200, firstResponseTimeFromHandoff: 5400, firstResolutionTime: 43200, nextReplyTimes: [3000, 5400], reopened: true },
    v2: { ...NULLS, firstResponseTime: 1800, nextReplyTimes: [4500], reopened: false },
    v3: { ...NULLS, firstResolutionTime: 7200, nextReplyTimes: [4500], reopened: false },
    v4: { ...NULLS, nextReplyTimes: [], reopened: false },
  },
};

const ONE = /* GraphQL */ `
  query ($id: ID!, $c: ID) {
    conversation(id: $id) {
      calendar: metrics { ${FIELDS} waitingTime }
      business: metrics(calendarId: $c) { ${FIELDS} waitingTime }
    }
  }
`;

describe('Conversation.metrics', () => {
  it('measures each conversation in calendar time, or in business time with a calendar', async () => {
    const ws = await createTestWorkspace();
    const { calendarId, ...ids } = await fixture(ws);
    for (const [name, id] of Object.entries(ids) as Array<[keyof typeof EXPECTED.calendar, string]>) {
      const res = await ws.gql(ONE, { id, c: calendarId });
      expect(res.errors, name).toBeUndefined();
      const { calendar, business } = res.data!.conversation;
      expect({ ...calendar, waitingTime: undefined }, name).toEqual({ ...EXPECTED.calendar[name], waitingTime: undefined });
      expect({ ...business, waitingTime: undefined }, name).toEqual({ ...EXPECTED.business[name], waitingTime: undefined });
    }
  });

  it('keeps waitingTime in calendar time as of now, whatever the clock', async () => {
    const ws = await createTestWorkspace();
    const { calendarId, v1, v3 } = await fixture(ws);
    const before = Date.now();
    const res = await ws.gql(ONE, { id: v1, c: calendarId });
    const after = Date.now();
    expect(res.errors).toBeUndefined();
    const since = new Date(CET('11T09:00:00')).getTime();
    for (const clock of ['calendar', 'business'] as const) {
      const waiting = res.data!.conversation[clock].waitingTime as number;
      expect(waiting, clock).toBeGreaterThanOrEqual((before - since) / 1000);
      expect(waiting, clock).toBeLessThanOrEqual((after - since) / 1000);
    }
    const resolved = await ws.gql(ONE, { id: v3, c: calendarId });
    expect(resolved.data!.conversation).toMatchObject({ calendar: { waitingTime: null }, business: { waitingTime: null } });
  });

  it('loads a page of conversations in a fixed number of statements, in either clock', async () => {
    const ws = await createTestWorkspace();
    const { calendarId, ...ids } = await fixture(ws);
    for (let i = 0; i < 5; i++) await v2(ws);
    const page = (metrics: string) => /* GraphQL */ `
      query ($n: Int!${metrics.includes('$c') ? ', $c: ID' : ''}) { conversations(first: $n) { edges { node { id ${metrics} } } } }
    `;
    const statements = async (query: string, n: number, c: string | null = null) => {
      const res = await ws.gql(query, c ? { n, c } : { n });
      expect(res.errors).toBeUndefined();
      expect(res.data!.conversations.edges).toHaveLength(n);
      return res.statements;
    };
    for (const n of [2, 9]) {
      const list = await statements(page(''), n);
      // Calendar-time durations come from the conversation row itself: no statement at all.
      expect(await statements(page('metrics { firstResponseTime firstResponseTimeFromHandoff firstResolutionTime waitingTime reopened }'), n), String(n)).toBe(list);
      // One statement per clock, however many conversations are listed.
      expect(await statements(page(`metrics { ${FIELDS} }`), n), String(n)).toBe(list + 1);
      expect(await statements(page(`metrics(calendarId: $c) { ${FIELDS} }`), n, calendarId), String(n)).toBe(list + 1);
      expect(await statements(page(`calendar: metrics { ${FIELDS} } business: metrics(calendarId: $c) { ${FIELDS} }`), n, calendarId), String(n)).toBe(list + 2);
    }
    // The batched rows go to the right conversations.
    const res = await ws.gql(page(`calendar: metrics { ${FIELDS} } business: metrics(calendarId: $c) { ${FIELDS} }`), { n: 9, c: calendarId });
    const byId = new Map(res.data!.conversations.edges.map((e: any) => [e.node.id, e.node]));
    for (const [name, id] of Object.entries(ids) as Array<[keyof typeof EXPECTED.calendar, string]>) {
      expect(byId.get(id), name).toEqual({ id, calendar: EXPECTED.calendar[name], business: EXPECTED.business[name] });
    }
    const copies = [...byId.values()].filter((node: any) => !Object.values(ids).includes(node.id));
    expect(copies).toHaveLength(5);
    for (const copy of copies) expect(copy).toMatchObject({ calendar: EXPECTED.calendar.v2, business: EXPECTED.business.v2 });
  });

  it('refuses another workspace\'s calendar, and an ID of another type', async () => {
    const ws = await createTestWorkspace();
    const { v1 } = await fixture(ws);
    const other = await createTestWorkspace();
    const theirs = await createCalendar(other);
    const query = /* GraphQL */ `query ($id: ID!, $c: ID) { conversation(id: $id) { metrics(calendarId: $c) { firstResponseTime nextReplyTimes } } }`;
    const res = await ws.gql(query, { id: v1, c: theirs });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', argument: 'calendarId' });
    const wrongType = await ws.gql(query, { id: v1, c: v1 });
    expect(wrongType.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'calendarId' });
    // Their calendar works for them, on their own conversations.
    const mine = await conversation(other, [[CET('09T09:00:00'), 'AGENT'], [CET('09T16:30:00'), 'CUSTOMER'], [CET('10T09:15:00'), 'AGENT']], {});
    const theirsRes = await other.gql(query, { id: mine, c: theirs });
    expect(theirsRes.errors).toBeUndefined();
    // Mon 16:30 → Tue 09:15 in their office hours: 30 min + 15 min.
    expect(theirsRes.data!.conversation.metrics).toEqual({ firstResponseTime: null, nextReplyTimes: [2700] });
  });
});
