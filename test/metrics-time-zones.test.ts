import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';

/**
 * Time buckets in time zones, against hand-computed bucket starts and counts. One read-only
 * fixture of tickets (ticket_volume, attributed to creation) and surveys.
 *
 * Offsets: America/New_York EST (UTC−5) until Sun 2026-03-08 02:00 local, then EDT (UTC−4);
 * Asia/Kolkata IST (UTC+5:30, no DST); Europe/Berlin CET (UTC+1) until Sun 03-29 02:00 local,
 * CEST (UTC+2) until Sun 10-25 03:00 local, then CET again.
 *
 *   ticket  instant (UTC)       New York           Kolkata            Berlin
 *   v1      03-07 23:30         Sat 03-07 18:30    Sun 03-08 05:00    Sun 03-08 00:30
 *   v2      03-08 06:30         Sun 03-08 01:30    Sun 03-08 12:00    Sun 03-08 07:30
 *   v3      03-08 07:30         Sun 03-08 03:30    Sun 03-08 13:00    Sun 03-08 08:30
 *   v4      03-09 03:59         Sun 03-08 23:59    Mon 03-09 09:29    Mon 03-09 04:59
 *   v5      03-09 04:30         Mon 03-09 00:30    Mon 03-09 10:00    Mon 03-09 05:30
 *   v6      02-28 23:30         Sat 02-28 18:30    Sun 03-01 05:00    Sun 03-01 00:30
 *   v7      03-31 22:30         Tue 03-31 18:30    Wed 04-01 04:00    Wed 04-01 00:30
 *   w1      03-29 00:30                                                Sun 03-29 01:30 CET
 *   w2      03-29 01:30                                                Sun 03-29 03:30 CEST
 *   z1      10-25 00:30                                                Sun 10-25 02:30 CEST (first 02:30)
 *   z2      10-25 01:30                                                Sun 10-25 02:30 CET  (second 02:30)
 *   z3      10-25 22:30                                                Sun 10-25 23:30 CET
 *   z4      10-25 23:00                                                Mon 10-26 00:00 CET
 * Surveys: a CSAT 5 answered at v2, an NPS 0 answered at v5 (no CES at all).
 */
const T = {
  v1: '2026-03-07T23:30:00Z', v2: '2026-03-08T06:30:00Z', v3: '2026-03-08T07:30:00Z', v4: '2026-03-09T03:59:00Z', v5: '2026-03-09T04:30:00Z',
  v6: '2026-02-28T23:30:00Z', v7: '2026-03-31T22:30:00Z',
  w1: '2026-03-29T00:30:00Z', w2: '2026-03-29T01:30:00Z',
  z1: '2026-10-25T00:30:00Z', z2: '2026-10-25T01:30:00Z', z3: '2026-10-25T22:30:00Z', z4: '2026-10-25T23:00:00Z',
};

async function build() {
  const ws = await createTestWorkspace();
  const { prisma } = await testDatabase();
  const [customer] = await insertCustomers(ws.workspaceId, 1);
  await prisma.ticket.createMany({
    data: Object.values(T).map((iso, i) => ({ id: uuidv7(new Date(iso)), workspaceId: ws.workspaceId, number: i + 1, subject: 'x', requesterId: customer!.id, createdAt: new Date(iso) })),
  });
  const survey = (kind: 'CSAT' | 'NPS', score: number, iso: string) => ({
    id: uuidv7(), workspaceId: ws.workspaceId, customerId: customer!.id, kind, score, sentAt: new Date(Date.parse(iso) - 3_600_000), respondedAt: new Date(iso),
  });
  await prisma.surveyResponse.createMany({ data: [survey('CSAT', 5, T.v2), survey('NPS', 0, T.v5)] });
  return ws;
}
let shared: Promise<TestWorkspace> | undefined;
const fixture = () => (shared ??= build());

const SERIES = 'value sampleSize timeZone series { bucketStart value sampleSize }';

type Point = { bucketStart: string; value: number | null; sampleSize: number };

async function batch<K extends string>(ws: TestWorkspace, inputs: Record<K, Record<string, unknown>>) {
  const aliases = Object.keys(inputs) as K[];
  const query = `query (${aliases.map((a) => `$${a}: MetricInput!`).join(', ')}) { ${aliases.map((a) => `${a}: metric(input: $${a}) { ${SERIES} }`).join(' ')} }`;
  const res = await ws.gql(query, Object.fromEntries(aliases.map((a) => [a, { key: 'ticket_volume', ...inputs[a] }])));
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data as Record<K, { value: number | null; sampleSize: number; timeZone: string; series: Point[] }>;
}

/** [bucketStart, count] pairs of a COUNT series. */
const counts = (series: Point[]) => series.map((p) => [p.bucketStart, p.value]);
const z = (iso: string) => new Date(iso).toISOString();

describe('time buckets in time zones (hand-computed)', () => {
  it('DAY buckets are local days: the same instants fall on different days in New York and Kolkata', async () => {
    const ws = await fixture();
    const data = await batch(ws, {
      // Local 03-07 00:00 → 03-10 00:00 in New York: 03-07 05:00Z (EST) → 03-10 04:00Z (EDT).
      ny: { from: '2026-03-07T05:00:00Z', to: '2026-03-10T04:00:00Z', bucket: 'DAY', timeZone: 'America/New_York' },
      // The same local days in Kolkata: 03-06 18:30Z → 03-09 18:30Z.
      kolkata: { from: '2026-03-06T18:30:00Z', to: '2026-03-09T18:30:00Z', bucket: 'DAY', timeZone: 'Asia/Kolkata' },
    });
    // New York: 03-07 {v1} · 03-08, only 23 hours long {v2, v3, v4 (23:59 EDT)} · 03-09 {v5}. Day starts: 05:00Z, 05:00Z, 04:00Z (EDT).
    expect(counts(data.ny.series)).toEqual([[z('2026-03-07T05:00:00Z'), 1], [z('2026-03-08T05:00:00Z'), 3], [z('2026-03-09T04:00:00Z'), 1]]);
    expect(data.ny).toMatchObject({ value: 5, sampleSize: 5, timeZone: 'America/New_York' });
    // Kolkata: 03-07 {} · 03-08 {v1, v2, v3} · 03-09 {v4, v5}; v6 (03-01) and v7 (04-01) are outside.
    expect(counts(data.kolkata.series)).toEqual([[z('2026-03-06T18:30:00Z'), 0], [z('2026-03-07T18:30:00Z'), 3], [z('2026-03-08T18:30:00Z'), 2]]);
  });

  it('HOUR buckets follow a half-hour offset, the first one starting at the local hour before `from`', async () => {
    const ws = await fixture();
    // [06:00Z, 08:00Z) = 11:30 → 13:30 IST: local hours 11:00, 12:00, 13:00 = 05:30Z, 06:30Z, 07:30Z.
    // v2 (06:30Z) is in the 12:00 hour, v3 (07:30Z) in the 13:00 hour.
    const data = await batch(ws, { hours: { from: '2026-03-08T06:00:00Z', to: '2026-03-08T08:00:00Z', bucket: 'HOUR', timeZone: 'Asia/Kolkata' } });
    expect(counts(data.hours.series)).toEqual([[z('2026-03-08T05:30:00Z'), 0], [z('2026-03-08T06:30:00Z'), 1], [z('2026-03-08T07:30:00Z'), 1]]);
  });

  it('MONTH buckets start at local midnight of the 1st, across the DST change; UTC months differ', async () => {
    const ws = await fixture();
    const data = await batch(ws, {
      // Local Feb 1 → May 1 in Berlin: 01-31 23:00Z (CET) → 04-30 22:00Z (CEST).
      berlin: { from: '2026-01-31T23:00:00Z', to: '2026-04-30T22:00:00Z', bucket: 'MONTH', timeZone: 'Europe/Berlin' },
      utc: { from: '2026-02-01T00:00:00Z', to: '2026-05-01T00:00:00Z', bucket: 'MONTH', timeZone: 'UTC' },
    });
    // Berlin: February {} · March {v6 (03-01 00:30), v1–v5, w1, w2} = 8 · April {v7 (04-01 00:30 CEST)} = 1.
    expect(counts(data.berlin.series)).toEqual([[z('2026-01-31T23:00:00Z'), 0], [z('2026-02-28T23:00:00Z'), 8], [z('2026-03-31T22:00:00Z'), 1]]);
    // UTC: February {v6} · March {v1–v5, v7, w1, w2} = 8 · April {}.
    expect(counts(data.utc.series)).toEqual([[z('2026-02-01T00:00:00Z'), 1], [z('2026-03-01T00:00:00Z'), 8], [z('2026-04-01T00:00:00Z'), 0]]);
  });

  it('a DAY is 25 hours long when DST ends', async () => {
    const ws = await fixture();
    // Local 10-24 → 10-27 in Berlin: day starts 10-23 22:00Z, 10-24 22:00Z (CEST), 10-25 23:00Z (CET); the range ends 10-26 23:00Z.
    const data = await batch(ws, { fall: { from: '2026-10-23T22:00:00Z', to: '2026-10-26T23:00:00Z', bucket: 'DAY', timeZone: 'Europe/Berlin' } });
    // 10-25 holds both 02:30s and 23:30 (z1, z2, z3); z4 is midnight of 10-26.
    expect(counts(data.fall.series)).toEqual([[z('2026-10-23T22:00:00Z'), 0], [z('2026-10-24T22:00:00Z'), 3], [z('2026-10-25T23:00:00Z'), 1]]);
  });

  it('buckets in the workspace\'s time zone when none is given', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    await prisma.workspace.update({ where: { id: ws.workspaceId }, data: { timeZone: 'Asia/Kolkata' } });
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    // 03-07 19:00Z is 03-08 00:30 in Kolkata (and still 03-07 in UTC).
    await prisma.ticket.create({ data: { id: uuidv7(), workspaceId: ws.workspaceId, number: 1, subject: 'x', requesterId: customer!.id, createdAt: new Date('2026-03-07T19:00:00Z') } });
    const data = await batch(ws, { local: { from: '2026-03-06T18:30:00Z', to: '2026-03-08T18:30:00Z', bucket: 'DAY' } });
    expect(data.local.timeZone).toBe('Asia/Kolkata');
    expect(counts(data.local.series)).toEqual([[z('2026-03-06T18:30:00Z'), 0], [z('2026-03-07T18:30:00Z'), 1]]);
  });

  it('an empty bucket is 0 for a COUNT and null for rates and scores; an empty range is null, never NaN', async () => {
    const ws = await fixture();
    const ny = { from: '2026-03-07T05:00:00Z', to: '2026-03-10T04:00:00Z', bucket: 'DAY', timeZone: 'America/New_York' };
    const data = await batch(ws, {
      csat: { ...ny, key: 'csat' },
      nps: { ...ny, key: 'nps' },
      ces: { ...ny, key: 'ces', statistic: 'MEDIAN' },
      emptyCount: { ...ny, key: 'ticket_volume', from: '2025-03-07T05:00:00Z', to: '2025-03-08T05:00:00Z' },
    });
    const starts = ['2026-03-07T05:00:00.000Z', '2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z'];
    const series = (points: Array<[number | null, number]>) => points.map(([value, sampleSize], i) => ({ bucketStart: starts[i], value, sampleSize }));
    // CSAT 5 at v2 (NY 03-08) → 100; NPS 0 at v5 (NY 03-09) → −100; no CES.
    expect(data.csat).toMatchObject({ value: 100, sampleSize: 1, series: series([[null, 0], [100, 1], [null, 0]]) });
    expect(data.nps).toMatchObject({ value: -100, sampleSize: 1, series: series([[null, 0], [null, 0], [-100, 1]]) });
    expect(data.ces).toMatchObject({ value: null, sampleSize: 0, series: series([[null, 0], [null, 0], [null, 0]]) });
    expect(data.emptyCount).toMatchObject({ value: 0, sampleSize: 0, series: [{ bucketStart: '2025-03-07T05:00:00.000Z', value: 0, sampleSize: 0 }] });
  });

  it('rejects HOUR buckets over more than 31 days', async () => {
    const ws = await fixture();
    const res = await ws.gql(/* GraphQL */ `query ($input: MetricInput!) { metric(input: $input) { value } }`, {
      input: { key: 'ticket_volume', from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:01Z', bucket: 'HOUR' },
    });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.bucket' });
  });
});

/**
 * HOUR buckets are local hours as instants: on a DST day the skipped local hour is no bucket and
 * the repeated one is two (they were generated as local wall-clock hours turned into instants with
 * AT TIME ZONE, which resolves a local time that does not exist or exists twice to one offset).
 */
describe('HOUR buckets across DST changes', () => {
  // Sun 03-29, Berlin: 02:00–03:00 local does not exist; the local day 00:00 CET → 00:00 CEST has
  // 23 hours, starting 23:00Z, 00:00Z, 01:00Z, …, 21:00Z. w1 (00:30Z) is in the 00:00Z hour, w2
  // (01:30Z, 03:30 CEST) in the 01:00Z hour.
  it('spring forward: 23 hourly buckets with distinct starts', async () => {
    const ws = await fixture();
    const data = await batch(ws, { spring: { from: '2026-03-28T23:00:00Z', to: '2026-03-29T22:00:00Z', bucket: 'HOUR', timeZone: 'Europe/Berlin' } });
    const starts = data.spring.series.map((p) => p.bucketStart);
    expect(new Set(starts).size).toBe(starts.length);
    expect(starts).toHaveLength(23);
    expect(data.spring.series.find((p) => p.bucketStart === z('2026-03-29T01:00:00Z'))).toMatchObject({ value: 1, sampleSize: 1 });
  });

  // Sun 10-25, Berlin: 02:00–03:00 local happens twice (00:00Z–01:00Z CEST, 01:00Z–02:00Z CET).
  // The local day has 25 hourly buckets, 22:00Z … 22:00Z, the repeated 02:00 twice: 00:00Z (CEST)
  // and 01:00Z (CET). z1 (00:30Z, the first 02:30) is in the 00:00Z bucket, z2 (01:30Z, the second)
  // in the 01:00Z one.
  it('fall back: 25 hourly buckets, each 02:30 in its own 02:00', async () => {
    const ws = await fixture();
    const data = await batch(ws, { fall: { from: '2026-10-24T22:00:00Z', to: '2026-10-25T23:00:00Z', bucket: 'HOUR', timeZone: 'Europe/Berlin' } });
    const starts = data.fall.series.map((p) => p.bucketStart);
    expect(new Set(starts).size).toBe(starts.length);
    expect(starts).toHaveLength(25);
    expect(starts[0]).toBe(z('2026-10-24T22:00:00Z'));
    expect(data.fall.series.find((p) => p.bucketStart === z('2026-10-25T00:00:00Z'))).toMatchObject({ sampleSize: 1 }); // z1
    expect(data.fall.series.find((p) => p.bucketStart === z('2026-10-25T01:00:00Z'))).toMatchObject({ sampleSize: 1 }); // z2
    const upTo = (iso: string) => data.fall.series.filter((p) => p.bucketStart <= z(iso)).reduce((n, p) => n + p.sampleSize, 0);
    expect(upTo('2026-10-25T00:30:00Z')).toBe(1); // z1
    expect(upTo('2026-10-25T01:30:00Z')).toBe(2); // z1, z2
  });
});

/**
 * Where DST ends at midnight, the local midnight happens twice and the day starts at the first.
 * America/Havana: CDT (UTC−4) until Sun 2026-11-01 01:00 local, then CST (UTC−5), so local
 * 00:00–01:00 of 11-01 happens twice (04:00Z–05:00Z, then 05:00Z–06:00Z) and 11-01 has 25 hours,
 * 04:00Z → 11-02 05:00Z. PostgreSQL turns the local 11-01 00:00 into its later instant, 05:00Z.
 *
 *   ticket  instant (UTC)   Havana
 *   h1      11-01 03:30     Sat 10-31 23:30 CDT
 *   h2      11-01 04:30     Sun 11-01 00:30 CDT (the first 00:30)
 *   h3      11-01 05:30     Sun 11-01 00:30 CST (the second)
 *   h4      11-02 04:30     Sun 11-01 23:30 CST
 */
describe('DAY buckets where DST ends at midnight', () => {
  const H = { h1: '2026-11-01T03:30:00Z', h2: '2026-11-01T04:30:00Z', h3: '2026-11-01T05:30:00Z', h4: '2026-11-02T04:30:00Z' };
  const range = { from: '2026-10-31T04:00:00Z', to: '2026-11-02T05:00:00Z', bucket: 'DAY', timeZone: 'America/Havana' };

  it('a day starts at the first of two local midnights, for samples and for levels', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const tickets = Object.values(H).map((iso, i) => ({ id: uuidv7(new Date(iso)), workspaceId: ws.workspaceId, number: i + 1, subject: 'x', requesterId: customer!.id, createdAt: new Date(iso) }));
    await prisma.ticket.createMany({ data: tickets });
    // The audit trail the backlog replays: each ticket opened at its creation, none solved.
    await prisma.ticketEvent.createMany({
      data: tickets.map((t) => ({ id: uuidv7(t.createdAt), workspaceId: ws.workspaceId, ticketId: t.id, kind: 'CREATED' as const, actorKind: 'AGENT' as const, createdAt: t.createdAt, newValue: { status: 'NEW' } })),
    });
    const data = await batch(ws, { volume: range, backlog: { ...range, key: 'ticket_backlog' } });
    // 10-31 (04:00Z) holds h1; 11-01 (04:00Z, not 05:00Z) holds h2, h3 and h4.
    expect(counts(data.volume.series)).toEqual([[z('2026-10-31T04:00:00Z'), 1], [z('2026-11-01T04:00:00Z'), 3]]);
    // Open at 10-31 04:00Z: none. At 11-01 04:00Z: h1 only (at 05:00Z h2 would be open too).
    expect(counts(data.backlog.series)).toEqual([[z('2026-10-31T04:00:00Z'), 0], [z('2026-11-01T04:00:00Z'), 1]]);
    expect(data.backlog).toMatchObject({ value: 4 });
  });
});
