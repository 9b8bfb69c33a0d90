import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import type { Dimension, MetricDefinition, MetricOptions, Statistic } from './definitions.ts';

/**
 * Computes a metric in the database: the definition's samples, narrowed to the range and the
 * filter, then one aggregate for the overall value, one per group and one per time bucket
 * (empty buckets included, with a null value). Set-based SQL with percentile_cont; nothing is
 * loaded into JavaScript but the aggregates.
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
  return parts.length ? Prisma.sql`AND ${Prisma.join(parts, ' AND ')}` : Prisma.empty;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export async function computeMetric(prisma: PrismaClient, q: MetricQuery): Promise<MetricResult> {
  const stat = statisticSql(q.statistic);
  const samples = Prisma.sql`
    WITH f AS (
      SELECT * FROM (${q.metric.samples(q.workspaceId, q.options ?? { firstResponseFrom: 'FIRST_CUSTOMER_MESSAGE' })}) AS s
      WHERE at >= ${q.from.toISOString()}::timestamptz AND at < ${q.to.toISOString()}::timestamptz ${filterSql(q.filter)}
    )`;

  const [overall] = await prisma.$queryRaw<{ value: unknown; n: bigint }[]>`${samples} SELECT ${stat} AS value, count(*) AS n FROM f`;

  let groups: MetricResult['groups'] = [];
  if (q.groupBy) {
    const column = Prisma.raw(DIMENSION_COLUMN[q.groupBy]);
    const rows = await prisma.$queryRaw<{ key: string | null; value: unknown; n: bigint }[]>`
      ${samples} SELECT ${column}::text AS key, ${stat} AS value, count(*) AS n FROM f GROUP BY 1 ORDER BY 1 NULLS LAST`;
    groups = rows.map((r) => ({ key: r.key, value: num(r.value), sampleSize: Number(r.n) }));
  }

  let series: MetricResult['series'] = [];
  if (q.bucket) {
    const unit = q.bucket.toLowerCase();
    const step = Prisma.raw(`'1 ${unit}'::interval`);
    // Buckets are local to the time zone (a DAY is a local calendar day, also across DST
    // changes): generate local bucket starts, then convert each back to an instant.
    const rows = await prisma.$queryRaw<{ bucket: Date; value: unknown; n: bigint }[]>`
      ${samples},
      buckets AS (
        SELECT generate_series(
          date_trunc(${unit}, ${q.from.toISOString()}::timestamptz AT TIME ZONE ${q.timeZone}),
          ${q.to.toISOString()}::timestamptz AT TIME ZONE ${q.timeZone} - interval '1 microsecond',
          ${step}) AS local_start
      ),
      agg AS (
        SELECT date_trunc(${unit}, at AT TIME ZONE ${q.timeZone}) AS local_start, ${stat} AS value, count(*) AS n
        FROM f GROUP BY 1
      )
      SELECT b.local_start AT TIME ZONE ${q.timeZone} AS bucket, a.value, coalesce(a.n, 0) AS n
      FROM buckets b LEFT JOIN agg a USING (local_start)
      ORDER BY b.local_start`;
    series = rows.map((r) => ({
      bucketStart: new Date(r.bucket),
      value: Number(r.n) === 0 && q.statistic === 'COUNT' ? 0 : num(r.value),
      sampleSize: Number(r.n),
    }));
  }

  const n = Number(overall?.n ?? 0);
  return { value: n === 0 && q.statistic === 'COUNT' ? 0 : num(overall?.value), sampleSize: n, groups, series };
}
