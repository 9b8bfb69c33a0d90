import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { seedBulk } from '../prisma/seed.ts';
import { createApp } from '../src/app.ts';
import { apiKeyPrefix, generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { loadConfig } from '../src/config.ts';
import { countQueries } from '../src/db/query-counter.ts';
import { openDatabase, type Database } from '../src/db/index.ts';
import { applyMigrations } from '../src/db/migrations.ts';
import { createLogger } from '../src/logger.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { requestBody, type Shape, type ShapeName } from './api-shapes.ts';

/** Database side of bench:api: create, migrate, seed or reuse, a key, realistic variables, statement counts. */

const log = (line: string) => console.log(`[bench:api] ${line}`);

/** Creates the database of `url` when it does not exist (connecting to the server's `postgres` database). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`--database-url: database name "${name}" must be letters, digits and _`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${name}"`);
      log(`created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

export function openBenchDatabase(url: string): Promise<Database> {
  return openDatabase(loadConfig({ DATABASE_URL: url }).database);
}

/** The `bulk-1` workspace with at least customers × tickets tickets: reused, or seeded (then ANALYZE). */
export async function ensureWorkspace(db: Database, customers: number, ticketsPerCustomer: number): Promise<string> {
  const applied = await applyMigrations(db.migrationFactory());
  if (applied.length) log(`${applied.length} migration(s) applied`);
  const target = customers * ticketsPerCustomer;
  const rows = await db.prisma.$queryRaw<{ id: string; tickets: bigint; customers: bigint }[]>`
    SELECT w.id, (SELECT count(*) FROM "Ticket" t WHERE t."workspaceId" = w.id) AS tickets,
      (SELECT count(*) FROM "Customer" c WHERE c."workspaceId" = w.id) AS customers
    FROM "Workspace" w WHERE w.slug = 'bulk-1' OR w.slug LIKE 'bulk-1-%' ORDER BY tickets DESC LIMIT 1`;
  const found = rows[0];
  if (found && Number(found.tickets) >= target && Number(found.customers) >= customers) {
    log(`reusing workspace ${found.id} (${Number(found.customers).toLocaleString('en-US')} customers, ${Number(found.tickets).toLocaleString('en-US')} tickets)`);
    return found.id;
  }
  log(`seeding ${customers.toLocaleString('en-US')} customers × ${ticketsPerCustomer} tickets (takes a few minutes)`);
  const started = performance.now();
  let decile = -1;
  const seeded = await seedBulk(db.prisma, {
    customers,
    ticketsPerCustomer,
    seed: 1,
    onProgress: (done, total) => {
      const d = Math.floor((10 * done) / Math.max(total, 1));
      if (d > decile) log(`seeding: ${(decile = d) * 10}%`);
    },
  });
  log(`seeded ${seeded.workspaceId} in ${((performance.now() - started) / 1000).toFixed(0)} s; ANALYZE`);
  await db.prisma.$executeRawUnsafe('ANALYZE');
  return seeded.workspaceId;
}

export async function createBenchKey(db: Database, workspaceId: string): Promise<{ key: string; id: string }> {
  const key = generateApiKey();
  const row = await db.prisma.apiKey.create({
    data: { workspaceId, name: 'bench:api', prefix: apiKeyPrefix(key), hashedKey: hashApiKey(key), scopes: ['*'] },
  });
  return { key, id: row.id };
}

/**
 * Variables from the seeded data: the first page of customers; a ticket from the middle of the
 * numbering; the team with the most open/pending conversations; a customer whose timeline has
 * every kind of entry and who belongs to an organization.
 */
export async function pickVariables(db: Database, workspaceId: string): Promise<Record<ShapeName, Record<string, unknown>>> {
  const [ticket] = await db.prisma.$queryRaw<{ id: string }[]>`
    SELECT id FROM "Ticket" WHERE "workspaceId" = ${workspaceId}::uuid
    ORDER BY number OFFSET (SELECT count(*) / 2 FROM "Ticket" WHERE "workspaceId" = ${workspaceId}::uuid) LIMIT 1`;
  const [team] = await db.prisma.$queryRaw<{ id: string }[]>`
    SELECT "teamId" AS id FROM "Conversation"
    WHERE "workspaceId" = ${workspaceId}::uuid AND "teamId" IS NOT NULL
    GROUP BY "teamId" ORDER BY count(*) FILTER (WHERE status IN ('OPEN', 'PENDING')) DESC, "teamId" LIMIT 1`;
  // Small workspaces (the test's) may have no customer with everything: the richest one then.
  const [customer] = await db.prisma.$queryRaw<{ id: string }[]>`
    SELECT c.id FROM "Customer" c
    WHERE c."workspaceId" = ${workspaceId}::uuid AND c."mergedIntoId" IS NULL
    ORDER BY (c."organizationId" IS NOT NULL)::int
      + EXISTS (SELECT 1 FROM "SurveyResponse" s WHERE s."customerId" = c.id AND s."respondedAt" IS NOT NULL)::int
      + EXISTS (SELECT 1 FROM "CustomerEvent" e WHERE e."customerId" = c.id AND e.value IS NOT NULL)::int
      + EXISTS (SELECT 1 FROM "Conversation" v WHERE v."customerId" = c.id)::int
      + EXISTS (SELECT 1 FROM "TicketEvent" e JOIN "Ticket" t ON t.id = e."ticketId" WHERE t."requesterId" = c.id AND e.kind <> 'CREATED')::int DESC,
      c."createdAt", c.id LIMIT 1`;
  if (!ticket || !team || !customer) throw new Error('the workspace has no ticket, no team with conversations or no customer');
  return {
    customers50x10: { first: 50, tickets: 10 },
    ticketById: { id: encodeGlobalId('Ticket', ticket.id) },
    agentInbox: { teamId: encodeGlobalId('Team', team.id), first: 25 },
    customer360: { id: encodeGlobalId('Customer', customer.id) },
  };
}

/**
 * SQL statements cxgraph (this checkout, in this process, same database) sends per request of
 * each shape, counted by src/db/query-counter.ts; the 50×10 shape also at 5×2, to show the count
 * does not grow with the page.
 */
export async function countStatements(db: Database, apiKey: string, shapes: Shape[], variables: Record<ShapeName, Record<string, unknown>>) {
  const app = createApp({ db, logger: createLogger('silent') });
  const count = async (shape: Shape, vars: Record<string, unknown>) => {
    const { result, tally } = await countQueries(async () => {
      const res = await app.fetch('http://cxgraph.bench/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${apiKey}` },
        body: requestBody(shape, vars),
      });
      return (await res.json()) as { errors?: { message: string }[] };
    });
    if (result.errors) throw new Error(`${shape.name}: ${result.errors.map((e) => e.message).join('; ')}`);
    return tally.statements;
  };
  const counts: Record<string, number> = {};
  for (const shape of shapes) {
    await count(shape, variables[shape.name]); // warm: the key cache and the first-request work
    counts[shape.name] = await count(shape, variables[shape.name]);
    if (shape.name === 'customers50x10') counts['customers5x2'] = await count(shape, { first: 5, tickets: 2 });
  }
  return counts;
}
