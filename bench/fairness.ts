import { performance } from 'node:perf_hooks';
import { seedBulk } from '../prisma/seed.ts';
import { createApp, type App } from '../src/app.ts';
import { apiKeyPrefix, generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { runCli } from '../src/cli/run.ts';
import { loadConfig, StartupError } from '../src/config.ts';
import { uuidv7 } from '../src/db/ids.ts';
import { openDatabase, type PrismaClient } from '../src/db/index.ts';
import { applyMigrations } from '../src/db/migrations.ts';
import { UNLIMITED_STATEMENTS } from '../src/db/timeouts.ts';
import { WorkspaceConcurrency } from '../src/guards/concurrency.ts';
import { createLogger } from '../src/logger.ts';
import { parseFlags } from './stats.ts';

/**
 * Fairness benchmark (PostgreSQL only): workspace B's simple query (a page of customers), timed
 * `--samples` times alone, then while workspace A — a bulk-seeded workspace whose metrics read
 * hundreds of thousands of rows — sends expensive requests in a loop from `--abusers` clients
 * at once (each request: `--aliases` metric aliases and a search). The abuse phase runs twice:
 * with the per-workspace bound (CXGRAPH_EXPENSIVE_CONCURRENCY, default 2) and without it
 * (the baseline). Reports B's p50/p99, errors, and A's answers by code (each error of a request
 * counted). With `--backoff yes` (default) A waits the 429's Retry-After. See bench/README.md.
 */

const flags = parseFlags(process.argv.slice(2), {
  customers: '20000',
  'tickets-per-customer': '10',
  seed: '7',
  samples: '200',
  abusers: '8',
  aliases: '5',
  /** yes: A waits Retry-After on a 429, as a well-behaved client would; no: A retries at once (CPU abuse, the rate limiter's job). */
  backoff: 'yes',
});
const log = (line: string) => console.log(`[bench] ${line}`);

const SIMPLE = /* GraphQL */ `{ customers(first: 10) { totalCount edges { node { id name } } } }`;
const VICTIM_CUSTOMERS = 25;

function abusive(aliases: number): string {
  const fields = Array.from({ length: aliases }, (_, i) => `m${i}: metric(input: { key: "ticket_first_response_time", from: $from, to: $to, groupBy: TEAM, bucket: DAY }) { value }`);
  return /* GraphQL */ `query Abuse($from: DateTime!, $to: DateTime!) { ${fields.join(' ')} search(query: "refund delivery") { kind } }`;
}

async function post(app: App, apiKey: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await app.fetch('http://bench/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: Array<{ extensions?: { code?: string } }> } };
}

async function keyFor(prisma: PrismaClient, workspaceId: string): Promise<string> {
  const apiKey = generateApiKey();
  await prisma.apiKey.create({ data: { id: uuidv7(), workspaceId, name: 'bench:fairness', prefix: apiKeyPrefix(apiKey), hashedKey: hashApiKey(apiKey), scopes: ['*'] } });
  return apiKey;
}

async function abuserWorkspace(prisma: PrismaClient): Promise<string> {
  const target = Number(flags.customers) * Number(flags['tickets-per-customer']);
  const stem = `bulk-${flags.seed}`;
  const [found] = await prisma.$queryRaw<{ id: string; tickets: bigint }[]>`
    SELECT w.id, (SELECT count(*) FROM "Ticket" t WHERE t."workspaceId" = w.id) AS tickets
    FROM "Workspace" w WHERE w.slug = ${stem} OR w.slug LIKE ${`${stem}-%`} ORDER BY tickets DESC LIMIT 1`;
  if (found && Number(found.tickets) >= target) return found.id;
  log(`seeding workspace A: ${flags.customers} customers × ${flags['tickets-per-customer']} tickets (takes minutes)`);
  const seeded = await seedBulk(prisma, { customers: Number(flags.customers), ticketsPerCustomer: Number(flags['tickets-per-customer']), seed: Number(flags.seed) });
  await prisma.$executeRawUnsafe('VACUUM (ANALYZE)');
  return seeded.workspaceId;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

interface Phase {
  name: string;
  p50: number;
  p99: number;
  max: number;
  victimErrors: number;
  abuser: Map<string, number>;
}

async function measure(name: string, app: App, victimKey: string, abuse: { key: string; range: { from: string; to: string } } | null): Promise<Phase> {
  let stop = false;
  const abuser = new Map<string, number>();
  const count = (code: string) => abuser.set(code, (abuser.get(code) ?? 0) + 1);
  const query = abusive(Number(flags.aliases));
  const loops = abuse
    ? Array.from({ length: Number(flags.abusers) }, async () => {
        while (!stop) {
          const res = await post(app, abuse.key, query, abuse.range).catch(() => null);
          if (!res) count('fetch failed');
          else if (!res.body.errors) count('ok');
          else for (const e of res.body.errors) count(e.extensions?.code ?? 'none');
          if (res?.status === 429 && flags.backoff === 'yes') await new Promise((r) => setTimeout(r, 1_000));
        }
      })
    : [];
  // Let the abuse reach its steady state before timing.
  if (abuse) await new Promise((r) => setTimeout(r, 2_000));
  const times: number[] = [];
  let victimErrors = 0;
  for (let i = 0; i < Number(flags.samples); i++) {
    const started = performance.now();
    const res = await post(app, victimKey, SIMPLE);
    times.push(performance.now() - started);
    if (res.body.errors || res.body.data?.customers?.totalCount !== VICTIM_CUSTOMERS) victimErrors += 1;
  }
  stop = true;
  await Promise.all(loops);
  times.sort((a, b) => a - b);
  const phase = { name, p50: pct(times, 50), p99: pct(times, 99), max: times[times.length - 1]!, victimErrors, abuser };
  log(`${name}: B p50 ${phase.p50.toFixed(0)} ms, p99 ${phase.p99.toFixed(0)} ms, max ${phase.max.toFixed(0)} ms, B errors ${victimErrors}; A answers ${JSON.stringify(Object.fromEntries(abuser))}`);
  return phase;
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.database.kind !== 'postgres') {
    throw new StartupError('bench:fairness runs on PostgreSQL only: DATABASE_URL=postgres://postgres@127.0.0.1:5432/cxgraph_bench_fairness npm run bench:fairness');
  }
  if (config.database.database === 'postgres') throw new StartupError('bench:fairness seeds a large workspace: point DATABASE_URL at a dedicated database, not "postgres"');
  const setup = await openDatabase(config.database, UNLIMITED_STATEMENTS);
  let a: string;
  try {
    await applyMigrations(setup.migrationFactory());
    a = await abuserWorkspace(setup.prisma);
  } finally {
    await setup.close();
  }
  // Serving limits from here on, as a server would have.
  const db = await openDatabase(config.database, config.databaseTimeouts);
  try {
    const [span] = await db.prisma.$queryRaw<{ from: Date; to: Date }[]>`SELECT min("createdAt") AS from, max("createdAt") AS to FROM "Ticket" WHERE "workspaceId" = ${a}::uuid`;
    const range = { from: span!.from.toISOString(), to: span!.to.toISOString() };
    const b = await db.prisma.workspace.create({ data: { id: uuidv7(), name: 'bench:fairness victim', slug: `fairness-victim-${Date.now().toString(36)}` } });
    await db.prisma.customer.createMany({ data: Array.from({ length: VICTIM_CUSTOMERS }, (_, i) => ({ id: uuidv7(), workspaceId: b.id, name: `Victim ${i}` })) });
    const [aKey, bKey] = [await keyFor(db.prisma, a), await keyFor(db.prisma, b.id)];
    const logger = createLogger('silent');
    const bounded = createApp({ db, logger, concurrency: new WorkspaceConcurrency(config.concurrency) });
    const unbounded = createApp({ db, logger, concurrency: new WorkspaceConcurrency({ perWorkspace: 100_000, queue: 100_000 }) });
    log(`pool ${config.database.poolMax}, bound ${config.concurrency.perWorkspace} running + ${config.concurrency.queue} queued per workspace; A: ${flags.abusers} clients × (${flags.aliases} metrics + 1 search) over ${range.from} – ${range.to}`);
    // One untimed metric warms the caches the abuse will use.
    await post(bounded, aKey, abusive(1), range);
    const quiet = await measure('quiet', bounded, bKey, null);
    const withBound = await measure('abuse, bounded', bounded, bKey, { key: aKey, range });
    const withoutBound = await measure('abuse, unbounded (baseline)', unbounded, bKey, { key: aKey, range });
    console.log(`\n| phase | B p50 ms | B p99 ms | B max ms | B p99 ÷ quiet p99 | B errors | A answers |\n|---|---|---|---|---|---|---|`);
    for (const p of [quiet, withBound, withoutBound]) {
      console.log(
        `| ${p.name} | ${p.p50.toFixed(0)} | ${p.p99.toFixed(0)} | ${p.max.toFixed(0)} | ${(p.p99 / quiet.p99).toFixed(1)}× | ${p.victimErrors} / ${flags.samples} | ${[...p.abuser].map(([c, n]) => `${c} ${n}`).join(', ') || '—'} |`,
      );
    }
  } finally {
    await db.close();
  }
}

runCli(main);
