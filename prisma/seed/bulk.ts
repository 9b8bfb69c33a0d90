import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { generateApiKey } from '../../src/auth/api-keys.ts';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { buildActivity, type ActivityEnv } from './activity.ts';
import { buildOrganizations, NameBook } from './customers.ts';
import { seedContext } from './demo.ts';
import { TableWriter, type ColumnCatalog } from './insert.ts';
import { planWorkspace } from './plan.ts';
import { buildSetup } from './setup.ts';
import { emptyBag, INSERT_ORDER, type RowBag } from './types.ts';
import { countsOf, writeRows } from './write.ts';

export interface BulkBuildOptions {
  customers: number;
  ticketsPerCustomer: number;
  seed?: number;
  now?: Date;
  workspaceName?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface BulkBuildResult {
  workspaceId: string;
  apiKey: string;
  counts: Record<string, number>;
}

/** Tickets generated and written per batch: big enough for fast statements, small enough to stream. */
const TICKETS_PER_BATCH = 5_000;
/** Customers generated between yields, so queued inserts run while the next part is generated. */
const CUSTOMERS_PER_SLICE = 50;
/**
 * Batches written at the same time, each in its own transaction on its own connection. Index
 * maintenance and foreign-key checks dominate, and PostgreSQL spends one core per session; on
 * PGlite (one session) the adapter queues the transactions, so this is harmless there.
 */
const WRITERS = 2;
const LONG = { maxWait: 30 * 60_000, timeout: 30 * 60_000 };

function assertCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${value}`);
}

/** `bulk-<seed>`, or `bulk-<seed>-2`, `-3`, ... when the database already holds that seed. */
async function freeSlug(prisma: PrismaClient, seed: number): Promise<string> {
  const stem = `bulk-${seed}`;
  const taken = new Set((await prisma.workspace.findMany({ where: { slug: { startsWith: stem } }, select: { slug: true } })).map((w) => w.slug));
  if (!taken.has(stem)) return stem;
  for (let n = 2; ; n++) if (!taken.has(`${stem}-${n}`)) return `${stem}-${n}`;
}

/**
 * A large workspace for benchmarks, shaped like the demo. The workspace and its setup are
 * committed first, then batches of customers with all their activity, each batch in one
 * transaction, generated while earlier batches are being written. If anything fails, the
 * workspace is deleted again (the cascade removes what was written).
 */
export async function seedBulkWorkspace(prisma: PrismaClient, options: BulkBuildOptions): Promise<BulkBuildResult> {
  assertCount('customers', options.customers, 1);
  assertCount('ticketsPerCustomer', options.ticketsPerCustomer, 0);
  const seed = options.seed ?? 1;
  assertCount('seed', seed, 0);
  const now = (options.now ?? new Date()).getTime();
  const slug = await freeSlug(prisma, seed);
  const apiKey = generateApiKey();
  const ctx = seedContext('bulk', seed, slug, now);
  const perCustomer = options.ticketsPerCustomer;
  const plan = planWorkspace(ctx, {
    customers: options.customers, tombstones: 0, tickets: { perCustomer }, conversations: { perCustomer: Math.max(1, Math.round(perCustomer * 0.1)) },
  });
  const setupRows = emptyBag();
  const staff = buildSetup(ctx, {
    name: options.workspaceName ?? `Benchmark: ${options.customers} customers × ${perCustomer} tickets (seed ${seed})`, slug,
    agentCount: Math.max(10, Math.ceil(options.customers / 250)), apiKey, apiKeyName: 'Benchmark key',
    ticketSequence: plan.ticketCount, lastTicketAt: plan.lastTicketAt,
  }, setupRows);
  const orgs = buildOrganizations(ctx, Math.max(1, Math.round(options.customers / 5)), setupRows);
  const env: ActivityEnv = { ctx, staff, names: new NameBook(seed + 1), orgs, emails: new Set(), compact: true, eventScale: 0.5 };
  const total = plan.ticketCount;
  const batchSize = Math.max(CUSTOMERS_PER_SLICE, Math.floor(TICKETS_PER_BATCH / Math.max(1, perCustomer)));
  const catalog: ColumnCatalog = new Map();
  const counts: Record<string, number> = {};
  const write = async (rows: RowBag) => {
    const tally = await prisma.$transaction(async (tx) => {
      const writer = new TableWriter(tx, catalog);
      if (rows.Workspace.length > 0 && (await writer.insert('Workspace', rows.Workspace, { skipConflictOn: 'slug' })) === 0) {
        throw new Error(`workspace slug "${slug}" was taken concurrently; run the bulk seed again`);
      }
      await writeRows(writer, rows, ['Workspace']);
      return countsOf(writer);
    }, LONG);
    for (const [table, n] of Object.entries(tally)) counts[table] = (counts[table] ?? 0) + n;
  };

  await write(setupRows);
  let done = 0;
  options.onProgress?.(done, total);
  const inFlight = new Set<Promise<void>>();
  try {
    for (let start = 0; start < plan.customers.length; start += batchSize) {
      const batch = plan.customers.slice(start, start + batchSize);
      const rows = emptyBag();
      for (let s = 0; s < batch.length; s += CUSTOMERS_PER_SLICE) {
        buildActivity(env, batch.slice(s, s + CUSTOMERS_PER_SLICE), `${start + s}`, rows);
        await yieldToEventLoop();
      }
      while (inFlight.size >= WRITERS) await Promise.race(inFlight);
      const tickets = rows.Ticket.length;
      const writing: Promise<void> = write(rows).then(() => {
        inFlight.delete(writing);
        done += tickets;
        options.onProgress?.(done, total);
      });
      // Awaited through inFlight; until then a failure must not count as an unhandled rejection.
      writing.catch(() => undefined);
      inFlight.add(writing);
    }
    await Promise.all(inFlight);
  } catch (error) {
    await Promise.allSettled(inFlight);
    await prisma.workspace.delete({ where: { id: ctx.workspaceId } }).catch(() => undefined);
    throw error;
  }
  return { workspaceId: ctx.workspaceId, apiKey, counts: Object.fromEntries(INSERT_ORDER.map((t) => [t, counts[t] ?? 0])) };
}
