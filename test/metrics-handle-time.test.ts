import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';
import { insertAgents, insertTeams, insertTickets, logWork, metric } from './helpers/workload.ts';

/**
 * average_handle_time against hand-computed values. Times UTC; Europe/Berlin is UTC+1 in early
 * March 2026 (Mon = 03-02). X is the workspace's own agent, Y a colleague.
 *
 *   ticket  team  assignee  first solved      work entries (start UTC, seconds, by)                         handle time
 *   H1      A     X         Mon 03-02 12:00   07:55 600 X · 10:00 1200 Y  (03-02)                           1800
 *   H2      A     Y         Tue 03-03 12:00   03-03 10:00 300 · after a reopen 03-06 10:00 900              1200
 *   H3      B     X         Wed 03-04 12:00   03-04 08:00 3600; D (merged into H3) 03-04 06:00 600;
 *                                             E (merged into D) 03-04 10:00 100                            4300
 *   H4      B     —         Thu 03-05 12:00   none → excluded (not 0)
 *   H5      A     X         never solved      03-02 10:00 500 → excluded
 *   H6      A     X         04-02 12:00       04-02 10:00 999 → outside March
 *   D, E    merged away: never samples of their own
 *
 * March samples: 1200, 1800, 4300 → MEAN 7300 / 3 = 2433.33…, MEDIAN 1800,
 * P90 = 1800 + 0.8 × (4300 − 1800) = 3800 (position 0.9 × 2 = 1.8), COUNT 3.
 * Business clock (Mon–Fri 09:00–17:00 Berlin): H1's 07:55 UTC entry is 08:55–09:05 local → 300 s
 * count, + 1200 = 1500; H2 1200; H3: 3600 (09:00–10:00 local) + D 0 (07:00–07:10 local) + E 100 =
 * 3700 → MEAN (1500 + 1200 + 3700) / 3 = 6400 / 3 = 2133.33….
 */
async function fixture(ws: TestWorkspace) {
  const { prisma } = await testDatabase();
  const [teamA, teamB] = await insertTeams(ws, ['Tier 1', 'Tier 2']);
  const [y] = await insertAgents(ws, ['Yuki']);
  const x = ws.agentId;
  const solved = (iso: string) => ({ firstSolvedAt: new Date(iso), solvedAt: new Date(iso), status: 'SOLVED' as const });
  const [h1, h2, h3, , h5, h6, d, e] = await insertTickets(ws, [
    { teamId: teamA, assigneeId: x, createdAt: new Date('2026-03-02T07:00:00Z'), ...solved('2026-03-02T12:00:00Z') },
    { teamId: teamA, assigneeId: y, createdAt: new Date('2026-03-03T07:00:00Z'), firstSolvedAt: new Date('2026-03-03T12:00:00Z'), status: 'OPEN', reopenCount: 1 },
    { teamId: teamB, assigneeId: x, createdAt: new Date('2026-03-04T05:00:00Z'), ...solved('2026-03-04T12:00:00Z') },
    { teamId: teamB, createdAt: new Date('2026-03-05T07:00:00Z'), ...solved('2026-03-05T12:00:00Z') },
    { teamId: teamA, assigneeId: x, createdAt: new Date('2026-03-02T07:00:00Z') },
    { teamId: teamA, assigneeId: x, createdAt: new Date('2026-04-02T07:00:00Z'), ...solved('2026-04-02T12:00:00Z') },
    { teamId: teamB, createdAt: new Date('2026-03-04T05:00:00Z') },
    { teamId: teamB, createdAt: new Date('2026-03-04T05:00:00Z') },
  ]);
  await logWork(ws, h1!, x, '2026-03-02T07:55:00Z', 600);
  await logWork(ws, h1!, y!, '2026-03-02T10:00:00Z', 1200);
  await logWork(ws, h2!, y!, '2026-03-03T10:00:00Z', 300);
  await logWork(ws, h2!, y!, '2026-03-06T10:00:00Z', 900);
  await logWork(ws, h3!, x, '2026-03-04T08:00:00Z', 3600);
  await logWork(ws, d!, x, '2026-03-04T06:00:00Z', 600);
  await logWork(ws, e!, x, '2026-03-04T10:00:00Z', 100);
  await logWork(ws, h5!, x, '2026-03-02T10:00:00Z', 500);
  await logWork(ws, h6!, x, '2026-04-02T10:00:00Z', 999);
  // The merges happen after the work was logged (a merged-away ticket takes no new work): E → D → H3.
  await prisma.ticket.update({ where: { id: e! }, data: { mergedIntoId: d!, status: 'CLOSED' } });
  await prisma.ticket.update({ where: { id: d! }, data: { mergedIntoId: h3!, status: 'CLOSED' } });
  return { teamA: encodeGlobalId('Team', teamA!), teamB: encodeGlobalId('Team', teamB!), x: encodeGlobalId('Agent', x), y: encodeGlobalId('Agent', y!) };
}

const MARCH = { key: 'average_handle_time', from: '2026-03-01T00:00:00+01:00', to: '2026-04-01T00:00:00+02:00' };

describe('average_handle_time', () => {
  it('sums the work per solved ticket, merged duplicates included, with mean, median, p90 and count', async () => {
    const ws = await createTestWorkspace();
    await fixture(ws);
    const mean = await metric(ws, MARCH);
    expect(mean).toMatchObject({ statistic: 'MEAN', clock: 'CALENDAR', sampleSize: 3, asOf: null }); // MEAN is the default
    expect(mean.value).toBeCloseTo(7300 / 3, 6);
    expect((await metric(ws, { ...MARCH, statistic: 'MEDIAN' })).value).toBe(1800);
    expect((await metric(ws, { ...MARCH, statistic: 'P90' })).value).toBeCloseTo(3800, 6);
    expect((await metric(ws, { ...MARCH, statistic: 'COUNT' })).value).toBe(3);
  });

  it('groups by team and by assigned agent', async () => {
    const ws = await createTestWorkspace();
    const { teamA, teamB, x, y } = await fixture(ws);
    // Team A: H1 1800, H2 1200 → 1500; team B: H3 4300 (H4 has no work).
    const byTeam = await metric(ws, { ...MARCH, groupBy: 'TEAM' });
    expect(byTeam.groups).toHaveLength(2);
    expect(byTeam.groups).toEqual(expect.arrayContaining([{ key: teamA, value: 1500, sampleSize: 2 }, { key: teamB, value: 4300, sampleSize: 1 }]));
    // X: H1 1800, H3 4300 → 3050; Y: H2 1200.
    const byAgent = await metric(ws, { ...MARCH, groupBy: 'AGENT' });
    expect(byAgent.groups).toHaveLength(2);
    expect(byAgent.groups).toEqual(expect.arrayContaining([{ key: x, value: 3050, sampleSize: 2 }, { key: y, value: 1200, sampleSize: 1 }]));
  });

  it('buckets by local day of the first solve; a day without samples is null', async () => {
    const ws = await createTestWorkspace();
    await fixture(ws);
    const res = await metric(ws, { ...MARCH, bucket: 'DAY', timeZone: 'Europe/Berlin' });
    const day = (iso: string) => res.series.find((p: { bucketStart: string }) => p.bucketStart === iso);
    expect(res.series).toHaveLength(31);
    expect(day('2026-03-01T23:00:00.000Z')).toEqual({ bucketStart: '2026-03-01T23:00:00.000Z', value: 1800, sampleSize: 1 }); // Mar 2: H1
    expect(day('2026-03-02T23:00:00.000Z')).toMatchObject({ value: 1200, sampleSize: 1 }); // Mar 3: H2
    expect(day('2026-03-03T23:00:00.000Z')).toMatchObject({ value: 4300, sampleSize: 1 }); // Mar 4: H3
    expect(day('2026-03-04T23:00:00.000Z')).toEqual({ bucketStart: '2026-03-04T23:00:00.000Z', value: null, sampleSize: 0 }); // Mar 5: H4, no work
  });

  it('counts only the open hours of a business calendar with clock: BUSINESS', async () => {
    const ws = await createTestWorkspace();
    await fixture(ws);
    const { prisma } = await testDatabase();
    const calendarId = uuidv7();
    await prisma.businessCalendar.create({ data: { id: calendarId, workspaceId: ws.workspaceId, name: 'Office', timeZone: 'Europe/Berlin' } });
    await prisma.businessHoursInterval.createMany({
      data: [1, 2, 3, 4, 5].map((dayOfWeek) => ({ id: uuidv7(), workspaceId: ws.workspaceId, calendarId, dayOfWeek, startMinute: 540, endMinute: 1020 })),
    });
    const res = await metric(ws, { ...MARCH, clock: 'BUSINESS', calendarId: encodeGlobalId('BusinessCalendar', calendarId) });
    expect(res).toMatchObject({ clock: 'BUSINESS', sampleSize: 3 });
    expect(res.value).toBeCloseTo(6400 / 3, 6);
    expect((await metric(ws, { ...MARCH, clock: 'BUSINESS', calendarId: encodeGlobalId('BusinessCalendar', calendarId), statistic: 'MEDIAN' })).value).toBe(1500);
  });

  it('answers null (not 0) without samples, and never counts another workspace\'s work', async () => {
    const ws = await createTestWorkspace();
    await fixture(ws);
    expect(await metric(ws, { ...MARCH, from: '2026-02-01T00:00:00Z', to: '2026-03-01T00:00:00Z' })).toMatchObject({ value: null, sampleSize: 0 });
    // A solved ticket without work is not a sample: only H4 is solved on March 5 (local).
    expect(await metric(ws, { ...MARCH, from: '2026-03-05T00:00:00+01:00', to: '2026-03-06T00:00:00+01:00' })).toMatchObject({ value: null, sampleSize: 0 });
    const other = await createTestWorkspace();
    expect(await metric(other, MARCH)).toMatchObject({ value: null, sampleSize: 0 });
  });

  it('documents its definition', async () => {
    const ws = await createTestWorkspace();
    const res = await ws.gql(/* GraphQL */ `{ metricDefinitions { key unit statistics defaultStatistic clocks formula attributedTo } }`);
    const def = res.data!.metricDefinitions.find((d: { key: string }) => d.key === 'average_handle_time');
    expect(def).toMatchObject({ unit: 'SECONDS', defaultStatistic: 'MEAN', statistics: ['MEAN', 'MEDIAN', 'P90', 'COUNT'], clocks: ['CALENDAR', 'BUSINESS'], attributedTo: 'first solve' });
    expect(def.formula).toContain('excluded, not zero');
    expect(def.formula).toContain('merged into it');
  });
});

/**
 * conversation_handle_time: C1 first resolved 03-02 12:00 with work 300 + 500 = 800; C2 resolved
 * 03-03 with 1000; C3 resolved without work (excluded, not 0); C4 never resolved, 200 logged
 * (excluded). Samples 800, 1000 → MEAN 900, COUNT 2; nothing in February → null.
 */
describe('conversation_handle_time', () => {
  it('sums the work per resolved conversation, attributed to the first resolution', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const ids = [uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    const resolved = ['2026-03-02T12:00:00Z', '2026-03-03T12:00:00Z', '2026-03-04T12:00:00Z', null];
    await prisma.conversation.createMany({
      data: ids.map((id, i) => ({
        id,
        workspaceId: ws.workspaceId,
        customerId: customer!.id,
        channel: 'CHAT' as const,
        createdAt: new Date('2026-03-01T08:00:00Z'),
        firstResolvedAt: resolved[i] ? new Date(resolved[i]!) : null,
      })),
    });
    const work = (i: number, seconds: number) => logWork(ws, ids[i]!, ws.agentId, '2026-03-02T09:00:00Z', seconds, 'Conversation');
    await work(0, 300);
    await work(0, 500);
    await work(1, 1000);
    await work(3, 200);
    const march = { ...MARCH, key: 'conversation_handle_time' };
    expect(await metric(ws, march)).toMatchObject({ value: 900, sampleSize: 2 });
    expect((await metric(ws, { ...march, statistic: 'COUNT' })).value).toBe(2);
    expect(await metric(ws, { ...march, from: '2026-02-01T00:00:00Z', to: '2026-03-01T00:00:00Z' })).toMatchObject({ value: null, sampleSize: 0 });
    expect(await metric(await createTestWorkspace(), march)).toMatchObject({ value: null, sampleSize: 0 });
  });
});
