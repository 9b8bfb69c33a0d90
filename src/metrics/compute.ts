import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
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

const iso = (d: Date) => Prisma.sql`${d.toISOString()}::timestamptz`;

/**
 * `WITH f AS (…)`: the definition's rows narrowed by the filter — for SAMPLES, the samples of the
 * range; for a SNAPSHOT, the intervals that opened before the latest instant asked about.
 */
function rowsCte(q: MetricQuery, asOf: Date): Prisma.Sql {
  const rows = q.metric.samples(q.workspaceId, { firstResponseFrom: 'FIRST_CUSTOMER_MESSAGE', ...q.options, from: q.from, to: q.to, timeZone: q.timeZone });
  const range = q.metric.kind === 'SNAPSHOT' ? Prisma.sql`at <= ${iso(asOf)}` : Prisma.sql`at >= ${iso(q.from)} AND at < ${iso(q.to)}`;
  return Prisma.sql`
    WITH f AS (
      SELECT * FROM (${rows}) AS s
      WHERE ${range} ${filterSql(q.filter)}
    )`;
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

async function overallOf(prisma: PrismaClient, q: MetricQuery, now: Date): Promise<Aggregate> {
  const asOf = snapshotInstant(q, now);
  const [value, where] = aggregateOf(q, asOf);
  const [row] = await prisma.$queryRaw<{ value: unknown; n: bigint }[]>`${rowsCte(q, asOf)} SELECT ${value} AS value, count(*) AS n FROM f ${where}`;
  const n = Number(row?.n ?? 0);
  return { value: n === 0 && q.statistic === 'COUNT' ? 0 : num(row?.value), sampleSize: n };
}

/**
 * One aggregate per group of `groupBy` (a SNAPSHOT: open items per group at the range end), in
 * one statement. Groups without samples are absent.
 */
export async function computeGroups(prisma: PrismaClient, q: MetricQuery & { groupBy: Dimension }, now = new Date()): Promise<MetricResult['groups']> {
  const column = Prisma.raw(DIMENSION_COLUMN[q.groupBy]);
  const asOf = snapshotInstant(q, now);
  const [value, where] = aggregateOf(q, asOf);
  const rows = await prisma.$queryRaw<{ key: string | null; value: unknown; n: bigint }[]>`
    ${rowsCte(q, asOf)} SELECT ${column}::text AS key, ${value} AS value, count(*) AS n FROM f ${where} GROUP BY 1 ORDER BY 1 NULLS LAST`;
  return rows.map((r) => ({ key: r.key, value: num(r.value), sampleSize: Number(r.n) }));
}

async function seriesOf(prisma: PrismaClient, q: MetricQuery & { bucket: Bucket }, now: Date): Promise<MetricResult['series']> {
  const unit = q.bucket.toLowerCase();
  const step = Prisma.raw(`'1 ${unit}'::interval`);
  // Buckets are local to the time zone (a DAY is a local calendar day, also across DST
  // changes): generate local bucket starts, then convert each back to an instant.
  const buckets = Prisma.sql`
    buckets AS (
      SELECT generate_series(
        date_trunc(${unit}, ${iso(q.from)} AT TIME ZONE ${q.timeZone}),
        ${iso(q.to)} AT TIME ZONE ${q.timeZone} - interval '1 microsecond',
        ${step}) AS local_start
    )`;
  const snapshot = q.metric.kind === 'SNAPSHOT';
  const start = Prisma.sql`(b.local_start AT TIME ZONE ${q.timeZone})`;
  const rows = snapshot
    ? // The level at each bucket's start: intervals containing that instant.
      await prisma.$queryRaw<{ bucket: Date; value: unknown; n: bigint }[]>`
      ${rowsCte(q, snapshotInstant(q, now))}, ${buckets}
      SELECT ${start} AS bucket, count(f.at)::float8 AS value, count(f.at) AS n
      FROM buckets b LEFT JOIN f ON ${openAt(start)}
      GROUP BY b.local_start ORDER BY b.local_start`
    : await prisma.$queryRaw<{ bucket: Date; value: unknown; n: bigint }[]>`
      ${rowsCte(q, now)}, ${buckets},
      agg AS (
        SELECT date_trunc(${unit}, at AT TIME ZONE ${q.timeZone}) AS local_start, ${statisticSql(q.statistic)} AS value, count(*) AS n
        FROM f GROUP BY 1
      )
      SELECT ${start} AS bucket, a.value, coalesce(a.n, 0) AS n
      FROM buckets b LEFT JOIN agg a USING (local_start)
      ORDER BY b.local_start`;
  return rows.map((r) => {
    const bucketStart = new Date(r.bucket);
    // A snapshot after now is not known yet: null, not a projection of today's level.
    if (snapshot && bucketStart > now) return { bucketStart, value: null, sampleSize: 0 };
    return { bucketStart, value: Number(r.n) === 0 && q.statistic === 'COUNT' ? 0 : num(r.value), sampleSize: Number(r.n) };
  });
}

export async function computeMetric(prisma: PrismaClient, q: MetricQuery): Promise<MetricResult> {
  const now = new Date();
  const overall = await overallOf(prisma, q, now);
  const groups = q.groupBy ? await computeGroups(prisma, { ...q, groupBy: q.groupBy }, now) : [];
  const series = q.bucket ? await seriesOf(prisma, { ...q, bucket: q.bucket }, now) : [];
  return { ...overall, groups, series, ...(q.metric.kind === 'SNAPSHOT' ? { asOf: snapshotInstant(q, now) } : {}) };
}
