import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';

/**
 * Metrics against hand-computed values. Every expected number below is worked out by hand in
 * the comments, from the fixture, not by calling the code under test.
 *
 * Tickets (times UTC; Europe/Berlin is UTC+1 until 2026-03-29 02:00, UTC+2 after):
 *   T1 team A HIGH    created 03-02 09:00, first reply +600 s,  first solved +3600 s, solved now, 1 reply, no reopen
 *   T2 team A NORMAL  created 03-02 10:00, first reply +1800 s, first solved +7200 s, reopened (not solved now), 2 replies
 *   T3 team B NORMAL  created 03-03 08:00, no reply yet, unsolved
 *   T4 team B LOW     created 03-03 23:30 (= 03-04 00:30 in Berlin), first reply +300 s, solved +900 s, 0 replies
 *   T5 merged into T1 created 03-02 11:00, first reply +5 s — merged duplicates never count
 *   T6 team A URGENT  created 03-29 00:30 (= 01:30 CET, the DST day), first reply +3000 s
 *   T7 team A URGENT  created 03-29 22:30 (= 03-30 00:30 CEST), first reply +60 s
 */
async function fixture(ws: TestWorkspace) {
  const { prisma } = await testDatabase();
  const w = ws.workspaceId;
  const [customer] = await insertCustomers(w, 1);
  const teamA = uuidv7();
  const teamB = uuidv7();
  await prisma.team.createMany({
    data: [
      { id: teamA, workspaceId: w, name: 'Tier 1', function: 'SUPPORT' },
      { id: teamB, workspaceId: w, name: 'Tier 2', function: 'SUPPORT' },
    ],
  });
  const at = (iso: string, plusSeconds = 0) => new Date(Date.parse(iso) + plusSeconds * 1000);
  const base = { workspaceId: w, requesterId: customer!.id, subject: 'x' };
  const t1 = uuidv7();
  await prisma.ticket.createMany({
    data: [
      { ...base, id: t1, number: 1, teamId: teamA, priority: 'HIGH', createdAt: at('2026-03-02T09:00:00Z'), firstResponseAt: at('2026-03-02T09:00:00Z', 600), firstSolvedAt: at('2026-03-02T09:00:00Z', 3600), solvedAt: at('2026-03-02T09:00:00Z', 3600), status: 'SOLVED', publicAgentReplyCount: 1 },
      { ...base, id: uuidv7(), number: 2, teamId: teamA, priority: 'NORMAL', createdAt: at('2026-03-02T10:00:00Z'), firstResponseAt: at('2026-03-02T10:00:00Z', 1800), firstSolvedAt: at('2026-03-02T10:00:00Z', 7200), status: 'OPEN', reopenCount: 1, publicAgentReplyCount: 2 },
      { ...base, id: uuidv7(), number: 3, teamId: teamB, priority: 'NORMAL', createdAt: at('2026-03-03T08:00:00Z') },
      { ...base, id: uuidv7(), number: 4, teamId: teamB, priority: 'LOW', createdAt: at('2026-03-03T23:30:00Z'), firstResponseAt: at('2026-03-03T23:30:00Z', 300), firstSolvedAt: at('2026-03-03T23:30:00Z', 900), solvedAt: at('2026-03-03T23:30:00Z', 900), status: 'SOLVED' },
      { ...base, id: uuidv7(), number: 5, teamId: teamA, createdAt: at('2026-03-02T11:00:00Z'), firstResponseAt: at('2026-03-02T11:00:00Z', 5), mergedIntoId: t1, status: 'CLOSED' },
      { ...base, id: uuidv7(), number: 6, teamId: teamA, priority: 'URGENT', createdAt: at('2026-03-29T00:30:00Z'), firstResponseAt: at('2026-03-29T00:30:00Z', 3000) },
      { ...base, id: uuidv7(), number: 7, teamId: teamA, priority: 'URGENT', createdAt: at('2026-03-29T22:30:00Z'), firstResponseAt: at('2026-03-29T22:30:00Z', 60) },
    ],
  });
  // Surveys (answered in March): CSAT 5,4,3,1,5 (+1 unanswered); NPS 10,10,9,8,6,0; CES 2,5,7.
  const survey = (kind: 'CSAT' | 'NPS' | 'CES', score: number | null, day: number) => ({
    id: uuidv7(),
    workspaceId: w,
    customerId: customer!.id,
    kind,
    score,
    sentAt: at(`2026-03-${String(day).padStart(2, '0')}T08:00:00Z`),
    respondedAt: score === null ? null : at(`2026-03-${String(day).padStart(2, '0')}T09:00:00Z`),
  });
  await prisma.surveyResponse.createMany({
    data: [
      ...[5, 4, 3, 1, 5].map((s, i) => survey('CSAT', s, 5 + i)),
      survey('CSAT', null, 10),
      ...[10, 10, 9, 8, 6, 0].map((s, i) => survey('NPS', s, 5 + i)),
      ...[2, 5, 7].map((s, i) => survey('CES', s, 5 + i)),
    ],
  });
  return { teamA: encodeGlobalId('Team', teamA), teamB: encodeGlobalId('Team', teamB) };
}

const METRIC = /* GraphQL */ `
  query ($input: MetricInput!) {
    metric(input: $input) {
      value sampleSize statistic clock timeZone definitionVersion
      definition { key unit }
      groups { key value sampleSize }
      series { bucketStart value sampleSize }
    }
  }
`;
const MARCH = { from: '2026-03-01T00:00:00+01:00', to: '2026-03-31T00:00:00+02:00' };

async function metric(ws: TestWorkspace, input: Record<string, unknown>) {
  const res = await ws.gql(METRIC, { input: { ...MARCH, ...input } });
  expect(res.errors).toBeUndefined();
  return res.data!.metric;
}

describe('metric', () => {
  it('first response time: mean, median, p90 and count over the replied, non-merged tickets', async () => {
    const ws = await createTestWorkspace();
    await fixture(ws);
    // Samples 600, 1800, 300, 3000, 60 (T3 has no reply, T5 is merged).
    const key = 'ticket_first_response_time';
    expect(await metric(ws, { key, statistic: 'MEAN' })).toMatchObject({ value: 1152, sampleSize: 5, statistic: 'MEAN', clock: 'CALENDAR' }); // 5760 / 5
    expect((await metric(ws, { key })).value).toBe(600); // median of 60, 300, 600, 1800, 3000
    expect((await metric(ws, { key, statistic: 'P90' })).value).toBeCloseTo(2520, 6); // 1800 + 0.6 × 1200
    expect((await metric(ws, { key, statistic: 'COUNT' })).value).toBe(5);
  });

  it('groups by team and filters by priority and team', async () => {
    const ws = await createTestWorkspace();
    const { teamA, teamB } = await fixture(ws);
    const byTeam = await metric(ws, { key: 'ticket_first_response_time', groupBy: 'TEAM' });
    // Team A: 60, 600, 1800, 3000 → median (600 + 1800) / 2 = 1200; team B: 300.
    expect(byTeam.groups).toEqual(
      expect.arrayContaining([
        { key: teamA, value: 1200, sampleSize: 4 },
        { key: teamB, value: 300, sampleSize: 1 },
      ]),
    );
    expect(byTeam.groups).toHaveLength(2);
    expect((await metric(ws, { key: 'ticket_volume', filter: { priority: 'NORMAL' } })).value).toBe(2); // T2, T3
    expect((await metric(ws, { key: 'ticket_volume', filter: { teamId: teamB } })).value).toBe(2); // T3, T4
    expect((await metric(ws, { key: 'ticket_volume' })).value).toBe(6); // T5 merged away
  });

  it('buckets by local day in the requested time zone, across the DST change, with empty days', async () => {
    const ws = await createTestWorkspace();
    await fixture(ws);
    const res = await metric(ws, { key: 'ticket_first_response_time', bucket: 'DAY', timeZone: 'Europe/Berlin', statistic: 'COUNT' });
    expect(res.series).toHaveLength(30); // March 1 … March 30, local days
    const byDay = Object.fromEntries(res.series.map((p: any) => [p.bucketStart, p.sampleSize]));
    expect(byDay['2026-03-01T23:00:00.000Z']).toBe(2); // March 2 local: T1, T2
    expect(byDay['2026-03-02T23:00:00.000Z']).toBe(0); // March 3 local: T3 has no reply
    expect(byDay['2026-03-03T23:00:00.000Z']).toBe(1); // March 4 local: T4 (23:30 UTC)
    expect(byDay['2026-03-28T23:00:00.000Z']).toBe(1); // March 29 local (CET midnight): T6
    expect(byDay['2026-03-29T22:00:00.000Z']).toBe(1); // March 30 local (CEST midnight): T7
    expect(res.series.filter((p: any) => p.sampleSize === 0).every((p: any) => p.value === 0)).toBe(true);
    const mean = await metric(ws, { key: 'ticket_first_response_time', bucket: 'DAY', timeZone: 'Europe/Berlin', statistic: 'MEAN' });
    expect(mean.series.find((p: any) => p.bucketStart === '2026-03-02T23:00:00.000Z')).toEqual({ bucketStart: '2026-03-02T23:00:00.000Z', value: null, sampleSize: 0 });
    expect(mean.series.find((p: any) => p.bucketStart === '2026-03-01T23:00:00.000Z').value).toBe(1200); // (600 + 1800) / 2
  });

  it('resolution, first-contact resolution and reopen rates', async () => {
    const ws = await createTestWorkspace();
    await fixture(ws);
    // First resolution: 3600, 7200, 900 → mean 3900. Full resolution: T2 is reopened → 3600, 900 → mean 2250.
    expect((await metric(ws, { key: 'ticket_first_resolution_time', statistic: 'MEAN' })).value).toBe(3900);
    expect((await metric(ws, { key: 'ticket_full_resolution_time', statistic: 'MEAN' })).value).toBe(2250);
    // Solved at least once: T1 (1 reply, no reopen ✓), T2 (2 replies, reopened ✗), T4 (0 replies ✓) → 2/3.
    expect((await metric(ws, { key: 'first_contact_resolution_rate' })).value).toBeCloseTo(66.6667, 3);
    expect((await metric(ws, { key: 'reopen_rate' })).value).toBeCloseTo(33.3333, 3);
  });

  it('CSAT, NPS and CES from answered surveys only', async () => {
    const ws = await createTestWorkspace();
    await fixture(ws);
    expect(await metric(ws, { key: 'csat' })).toMatchObject({ value: 60, sampleSize: 5 }); // 4s and 5s: 3 of 5
    expect((await metric(ws, { key: 'nps' })).value).toBeCloseTo(16.6667, 3); // 50 % promoters − 33.3 % detractors
    expect((await metric(ws, { key: 'ces' })).value).toBeCloseTo(4.6667, 3); // (2 + 5 + 7) / 3
  });

  it('answers an empty range with null (COUNT: 0), never NaN', async () => {
    const ws = await createTestWorkspace();
    await fixture(ws);
    const empty = { from: '2025-01-01T00:00:00Z', to: '2025-02-01T00:00:00Z' };
    expect(await metric(ws, { key: 'ticket_first_response_time', ...empty })).toMatchObject({ value: null, sampleSize: 0 });
    expect(await metric(ws, { key: 'csat', ...empty })).toMatchObject({ value: null, sampleSize: 0 });
    expect(await metric(ws, { key: 'ticket_volume', ...empty })).toMatchObject({ value: 0, sampleSize: 0 });
  });

  it('never counts another workspace\'s data', async () => {
    const ws = await createTestWorkspace();
    await fixture(ws);
    const other = await createTestWorkspace();
    expect(await metric(other, { key: 'ticket_volume' })).toMatchObject({ value: 0, sampleSize: 0 });
  });

  it.each([
    [{ key: 'nope' }, 'input.key'],
    [{ key: 'ticket_first_response_time', statistic: 'RATE' }, 'input.statistic'],
    [{ key: 'csat', clock: 'BUSINESS' }, 'input.clock'],
    [{ key: 'csat', from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' }, 'input.to'],
    [{ key: 'csat', timeZone: 'Mars/Base' }, 'input.timeZone'],
  ])('rejects %j with BAD_USER_INPUT naming %s', async (input, argument) => {
    const ws = await createTestWorkspace();
    const res = await ws.gql(METRIC, { input: { ...MARCH, ...input } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
  });

  it('lists its definitions as data, and needs the metrics:read scope', async () => {
    const ws = await createTestWorkspace();
    const defs = await ws.gql(/* GraphQL */ `{ metricDefinitions { key unit statistics clocks formula version } }`);
    expect(defs.data!.metricDefinitions.map((d: any) => d.key)).toEqual(
      expect.arrayContaining(['ticket_first_response_time', 'csat', 'nps', 'ces', 'first_contact_resolution_rate']),
    );
    const { graphql } = await import('./helpers/app.ts');
    const denied = await graphql(METRIC, { input: { ...MARCH, key: 'csat' } }, { apiKey: await ws.createKey(['tickets:read']) });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('Ticket.metrics', () => {
  it('drills down to one ticket with the same definitions', async () => {
    const ws = await createTestWorkspace();
    await fixture(ws);
    const res = await ws.gql(/* GraphQL */ `{ a: ticket(number: 1) { metrics { firstResponseTime firstResolutionTime fullResolutionTime replies reopened firstContactResolution } }
      b: ticket(number: 2) { metrics { firstResponseTime fullResolutionTime reopened firstContactResolution } }
      c: ticket(number: 3) { metrics { firstResponseTime firstContactResolution } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      a: { metrics: { firstResponseTime: 600, firstResolutionTime: 3600, fullResolutionTime: 3600, replies: 1, reopened: false, firstContactResolution: true } },
      b: { metrics: { firstResponseTime: 1800, fullResolutionTime: null, reopened: true, firstContactResolution: false } },
      c: { metrics: { firstResponseTime: null, firstContactResolution: null } },
    });
  });
});
