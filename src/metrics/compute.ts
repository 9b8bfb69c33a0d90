import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import { metricTransaction } from '../db/timeouts.ts';
import type { Dimension, MetricDefinition, MetricOptions, Statistic } from './definitions.ts';

/**
 * Computes a metric in the database: the definition's samples, narrowed to the range and the
 * filter, then one aggregate for the overall value, one per group and one per time bucket
 * (empty buckets included, with a null value). Set-based SQL with percentile_cont; nothing is
 * loaded into JavaScript but the aggregates.
 *
 * SNAPSHOT metrics (e.g. backlog) are levels, not samples: the overall value and the groups count
 * the intervals open at the range end (or now, if the range ends later), and each series point
 * counts those open at its bucket's start; a bucket starting after now is null.
 */

export type Bucket = 'HOUR' | 'DAY' | 'WEEK' | 'MONTH';

export interface MetricFilter {
  teamId?: string | null;
  agentId?: string | null;
  channel?: string | null;
  function?: string | null;
  priority?: string | null;
  organizationId?: string | null;
  customerId?: string | null;
  tag?: string | null;
  /** Any of these teams / agents (drill-down batches: one statement for a page of teams or agents). */
  teamIds?: readonly string[] | null;
  agentIds?: readonly string[] | null;
}

export interface MetricQuery {
  workspaceId: string;
  metric: MetricDefinition;
  statistic: Statistic;
  from: Date;
  to: Date;
  timeZone: string;
  filter: MetricFilter;
  groupBy?: Dimension | null;
  bucket?: Bucket | null;
  options?: MetricOptions;
}

export interface Aggregate {
  value: number | null;
  sampleSize: number;
}

export interface MetricResult extends Aggregate {
  groups: Array<Aggregate & { key: string | null }>;
  series: Array<Aggregate & { bucketStart: Date }>;
  /** SNAPSHOT metrics: the instant of the overall value and the groups (the range end, or now if that is later). */
  asOf?: Date;
}

const DIMENSION_COLUMN: Record<Dimension, string> = {
  TEAM: 'team_id',
  AGENT: 'agent_id',
  CHANNEL: 'channel',
  FUNCTION: 'function',
  PRIORITY: 'priority',
  ORGANIZATION: 'organization_id',
  CUSTOMER: 'customer_id',
};

function statisticSql(statistic: Statistic): Prisma.Sql {
  switch (statistic) {
    case 'COUNT':
      return Prisma.sql`count(*)::float8`;
    case 'MEAN':
      return Prisma.sql`avg(value)`;
    case 'MEDIAN':
      return Prisma.sql`percentile_cont(0.5) WITHIN GROUP (ORDER BY value)`;
    case 'P90':
      return Prisma.sql`percentile_cont(0.9) WITHIN GROUP (ORDER BY value)`;
    case 'RATE':
      return Prisma.sql`100.0 * avg(value)`;
  }
}

function filterSql(f: MetricFilter): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (f.teamId) parts.push(Prisma.sql`team_id = ${f.teamId}::uuid`);
  if (f.agentId) parts.push(Prisma.sql`agent_id = ${f.agentId}::uuid`);
  if (f.channel) parts.push(Prisma.sql`channel = ${f.channel}`);
  if (f.function) parts.push(Prisma.sql`function = ${f.function}`);
  if (f.priority) parts.push(Prisma.sql`priority = ${f.priority}`);
  if (f.organizationId) parts.push(Prisma.sql`organization_id = ${f.organizationId}::uuid`);
  if (f.customerId) parts.push(Prisma.sql`customer_id = ${f.customerId}::uuid`);
  if (f.tag) parts.push(Prisma.sql`${f.tag} = ANY(tags)`);
  if (f.teamIds) parts.push(Prisma.sql`team_id = ANY(${[...f.teamIds]}::uuid[])`);
  if (f.agentIds) parts.push(Prisma.sql`agent_id = ANY(${[...f.agentIds]}::uuid[])`);
  return parts.length ? Prisma.sql`AND ${Prisma.join(parts, ' AND ')}` : Prisma.empty;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * Planner and executor settings for a metric's statement, local to its own transaction (one
 * large read of up to a million samples, unlike the API's other statements):
 * - `work_mem`: percentile_cont and GROUPING SETS sort every sample; at PostgreSQL's default
 *   4 MB a sort of 1,000,000 samples (~110 MB) spilled to disk at every run. A sort takes at
 *   most this much per node; the pool bounds how many run at once.
 * - `random_page_cost` 1.1 (the usual value for SSDs and cached data; the default 4 assumes
 *   spinning disks): with 4, the planner preferred reading the 445-byte ticket rows to an
 *   index-only scan of the ticket metrics' covering index (Ticket_metric_samples_idx), which
 *   reads 2.6× fewer bytes.
 * - `jit` off: compiling the statement cost 150–300 ms per metric and saved less than that.
 */
export const METRIC_STATEMENT_SETTINGS = { work_mem: '128MB', random_page_cost: '1.1', jit: 'off' } as const;

/**
 * Runs one metric statement with METRIC_STATEMENT_SETTINGS, in a transaction of its own, with
 * the metric statement timeout (src/db/timeouts.ts) in place of the API's shorter one.
 */
export async function metricStatement<T>(prisma: PrismaClient, statement: Prisma.Sql): Promise<T[]> {
  const { statementTimeout, options } = metricTransaction(prisma);
  const settings = Object.entries({ ...METRIC_STATEMENT_SETTINGS, statement_timeout: statementTimeout }).map(
    ([name, value]) => Prisma.sql`set_config(${name}, ${value}, true)`,
  );
  const [, rows] = await prisma.$transaction([prisma.$queryRaw`SELECT ${Prisma.join(settings, ', ')}`, prisma.$queryRaw<T[]>(statement)], options);
  return rows;
}

const iso = (d: Date) => Prisma.sql`${d.toISOString()}::timestamptz`;

/**
 * `WITH f AS (…)`: the definition's rows narrowed by the filter — for SAMPLES, the samples of the
 * range; for a SNAPSHOT, the intervals that opened before the latest instant asked about.
 */
function rowsCte(q: MetricQuery, asOf: Date): Prisma.Sql {
  const rows = q.metric.samples(q.workspaceId, { firstResponseFrom: 'FIRST_CUSTOMER_MESSAGE', ...q.options, from: q.from, to: q.to, timeZone: q.timeZone });
  const range =
    q.metric.kind === 'SNAPSHOT'
      ? Prisma.sql`at <= ${iso(asOf)} AND (until IS NULL OR until > ${iso(earliestInstantAsked(q, asOf))})`
      : Prisma.sql`at >= ${iso(q.from)} AND at < ${iso(q.to)}`;
  // Only the columns the statement reads: a SNAPSHOT reads f three times, so PostgreSQL
  // materializes it, and with * it computed every dimension — joining the conversations for the
  // channel nobody asked for (half a second of the backlog at 1,000,000 tickets).
  const columns = [q.metric.kind === 'SNAPSHOT' ? 'at, until' : 'at, value', ...(q.groupBy ? [DIMENSION_COLUMN[q.groupBy]] : [])];
  return Prisma.sql`
    WITH f AS (
      SELECT ${Prisma.raw(columns.join(', '))} FROM (${rows}) AS s
      WHERE ${range} ${filterSql(q.filter)}
    )`;
}

/** How far before `from` the first bucket of a unit can start: a whole unit and the largest DST shift (2 h), rounded up. */
const FIRST_BUCKET_LEAD_MS: Record<Bucket, number> = { HOUR: 3_600_000, DAY: 27 * 3_600_000, WEEK: (7 * 24 + 3) * 3_600_000, MONTH: (31 * 24 + 3) * 3_600_000 };

/**
 * A SNAPSHOT's earliest instant asked about (or a bound before it): the snapshot instant, and
 * the first bucket start. An interval that ended at or before it is open at none of them, so it
 * is left out before any join — otherwise the backlog of a 90-day range would read every interval
 * of the workspace's whole history.
 */
function earliestInstantAsked(q: MetricQuery, asOf: Date): Date {
  const firstBucket = q.bucket ? q.from.getTime() - FIRST_BUCKET_LEAD_MS[q.bucket] : Infinity;
  return new Date(Math.min(asOf.getTime(), firstBucket));
}

/** A SNAPSHOT interval is open at `instant` when it started at or before it and ended after it (or not yet). */
const openAt = (instant: Prisma.Sql) => Prisma.sql`f.at <= ${instant} AND (f.until IS NULL OR f.until > ${instant})`;

/** The snapshot instant of a range: its end, or now when the range ends in the future (the level later is not known). */
function snapshotInstant(q: MetricQuery, now: Date): Date {
  return q.to < now ? q.to : now;
}

/** The aggregate over `f` and the rows it covers: a SNAPSHOT counts the intervals open at `asOf`. */
function aggregateOf(q: MetricQuery, asOf: Date): [value: Prisma.Sql, where: Prisma.Sql] {
  return q.metric.kind === 'SNAPSHOT' ? [Prisma.sql`count(*)::float8`, Prisma.sql`WHERE ${openAt(iso(asOf))}`] : [statisticSql(q.statistic), Prisma.empty];
}

/**
 * One aggregate per group of `groupBy` (a SNAPSHOT: open items per group at the range end), in
 * one statement. Groups without samples are absent.
 */
export async function computeGroups(prisma: PrismaClient, q: MetricQuery & { groupBy: Dimension }, now = new Date()): Promise<MetricResult['groups']> {
  const column = Prisma.raw(DIMENSION_COLUMN[q.groupBy]);
  const asOf = snapshotInstant(q, now);
  const [value, where] = aggregateOf(q, asOf);
  const rows = await metricStatement<{ key: string | null; value: unknown; n: bigint }>(
    prisma,
    Prisma.sql`${rowsCte(q, asOf)} SELECT ${column}::text AS key, ${value} AS value, count(*) AS n FROM f ${where} GROUP BY 1 ORDER BY 1 NULLS LAST`,
  );
  return rows.map((r) => ({ key: r.key, value: num(r.value), sampleSize: Number(r.n) }));
}

/**
 * The instant the local HOUR holding `instant` starts: the instant minus how far the local clock
 * is into its hour — not the local hour turned back into an instant, because on a DST day the
 * local hour that is skipped has no instant and the one that repeats has two (PostgreSQL would
 * pick one offset for both, putting the first 02:30 in a bucket that starts after it).
 */
function hourStartOf(instant: Prisma.Sql, timeZone: string): Prisma.Sql {
  const local = Prisma.sql`(${instant} AT TIME ZONE ${timeZone})`;
  return Prisma.sql`(${instant} - (${local} - date_trunc('hour', ${local})))`;
}

/**
 * The buckets of the range, as the instants they start at (the first may start before `from`).
 * DAY, WEEK, MONTH: local calendar units, stepped in local time, so a DAY has 23 or 25 hours
 * across a DST change. HOUR: every local hour that overlaps the range — the distinct bucket
 * starts of a 15-minute grid over it (a local hour lasts at least 30 minutes, even where DST moves
 * by half an hour), so a 23-hour day has 23 and a 25-hour day 25 distinct hourly buckets.
 */
function bucketsCte(q: MetricQuery & { bucket: Bucket }): Prisma.Sql {
  const unit = q.bucket.toLowerCase();
  if (unit === 'hour') {
    return Prisma.sql`
    buckets AS (
      SELECT DISTINCT ${hourStartOf(Prisma.sql`g`, q.timeZone)} AS start
      FROM generate_series(${iso(q.from)}, ${iso(q.to)} - interval '1 microsecond', interval '15 minutes') AS g
    )`;
  }
  // A local midnight that happens twice (where DST ends at midnight, e.g. America/Havana)
  // turns into its later instant in PostgreSQL; the day starts at the first. So a unit starts
  // at the earliest instant, up to two hours (the largest DST shift) before PostgreSQL's,
  // whose local time is already the unit's start. A skipped midnight starts at the change.
  return Prisma.sql`
    buckets AS (
      SELECT (
        SELECT min(c) FROM unnest(ARRAY[s - interval '2 hours', s - interval '1 hour', s - interval '30 minutes', s]) AS c
        WHERE (c AT TIME ZONE ${q.timeZone}) >= local_start
      ) AS start
      FROM (SELECT local_start, local_start AT TIME ZONE ${q.timeZone} AS s FROM generate_series(
        date_trunc(${unit}, ${iso(q.from)} AT TIME ZONE ${q.timeZone}),
        ${iso(q.to)} AT TIME ZONE ${q.timeZone} - interval '1 microsecond',
        ${Prisma.raw(`'1 ${unit}'::interval`)}) AS local_start) AS l
    )`;
}

/**
 * A metric in ONE statement: the definition's rows are read and joined once, and the overall
 * value and the groups are grouping sets of the same aggregate (reading the rows once per part
 * made a metric cost about twice the hand-written SQL at 1,000,000 tickets).
 *
 * SAMPLES: the statistic over the samples of the range, per group and per local bucket.
 * SNAPSHOT: the count of intervals open at the snapshot instant, per group; the series is a
 * sweep, one pass over the intervals — the level at boundary b is #(starts <= b) − #(ends <= b),
 * each start (+1) and end (−1) placed at the first boundary at or after it (binary search with
 * width_bucket over the boundary instants; timestamps have microsecond resolution), and the levels
 * are the running sum over the boundaries. Joining every interval to every bucket instead took
 * about a minute at 1,000,000 tickets.
 */
export async function computeMetric(prisma: PrismaClient, q: MetricQuery): Promise<MetricResult> {
  const now = new Date();
  const snapshot = q.metric.kind === 'SNAPSHOT';
  const asOf = snapshotInstant(q, now);
  const byBucket = !!q.bucket && !snapshot;
  const key = q.groupBy ? Prisma.sql`${Prisma.raw(DIMENSION_COLUMN[q.groupBy])}::text` : Prisma.sql`NULL::text`;
  const unit = q.bucket?.toLowerCase();
  // A sample's local DAY, WEEK or MONTH is found among the bucket starts (a binary search,
  // width_bucket): the calendar units partition the range, so the bucket of an instant is the
  // latest start at or before it. Converting each sample to local time instead (two time-zone
  // conversions per row) cost about as much as the rest of the statement at 1,000,000 samples.
  // HOUR keeps the conversion (hourStartOf): where DST moves by half an hour, the hour after
  // the change starts half an hour before it, so hours do not partition time there.
  const searchBuckets = byBucket && unit !== 'hour';
  const source = snapshot
    ? Prisma.sql`SELECT 1 AS value, ${key} AS gkey, NULL::timestamptz AS bstart FROM f WHERE ${openAt(iso(asOf))}`
    : searchBuckets
      ? Prisma.sql`SELECT value, ${key} AS gkey, e.starts[width_bucket(f.at, e.starts)] AS bstart FROM f CROSS JOIN starts e`
      : Prisma.sql`SELECT value, ${key} AS gkey, ${byBucket ? hourStartOf(Prisma.sql`at`, q.timeZone) : Prisma.sql`NULL::timestamptz`} AS bstart FROM f`;
  const stat = snapshot ? Prisma.sql`count(*)::float8` : statisticSql(q.statistic);
  const sets = [Prisma.sql`()`, ...(q.groupBy ? [Prisma.sql`(gkey)`] : []), ...(byBucket ? [Prisma.sql`(bstart)`] : [])];
  const ctes: Prisma.Sql[] = [];
  let bucketRows = Prisma.empty;
  if (q.bucket) {
    ctes.push(bucketsCte({ ...q, bucket: q.bucket }));
    if (snapshot) {
      ctes.push(Prisma.sql`
        b AS (SELECT row_number() OVER (ORDER BY start) AS j, start AS instant FROM buckets),
        edges AS (SELECT array_agg(instant ORDER BY j) AS instants FROM b),
        deltas AS (SELECT at AS t, 1 AS d FROM f UNION ALL SELECT until, -1 FROM f WHERE until IS NOT NULL),
        placed AS (SELECT width_bucket(t - interval '1 microsecond', e.instants) + 1 AS j, sum(d) AS d FROM deltas CROSS JOIN edges e GROUP BY 1),
        levels AS (SELECT b.instant, (sum(coalesce(p.d, 0)) OVER (ORDER BY b.j))::bigint AS n FROM b LEFT JOIN placed p ON p.j = b.j)`);
      bucketRows = Prisma.sql`UNION ALL SELECT 'bucket', NULL, instant, n::float8, n FROM levels`;
    } else {
      // MATERIALIZED: inlined, the planner may rebuild the array once per sample.
      if (searchBuckets) ctes.push(Prisma.sql`starts AS MATERIALIZED (SELECT array_agg(start ORDER BY start) AS starts FROM buckets)`);
      bucketRows = Prisma.sql`
        UNION ALL
        SELECT 'bucket', NULL, b.start, a.value, coalesce(a.n, 0)
        FROM buckets b LEFT JOIN agg a ON a.gg = 1 AND a.gb = 0 AND a.bstart = b.start`;
    }
  }
  const rows = await metricStatement<{ part: 'overall' | 'group' | 'bucket'; key: string | null; bucket: Date | null; value: unknown; n: bigint }>(prisma, Prisma.sql`
    ${rowsCte(q, asOf)}${ctes.length ? Prisma.sql`, ${Prisma.join(ctes, ', ')}` : Prisma.empty},
    x AS (${source}),
    agg AS (
      SELECT ${q.groupBy ? Prisma.sql`GROUPING(gkey)` : Prisma.sql`1`} AS gg, ${byBucket ? Prisma.sql`GROUPING(bstart)` : Prisma.sql`1`} AS gb,
        ${q.groupBy ? Prisma.sql`gkey` : Prisma.sql`NULL::text`} AS gkey, ${byBucket ? Prisma.sql`bstart` : Prisma.sql`NULL::timestamptz`} AS bstart, ${stat} AS value, count(*) AS n
      FROM x GROUP BY GROUPING SETS (${Prisma.join(sets, ', ')})
    )
    SELECT * FROM (
      SELECT 'overall' AS part, NULL::text AS key, NULL::timestamptz AS bucket, value, n FROM agg WHERE gg = 1 AND gb = 1
      UNION ALL
      SELECT 'group', gkey, NULL, value, n FROM agg WHERE gg = 0 AND gb = 1
      ${bucketRows}
    ) r
    ORDER BY part, key NULLS LAST, bucket`);
  const point = (n: number, value: unknown) => (n === 0 && (snapshot || q.statistic === 'COUNT') ? 0 : num(value));
  const overall = rows.find((r) => r.part === 'overall');
  const n = Number(overall?.n ?? 0);
  return {
    value: point(n, overall?.value),
    sampleSize: n,
    groups: rows.filter((r) => r.part === 'group').map((r) => ({ key: r.key, value: num(r.value), sampleSize: Number(r.n) })),
    series: rows
      .filter((r) => r.part === 'bucket')
      .map((r) => {
        const bucketStart = new Date(r.bucket!);
        // A level after now is not known yet: null, not a projection of today's level.
        if (snapshot && bucketStart > now) return { bucketStart, value: null, sampleSize: 0 };
        return { bucketStart, value: point(Number(r.n), r.value), sampleSize: Number(r.n) };
      }),
    ...(snapshot ? { asOf } : {}),
  };
}
