import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { seedBulk } from '../prisma/seed.ts';
import { createApp, type App } from '../src/app.ts';
import { apiKeyPrefix, generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { runCli } from '../src/cli/run.ts';
import { loadConfig, StartupError } from '../src/config.ts';
import { openDatabase, type Database, type PrismaClient } from '../src/db/index.ts';
import { applyMigrations } from '../src/db/migrations.ts';
import { UNLIMITED_STATEMENTS } from '../src/db/timeouts.ts';
import { createLogger } from '../src/logger.ts';
import { METRICS, type MetricDefinition } from '../src/metrics/definitions.ts';
import { decodeGlobalId } from '../src/schema/global-id.ts';
import { BASELINES, byTeamAndDay } from './metrics-baselines.ts';
import { median, parseFlags } from './stats.ts';

/**
 * Metrics benchmark (PostgreSQL only): every metric in METRICS over a `--days` range, grouped by
 * team and bucketed by local day, through the GraphQL HTTP layer in this process (yoga.fetch,
 * a real API key), against the hand-written SQL of bench/metrics-baselines.ts on its own
 * connection; medians of `--repeat` alternating runs, their ratio, and whether the answers agree.
 * See bench/README.md.
 */

const flags = parseFlags(process.argv.slice(2), {
  customers: '100000',
  'tickets-per-customer': '10',
  seed: '1',
  days: '90',
  repeat: '5',
  'time-zone': '',
  metrics: '',
  timeout: '60',
});
const target = Number(flags.customers) * Number(flags['tickets-per-customer']);
const repeat = Number(flags.repeat);
const days = Number(flags.days);
const timeoutMs = Number(flags.timeout) * 1000;
/** A metric whose untimed first run takes longer than this is timed once per side, not `--repeat` times. */
const SLOW_MS = 10_000;
const log = (line: string) => console.log(`[bench] ${line}`);

const METRIC = /* GraphQL */ `
  query BenchMetric($input: MetricInput!) {
    metric(input: $input) { statistic value sampleSize groups { key value sampleSize } series { bucketStart value sampleSize } }
  }`;

interface Point {
  value: number | null;
  sampleSize: number;
}
interface GraphQLMetric extends Point {
  statistic: string;
  groups: Array<Point & { key: string | null }>;
  series: Array<Point & { bucketStart: string }>;
}
interface BaselineRow {
  g: number;
  team: string | null;
  day: Date | null;
  value: number | null;
  n: number;
}
interface Range {
  from: Date;
  to: Date;
  timeZone: string;
}

/** The benchmark workspace of this seed with at least `target` tickets, or null. */
async function findWorkspace(prisma: PrismaClient): Promise<{ id: string; tickets: number } | null> {
  const stem = `bulk-${flags.seed}`;
  const rows = await prisma.$queryRaw<{ id: string; tickets: bigint }[]>`
    SELECT w.id, (SELECT count(*) FROM "Ticket" t WHERE t."workspaceId" = w.id) AS tickets
    FROM "Workspace" w WHERE w.slug = ${stem} OR w.slug LIKE ${`${stem}-%`}
    ORDER BY tickets DESC LIMIT 1`;
  const found = rows[0];
  return found && Number(found.tickets) >= target ? { id: found.id, tickets: Number(found.tickets) } : null;
}

/** Handle time reads work entries; a workspace seeded before the seed wrote them has none (re-seed it to measure those metrics). */
async function warnWithoutWorkEntries(prisma: PrismaClient, workspaceId: string): Promise<void> {
  if (await prisma.workEntry.findFirst({ where: { workspaceId }, select: { id: true } })) return;
  log('warning: the workspace has no work entries (seeded before the seed wrote them); the handle-time metrics will have no samples — drop it to re-seed');
}

async function ensureWorkspace(prisma: PrismaClient, needsWork: boolean): Promise<string> {
  const existing = await findWorkspace(prisma);
  if (existing) {
    log(`using workspace ${existing.id} (${existing.tickets.toLocaleString('en-US')} tickets); no seeding needed`);
    if (needsWork) await warnWithoutWorkEntries(prisma, existing.id);
    return existing.id;
  }
  log(`seeding ${flags.customers} customers × ${flags['tickets-per-customer']} tickets (seed ${flags.seed}); this takes minutes`);
  const started = performance.now();
  let decile = -1;
  const seeded = await seedBulk(prisma, {
    customers: Number(flags.customers),
    ticketsPerCustomer: Number(flags['tickets-per-customer']),
    seed: Number(flags.seed),
    onProgress: (done, total) => {
      if (Math.floor((10 * done) / Math.max(total, 1)) > decile) log(`seeding: ${(decile = Math.floor((10 * done) / Math.max(total, 1))) * 10}%`);
    },
  });
  log(`seeded workspace ${seeded.workspaceId} in ${((performance.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(seeded.counts)}`);
  // Fresh rows have no statistics, visibility map or hint bits yet; a live database would (autovacuum).
  const vacuumed = performance.now();
  await prisma.$executeRawUnsafe('VACUUM (ANALYZE)');
  log(`VACUUM (ANALYZE) in ${((performance.now() - vacuumed) / 1000).toFixed(1)} s`);
  return seeded.workspaceId;
}

/** `--days` whole local days ending with the day of the workspace's latest ticket. */
async function rangeOf(prisma: PrismaClient, workspaceId: string): Promise<Range> {
  const [w] = await prisma.$queryRaw<{ timeZone: string }[]>`SELECT "timeZone" FROM "Workspace" WHERE id = ${workspaceId}::uuid`;
  const timeZone = flags['time-zone'] || w!.timeZone;
  const [r] = await prisma.$queryRaw<{ from: Date; to: Date }[]>`
    SELECT (d - make_interval(days => ${days})) AT TIME ZONE ${timeZone} AS "from", d AT TIME ZONE ${timeZone} AS "to"
    FROM (SELECT date_trunc('day', max("createdAt") AT TIME ZONE ${timeZone}) + interval '1 day' AS d FROM "Ticket" WHERE "workspaceId" = ${workspaceId}::uuid) AS last`;
  return { from: r!.from, to: r!.to, timeZone };
}

class GraphQLCallError extends Error {
  constructor(
    message: string,
    readonly argument: unknown,
  ) {
    super(message);
  }
}

async function callGraphQL(app: App, apiKey: string, metric: MetricDefinition, range: Range, bucketed: boolean): Promise<GraphQLMetric> {
  const input = {
    key: metric.key,
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    timeZone: range.timeZone,
    ...(bucketed ? { bucket: 'DAY' } : {}),
    ...(metric.dimensions.includes('TEAM') ? { groupBy: 'TEAM' } : {}),
  };
  const res = await app.fetch('http://cxgraph.bench/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query: METRIC, variables: { input } }),
  });
  const body = (await res.json()) as { data?: { metric: GraphQLMetric } | null; errors?: { message: string; extensions?: { argument?: unknown } }[] };
  if (!body.data?.metric) throw new GraphQLCallError(`GraphQL ${res.status}: ${body.errors?.map((e) => e.message).join('; ')}`, body.errors?.[0]?.extensions?.argument);
  return body.data.metric;
}

const close = (a: number | null, b: number | null) => (a === null || b === null ? a === b : Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b)));

/** Differences between the GraphQL answer and the baseline's rows (empty list: they agree). */
function disagreements(gql: GraphQLMetric, rows: BaselineRow[], grouped: boolean): string[] {
  const found: string[] = [];
  const empty: Point = { value: gql.statistic === 'COUNT' ? 0 : null, sampleSize: 0 };
  const check = (what: string, got: Point, want: Point) => {
    if (got.sampleSize !== want.sampleSize || !close(got.value, want.value)) {
      found.push(`${what}: GraphQL ${got.value} (n ${got.sampleSize}) vs SQL ${want.value} (n ${want.sampleSize})`);
    }
  };
  const overall = rows.find((r) => r.g === 3);
  check('overall', gql, overall ? { value: overall.value, sampleSize: overall.n } : empty);
  if (grouped) {
    const teams = new Map(rows.filter((r) => r.g === 1).map((r) => [r.team, { value: r.value, sampleSize: r.n }]));
    for (const group of gql.groups) {
      const team = group.key === null ? null : decodeGlobalId(group.key).id;
      check(`team ${team}`, group, teams.get(team) ?? empty);
      teams.delete(team);
    }
    for (const team of teams.keys()) found.push(`team ${team}: only in SQL`);
  }
  const daysByStart = new Map(rows.filter((r) => r.g === 2).map((r) => [r.day!.toISOString(), { value: r.value, sampleSize: r.n }]));
  for (const point of gql.series) {
    const start = new Date(point.bucketStart).toISOString();
    check(`day ${start}`, point, daysByStart.get(start) ?? empty);
    daysByStart.delete(start);
  }
  for (const start of daysByStart.keys()) found.push(`day ${start}: only in SQL (outside the GraphQL series)`);
  return found;
}

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await run();
  return { ms: performance.now() - started, result };
}

interface MetricRun {
  key: string;
  statistic: string;
  samples: number;
  groups: number;
  /** null: the metric has no time buckets. */
  buckets: number | null;
  graphqlMs: number[];
  sqlMs: number[];
  graphqlMedianMs: number | null;
  sqlMedianMs: number | null;
  ratio: number | null;
  agree: boolean | null;
  disagreements: string[];
  error?: string;
}

async function benchMetric(app: App, apiKey: string, sql: pg.Client, workspaceId: string, metric: MetricDefinition, range: Range): Promise<MetricRun> {
  const baseline = BASELINES[metric.key];
  // Period metrics (e.g. retention) have no time buckets: they answer BAD_USER_INPUT on input.bucket.
  let bucketed = true;
  const first = await timed(() => callGraphQL(app, apiKey, metric, range, bucketed)).catch(async (error: unknown) => {
    if (!(error instanceof GraphQLCallError) || error.argument !== 'input.bucket') throw error;
    bucketed = false;
    return timed(() => callGraphQL(app, apiKey, metric, range, bucketed));
  });
  const graphqlRun = () => timed(() => callGraphQL(app, apiKey, metric, range, bucketed));
  const sqlRun = baseline
    ? () => timed(async () => (await sql.query<BaselineRow>(byTeamAndDay(baseline), [workspaceId, range.from.toISOString(), range.to.toISOString(), range.timeZone])).rows)
    : null;
  // The first round is untimed: plans, caches and pool connections are warm for both sides.
  let answer = first.result;
  let rows = sqlRun ? (await sqlRun()).result : null;
  const graphqlMs: number[] = [];
  const sqlMs: number[] = [];
  const runs = first.ms > SLOW_MS ? 1 : repeat;
  for (let i = 0; i < runs; i += 1) {
    // Alternating which side goes first, so neither always runs right after the other warmed the cache.
    const order = i % 2 === 0 ? ['graphql', 'sql'] : ['sql', 'graphql'];
    for (const side of order) {
      if (side === 'graphql') {
        const run = await graphqlRun();
        graphqlMs.push(run.ms);
        answer = run.result;
      } else if (sqlRun) {
        const run = await sqlRun();
        sqlMs.push(run.ms);
        rows = run.result;
      }
    }
  }
  const found = rows ? disagreements(answer, rows, metric.dimensions.includes('TEAM')) : [];
  const g = median(graphqlMs);
  const s = median(sqlMs);
  return {
    key: metric.key,
    statistic: answer.statistic,
    samples: answer.sampleSize,
    groups: answer.groups.length,
    buckets: bucketed ? answer.series.length : null,
    graphqlMs,
    sqlMs,
    graphqlMedianMs: g,
    sqlMedianMs: s,
    ratio: g !== null && s !== null ? g / s : null,
    agree: rows ? found.length === 0 : null,
    disagreements: found,
  };
}

const fmt = (ms: number | null) => (ms === null ? '—' : ms.toFixed(0));

function table(runs: MetricRun[]): string {
  const lines = [
    '| metric | statistic | samples | teams | days | runs | GraphQL median ms | SQL median ms | ratio | agree |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of runs) {
    if (r.error) {
      lines.push(`| ${r.key} | — | — | — | — | — | — | — | — | error: ${r.error} |`);
      continue;
    }
    const agree = r.agree === null ? 'no baseline' : r.agree ? 'yes' : `NO (${r.disagreements.length} differences)`;
    lines.push(
      `| ${r.key} | ${r.statistic} | ${r.samples.toLocaleString('en-US')} | ${r.groups} | ${r.buckets ?? 'no buckets'} | ${r.graphqlMs.length} | ${fmt(r.graphqlMedianMs)} | ${fmt(r.sqlMedianMs)} | ${r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`} | ${agree} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  const config = loadConfig();
  if (config.database.kind !== 'postgres') {
    throw new StartupError(
      'bench:metrics runs on PostgreSQL only, not on the embedded PGlite: create a database for it (createdb -h 127.0.0.1 -U postgres cxgraph_bench) and run DATABASE_URL=postgres://postgres@127.0.0.1:5432/cxgraph_bench npm run bench:metrics',
    );
  }
  if (config.database.database === 'postgres') {
    throw new StartupError('bench:metrics adds a 1,000,000-ticket workspace: point DATABASE_URL at a dedicated database (e.g. cxgraph_bench), not "postgres"');
  }
  for (const name of ['customers', 'tickets-per-customer', 'days', 'repeat', 'timeout'] as const) {
    if (!/^\d+$/.test(flags[name]!) || Number(flags[name]) < 1) throw new StartupError(`--${name} must be a positive whole number, got "${flags[name]}"`);
  }
  const wanted = flags.metrics ? new Set(flags.metrics.split(',').map((k) => k.trim())) : null;
  const unknown = wanted ? [...wanted].filter((k) => !METRICS.some((m) => m.key === k)) : [];
  if (unknown.length) throw new StartupError(`--metrics: unknown metric ${unknown.join(', ')}`);

  const db = await openDatabase(config.database, UNLIMITED_STATEMENTS);
  // Opened after seeding, with a statement timeout, so one pathological metric cannot stall the run.
  let measured: { db: Database; sql: pg.Client } | null = null;
  let keyId: string | null = null;
  try {
    const applied = await applyMigrations(db.migrationFactory());
    log(`${config.database.host}/${config.database.database}: ${applied.length} migration(s) applied; node ${process.version}; flags ${JSON.stringify(flags)}`);
    const workspaceId = await ensureWorkspace(db.prisma, !wanted || [...wanted].some((k) => k.endsWith('handle_time')));
    const range = await rangeOf(db.prisma, workspaceId);
    log(`range ${range.from.toISOString()} – ${range.to.toISOString()} (${days} local days, ${range.timeZone}), ${repeat} timed runs per side`);
    const apiKey = generateApiKey();
    keyId = (await db.prisma.apiKey.create({ data: { workspaceId, name: 'bench:metrics', prefix: apiKeyPrefix(apiKey), hashedKey: hashApiKey(apiKey), scopes: ['metrics:read'] } })).id;
    process.env.PGOPTIONS = `${process.env.PGOPTIONS ?? ''} -c statement_timeout=${timeoutMs}`.trim();
    measured = { db: await openDatabase(config.database, { statementMs: timeoutMs, metricStatementMs: timeoutMs, connectMs: 10_000 }), sql: new pg.Client({ connectionString: config.database.url }) };
    const { sql } = measured;
    await sql.connect();
    const app = createApp({ db: measured.db, logger: createLogger('silent') });

    const runs: MetricRun[] = [];
    for (const metric of METRICS.filter((m) => !wanted || wanted.has(m.key))) {
      const started = performance.now();
      try {
        const run = await benchMetric(app, apiKey, sql, workspaceId, metric, range);
        runs.push(run);
        log(`${metric.key}: GraphQL ${fmt(run.graphqlMedianMs)} ms, SQL ${fmt(run.sqlMedianMs)} ms, ratio ${run.ratio?.toFixed(2) ?? '—'}, samples ${run.samples}, agree ${run.agree ?? 'no baseline'}`);
        for (const d of run.disagreements.slice(0, 5)) log(`  ${d}`);
      } catch (error) {
        // One failing metric is a result to report, not the end of the benchmark.
        const first = (error as Error).message.split('\n')[0]!.slice(0, 200);
        // The API masks the database's cancellation as an unexpected error; the clock tells.
        const message = performance.now() - started >= timeoutMs ? `timed out: a statement ran over --timeout ${flags.timeout} s (${first})` : first;
        runs.push({ key: metric.key, statistic: '', samples: 0, groups: 0, buckets: 0, graphqlMs: [], sqlMs: [], graphqlMedianMs: null, sqlMedianMs: null, ratio: null, agree: null, disagreements: [], error: message });
        log(`${metric.key}: failed: ${message}`);
      }
    }
    console.log(`\n[bench] medians of ${repeat} alternating runs (1 when the untimed first run took over ${SLOW_MS / 1000} s); ratio = GraphQL ÷ SQL; target ≤ 1.5× and GraphQL < 1,000 ms\n`);
    console.log(table(runs));
    const ratios = runs.flatMap((r) => (r.ratio === null ? [] : [r.ratio]));
    console.log(`\n[bench] median ratio ${median(ratios)?.toFixed(2) ?? '—'}; over 1.5×: ${runs.filter((r) => (r.ratio ?? 0) > 1.5).map((r) => r.key).join(', ') || 'none'}; over 1 s: ${runs.filter((r) => (r.graphqlMedianMs ?? 0) >= 1000).map((r) => r.key).join(', ') || 'none'}; without baseline: ${runs.filter((r) => !r.error && r.agree === null).map((r) => r.key).join(', ') || 'none'}; disagreeing: ${runs.filter((r) => r.agree === false).map((r) => r.key).join(', ') || 'none'}`);
    console.log(JSON.stringify({ date: new Date().toISOString(), node: process.version, database: `${config.database.host}/${config.database.database}`, range, repeat, runs }, null, 2));
    // A slow or failing metric is a measurement; only a run where nothing could be measured fails.
    return runs.every((r) => r.error) ? 1 : 0;
  } finally {
    if (keyId) await db.prisma.apiKey.delete({ where: { id: keyId } }).catch(() => undefined);
    await measured?.sql.end().catch(() => undefined);
    await measured?.db.close();
    await db.close();
  }
}

runCli(main);
