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

export const BASELINES: Record<string, Baseline> = {
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
};

/**
 * One statement: the overall value (g = 3), one row per team (g = 1) and one per non-empty local
 * day (g = 2, `day` as the instant the local day starts).
 */
export function byTeamAndDay(baseline: Baseline): string {
  return `
    WITH s AS (${baseline.samples})
    SELECT GROUPING(team, day)::int AS g, team::text AS team, day AT TIME ZONE $4 AS day, (${baseline.value})::float8 AS value, count(*)::int AS n
    FROM (SELECT *, date_trunc('day', at AT TIME ZONE $4) AS day FROM s) AS x
    GROUP BY GROUPING SETS ((), (team), (day))`;
}
