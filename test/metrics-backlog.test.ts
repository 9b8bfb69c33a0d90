import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import type { Prisma } from '../src/generated/prisma/client.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, type TestWorkspace } from './helpers/factories.ts';
import { newTicket, UPDATE } from './helpers/tickets.ts';
import { insertTeams, insertTickets, metric } from './helpers/workload.ts';

/**
 * ticket_backlog against hand-computed values, replayed from audit trails written here with
 * chosen times (UTC). Europe/Berlin switches from CET (UTC+1) to CEST (UTC+2) on 2026-03-29, so
 * the local midnights that start the DAY buckets of Mar 27 … 30 are
 *   b1 03-26 23:00Z   b2 03-27 23:00Z   b3 03-28 23:00Z   b4 03-29 22:00Z (CEST)   and the range end 03-30 22:00Z.
 *
 *   B1 team A  created 03-26 10:00 NEW → OPEN 03-26 12:00 → SOLVED 03-27 12:00 → reopened 03-28 22:30 → SOLVED 03-29 22:30
 *   B2 team B  created 03-27 08:00, merged into B1 03-28 10:00 (a tombstone from then on)
 *   B3 team B  created 03-29 21:30 → PENDING 03-30 08:00 (PENDING is still open)
 *   B4 team A  created 03-20 10:00 → ON_HOLD 03-21 10:00, never solved
 *   B5 team A  created 03-27 20:00 → SOLVED 03-28 01:00 → CLOSED 03-29 01:00
 *   B6 team A  created 03-31 10:00 (after the range)
 *
 *   open at   b1: B1 B4 = 2 · b2: B2 B4 B5 = 3 · b3: B1 B4 = 2 · b4: B1 (solved only at 22:30) B3 B4 = 3 · end: B3 B4 = 2
 * Had b4 been taken at CET midnight (23:00Z), B1 would already be solved there (2, not 3).
 * At the end by team: A → B4 = 1, B → B3 = 1. Team B per bucket: 0, 1 (B2), 0, 1 (B3).
 */
async function fixture(ws: TestWorkspace) {
  const { prisma } = await testDatabase();
  const [teamA, teamB] = await insertTeams(ws, ['Tier 1', 'Tier 2']);
  const at = (iso: string) => new Date(`2026-${iso}:00Z`);
  const [b1, b2, b3, b4, b5, b6] = await insertTickets(ws, [
    { teamId: teamA, createdAt: at('03-26T10:00'), status: 'SOLVED' },
    { teamId: teamB, createdAt: at('03-27T08:00'), status: 'CLOSED' },
    { teamId: teamB, createdAt: at('03-29T21:30'), status: 'PENDING' },
    { teamId: teamA, createdAt: at('03-20T10:00'), status: 'ON_HOLD' },
    { teamId: teamA, createdAt: at('03-27T20:00'), status: 'CLOSED' },
    { teamId: teamA, createdAt: at('03-31T10:00') },
  ]);
  await prisma.ticket.update({ where: { id: b2! }, data: { mergedIntoId: b1! } });
  const events: Prisma.TicketEventCreateManyInput[] = [];
  const event = (ticketId: string, when: string, kind: Prisma.TicketEventCreateManyInput['kind'], entry: Partial<Prisma.TicketEventCreateManyInput> = {}) =>
    events.push({ id: uuidv7(at(when)), workspaceId: ws.workspaceId, ticketId, kind, actorKind: 'AGENT', createdAt: at(when), ...entry });
  const created = (ticketId: string, when: string) => event(ticketId, when, 'CREATED', { newValue: { status: 'NEW' } });
  const status = (ticketId: string, when: string, from: string, to: string) => event(ticketId, when, 'FIELD_CHANGED', { field: 'status', oldValue: from, newValue: to });
  created(b1!, '03-26T10:00');
  status(b1!, '03-26T12:00', 'NEW', 'OPEN');
  status(b1!, '03-27T12:00', 'OPEN', 'SOLVED');
  status(b1!, '03-28T22:30', 'SOLVED', 'OPEN');
  event(b1!, '03-28T22:30', 'REOPENED', { oldValue: 'SOLVED', newValue: 'OPEN' });
  status(b1!, '03-29T22:30', 'OPEN', 'SOLVED');
  created(b2!, '03-27T08:00');
  event(b2!, '03-28T10:00', 'MERGED_INTO', { oldValue: { status: 'NEW' }, newValue: { ticketId: b1!, number: 1 } });
  event(b1!, '03-28T10:00', 'MERGED_FROM', { newValue: { ticketId: b2!, number: 2 } });
  created(b3!, '03-29T21:30');
  status(b3!, '03-30T08:00', 'NEW', 'PENDING');
  created(b4!, '03-20T10:00');
  status(b4!, '03-21T10:00', 'NEW', 'ON_HOLD');
  event(b4!, '03-22T10:00', 'FIELD_CHANGED', { field: 'priority', oldValue: 'NORMAL', newValue: 'HIGH' });
  created(b5!, '03-27T20:00');
  status(b5!, '03-28T01:00', 'NEW', 'SOLVED');
  status(b5!, '03-29T01:00', 'SOLVED', 'CLOSED');
  created(b6!, '03-31T10:00');
  await prisma.ticketEvent.createMany({ data: events });
  return { teamA: encodeGlobalId('Team', teamA!), teamB: encodeGlobalId('Team', teamB!) };
}

/** An audit-trail row of a ticket of `ws`, written at `createdAt` (bound to the workspace: row(ticketId, at, kind, extra)). */
const auditRow =
  (ws: TestWorkspace) =>
  (ticketId: string, createdAt: string, kind: 'CREATED' | 'FIELD_CHANGED', extra: Partial<Prisma.TicketEventCreateManyInput>) => ({
    id: uuidv7(new Date(createdAt)), workspaceId: ws.workspaceId, ticketId, kind, actorKind: 'AGENT' as const, createdAt: new Date(createdAt), ...extra,
  });

const RANGE = { key: 'ticket_backlog', from: '2026-03-27T00:00:00+01:00', to: '2026-03-31T00:00:00+02:00', timeZone: 'Europe/Berlin' };

describe('ticket_backlog', () => {
  it('counts the tickets open at each local bucket start, across a reopen, a merge and the DST change', async () => {
    const ws = await createTestWorkspace();
    await fixture(ws);
    const res = await metric(ws, { ...RANGE, bucket: 'DAY' });
    expect(res).toMatchObject({ value: 2, sampleSize: 2, statistic: 'COUNT', asOf: '2026-03-30T22:00:00.000Z' }); // at the range end: B3, B4
    expect(res.series).toEqual([
      { bucketStart: '2026-03-26T23:00:00.000Z', value: 2, sampleSize: 2 },
      { bucketStart: '2026-03-27T23:00:00.000Z', value: 3, sampleSize: 3 },
      { bucketStart: '2026-03-28T23:00:00.000Z', value: 2, sampleSize: 2 },
      { bucketStart: '2026-03-29T22:00:00.000Z', value: 3, sampleSize: 3 },
    ]);
  });

  it('counts a ticket opened exactly at a bucket start there, and not one solved exactly at a bucket start', async () => {
    // E1 is created exactly at b2 (03-27 23:00Z) and solved exactly at b3 (03-28 23:00Z): an interval
    // [created, solved) contains b2 (created <= b2) but not b3 (solved > b3 is false).
    // E2 is created 1 ms after b3 and still open: not at b3, yes at b4. Levels: b1 0, b2 1, b3 0, b4 1.
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const [e1, e2] = await insertTickets(ws, [
      { createdAt: new Date('2026-03-27T23:00:00Z'), status: 'SOLVED' },
      { createdAt: new Date('2026-03-28T23:00:00.001Z') },
    ]);
    const row = auditRow(ws);
    await prisma.ticketEvent.createMany({
      data: [
        row(e1!, '2026-03-27T23:00:00Z', 'CREATED', { newValue: { status: 'NEW' } }),
        row(e1!, '2026-03-28T23:00:00Z', 'FIELD_CHANGED', { field: 'status', oldValue: 'NEW', newValue: 'SOLVED' }),
        row(e2!, '2026-03-28T23:00:00.001Z', 'CREATED', { newValue: { status: 'NEW' } }),
      ],
    });
    const res = await metric(ws, { ...RANGE, bucket: 'DAY' });
    expect(res.series.map((p: { value: number }) => p.value)).toEqual([0, 1, 0, 1]);
    expect(res).toMatchObject({ value: 1, sampleSize: 1 });
  });

  it('counts at a MONTH bucket start weeks before the range a ticket solved just after it, and not one solved exactly at it', async () => {
    // MONTH buckets of RANGE (03-27 … 03-31 local) start at 03-01 00:00 local = 02-28 23:00Z, four
    // weeks before \`from\`. M1 and M2 were created 02-20; M1 was solved 1 ms after that start (open
    // there), M2 exactly at it (not open). Both ended before \`from\`, so only a lower bound at or
    // before the first bucket start keeps M1. Levels: March 1, then nothing open at the range end.
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const [m1, m2] = await insertTickets(ws, [
      { createdAt: new Date('2026-02-20T10:00:00Z'), status: 'SOLVED' },
      { createdAt: new Date('2026-02-20T10:00:00Z'), status: 'SOLVED' },
    ]);
    const row = auditRow(ws);
    await prisma.ticketEvent.createMany({
      data: [
        row(m1!, '2026-02-20T10:00:00Z', 'CREATED', { newValue: { status: 'NEW' } }),
        row(m1!, '2026-02-28T23:00:00.001Z', 'FIELD_CHANGED', { field: 'status', oldValue: 'NEW', newValue: 'SOLVED' }),
        row(m2!, '2026-02-20T10:00:00Z', 'CREATED', { newValue: { status: 'NEW' } }),
        row(m2!, '2026-02-28T23:00:00Z', 'FIELD_CHANGED', { field: 'status', oldValue: 'NEW', newValue: 'SOLVED' }),
      ],
    });
    const res = await metric(ws, { ...RANGE, bucket: 'MONTH' });
    expect(res.series).toEqual([{ bucketStart: '2026-02-28T23:00:00.000Z', value: 1, sampleSize: 1 }]);
    expect(res).toMatchObject({ value: 0, sampleSize: 0 });
  });

  it('groups and filters by the tickets\' current team, at the range end and per bucket', async () => {
    const ws = await createTestWorkspace();
    const { teamA, teamB } = await fixture(ws);
    const grouped = await metric(ws, { ...RANGE, groupBy: 'TEAM' });
    expect(grouped.groups).toHaveLength(2);
    expect(grouped.groups).toEqual(expect.arrayContaining([{ key: teamA, value: 1, sampleSize: 1 }, { key: teamB, value: 1, sampleSize: 1 }]));
    const teamBSeries = await metric(ws, { ...RANGE, bucket: 'DAY', filter: { teamId: teamB } });
    expect(teamBSeries.series.map((p: { value: number }) => p.value)).toEqual([0, 1, 0, 1]);
  });

  it('is 0 (a real level, not missing data) when nothing is open, and never counts another workspace', async () => {
    const ws = await createTestWorkspace();
    await fixture(ws);
    // Mar 19 (local): nothing was created yet.
    expect(await metric(ws, { ...RANGE, from: '2026-03-18T00:00:00+01:00', to: '2026-03-19T00:00:00+01:00' })).toMatchObject({ value: 0, sampleSize: 0 });
    const other = await createTestWorkspace();
    expect(await metric(other, { ...RANGE, bucket: 'DAY' })).toMatchObject({ value: 0, sampleSize: 0 });
    const defs = await ws.gql(/* GraphQL */ `{ metricDefinitions { key kind statistics } }`);
    expect(defs.data!.metricDefinitions.find((d: { key: string }) => d.key === 'ticket_backlog')).toEqual({ key: 'ticket_backlog', kind: 'SNAPSHOT', statistics: ['COUNT'] });
    expect(defs.data!.metricDefinitions.find((d: { key: string }) => d.key === 'ticket_volume').kind).toBe('SAMPLES');
    const bad = await ws.gql(/* GraphQL */ `query ($input: MetricInput!) { metric(input: $input) { value } }`, { input: { ...RANGE, statistic: 'MEAN' } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.statistic' });
  });

  it('follows the trail the ticket mutations write; a range ending later is valued now, future buckets are null', async () => {
    const ws = await createTestWorkspace();
    const t1 = await newTicket(ws);
    const t2 = await newTicket(ws);
    const t3 = await newTicket(ws);
    const update = async (id: string, status: string) => {
      const res = await ws.gql(UPDATE, { input: { id, status } });
      expect(res.data!.updateTicket.__typename).toBe('TicketPayload');
    };
    await update(t1.id, 'SOLVED');
    await update(t1.id, 'OPEN'); // a reopen: FIELD_CHANGED status + REOPENED
    const merged = await ws.gql(/* GraphQL */ `mutation ($input: MergeTicketsInput!) { mergeTickets(input: $input) { __typename } }`, {
      input: { sourceId: t2.id, targetId: t3.id },
    });
    expect(merged.data!.mergeTickets.__typename).toBe('MergeTicketsPayload');
    const day = 86_400_000;
    const range = { key: 'ticket_backlog', from: new Date(Date.now() - day).toISOString(), to: new Date(Date.now() + 2 * day).toISOString(), timeZone: 'UTC' };
    // Now: T1 (reopened) and T3 are open; T2 is merged away.
    const before = await metric(ws, { ...range, bucket: 'DAY' });
    expect(before.value).toBe(2);
    expect(Date.parse(before.asOf)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(before.asOf)).toBeGreaterThan(Date.now() - 60_000);
    // Buckets: yesterday 00:00 (nothing yet), today 00:00, then two days in the future: not known yet.
    expect(before.series.map((p: { value: number | null }) => p.value)).toEqual([0, expect.any(Number), null, null]);
    await update(t3.id, 'SOLVED');
    expect((await metric(ws, range)).value).toBe(1);
  });
});
