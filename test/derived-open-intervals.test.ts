import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import { applyMigrations, migrationsDir } from '../src/db/migrations.ts';
import type { Prisma } from '../src/generated/prisma/client.ts';
import { decodeGlobalId } from '../src/schema/global-id.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';
import { COMMENT, gid, newTicket, UPDATE } from './helpers/tickets.ts';
import { scratchDatabase } from './helpers/scratch.ts';
import { insertTickets } from './helpers/workload.ts';

/**
 * TicketOpenInterval, maintained by the trigger on the audit trail: after each write the rows are
 * compared with intervals built by hand from the trail's timestamps. Every entry of one mutation
 * shares its timestamp, so "the instant of a step" is the createdAt of the entries it wrote.
 */

type Interval = { openedAt: Date; closedAt: Date | null };

const MERGE = /* GraphQL */ `
  mutation ($input: MergeTicketsInput!) { mergeTickets(input: $input) { __typename ... on Error { message } } }
`;

async function intervals(ticketId: string): Promise<Array<Interval & { id: bigint; workspaceId: string }>> {
  const { prisma } = await testDatabase();
  return prisma.ticketOpenInterval.findMany({
    where: { ticketId },
    orderBy: { openedAt: 'asc' },
    select: { id: true, workspaceId: true, openedAt: true, closedAt: true },
  });
}

async function spells(ticketId: string): Promise<Interval[]> {
  return (await intervals(ticketId)).map(({ openedAt, closedAt }) => ({ openedAt, closedAt }));
}

/** The instant of the ticket's latest trail entry of `kind` (and `newValue`, for a status change). */
async function lastAt(ticketId: string, kind: Prisma.TicketEventCreateManyInput['kind'], newValue?: string): Promise<Date> {
  const { prisma } = await testDatabase();
  const rows = await prisma.ticketEvent.findMany({ where: { ticketId, kind }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
  const row = rows.find((r) => newValue === undefined || r.newValue === newValue);
  expect(row, `a ${kind} ${newValue ?? ''} entry`).toBeDefined();
  return row!.createdAt;
}

async function setStatus(ws: TestWorkspace, id: string, status: string): Promise<Date> {
  const res = await ws.gql(UPDATE, { input: { id, status } });
  expect(res.data!.updateTicket.__typename).toBe('TicketPayload');
  return lastAt(decodeGlobalId(id).id, 'FIELD_CHANGED', status);
}

describe('TicketOpenInterval', () => {
  it('follows a ticket through the API: one row per unsolved spell, open while unsolved', async () => {
    const ws = await createTestWorkspace();
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const customerId = gid('Customer', customer!.id);
    const ticket = await newTicket(ws, { requesterId: customerId });
    const id = decodeGlobalId(ticket.id).id;

    const created = await lastAt(id, 'CREATED');
    expect(await intervals(id)).toEqual([{ id: expect.any(BigInt), workspaceId: ws.workspaceId, openedAt: created, closedAt: null }]);

    // Moves between unsolved statuses continue the same spell.
    await setStatus(ws, ticket.id, 'OPEN');
    await setStatus(ws, ticket.id, 'PENDING');
    expect(await spells(id)).toEqual([{ openedAt: created, closedAt: null }]);

    // An internal note is no status point: the row is not even rewritten.
    const [before] = await intervals(id);
    const note = await ws.gql(COMMENT, { input: { ticketId: ticket.id, body: 'checking', isPublic: false } });
    expect(note.data!.addTicketComment.__typename).toBe('AddTicketCommentPayload');
    expect(await intervals(id)).toEqual([before]);

    const solved1 = await setStatus(ws, ticket.id, 'SOLVED');
    expect(await spells(id)).toEqual([{ openedAt: created, closedAt: solved1 }]);

    // The customer writes: a reopen (status change and REOPENED entry at one instant) starts a new spell.
    const reply = await ws.gql(COMMENT, { input: { ticketId: ticket.id, body: 'Still broken', authorCustomerId: customerId } });
    expect(reply.data!.addTicketComment.ticket.status).toBe('OPEN');
    const reopened1 = await lastAt(id, 'REOPENED');
    expect(reopened1.getTime()).toBeGreaterThan(solved1.getTime());
    expect(await spells(id)).toEqual([{ openedAt: created, closedAt: solved1 }, { openedAt: reopened1, closedAt: null }]);

    await setStatus(ws, ticket.id, 'ON_HOLD');
    const solved2 = await setStatus(ws, ticket.id, 'SOLVED');
    const reopened2 = await setStatus(ws, ticket.id, 'OPEN');
    expect(await lastAt(id, 'REOPENED')).toEqual(reopened2);
    const solved3 = await setStatus(ws, ticket.id, 'SOLVED');
    const expected = [
      { openedAt: created, closedAt: solved1 },
      { openedAt: reopened1, closedAt: solved2 },
      { openedAt: reopened2, closedAt: solved3 },
    ];
    expect(await spells(id)).toEqual(expected);

    // SOLVED → CLOSED: it was not in the backlog and still is not.
    await setStatus(ws, ticket.id, 'CLOSED');
    expect(await spells(id)).toEqual(expected);
  });

  it('ends a merged-away duplicate\'s spell at the merge and leaves the target\'s alone', async () => {
    const ws = await createTestWorkspace();
    const source = await newTicket(ws);
    const target = await newTicket(ws);
    const solvedSource = await newTicket(ws);
    const [sourceId, targetId, solvedId] = [source.id, target.id, solvedSource.id].map((g) => decodeGlobalId(g).id) as [string, string, string];
    await setStatus(ws, source.id, 'OPEN');
    const solvedAt = await setStatus(ws, solvedSource.id, 'SOLVED');
    const [targetBefore] = await intervals(targetId);

    const merge = async (from: string) => {
      const res = await ws.gql(MERGE, { input: { sourceId: from, targetId: target.id } });
      expect(res.data!.mergeTickets.__typename).toBe('MergeTicketsPayload');
    };
    await merge(source.id);
    const mergedAt = await lastAt(sourceId, 'MERGED_INTO');
    expect(await spells(sourceId)).toEqual([{ openedAt: await lastAt(sourceId, 'CREATED'), closedAt: mergedAt }]);
    // MERGED_FROM is no status point: the target's open row is the same row.
    expect(await intervals(targetId)).toEqual([targetBefore]);
    expect(targetBefore!.closedAt).toBeNull();

    // A solved duplicate was already out of the backlog: merging it adds nothing.
    await merge(solvedSource.id);
    expect(await spells(solvedId)).toEqual([{ openedAt: await lastAt(solvedId, 'CREATED'), closedAt: solvedAt }]);
  });

  it('maintains every ticket of a multi-row insert, replaying same-instant entries in (createdAt, id) order', async () => {
    const ws = await createTestWorkspace();
    const [a, b, c, d, e] = (await insertTickets(ws, [{}, {}, {}, {}, {}])) as [string, string, string, string, string];
    const at = (hhmm: string) => new Date(`2026-05-04T${hhmm}:00Z`);
    let seq = 0;
    const rows: Prisma.TicketEventCreateManyInput[] = [];
    // Ids increase in the order written, as the API's writer makes them within one millisecond.
    const add = (ticketId: string, time: string, kind: Prisma.TicketEventCreateManyInput['kind'], entry: Partial<Prisma.TicketEventCreateManyInput> = {}) =>
      rows.push({ id: idAt(at(time), seq++), workspaceId: ws.workspaceId, ticketId, kind, actorKind: 'AGENT', createdAt: at(time), ...entry });
    const status = (ticketId: string, time: string, from: string, to: string) => add(ticketId, time, 'FIELD_CHANGED', { field: 'status', oldValue: from, newValue: to });

    // A: created (no status in the entry: NEW), solved, reopened (status + REOPENED together), solved again.
    add(a, '09:00', 'CREATED');
    status(a, '10:00', 'NEW', 'SOLVED');
    status(a, '11:00', 'SOLVED', 'OPEN');
    add(a, '11:00', 'REOPENED', { oldValue: 'SOLVED', newValue: 'OPEN' });
    status(a, '12:00', 'OPEN', 'SOLVED');
    // B: created OPEN; a priority change is no status point.
    add(b, '09:30', 'CREATED', { newValue: { status: 'OPEN', priority: 'HIGH' } });
    add(b, '10:30', 'FIELD_CHANGED', { field: 'priority', oldValue: 'HIGH', newValue: 'LOW' });
    // C: merged away.
    add(c, '08:00', 'CREATED', { newValue: { status: 'NEW' } });
    add(c, '08:45', 'MERGED_INTO', { oldValue: { status: 'NEW' }, newValue: { ticketId: b, number: 2 } });
    // D: solved and reopened within one millisecond: the SOLVED point never holds, one spell.
    add(d, '09:00', 'CREATED');
    status(d, '10:00', 'NEW', 'SOLVED');
    status(d, '10:00', 'SOLVED', 'OPEN');
    // E: created and solved within one millisecond: never unsolved at any instant.
    add(e, '09:00', 'CREATED');
    status(e, '09:00', 'NEW', 'SOLVED');

    const { prisma } = await testDatabase();
    await prisma.ticketEvent.createMany({ data: rows });
    expect(await spells(a)).toEqual([{ openedAt: at('09:00'), closedAt: at('10:00') }, { openedAt: at('11:00'), closedAt: at('12:00') }]);
    expect(await spells(b)).toEqual([{ openedAt: at('09:30'), closedAt: null }]);
    expect(await spells(c)).toEqual([{ openedAt: at('08:00'), closedAt: at('08:45') }]);
    expect(await spells(d)).toEqual([{ openedAt: at('09:00'), closedAt: null }]);
    expect(await spells(e)).toEqual([]);

    // A later statement dated in the middle of the trail is replayed in its place: B was solved at 10:00.
    rows.length = 0;
    status(b, '10:00', 'OPEN', 'SOLVED');
    await prisma.ticketEvent.createMany({ data: rows });
    expect(await spells(b)).toEqual([{ openedAt: at('09:30'), closedAt: at('10:00') }]);
  });

  it('equals a recomputation of every ticket (the backfill), and goes with a deleted ticket', async () => {
    const ws = await createTestWorkspace();
    const t1 = await newTicket(ws);
    const t2 = await newTicket(ws);
    const t3 = await newTicket(ws);
    await setStatus(ws, t1.id, 'SOLVED');
    await setStatus(ws, t1.id, 'OPEN');
    await setStatus(ws, t2.id, 'ON_HOLD');
    await setStatus(ws, t2.id, 'SOLVED');
    const merged = await ws.gql(MERGE, { input: { sourceId: t3.id, targetId: t1.id } });
    expect(merged.data!.mergeTickets.__typename).toBe('MergeTicketsPayload');
    const ids = [t1.id, t2.id, t3.id].map((g) => decodeGlobalId(g).id);

    const { prisma } = await testDatabase();
    const rowsOf = () =>
      prisma.$queryRaw<Array<{ ticketId: string; openedAt: Date; closedAt: Date | null }>>`
        SELECT "ticketId"::text AS "ticketId", "openedAt", "closedAt" FROM "TicketOpenInterval"
        WHERE "workspaceId" = ${ws.workspaceId}::uuid ORDER BY "ticketId", "openedAt"`;
    const maintained = await rowsOf();
    // t1: two spells (reopened), t2: one closed spell, t3: one spell ended by the merge.
    expect(maintained.map((r) => [r.ticketId, r.closedAt === null])).toEqual(
      [[ids[0], false], [ids[0], true], [ids[1], false], [ids[2], false]].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
    // The migration's backfill statement, over this workspace's tickets.
    const backfill = await prisma.$queryRaw<Array<{ ticketId: string; openedAt: Date; closedAt: Date | null }>>`
      SELECT "ticketId"::text AS "ticketId", "openedAt", "closedAt" FROM cx_ticket_open_intervals_replayed
      WHERE "workspaceId" = ${ws.workspaceId}::uuid ORDER BY "ticketId", "openedAt"`;
    expect(backfill).toEqual(maintained);
    await prisma.$executeRaw`SELECT cx_refresh_open_intervals(${ids}::uuid[])`;
    expect(await rowsOf()).toEqual(maintained);

    await prisma.ticket.delete({ where: { id: ids[0]! } });
    expect(await intervals(ids[0]!)).toEqual([]);
    expect((await rowsOf()).map((r) => r.ticketId).sort()).toEqual([ids[1], ids[2]].sort());
  });
});

describe('the migration that introduces TicketOpenInterval', () => {
  it('backfills the trails written before it, and leaves the key, the indexes and the trigger in place', async () => {
    const db = await scratchDatabase();
    const before = await mkdtemp(path.join(os.tmpdir(), 'cxgraph-intervals-'));
    try {
      await cp(migrationsDir, before, { recursive: true });
      for (const name of await readdir(before)) {
        if (name >= '20261123080000_ticket_open_intervals_maintained') await rm(path.join(before, name), { recursive: true, force: true });
      }
      await applyMigrations(db.factory(), before);
      const ws = uuidv7();
      const customer = uuidv7();
      const [t1, t2, t3] = [uuidv7(), uuidv7(), uuidv7()];
      await db.query(`INSERT INTO "Workspace" (id, name, slug, "updatedAt") VALUES ('${ws}', 'W', 'w-${ws}', now())`);
      await db.query(`INSERT INTO "Customer" (id, "workspaceId", "updatedAt") VALUES ('${customer}', '${ws}', now())`);
      await db.query(`INSERT INTO "Ticket" (id, "workspaceId", number, subject, "requesterId", "updatedAt")
        VALUES ('${t1}', '${ws}', 1, 'A', '${customer}', now()), ('${t2}', '${ws}', 2, 'B', '${customer}', now()), ('${t3}', '${ws}', 3, 'C', '${customer}', now())`);
      const event = (ticket: string, hhmm: string, kind: string, field: string | null, newValue: string | null) =>
        `(gen_random_uuid(), '${ws}', '${ticket}', '${kind}', ${field ? `'${field}'` : 'NULL'}, ${newValue ? `'${newValue}'` : 'NULL'}, 'AGENT', '2026-05-04T${hhmm}:00Z')`;
      await db.query(`INSERT INTO "TicketEvent" (id, "workspaceId", "ticketId", kind, field, "newValue", "actorKind", "createdAt") VALUES
        ${[
          // t1: solved, then reopened; t2: merged away; t3: pending, solved, closed.
          event(t1, '09:00', 'CREATED', null, '{"status":"NEW"}'),
          event(t1, '10:00', 'FIELD_CHANGED', 'status', '"SOLVED"'),
          event(t1, '11:00', 'FIELD_CHANGED', 'status', '"OPEN"'),
          event(t1, '11:00', 'REOPENED', null, '"OPEN"'),
          event(t2, '09:00', 'CREATED', null, null),
          event(t2, '09:30', 'MERGED_INTO', null, `{"ticketId":"${t1}"}`),
          event(t3, '09:00', 'CREATED', null, '{"status":"NEW"}'),
          event(t3, '09:15', 'FIELD_CHANGED', 'status', '"PENDING"'),
          event(t3, '12:00', 'FIELD_CHANGED', 'status', '"SOLVED"'),
          event(t3, '13:00', 'FIELD_CHANGED', 'status', '"CLOSED"'),
        ].join(', ')}`);

      await applyMigrations(db.factory());
      const rows = () =>
        db.query<{ ticket: string; opened: string; closed: string | null }>(`
          SELECT "ticketId"::text AS ticket, to_char("openedAt" AT TIME ZONE 'UTC', 'HH24:MI') AS opened, to_char("closedAt" AT TIME ZONE 'UTC', 'HH24:MI') AS closed
          FROM "TicketOpenInterval" WHERE "workspaceId" = '${ws}' ORDER BY "openedAt", "ticketId"`);
      const sorted = (list: Array<{ ticket: string; opened: string; closed: string | null }>) =>
        [...list].sort((a, b) => a.opened.localeCompare(b.opened) || a.ticket.localeCompare(b.ticket));
      expect(await rows()).toEqual(
        sorted([
          { ticket: t1, opened: '09:00', closed: '10:00' },
          { ticket: t1, opened: '11:00', closed: null },
          { ticket: t2, opened: '09:00', closed: '09:30' },
          { ticket: t3, opened: '09:00', closed: '12:00' },
        ]),
      );

      // The load dropped and rebuilt them: they must be back as the schema declares them.
      const indexes = await db.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = 'TicketOpenInterval' ORDER BY 1`);
      expect(indexes.map((i) => i.indexname)).toEqual(['TicketOpenInterval_pkey', 'TicketOpenInterval_ticketId_idx', 'TicketOpenInterval_workspaceId_openedAt_idx']);
      await db.query(`INSERT INTO "TicketEvent" (id, "workspaceId", "ticketId", kind, field, "newValue", "actorKind", "createdAt") VALUES ${event(t1, '14:00', 'FIELD_CHANGED', 'status', '"SOLVED"')}`);
      await db.query(`DELETE FROM "Ticket" WHERE id = '${t3}'`);
      expect(await rows()).toEqual(
        sorted([
          { ticket: t1, opened: '09:00', closed: '10:00' },
          { ticket: t1, opened: '11:00', closed: '14:00' },
          { ticket: t2, opened: '09:00', closed: '09:30' },
        ]),
      );
    } finally {
      await rm(before, { recursive: true, force: true });
      await db.dispose();
    }
  }, 300_000);
});

/** A UUIDv7 at `at` whose `rand_a` bits carry `n`, so ids of one instant sort in the order made. */
function idAt(at: Date, n: number): string {
  const random = randomBytes(16);
  random[6] = (n >> 8) & 0x0f;
  random[7] = n & 0xff;
  return uuidv7(at, random);
}
