import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import type { Dimension, MetricDefinition, MetricOptions } from './definitions.ts';

/**
 * Customer (service) metrics: retention, churn, repeat purchases and lifetime value. Their
 * samples are CUSTOMERS, not tickets or conversations: one row per customer the metric counts,
 * with the customer's organization and tags (so `filter.tag` matches customer tags and a
 * segment is organization + tag + customer). Merged-away customers never count — a merge moves
 * their events and conversations to the surviving record, which counts them once.
 *
 * Activity, shared by retention and churn: a customer is ACTIVE at an instant when they record
 * a customer event of any type except "cancellation", start a conversation (its first customer
 * message) or send a message in one. Agent, bot and system messages are not the customer's
 * activity. A customer is ENGAGED in a period when they were active in it and their latest
 * customer event in it is not a "cancellation" (a cancellation at the same instant as another
 * event wins) — so a customer who bought and then cancelled has churned, while one who cancelled
 * and then bought again is still a customer.
 *
 * Purchases: customer events "purchase" (a value is optional) and "refund" (value negative),
 * as in Customer.lifetimeValue.
 */

const CUSTOMER_DIMS: Dimension[] = ['ORGANIZATION', 'CUSTOMER'];
const ACTIVITY = 'a customer event other than "cancellation", the start of a conversation (first customer message) or a customer message';
const ENGAGED = `active in the period (${ACTIVITY}) and the latest customer event in it is not a "cancellation"`;

/** One sample per customer row of `from` (which has a customer_id column, aliased p), with the customer's dimensions. */
function customerSamples(workspaceId: string, from: Prisma.Sql, at: Prisma.Sql, value: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    SELECT ${at} AS at, ${value}::float8 AS value, NULL::uuid AS team_id, NULL::uuid AS agent_id, NULL::text AS channel,
      NULL::text AS function, NULL::text AS priority, cu."organizationId" AS organization_id, cu.id AS customer_id, cu.tags AS tags
    FROM (${from}) AS p
    JOIN "Customer" cu ON cu.id = p.customer_id
    WHERE cu."workspaceId" = ${workspaceId}::uuid AND cu."mergedIntoId" IS NULL`;
}

function rangeOf(o: MetricOptions): { from: Date; to: Date } {
  // compute.ts always passes the requested range; a caller that does not has a bug.
  if (!o.from || !o.to) throw new Error('customer metrics need the requested range (MetricOptions.from/to)');
  return { from: o.from, to: o.to };
}

const ts = (d: Date) => Prisma.sql`${d.toISOString()}::timestamptz`;

/**
 * Retention samples: one per customer engaged in the preceding period of equal length
 * [from − (to − from), from), attributed to `from`; `retained` is 1 when the customer is
 * engaged again in [from, to). Activity before the preceding period or from `to` on is not read.
 */
function retentionSamples(workspaceId: string, o: MetricOptions, retained: boolean): Prisma.Sql {
  const { from, to } = rangeOf(o);
  const previous = new Date(2 * from.getTime() - to.getTime());
  const within = (column: Prisma.Sql) => Prisma.sql`${column} >= ${ts(previous)} AND ${column} < ${ts(to)}`;
  const periods = Prisma.sql`
    WITH activity AS (
      SELECT e."customerId" AS customer_id, e."occurredAt" AS at, TRUE AS is_event, e.type = 'cancellation' AS is_cancellation
      FROM "CustomerEvent" e
      WHERE e."workspaceId" = ${workspaceId}::uuid AND ${within(Prisma.sql`e."occurredAt"`)}
      UNION ALL
      SELECT c."customerId", c."firstCustomerMessageAt", FALSE, FALSE
      FROM "Conversation" c
      WHERE c."workspaceId" = ${workspaceId}::uuid AND ${within(Prisma.sql`c."firstCustomerMessageAt"`)}
      UNION ALL
      SELECT c."customerId", m."createdAt", FALSE, FALSE
      FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId"
      WHERE m."workspaceId" = ${workspaceId}::uuid AND m."authorKind" = 'CUSTOMER' AND ${within(Prisma.sql`m."createdAt"`)}
    ),
    engaged AS (
      SELECT customer_id, at >= ${ts(from)} AS current
      FROM activity
      GROUP BY 1, 2
      HAVING bool_or(NOT is_cancellation)
        AND (max(at) FILTER (WHERE is_cancellation) IS NULL
          OR max(at) FILTER (WHERE is_event AND NOT is_cancellation) > max(at) FILTER (WHERE is_cancellation))
    )
    SELECT b.customer_id, EXISTS (SELECT 1 FROM engaged a WHERE a.customer_id = b.customer_id AND a.current) AS retained
    FROM engaged b WHERE NOT b.current`;
  const value = retained ? Prisma.sql`CASE WHEN p.retained THEN 1 ELSE 0 END` : Prisma.sql`CASE WHEN p.retained THEN 0 ELSE 1 END`;
  return customerSamples(workspaceId, periods, ts(from), value);
}

/**
 * The currency customer_lifetime_value is reported in: the workspace's main currency, i.e. the
 * currency of most of its valued purchase events (all time, so every range uses the same one;
 * ties: alphabetically first). Amounts in other currencies are never added to it.
 */
function mainCurrency(workspaceId: string): Prisma.Sql {
  return Prisma.sql`(
    SELECT currency FROM "CustomerEvent"
    WHERE "workspaceId" = ${workspaceId}::uuid AND type = 'purchase' AND value IS NOT NULL
    GROUP BY currency ORDER BY count(*) DESC, currency LIMIT 1)`;
}

/** The currency a MONEY metric reports in: the one asked for, or the workspace's main currency. */
function reportingCurrency(workspaceId: string, o: MetricOptions): Prisma.Sql {
  return o.currency ? Prisma.sql`${o.currency}` : mainCurrency(workspaceId);
}

/** Which currency a MONEY metric without an explicit `currency` reports in (null: no valued purchases yet). */
export async function mainCurrencyOf(prisma: PrismaClient, workspaceId: string): Promise<string | null> {
  const [row] = await prisma.$queryRaw<Array<{ currency: string | null }>>`SELECT ${mainCurrency(workspaceId)} AS currency`;
  return row?.currency?.trim() ?? null;
}

function retention(spec: { key: string; name: string; description: string; formula: string; retained: boolean }): MetricDefinition {
  return {
    key: spec.key,
    name: spec.name,
    description: spec.description,
    formula: spec.formula,
    unit: 'PERCENT',
    statistics: ['RATE', 'COUNT'],
    defaultStatistic: 'RATE',
    startEvent: `customer engaged in the preceding period of equal length: ${ENGAGED}`,
    stopEvent: 'customer engaged again in the requested period',
    attributedTo: 'the start of the requested period (`from`); no time buckets',
    dimensions: CUSTOMER_DIMS,
    version: 1,
    periodOnly: true,
    samples: (w, o) => retentionSamples(w, o, spec.retained),
  };
}

export const CUSTOMER_METRICS: MetricDefinition[] = [
  retention({
    key: 'customer_retention_rate',
    name: 'Customer retention rate',
    description: 'Share of the customers engaged in the preceding period who are engaged again in the requested period.',
    formula:
      `100 × (customers engaged in both [from − (to − from), from) and [from, to)) ÷ (customers engaged in [from − (to − from), from)); engaged = ${ENGAGED}; ` +
      'merged-away customers excluded; COUNT = customers engaged in the preceding period; the whole range is one period, so time buckets are not supported',
    retained: true,
  }),
  retention({
    key: 'customer_churn_rate',
    name: 'Customer churn rate',
    description: 'Share of the customers engaged in the preceding period who are not engaged in the requested period (100 − retention).',
    formula:
      `100 × (customers engaged in [from − (to − from), from) but not in [from, to)) ÷ (customers engaged in [from − (to − from), from)) = 100 − customer_retention_rate; engaged = ${ENGAGED} ` +
      '(so a customer whose latest event is a "cancellation" has churned); merged-away customers excluded; the whole range is one period, so time buckets are not supported',
    retained: false,
  }),
  {
    key: 'repeat_purchase_rate',
    name: 'Repeat purchase rate',
    description: 'Share of new buyers (first purchase in the range) who bought again by the end of the range.',
    formula:
      '100 × (customers whose first-ever "purchase" event is in the range and who have ≥ 2 "purchase" events before the range end) ÷ (customers whose first-ever "purchase" event is in the range); ' +
      'attributed to the first purchase, so a bucket is an acquisition cohort (its repeats still count up to the range end); any currency, with or without a value; refunds neither count as purchases nor undo one; merged-away customers excluded',
    unit: 'PERCENT',
    statistics: ['RATE', 'COUNT'],
    defaultStatistic: 'RATE',
    startEvent: 'first purchase',
    stopEvent: 'second purchase (before the range end)',
    attributedTo: 'the customer\'s first purchase',
    dimensions: CUSTOMER_DIMS,
    version: 1,
    samples: (w, o) => {
      const { to } = rangeOf(o);
      const buyers = Prisma.sql`
        SELECT "customerId" AS customer_id, min("occurredAt") AS first_at, count(*) AS purchases
        FROM "CustomerEvent"
        WHERE "workspaceId" = ${w}::uuid AND type = 'purchase' AND "occurredAt" < ${ts(to)}
        GROUP BY 1`;
      return customerSamples(w, buyers, Prisma.sql`p.first_at`, Prisma.sql`CASE WHEN p.purchases >= 2 THEN 1 ELSE 0 END`);
    },
  },
  {
    key: 'customer_lifetime_value',
    name: 'Customer lifetime value (historical)',
    description:
      'Per customer acquired in the range: purchases minus refunds up to the range end, in the workspace\'s main currency. MEAN, MEDIAN or P90 across a segment\'s customers is its average CLV.',
    formula:
      'per customer whose first valued "purchase" in the reporting currency is in the range: sum of the values of "purchase" and "refund" events (refunds negative) in that currency before the range end; ' +
      'reporting currency = `currency` if given, else the currency of most valued purchase events in the workspace (all time; ties: alphabetically first; echoed as `currency` in the result) — other currencies are never added in, and customers who never bought in it are excluded; ' +
      'attributed to the first purchase, so a bucket is an acquisition cohort; merged-away customers excluded',
    unit: 'MONEY',
    statistics: ['MEAN', 'MEDIAN', 'P90', 'COUNT'],
    defaultStatistic: 'MEAN',
    startEvent: 'first purchase in the reporting currency',
    stopEvent: 'range end',
    attributedTo: 'the customer\'s first purchase in the reporting currency',
    dimensions: CUSTOMER_DIMS,
    version: 1,
    samples: (w, o) => {
      const { to } = rangeOf(o);
      const values = Prisma.sql`
        SELECT "customerId" AS customer_id, min("occurredAt") FILTER (WHERE type = 'purchase') AS first_at, sum(value) AS amount
        FROM "CustomerEvent"
        WHERE "workspaceId" = ${w}::uuid AND type IN ('purchase', 'refund') AND value IS NOT NULL
          AND currency = ${reportingCurrency(w, o)} AND "occurredAt" < ${ts(to)}
        GROUP BY 1
        HAVING count(*) FILTER (WHERE type = 'purchase') > 0`;
      return customerSamples(w, values, Prisma.sql`p.first_at`, Prisma.sql`p.amount`);
    },
  },
];
