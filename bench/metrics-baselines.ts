/**
 * Hand-written SQL baselines for `npm run bench:metrics`: for each metric key, the query an
 * engineer would write for the question "this metric over [from, to), overall, per team and per
 * local day", read off the metric's formula (its words), not generated from src/metrics. Each
 * baseline gives the rows it counts (`samples`: the instant `at`, the `team`, and whatever
 * columns its aggregate needs, already narrowed to the range) and the aggregate over them;
 * `byTeamAndDay` puts the three groupings into ONE statement with GROUPING SETS.
 *
 * Parameters: $1 workspace id, $2 range start, $3 range end (ISO instants), $4 IANA time zone.
 */

export interface Baseline {
  /** SELECT … AS at, … AS team, plus the columns `value` reads; already limited to [$2, $3). */
  samples: string;
  /** The aggregate over those rows, e.g. `percentile_cont(0.5) WITHIN GROUP (ORDER BY wait)`. */
  value: string;
  /** The whole range is one period (retention, churn): the overall value and the teams, no day rows. */
  period?: boolean;
}

/**
 * A level at instants (the backlog) is no aggregate over samples of the range, so its baseline
 * is the whole statement, returning the rows `byTeamAndDay` does.
 */
export interface SnapshotBaseline {
  statement: string;
}

const range = (column: string) => `${column} >= $2::timestamptz AND ${column} < $3::timestamptz`;
const median = (expression: string) => `percentile_cont(0.5) WITHIN GROUP (ORDER BY ${expression})`;
const percentOf = (condition: string) => `100.0 * count(*) FILTER (WHERE ${condition}) / nullif(count(*), 0)`;

/** Tickets not merged away, created in range, with a stop instant set: seconds from creation to it. */
const ticketWait = (stop: string): Baseline => ({
  samples: `
    SELECT t."createdAt" AS at, t."teamId" AS team, extract(epoch FROM t."${stop}" - t."createdAt") AS wait
    FROM "Ticket" t
    WHERE t."workspaceId" = $1::uuid AND t."mergedIntoId" IS NULL AND t."${stop}" IS NOT NULL AND ${range('t."createdAt"')}`,
  value: median('wait'),
});

/** Tickets solved for the first time in range (merged-away duplicates never count). */
const firstSolves = (columns: string): string => `
    SELECT t."firstSolvedAt" AS at, t."teamId" AS team, ${columns}
    FROM "Ticket" t
    WHERE t."workspaceId" = $1::uuid AND t."mergedIntoId" IS NULL AND ${range('t."firstSolvedAt"')}`;

/** Answers of one survey kind given in range; the team is the surveyed conversation's, else the ticket's. */
const answers = (kind: 'CSAT' | 'NPS' | 'CES'): string => `
    SELECT s."respondedAt" AS at, coalesce(c."teamId", t."teamId") AS team, s.score
    FROM "SurveyResponse" s
    LEFT JOIN "Conversation" c ON c.id = s."conversationId"
    LEFT JOIN "Ticket" t ON t.id = s."ticketId"
    WHERE s."workspaceId" = $1::uuid AND s.kind = '${kind}' AND ${range('s."respondedAt"')}`;

/** Customers a customer metric counts: merged-away records never (their activity moved to the survivor). */
const liveCustomer = (column: string) => `JOIN "Customer" cu ON cu.id = ${column} AND cu."mergedIntoId" IS NULL`;

/**
 * Retention and churn: one sample per customer engaged in the period of the same length before
 * the range, attributed to the range start; `retained` when engaged again in the range. Engaged
 * in a period: active in it (a customer event other than a cancellation, the first customer
 * message of a conversation, or any customer message) and its latest customer event is not a
 * cancellation, a cancellation winning a tie.
 */
const retention = (value: string): Baseline => ({
  period: true,
  samples: `
    SELECT $2::timestamptz AS at, NULL::uuid AS team, bool_or(e.current) AS retained
    FROM (
      SELECT a.customer_id, a.at >= $2::timestamptz AS current
      FROM (
        SELECT v."customerId" AS customer_id, v."occurredAt" AS at, TRUE AS is_event, v.type = 'cancellation' AS is_cancellation
        FROM "CustomerEvent" v WHERE v."workspaceId" = $1::uuid
        UNION ALL
        SELECT c."customerId", c."firstCustomerMessageAt", FALSE, FALSE FROM "Conversation" c WHERE c."workspaceId" = $1::uuid
        UNION ALL
        SELECT c."customerId", m."createdAt", FALSE, FALSE
        FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId"
        WHERE m."workspaceId" = $1::uuid AND m."authorKind" = 'CUSTOMER'
      ) a
      -- Exact seconds: subtracting a '90 days' interval would follow the session's DST rules.
      WHERE a.at >= $2::timestamptz - make_interval(secs => extract(epoch FROM $3::timestamptz - $2::timestamptz)) AND a.at < $3::timestamptz
      GROUP BY 1, 2
      HAVING bool_or(NOT a.is_cancellation)
        AND coalesce(max(a.at) FILTER (WHERE a.is_cancellation) < max(a.at) FILTER (WHERE a.is_event AND NOT a.is_cancellation),
                     max(a.at) FILTER (WHERE a.is_cancellation) IS NULL)
    ) e
    ${liveCustomer('e.customer_id')}
    GROUP BY e.customer_id
    HAVING bool_or(NOT e.current)`,
  value,
});

/**
 * SLA clocks of one kind started in range on live tickets, with a known outcome as of now: MET
 * (achieved by the due time; a clock that never falls due is met whenever achieved) or BREACHED
 * (achieved late, or not achieved and due before the ticket was solved, or before now while it
 * is unsolved). Not achieved and solved before due (CANCELLED) or not due yet (PENDING): no sample.
 */
const slaCompliance = (kind: 'FIRST_RESPONSE' | 'NEXT_RESPONSE' | 'RESOLUTION'): Baseline => ({
  samples: `
    SELECT k."startedAt" AS at, t."teamId" AS team, k."achievedAt" IS NOT NULL AND (k."dueAt" IS NULL OR k."achievedAt" <= k."dueAt") AS met
    FROM "TicketSlaClock" k
    JOIN "Ticket" t ON t.id = k."ticketId"
    WHERE k."workspaceId" = $1::uuid AND k.kind = '${kind}' AND t."mergedIntoId" IS NULL AND ${range('k."startedAt"')}
      AND (k."achievedAt" IS NOT NULL OR k."dueAt" <= coalesce(t."solvedAt", now()))`,
  value: percentOf('met'),
});

export const BASELINES: Record<string, Baseline | SnapshotBaseline> = {
  conversation_first_response_time: {
    // A human reply before the customer wrote is not a response to them.
    samples: `
    SELECT c."firstCustomerMessageAt" AS at, c."teamId" AS team,
      extract(epoch FROM c."firstAgentResponseAt" - c."firstCustomerMessageAt") AS wait
    FROM "Conversation" c
    WHERE c."workspaceId" = $1::uuid AND c."firstAgentResponseAt" >= c."firstCustomerMessageAt" AND ${range('c."firstCustomerMessageAt"')}`,
    value: median('wait'),
  },
  conversation_volume: {
    samples: `SELECT c."createdAt" AS at, c."teamId" AS team FROM "Conversation" c WHERE c."workspaceId" = $1::uuid AND ${range('c."createdAt"')}`,
    value: 'count(*)',
  },
  escalation_rate: {
    // SERVICE conversations started in range; escalated = some SUPPORT ticket names it as its source.
    samples: `
    SELECT c."createdAt" AS at, c."teamId" AS team, e.id IS NOT NULL AS escalated
    FROM "Conversation" c
    LEFT JOIN (SELECT DISTINCT "sourceConversationId" AS id FROM "Ticket" WHERE "workspaceId" = $1::uuid AND function = 'SUPPORT') e ON e.id = c.id
    WHERE c."workspaceId" = $1::uuid AND c.function = 'SERVICE' AND ${range('c."createdAt"')}`,
    value: percentOf('escalated'),
  },
  survey_response_rate: {
    samples: `
    SELECT s."sentAt" AS at, coalesce(c."teamId", t."teamId") AS team, s."respondedAt" IS NOT NULL AS answered
    FROM "SurveyResponse" s
    LEFT JOIN "Conversation" c ON c.id = s."conversationId"
    LEFT JOIN "Ticket" t ON t.id = s."ticketId"
    WHERE s."workspaceId" = $1::uuid AND ${range('s."sentAt"')}`,
    value: percentOf('answered'),
  },
  ticket_first_response_time: ticketWait('firstResponseAt'),
  ticket_first_resolution_time: ticketWait('firstSolvedAt'),
  ticket_full_resolution_time: ticketWait('solvedAt'),
  first_contact_resolution_rate: {
    samples: firstSolves(`t."publicAgentReplyCount" <= 1 AND t."reopenCount" = 0 AS first_contact`),
    value: percentOf('first_contact'),
  },
  reopen_rate: { samples: firstSolves(`t."reopenCount" > 0 AS reopened`), value: percentOf('reopened') },
  ticket_volume: {
    samples: `SELECT t."createdAt" AS at, t."teamId" AS team FROM "Ticket" t WHERE t."workspaceId" = $1::uuid AND t."mergedIntoId" IS NULL AND ${range('t."createdAt"')}`,
    value: 'count(*)',
  },
  tickets_solved: { samples: firstSolves('t.id'), value: 'count(*)' },
  ticket_next_reply_time: {
    // Public comments by customers and human agents, in order per ticket. A wait starts at a
    // customer comment right after an agent comment and ends at the next agent comment.
    samples: `
    SELECT x."createdAt" AS at, t."teamId" AS team, extract(epoch FROM x.replied_at - x."createdAt") AS wait
    FROM (
      SELECT p."ticketId", p."createdAt", p."authorKind", lag(p."authorKind") OVER w AS previous,
        min(p."createdAt") FILTER (WHERE p."authorKind" = 'AGENT') OVER (w ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS replied_at
      FROM "TicketComment" p
      WHERE p."workspaceId" = $1::uuid AND p."isPublic" AND p."authorKind" IN ('AGENT', 'CUSTOMER')
      WINDOW w AS (PARTITION BY p."ticketId" ORDER BY p."createdAt", p.id)
    ) AS x
    JOIN "Ticket" t ON t.id = x."ticketId"
    WHERE x."authorKind" = 'CUSTOMER' AND x.previous = 'AGENT' AND x.replied_at IS NOT NULL AND t."mergedIntoId" IS NULL AND ${range('x."createdAt"')}`,
    value: median('wait'),
  },
  csat: { samples: answers('CSAT'), value: percentOf('score >= 4') },
  // Promoters count +100, passives 0, detractors −100: the mean is the NPS.
  nps: { samples: answers('NPS'), value: '100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / nullif(count(*), 0)' },
  ces: { samples: answers('CES'), value: 'avg(score)' },
  customer_retention_rate: retention(percentOf('retained')),
  customer_churn_rate: retention(percentOf('NOT retained')),
  repeat_purchase_rate: {
    // New buyers: the first purchase ever is in range; a repeat is a second purchase before the range end.
    samples: `
    SELECT p.first_at AS at, NULL::uuid AS team, p.purchases >= 2 AS repeated
    FROM (
      SELECT v."customerId" AS customer_id, min(v."occurredAt") AS first_at, count(*) AS purchases
      FROM "CustomerEvent" v
      WHERE v."workspaceId" = $1::uuid AND v.type = 'purchase' AND v."occurredAt" < $3::timestamptz
      GROUP BY 1
    ) p
    ${liveCustomer('p.customer_id')}
    WHERE ${range('p.first_at')}`,
    value: percentOf('repeated'),
  },
  customer_lifetime_value: {
    // Customers whose first valued purchase in the workspace's main currency (that of most valued
    // purchases, ties alphabetically) is in range: purchases plus (negative) refunds in it up to the range end.
    samples: `
    SELECT min(v."occurredAt") FILTER (WHERE v.type = 'purchase') AS at, NULL::uuid AS team, sum(v.value) AS amount
    FROM "CustomerEvent" v
    ${liveCustomer('v."customerId"')}
    WHERE v."workspaceId" = $1::uuid AND v.type IN ('purchase', 'refund') AND v.value IS NOT NULL AND v."occurredAt" < $3::timestamptz
      AND v.currency = (
        SELECT currency FROM "CustomerEvent" WHERE "workspaceId" = $1::uuid AND type = 'purchase' AND value IS NOT NULL
        GROUP BY currency ORDER BY count(*) DESC, currency LIMIT 1)
    GROUP BY v."customerId"
    HAVING ${range(`min(v."occurredAt") FILTER (WHERE v.type = 'purchase')`)}`,
    value: 'avg(amount)',
  },
  average_handle_time: {
    // Per ticket first solved in range: the seconds of the work logged on it and on the
    // duplicates merged into it (and into those); tickets without any work are no sample.
    samples: `
    WITH RECURSIVE family (root, member) AS (
      SELECT t.id, t.id FROM "Ticket" t WHERE t."workspaceId" = $1::uuid AND t."mergedIntoId" IS NULL AND ${range('t."firstSolvedAt"')}
      UNION ALL
      SELECT f.root, d.id FROM family f JOIN "Ticket" d ON d."mergedIntoId" = f.member
    )
    SELECT t."firstSolvedAt" AS at, t."teamId" AS team, sum(e.seconds) AS handle
    FROM family f
    JOIN "WorkEntry" e ON e."ticketId" = f.member
    JOIN "Ticket" t ON t.id = f.root
    GROUP BY t.id`,
    value: 'avg(handle)',
  },
  conversation_handle_time: {
    samples: `
    SELECT c."firstResolvedAt" AS at, c."teamId" AS team, sum(e.seconds) AS handle
    FROM "Conversation" c
    JOIN "WorkEntry" e ON e."conversationId" = c.id
    WHERE c."workspaceId" = $1::uuid AND ${range('c."firstResolvedAt"')}
    GROUP BY c.id`,
    value: 'avg(handle)',
  },
  ticket_backlog: {
    // Overall and per team: the intervals open at the range end, or at now if that is earlier.
    // Per local day: the level at the day's start, opened minus closed at or before it, each change
    // placed at the first day start at or after it (changes before the range at its first day), summed
    // day by day; a day starting after now has no level yet.
    statement: `
    WITH iv AS (
      SELECT i."openedAt" AS opened, i."closedAt" AS closed, t."teamId" AS team
      FROM "TicketOpenInterval" i JOIN "Ticket" t ON t.id = i."ticketId"
      WHERE i."workspaceId" = $1::uuid
    ),
    days AS (
      SELECT d AS local_start, d AT TIME ZONE $4 AS start
      FROM generate_series(date_trunc('day', $2::timestamptz AT TIME ZONE $4), ($3::timestamptz AT TIME ZONE $4) - interval '1 microsecond', interval '1 day') AS d
    ),
    changes AS (
      SELECT greatest(date_trunc('day', (at AT TIME ZONE $4) - interval '1 microsecond') + interval '1 day', (SELECT min(local_start) FROM days)) AS local_start,
        sum(delta) AS delta
      FROM (SELECT opened AS at, 1 AS delta FROM iv UNION ALL SELECT closed, -1 FROM iv WHERE closed IS NOT NULL) AS c
      GROUP BY 1
    ),
    levels AS (
      SELECT d.start, sum(coalesce(c.delta, 0)) OVER (ORDER BY d.local_start) AS level
      FROM days d LEFT JOIN changes c ON c.local_start = d.local_start
    )
    SELECT GROUPING(team)::int * 2 + 1 AS g, team::text AS team, NULL::timestamptz AS day, count(*)::float8 AS value, count(*)::int AS n
    FROM iv
    WHERE opened <= least($3::timestamptz, now()) AND (closed IS NULL OR closed > least($3::timestamptz, now()))
    GROUP BY GROUPING SETS ((), (team))
    UNION ALL
    SELECT 2, NULL, start, CASE WHEN start <= now() THEN level END::float8, CASE WHEN start <= now() THEN level ELSE 0 END::int
    FROM levels`,
  },
  conversation_next_reply_time: {
    // Answered waits in conversations (a customer message after an agent reply, to the next agent reply).
    samples: `
    SELECT w."waitingSince" AS at, c."teamId" AS team, extract(epoch FROM w."repliedAt" - w."waitingSince") AS wait
    FROM "ReplyWait" w
    JOIN "Conversation" c ON c.id = w."conversationId"
    WHERE w."workspaceId" = $1::uuid AND w."repliedAt" IS NOT NULL AND ${range('w."waitingSince"')}`,
    value: median('wait'),
  },
  sla_first_response_compliance: slaCompliance('FIRST_RESPONSE'),
  sla_next_response_compliance: slaCompliance('NEXT_RESPONSE'),
  sla_resolution_compliance: slaCompliance('RESOLUTION'),
};

/**
 * One statement: the overall value (g = 3), one row per team (g = 1) and one per non-empty local
 * day (g = 2, `day` as the instant the local day starts).
 */
export function byTeamAndDay(baseline: Baseline | SnapshotBaseline): string {
  if ('statement' in baseline) return baseline.statement;
  if (baseline.period) {
    return `
    WITH s AS (${baseline.samples})
    SELECT GROUPING(team)::int * 2 + 1 AS g, team::text AS team, NULL::timestamp AT TIME ZONE $4 AS day, (${baseline.value})::float8 AS value, count(*)::int AS n
    FROM s
    GROUP BY GROUPING SETS ((), (team))`;
  }
  return `
    WITH s AS (${baseline.samples})
    SELECT GROUPING(team, day)::int AS g, team::text AS team, day AT TIME ZONE $4 AS day, (${baseline.value})::float8 AS value, count(*)::int AS n
    FROM (SELECT *, date_trunc('day', at AT TIME ZONE $4) AS day FROM s) AS x
    GROUP BY GROUPING SETS ((), (team), (day))`;
}
