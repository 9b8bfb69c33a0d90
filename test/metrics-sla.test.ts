import { describe, expect, it } from 'vitest';
import { graphql } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, type TestWorkspace } from './helpers/factories.ts';
import { CEST, CET, createCalendar, createPolicy, gid, insertTickets, metric, TWO_WAITS } from './sla-helpers.ts';

/**
 * SLA compliance and per-ticket SLA status, against hand-computed values. Office calendar:
 * Mon–Fri 09:00–17:00 Europe/Berlin, holiday Thu 2026-03-12; DST starts Sun 03-29.
 * Policy: NORMAL — first response 120, next response 60, resolution 480 business minutes;
 *         HIGH — first response 60, next response 30 calendar minutes; no URGENT targets.
 * (A = public agent reply, C = customer comment, B = bot, n = internal note; times in Berlin.)
 *
 *  A NORMAL created Fri 03-06 16:30 CET. A Mon 10:00 | C 16:30, C 16:45 | B Tue 09:05, n 09:10 |
 *    A Tue 09:20 | C 10:00 | A 11:30; solved Tue 03-10 12:00.
 *    FR  due 30 min Fri + 90 min Mon = Mon 10:30; replied 10:00            MET
 *    NR1 Mon 16:30, due 30 min Mon + 30 min Tue = Tue 09:30; replied 09:20 MET
 *    NR2 Tue 10:00, due 11:00; replied 11:30                               BREACHED (overdue 1800)
 *    RES due 30 min Fri + 7 h 30 Mon = Mon 16:30; solved Tue 12:00         BREACHED (overdue 30 min Mon + 3 h Tue = 12600)
 *  B NORMAL created Wed 03-11 16:00. A Fri 03-13 10:30; never solved.
 *    FR  due 1 h Wed + holiday + 1 h Fri = Fri 10:00; replied 10:30        BREACHED (overdue 1800)
 *    NR  no customer comment after a reply                                 NOT_STARTED
 *    RES due 1 h Wed + 7 h Fri = Fri 16:00, long past                      BREACHED
 *  C NORMAL created Fri 03-27 14:00 CET. A 14:30 | C 16:30 | A Mon 03-30 09:45 CEST | C 10:00;
 *    solved Mon 10:30 CEST.
 *    FR  due 16:00 CET; replied 14:30                                      MET
 *    NR1 Fri 16:30, due 30 min Fri + (weekend, DST) 30 min Mon = Mon 09:30 CEST; replied 09:45  BREACHED
 *    NR2 Mon 10:00, due 11:00, solved 10:30 without a reply                CANCELLED
 *    RES due 3 h Fri + 5 h Mon = Mon 14:00 CEST; solved 10:30              MET
 *  D HIGH created Sat 03-14 10:00. A 10:45 | C 11:00 | A 11:20.
 *    FR  due 11:00 (calendar time, on a Saturday); replied 10:45           MET
 *    NR  11:00, due 11:30; replied 11:20                                   MET
 *  E HIGH created Sat 03-14 12:00. A 13:30 | C 13:40 | A 14:30.
 *    FR  due 13:00                                                         BREACHED
 *    NR  13:40, due 14:10; replied 14:30                                   BREACHED
 *  F NORMAL created Mon 03-16 09:00, solved 09:30 without a reply.
 *    FR  due 11:00: solved before it was due                               CANCELLED;  RES MET
 *  G NORMAL created Mon 03-16 09:00, solved 12:00 without a reply.
 *    FR  due 11:00 passed before the solve                                 BREACHED;   RES MET
 *  H URGENT (the policy has no URGENT targets), I without a policy, J merged into A: not counted.
 *
 * First response: MET A C D, BREACHED B E G → 3 / 6 = 50 %.
 * Next response:  MET A1 D, BREACHED A2 C1 E → 2 / 5 = 40 %  (HIGH: D, E → 50 %; NORMAL: A1, A2, C1 → 33.3 %).
 * Resolution:     MET C F G, BREACHED A B → 3 / 5 = 60 %.
 */
const MARCH = { from: CET('01T00:00:00'), to: CEST('31T00:00:00') };

const NORMAL_FR = { priority: 'NORMAL', kind: 'FIRST_RESPONSE', minutes: 120, businessHours: true };
const TARGETS = [
  NORMAL_FR,
  { priority: 'NORMAL', kind: 'NEXT_RESPONSE', minutes: 60, businessHours: true },
  { priority: 'NORMAL', kind: 'RESOLUTION', minutes: 480, businessHours: true },
  { priority: 'HIGH', kind: 'FIRST_RESPONSE', minutes: 60, businessHours: false },
  { priority: 'HIGH', kind: 'NEXT_RESPONSE', minutes: 30, businessHours: false },
];

async function fixture(ws: TestWorkspace, targets: typeof TARGETS = TARGETS) {
  const calendarId = await createCalendar(ws);
  const slaPolicyId = await createPolicy(ws, { name: 'Standard', calendarId, targets });
  const p = { slaPolicyId };
  const ids = await insertTickets(ws, [
    {
      ...p,
      createdAt: CET('06T16:30:00'),
      firstResponseAt: CET('09T10:00:00'),
      solvedAt: CET('10T12:00:00'),
      comments: TWO_WAITS,
    },
    { ...p, createdAt: CET('11T16:00:00'), firstResponseAt: CET('13T10:30:00'), comments: [[CET('13T10:30:00'), 'AGENT']] },
    {
      ...p,
      createdAt: CET('27T14:00:00'),
      firstResponseAt: CET('27T14:30:00'),
      solvedAt: CEST('30T10:30:00'),
      comments: [
        [CET('27T14:30:00'), 'AGENT'],
        [CET('27T16:30:00'), 'CUSTOMER'],
        [CEST('30T09:45:00'), 'AGENT'],
        [CEST('30T10:00:00'), 'CUSTOMER'],
      ],
    },
    {
      ...p,
      priority: 'HIGH',
      createdAt: CET('14T10:00:00'),
      firstResponseAt: CET('14T10:45:00'),
      comments: [[CET('14T10:45:00'), 'AGENT'], [CET('14T11:00:00'), 'CUSTOMER'], [CET('14T11:20:00'), 'AGENT']],
    },
    {
      ...p,
      priority: 'HIGH',
      createdAt: CET('14T12:00:00'),
      firstResponseAt: CET('14T13:30:00'),
      comments: [[CET('14T13:30:00'), 'AGENT'], [CET('14T13:40:00'), 'CUSTOMER'], [CET('14T14:30:00'), 'AGENT']],
    },
    { ...p, createdAt: CET('16T09:00:00'), solvedAt: CET('16T09:30:00') },
    { ...p, createdAt: CET('16T09:00:00'), solvedAt: CET('16T12:00:00') },
    { ...p, priority: 'URGENT', createdAt: CET('16T09:00:00') },
    { createdAt: CET('16T09:00:00'), firstResponseAt: CET('16T15:00:00') },
  ]);
  await insertTickets(ws, [{ ...p, createdAt: CET('16T09:00:00'), mergedIntoId: ids[0]! }]);
  const [a, b, c, d, , , , h, i] = ids.map((id) => gid('Ticket', id));
  return { calendarId, slaPolicyId, a: a!, b: b!, c: c!, d: d!, h: h!, i: i! };
}

const SLA_STATUS = /* GraphQL */ `
  query ($id: ID!) {
    ticket(id: $id) {
      metrics { slaStatus { kind targetMinutes businessHours status startedAt dueAt achievedAt remainingSeconds overdueSeconds } }
    }
  }
`;

async function slaStatus(ws: TestWorkspace, id: string) {
  const res = await ws.gql(SLA_STATUS, { id });
  expect(res.errors).toBeUndefined();
  return res.data!.ticket.metrics.slaStatus as Array<Record<string, unknown>>;
}

const utc = (iso: string) => new Date(iso).toISOString();

describe('SLA compliance metrics', () => {
  it('count MET among MET and BREACHED targets, per kind; pending and cancelled ones are left out', async () => {
    const ws = await createTestWorkspace();
    await fixture(ws);
    expect(await metric(ws, { key: 'sla_first_response_compliance', ...MARCH })).toEqual({ value: 50, sampleSize: 6 });
    expect(await metric(ws, { key: 'sla_next_response_compliance', ...MARCH })).toEqual({ value: 40, sampleSize: 5 });
    expect(await metric(ws, { key: 'sla_resolution_compliance', ...MARCH })).toEqual({ value: 60, sampleSize: 5 });
    expect(await metric(ws, { key: 'sla_resolution_compliance', ...MARCH, statistic: 'COUNT' })).toEqual({ value: 5, sampleSize: 5 });
    expect(await metric(ws, { key: 'sla_first_response_compliance', ...MARCH, filter: { priority: 'HIGH' } })).toEqual({ value: 50, sampleSize: 2 });
  });

  it('group by the ticket dimensions and attribute next responses to the start of each wait', async () => {
    const ws = await createTestWorkspace();
    await fixture(ws);
    const grouped = await ws.gql(/* GraphQL */ `query ($input: MetricInput!) { metric(input: $input) { groups { key value sampleSize } } }`, {
      input: { key: 'sla_next_response_compliance', ...MARCH, groupBy: 'PRIORITY' },
    });
    expect(grouped.data!.metric.groups).toEqual([
      { key: 'HIGH', value: 50, sampleSize: 2 },
      { key: 'NORMAL', value: expect.closeTo(100 / 3, 9), sampleSize: 3 },
    ]);
    // Tue 03-10 holds only A's second wait (breached); no ticket was created that day.
    const tuesday = { from: CET('10T00:00:00'), to: CET('11T00:00:00') };
    expect(await metric(ws, { key: 'sla_next_response_compliance', ...tuesday })).toEqual({ value: 0, sampleSize: 1 });
    expect(await metric(ws, { key: 'sla_first_response_compliance', ...tuesday })).toEqual({ value: null, sampleSize: 0 });
  });

  it('measure a target in calendar time when it says so; a later policy edit leaves achieved targets as measured', async () => {
    const ws = await createTestWorkspace();
    // NORMAL first response in 120 calendar minutes: A (65.5 h), B (42.5 h) and G (solved at 12:00
    // without a reply, due 11:00) breach; C (30 min) meets; F is still cancelled (solved 09:30).
    // With D met and E breached: 2 / 6.
    const { slaPolicyId } = await fixture(ws, TARGETS.map((t) => (t === NORMAL_FR ? { ...t, businessHours: false } : t)));
    expect(await metric(ws, { key: 'sla_first_response_compliance', ...MARCH })).toEqual({ value: expect.closeTo(100 / 3, 9), sampleSize: 6 });

    // Back to business minutes: A, B and C were answered, so they keep the calendar-time due time
    // they were measured against (recomputed, A and B would be MET: 50 %). F and G were never
    // answered; their due time moves, to the same Mon 11:00 (09:00 + 2 office hours).
    const res = await ws.gql(/* GraphQL */ `mutation ($input: UpdateSlaPolicyInput!) { updateSlaPolicy(input: $input) { __typename } }`, {
      input: { id: slaPolicyId, targets: TARGETS },
    });
    expect(res.data!.updateSlaPolicy.__typename).toBe('SlaPolicyPayload');
    expect(await metric(ws, { key: 'sla_first_response_compliance', ...MARCH })).toEqual({ value: expect.closeTo(100 / 3, 9), sampleSize: 6 });
    const clocks = await (await testDatabase()).prisma.ticketSlaClock.findMany({
      where: { workspaceId: ws.workspaceId, kind: 'FIRST_RESPONSE', ticket: { priority: 'NORMAL' } },
      select: { businessHours: true, achievedAt: true },
    });
    expect(clocks.map((c) => `${c.achievedAt ? 'answered' : 'open'}:${c.businessHours}`).sort()).toEqual([
      'answered:false', 'answered:false', 'answered:false', 'open:true', 'open:true',
    ]);
  });

  it('are null without targets in the range, and never see another workspace', async () => {
    const ws = await createTestWorkspace();
    await fixture(ws);
    const other = await createTestWorkspace();
    for (const key of ['sla_first_response_compliance', 'sla_next_response_compliance', 'sla_resolution_compliance']) {
      expect(await metric(other, { key, ...MARCH })).toEqual({ value: null, sampleSize: 0 });
      expect(await metric(ws, { key, from: '2026-04-01T00:00:00+02:00', to: '2026-05-01T00:00:00+02:00' })).toEqual({ value: null, sampleSize: 0 });
    }
    const denied = await graphql(/* GraphQL */ `{ metricDefinitions { key } }`, {}, { apiKey: await ws.createKey(['tickets:read']) });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('Ticket.metrics.slaStatus', () => {
  it('shows each target with its due time, outcome and overdue time on the target\'s clock', async () => {
    const ws = await createTestWorkspace();
    const { a, b, c, d, h, i } = await fixture(ws);
    const normal = { targetMinutes: 120, businessHours: true };
    expect(await slaStatus(ws, a)).toEqual([
      { kind: 'FIRST_RESPONSE', ...normal, status: 'MET', startedAt: utc(CET('06T16:30:00')), dueAt: utc(CET('09T10:30:00')), achievedAt: utc(CET('09T10:00:00')), remainingSeconds: null, overdueSeconds: null },
      { kind: 'NEXT_RESPONSE', targetMinutes: 60, businessHours: true, status: 'BREACHED', startedAt: utc(CET('10T10:00:00')), dueAt: utc(CET('10T11:00:00')), achievedAt: utc(CET('10T11:30:00')), remainingSeconds: null, overdueSeconds: 1800 },
      { kind: 'RESOLUTION', targetMinutes: 480, businessHours: true, status: 'BREACHED', startedAt: utc(CET('06T16:30:00')), dueAt: utc(CET('09T16:30:00')), achievedAt: utc(CET('10T12:00:00')), remainingSeconds: null, overdueSeconds: 12600 },
    ]);

    const [bFirst, bNext, bResolution] = await slaStatus(ws, b);
    expect(bFirst).toMatchObject({ status: 'BREACHED', dueAt: utc(CET('13T10:00:00')), overdueSeconds: 1800 });
    expect(bNext).toMatchObject({ kind: 'NEXT_RESPONSE', status: 'NOT_STARTED', startedAt: null, dueAt: null, achievedAt: null, overdueSeconds: null });
    // Not solved: overdue grows in business time from Fri 03-13 16:00 until now (months).
    expect(bResolution).toMatchObject({ status: 'BREACHED', dueAt: utc(CET('13T16:00:00')), achievedAt: null });
    expect(bResolution!.overdueSeconds as number).toBeGreaterThan(100 * 8 * 3600);

    expect((await slaStatus(ws, c)).map((s) => [s.kind, s.status, s.dueAt])).toEqual([
      ['FIRST_RESPONSE', 'MET', utc(CET('27T16:00:00'))],
      ['NEXT_RESPONSE', 'CANCELLED', utc(CEST('30T11:00:00'))],
      ['RESOLUTION', 'MET', utc(CEST('30T14:00:00'))],
    ]);
    // Calendar-time targets of a HIGH ticket; no resolution target for HIGH.
    expect(await slaStatus(ws, d)).toEqual([
      { kind: 'FIRST_RESPONSE', targetMinutes: 60, businessHours: false, status: 'MET', startedAt: utc(CET('14T10:00:00')), dueAt: utc(CET('14T11:00:00')), achievedAt: utc(CET('14T10:45:00')), remainingSeconds: null, overdueSeconds: null },
      { kind: 'NEXT_RESPONSE', targetMinutes: 30, businessHours: false, status: 'MET', startedAt: utc(CET('14T11:00:00')), dueAt: utc(CET('14T11:30:00')), achievedAt: utc(CET('14T11:20:00')), remainingSeconds: null, overdueSeconds: null },
    ]);
    expect(await slaStatus(ws, h)).toEqual([]);
    expect(await slaStatus(ws, i)).toEqual([]);
  });

  it('counts a target achieved exactly at its due time as MET', async () => {
    const ws = await createTestWorkspace();
    const calendarId = await createCalendar(ws);
    const slaPolicyId = await createPolicy(ws, { name: 'Edge', calendarId, targets: [NORMAL_FR] });
    // Created Mon 03-16 15:00: 120 business minutes run out at the 17:00 close, when the reply comes.
    const [id] = await insertTickets(ws, [{ slaPolicyId, createdAt: CET('16T15:00:00'), firstResponseAt: CET('16T17:00:00') }]);
    expect(await slaStatus(ws, gid('Ticket', id!))).toMatchObject([{ status: 'MET', dueAt: utc(CET('16T17:00:00')) }]);
    expect(await metric(ws, { key: 'sla_first_response_compliance', ...MARCH })).toEqual({ value: 100, sampleSize: 1 });
  });

  it('is PENDING with the remaining time while the clock runs, and BREACHED once the due time passed', async () => {
    const ws = await createTestWorkspace();
    const calendarId = await createCalendar(ws);
    const slaPolicyId = await createPolicy(ws, {
      name: 'Live',
      calendarId,
      targets: [NORMAL_FR, { priority: 'HIGH', kind: 'FIRST_RESPONSE', minutes: 60, businessHours: false }],
    });
    const now = Date.now();
    const [pending, breached] = (
      await insertTickets(ws, [
        { slaPolicyId, createdAt: new Date(now - 60_000).toISOString() },
        { slaPolicyId, priority: 'HIGH', createdAt: new Date(now - 3 * 86_400_000).toISOString() },
      ])
    ).map((id) => gid('Ticket', id));
    // 120 business minutes, of which at most the last minute has passed (if the office was open).
    const [p] = await slaStatus(ws, pending!);
    expect(p).toMatchObject({ status: 'PENDING', achievedAt: null, overdueSeconds: null });
    expect(p!.remainingSeconds as number).toBeGreaterThanOrEqual(7200 - 90);
    expect(p!.remainingSeconds as number).toBeLessThanOrEqual(7200);
    expect(new Date(p!.dueAt as string).getTime()).toBeGreaterThan(now);
    // Due one calendar hour after creation: overdue by 3 days − 1 hour = 255600 s, give or take the test's own run time.
    const [b] = await slaStatus(ws, breached!);
    expect(b).toMatchObject({ status: 'BREACHED', dueAt: new Date(now - 3 * 86_400_000 + 3_600_000).toISOString(), remainingSeconds: null });
    expect(b!.overdueSeconds as number).toBeGreaterThanOrEqual(255600);
    expect(b!.overdueSeconds as number).toBeLessThan(255600 + 120);
    // The pending target is not counted yet; the breached one is.
    const around = { from: new Date(now - 7 * 86_400_000).toISOString(), to: new Date(now + 86_400_000).toISOString() };
    expect(await metric(ws, { key: 'sla_first_response_compliance', ...around })).toEqual({ value: 0, sampleSize: 1 });
  });

  it('loads for a page of tickets in a fixed number of statements, in either clock', async () => {
    const ws = await createTestWorkspace();
    const { calendarId } = await fixture(ws);
    const query = /* GraphQL */ `
      query ($n: Int!, $c: ID) {
        tickets(first: $n) { edges { node { id metrics(calendarId: $c) { firstResponseTime fullResolutionTime nextReplyTimes slaStatus { status } } } } }
      }
    `;
    const statements = async (n: number, c: string | null) => {
      const res = await ws.gql(query, { n, c });
      expect(res.errors).toBeUndefined();
      expect(res.data!.tickets.edges).toHaveLength(n);
      return res.statements;
    };
    for (const c of [null, calendarId]) {
      const two = await statements(2, c);
      expect(await statements(9, c), String(c)).toBe(two);
    }
    // Business clock for A: first response 30 min Fri + 1 h Mon = 5400; full resolution 30 min Fri + 8 h Mon + 3 h Tue = 41400.
    const res = await ws.gql(query, { n: 1, c: calendarId });
    expect(res.data!.tickets.edges[0].node.metrics).toMatchObject({ firstResponseTime: 5400, fullResolutionTime: 41400, nextReplyTimes: [3000, 5400] });
  });
});
