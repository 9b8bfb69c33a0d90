import type { EventType } from '../events/outbox.ts';
import { Prisma } from '../generated/prisma/client.ts';
import { CUSTOMER_METRICS } from './customers.ts';
import { workloadMetrics } from './workload.ts';
import { calendarSeconds } from './seconds.ts';
import { slaMetrics } from './sla.ts';

/**
 * CX metric definitions, as data. Each metric is a set of SAMPLES — one row per ticket,
 * conversation or survey response that the metric counts, with the instant it is attributed to
 * (`at`, used for the range and the time buckets), a numeric `value`, and the dimensions it can
 * be filtered and grouped by — and a statistic computed over them in SQL. The words in
 * `formula` are the contract; `version` changes whenever the computation does.
 */

export type Statistic = 'COUNT' | 'MEAN' | 'MEDIAN' | 'P90' | 'RATE';
export type Unit = 'SECONDS' | 'PERCENT' | 'SCORE' | 'COUNT' | 'MONEY';
export type Dimension = 'TEAM' | 'AGENT' | 'CHANNEL' | 'FUNCTION' | 'PRIORITY' | 'ORGANIZATION' | 'CUSTOMER';
export type Clock = 'CALENDAR' | 'BUSINESS';

/**
 * SAMPLES (the default): each sample counts at its instant, and a statistic summarizes the
 * samples of the range. SNAPSHOT: a level at an instant — the rows are intervals during which an
 * item was open, and the value is how many intervals contain the instant (the end of the range,
 * each bucket's start); see computeMetric.
 */
export type MetricKind = 'SAMPLES' | 'SNAPSHOT';

export interface MetricDefinition {
  key: string;
  /** Default SAMPLES. */
  kind?: MetricKind;
  name: string;
  description: string;
  formula: string;
  unit: Unit;
  statistics: Statistic[];
  defaultStatistic: Statistic;
  /** What starts and stops the clock (durations), or what is counted. */
  startEvent: string;
  stopEvent: string;
  /** When a sample is attributed in time (range and buckets apply to this instant). */
  attributedTo: string;
  dimensions: Dimension[];
  version: number;
  /** The whole range is one period (e.g. retention): no time buckets. Default false. */
  periodOnly?: boolean;
  /** The value can change with the passing of time alone (due times passing, "now"): `metricUpdated` also recomputes it every minute. */
  timeDependent?: boolean;
  /** Events whose commit can change the value (`metricUpdated` recomputes on them); default: every non-knowledge-base event. */
  triggers?: readonly EventType[];
  /**
   * SELECT producing (at, value, team_id, agent_id, channel, function, priority, organization_id, customer_id, tags).
   * For a SNAPSHOT: (at, until, team_id, …, tags), one row per interval [at, until) in which an item was open
   * (until null: still open).
   */
  samples(workspaceId: string, options: MetricOptions): Prisma.Sql;
}

export interface MetricOptions {
  /** Conversation first response: start the clock at the first customer message (default) or at the bot handoff. */
  firstResponseFrom: 'FIRST_CUSTOMER_MESSAGE' | 'BOT_HANDOFF';
  /** Durations only: count just the open hours of this business calendar (a BusinessCalendar id). */
  businessCalendarId?: string | null;
  /** MONEY metrics: the ISO 4217 currency to report in (default: the workspace's main currency). */
  currency?: string | null;
  /** The requested range and time zone, for definitions whose samples depend on them (e.g. activity periods). */
  from?: Date;
  to?: Date;
  timeZone?: string;
}

export const DURATION_STATS: Statistic[] = ['MEAN', 'MEDIAN', 'P90', 'COUNT'];
export const TICKET_DIMS: Dimension[] = ['TEAM', 'AGENT', 'CHANNEL', 'FUNCTION', 'PRIORITY', 'ORGANIZATION', 'CUSTOMER'];

/** A ticket's dimension columns, from `t` (the ticket) and `sc` (the conversation it was escalated from). */
export const TICKET_DIMENSIONS = Prisma.sql`
      t."teamId" AS team_id, t."assigneeId" AS agent_id, sc.channel::text AS channel, t.function::text AS function,
      t.priority::text AS priority, t."organizationId" AS organization_id, t."requesterId" AS customer_id, t.tags AS tags`;

/** Ticket samples with their dimensions; merged-away duplicates never count. */
export function ticketSamples(workspaceId: string, at: Prisma.Sql, value: Prisma.Sql, where: Prisma.Sql, join: Prisma.Sql = Prisma.empty): Prisma.Sql {
  return Prisma.sql`
    SELECT ${at} AS at, ${value}::float8 AS value, ${TICKET_DIMENSIONS}
    FROM "Ticket" t
    LEFT JOIN "Conversation" sc ON sc.id = t."sourceConversationId"
    ${join}
    WHERE t."workspaceId" = ${workspaceId}::uuid AND t."mergedIntoId" IS NULL AND ${where}`;
}

/**
 * Survey samples (answers: attributed to the answer; sends: to the send) with the dimensions of
 * the conversation or ticket surveyed.
 * Every join is LEFT (customerId is a NOT NULL foreign key, so it is the same rows as an inner
 * join): the planner drops a LEFT join to a unique key whose columns nothing reads, e.g. the
 * customer when the organization is neither filtered nor grouped by.
 */
function surveySamples(workspaceId: string, at: Prisma.Sql, value: Prisma.Sql, where: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    SELECT ${at} AS at, ${value}::float8 AS value,
      coalesce(c."teamId", t."teamId") AS team_id, coalesce(c."assigneeId", t."assigneeId") AS agent_id,
      coalesce(c.channel::text, tc.channel::text) AS channel, coalesce(c.function::text, t.function::text) AS function,
      t.priority::text AS priority, cu."organizationId" AS organization_id, s."customerId" AS customer_id,
      coalesce(t.tags, ARRAY[]::text[]) AS tags
    FROM "SurveyResponse" s
    LEFT JOIN "Customer" cu ON cu.id = s."customerId"
    LEFT JOIN "Conversation" c ON c.id = s."conversationId"
    LEFT JOIN "Ticket" t ON t.id = s."ticketId"
    LEFT JOIN "Conversation" tc ON tc.id = t."sourceConversationId"
    WHERE s."workspaceId" = ${workspaceId}::uuid AND ${where}`;
}

/** The answers to surveys of one kind, attributed to the answer. */
function answers(workspaceId: string, kind: 'CSAT' | 'NPS' | 'CES', value: Prisma.Sql): Prisma.Sql {
  return surveySamples(workspaceId, Prisma.sql`s."respondedAt"`, value, Prisma.sql`s.kind = ${kind}::"SurveyKind" AND s."respondedAt" IS NOT NULL`);
}

/**
 * A duration sample's value. Every SECONDS metric builds its value here, which is what makes the
 * business clock available to all of them (see `clocksOf`); the calendar clock's SQL is the
 * plain wall-clock difference.
 */
export function seconds(o: MetricOptions, from: Prisma.Sql, to: Prisma.Sql): Prisma.Sql {
  if (o.businessCalendarId) return Prisma.sql`cx_business_seconds(${o.businessCalendarId}::uuid, ${from}, ${to})`;
  return calendarSeconds(from, to);
}

/**
 * A ticket duration metric: from ticket creation to the instant in `stopColumn`, attributed to
 * creation, excluding tickets where that instant is not set yet (never zero).
 */
function ticketDuration(spec: { key: string; name: string; description: string; formula: string; stopEvent: string; stopColumn: string }): MetricDefinition {
  const stop = Prisma.sql`t.${Prisma.raw(`"${spec.stopColumn}"`)}`;
  return {
    key: spec.key,
    name: spec.name,
    description: spec.description,
    formula: spec.formula,
    unit: 'SECONDS',
    statistics: DURATION_STATS,
    defaultStatistic: 'MEDIAN',
    startEvent: 'ticket created',
    stopEvent: spec.stopEvent,
    attributedTo: 'ticket creation',
    dimensions: TICKET_DIMS,
    version: 1,
    samples: (w, o) => ticketSamples(w, Prisma.sql`t."createdAt"`, seconds(o, Prisma.sql`t."createdAt"`, stop), Prisma.sql`${stop} IS NOT NULL`),
  };
}

/**
 * Conversation samples with their dimensions (priority and tags belong to tickets: null/empty;
 * the customer join is LEFT for the reason given at surveySamples);
 * `join` adds a joined relation the sample's value or condition reads.
 */
export function conversationSamples(workspaceId: string, at: Prisma.Sql, value: Prisma.Sql, where: Prisma.Sql, join: Prisma.Sql = Prisma.empty): Prisma.Sql {
  return Prisma.sql`
    SELECT ${at} AS at, ${value}::float8 AS value,
      c."teamId" AS team_id, c."assigneeId" AS agent_id, c.channel::text AS channel, c.function::text AS function,
      NULL::text AS priority, cu."organizationId" AS organization_id, c."customerId" AS customer_id, ARRAY[]::text[] AS tags
    FROM "Conversation" c
    LEFT JOIN "Customer" cu ON cu.id = c."customerId"
    ${join}
    WHERE c."workspaceId" = ${workspaceId}::uuid AND ${where}`;
}

export const CONVERSATION_DIMS: Dimension[] = ['TEAM', 'AGENT', 'CHANNEL', 'FUNCTION', 'ORGANIZATION', 'CUSTOMER'];

export const METRICS: MetricDefinition[] = [
  {
    key: 'conversation_first_response_time',
    name: 'First response time (conversations)',
    description: 'How long customers wait in a conversation for the first public reply by a human agent.',
    formula:
      'first public reply by a human agent − first customer message (or − bot handoff, with firstResponseFrom: BOT_HANDOFF); bot replies and internal notes do not count; conversations without a human reply yet are excluded, not zero',
    unit: 'SECONDS',
    statistics: DURATION_STATS,
    defaultStatistic: 'MEDIAN',
    startEvent: 'first customer message (option: bot handoff)',
    stopEvent: 'first public human agent reply',
    attributedTo: 'first customer message',
    dimensions: CONVERSATION_DIMS,
    version: 1,
    samples: (w, o) => {
      const start = o.firstResponseFrom === 'BOT_HANDOFF' ? Prisma.sql`c."botHandoffAt"` : Prisma.sql`c."firstCustomerMessageAt"`;
      return conversationSamples(
        w,
        Prisma.sql`c."firstCustomerMessageAt"`,
        seconds(o, start, Prisma.sql`c."firstAgentResponseAt"`),
        // A reply before the clock starts (an agent wrote first) is not a response time.
        Prisma.sql`${start} IS NOT NULL AND c."firstAgentResponseAt" IS NOT NULL AND c."firstAgentResponseAt" >= ${start}`,
      );
    },
  },
  {
    key: 'conversation_volume',
    name: 'Conversation volume',
    description: 'Conversations started.',
    formula: 'count of conversations created',
    unit: 'COUNT',
    statistics: ['COUNT'],
    defaultStatistic: 'COUNT',
    startEvent: 'conversation created',
    stopEvent: 'conversation created',
    attributedTo: 'conversation creation',
    dimensions: CONVERSATION_DIMS,
    version: 1,
    samples: (w) => conversationSamples(w, Prisma.sql`c."createdAt"`, Prisma.sql`1`, Prisma.sql`TRUE`),
  },
  {
    key: 'escalation_rate',
    name: 'Escalation rate',
    description: 'Share of SERVICE conversations handed to support as a SUPPORT ticket.',
    formula: '100 × (SERVICE conversations with at least one SUPPORT ticket escalated from them) ÷ (SERVICE conversations), attributed to conversation creation',
    unit: 'PERCENT',
    statistics: ['RATE', 'COUNT'],
    defaultStatistic: 'RATE',
    startEvent: 'SERVICE conversation created',
    stopEvent: 'SUPPORT ticket escalated from it',
    attributedTo: 'conversation creation',
    dimensions: CONVERSATION_DIMS,
    version: 1,
    samples: (w) =>
      conversationSamples(
        w,
        Prisma.sql`c."createdAt"`,
        // One set of the workspace's escalated conversations, hashed once (an index-only scan of
        // Ticket_escalations_idx), not a probe into the tickets per conversation.
        Prisma.sql`CASE WHEN c.id IN (SELECT t."sourceConversationId" FROM "Ticket" t
          WHERE t."workspaceId" = ${w}::uuid AND t."sourceConversationId" IS NOT NULL AND t.function = 'SUPPORT') THEN 1 ELSE 0 END`,
        Prisma.sql`c.function = 'SERVICE'`,
      ),
  },
  {
    key: 'survey_response_rate',
    name: 'Survey response rate',
    description: 'Share of sent surveys (all kinds) that were answered.',
    formula: '100 × (answered surveys) ÷ (sent surveys), attributed to the send time',
    unit: 'PERCENT',
    statistics: ['RATE', 'COUNT'],
    defaultStatistic: 'RATE',
    startEvent: 'survey sent',
    stopEvent: 'survey answered',
    attributedTo: 'send',
    dimensions: ['TEAM', 'AGENT', 'CHANNEL', 'FUNCTION', 'ORGANIZATION', 'CUSTOMER'],
    // 2: a ticket's survey takes the channel of the conversation the ticket was escalated from (was: none).
    version: 2,
    samples: (w) => surveySamples(w, Prisma.sql`s."sentAt"`, Prisma.sql`CASE WHEN s."respondedAt" IS NULL THEN 0 ELSE 1 END`, Prisma.sql`TRUE`),
  },
  ticketDuration({
    key: 'ticket_first_response_time',
    name: 'First response time (tickets)',
    description: 'How long customers wait for the first public reply by a human agent on a ticket.',
    formula:
      'first public reply by a human agent − ticket creation (creation is the customer\'s first message for inbound tickets and the creation time for agent-created ones); bot replies and internal notes do not count; tickets without a reply yet are excluded, not zero',
    stopEvent: 'first public human agent reply',
    stopColumn: 'firstResponseAt',
  }),
  ticketDuration({
    key: 'ticket_first_resolution_time',
    name: 'First resolution time (tickets)',
    description: 'How long until a ticket was solved the first time.',
    formula:
      'first time the ticket reached SOLVED − ticket creation; unsolved tickets are excluded',
    stopEvent: 'first SOLVED',
    stopColumn: 'firstSolvedAt',
  }),
  ticketDuration({
    key: 'ticket_full_resolution_time',
    name: 'Full resolution time (tickets)',
    description: 'How long until a ticket was solved for good: reopens count toward it.',
    formula:
      'latest time the ticket reached SOLVED − ticket creation; tickets not solved now (never solved, or reopened) are excluded',
    stopEvent: 'latest SOLVED',
    stopColumn: 'solvedAt',
  }),
  {
    key: 'first_contact_resolution_rate',
    name: 'First-contact resolution rate',
    description: 'Share of solved tickets solved with at most one public agent reply and never reopened.',
    formula: '100 × (solved tickets with ≤ 1 public human agent reply and no reopen) ÷ (solved tickets), attributed to the first solve',
    unit: 'PERCENT',
    statistics: ['RATE', 'COUNT'],
    defaultStatistic: 'RATE',
    startEvent: 'ticket created',
    stopEvent: 'first SOLVED',
    attributedTo: 'first solve',
    dimensions: TICKET_DIMS,
    version: 1,
    samples: (w) =>
      ticketSamples(
        w,
        Prisma.sql`t."firstSolvedAt"`,
        Prisma.sql`CASE WHEN t."publicAgentReplyCount" <= 1 AND t."reopenCount" = 0 THEN 1 ELSE 0 END`,
        Prisma.sql`t."firstSolvedAt" IS NOT NULL`,
      ),
  },
  {
    key: 'reopen_rate',
    name: 'Reopen rate',
    description: 'Share of solved tickets that were reopened at least once.',
    formula: '100 × (solved-at-least-once tickets with reopenCount > 0) ÷ (solved-at-least-once tickets), attributed to the first solve',
    unit: 'PERCENT',
    statistics: ['RATE', 'COUNT'],
    defaultStatistic: 'RATE',
    startEvent: 'first SOLVED',
    stopEvent: 'reopen',
    attributedTo: 'first solve',
    dimensions: TICKET_DIMS,
    version: 1,
    samples: (w) =>
      ticketSamples(w, Prisma.sql`t."firstSolvedAt"`, Prisma.sql`CASE WHEN t."reopenCount" > 0 THEN 1 ELSE 0 END`, Prisma.sql`t."firstSolvedAt" IS NOT NULL`),
  },
  {
    key: 'ticket_volume',
    name: 'Ticket volume',
    description: 'Tickets created.',
    formula: 'count of tickets created (merged-away duplicates excluded)',
    unit: 'COUNT',
    statistics: ['COUNT'],
    defaultStatistic: 'COUNT',
    startEvent: 'ticket created',
    stopEvent: 'ticket created',
    attributedTo: 'ticket creation',
    dimensions: TICKET_DIMS,
    version: 1,
    samples: (w) => ticketSamples(w, Prisma.sql`t."createdAt"`, Prisma.sql`1`, Prisma.sql`TRUE`),
  },
  {
    key: 'csat',
    name: 'Customer satisfaction (CSAT)',
    description: 'Share of satisfied answers to CSAT surveys (1–5).',
    formula: '100 × (answers scoring 4 or 5) ÷ (answers), attributed to the answer time',
    unit: 'PERCENT',
    statistics: ['RATE', 'COUNT'],
    defaultStatistic: 'RATE',
    startEvent: 'survey answered',
    stopEvent: 'survey answered',
    attributedTo: 'answer',
    dimensions: TICKET_DIMS,
    version: 1,
    samples: (w) => answers(w, 'CSAT', Prisma.sql`CASE WHEN s.score >= 4 THEN 1 ELSE 0 END`),
  },
  {
    key: 'nps',
    name: 'Net promoter score (NPS)',
    description: 'Promoters minus detractors among answers to NPS surveys (0–10), from −100 to 100.',
    formula: '% of answers scoring 9–10 − % of answers scoring 0–6 (each answer counts +100, 0 or −100; the MEAN is the NPS)',
    unit: 'SCORE',
    statistics: ['MEAN', 'COUNT'],
    defaultStatistic: 'MEAN',
    startEvent: 'survey answered',
    stopEvent: 'survey answered',
    attributedTo: 'answer',
    dimensions: TICKET_DIMS,
    version: 1,
    samples: (w) => answers(w, 'NPS', Prisma.sql`CASE WHEN s.score >= 9 THEN 100 WHEN s.score <= 6 THEN -100 ELSE 0 END`),
  },
  {
    key: 'ces',
    name: 'Customer effort score (CES)',
    description: 'Average answer to CES surveys (1–7; higher means less effort, as asked).',
    formula: 'mean of CES scores (1–7)',
    unit: 'SCORE',
    statistics: ['MEAN', 'MEDIAN', 'COUNT'],
    defaultStatistic: 'MEAN',
    startEvent: 'survey answered',
    stopEvent: 'survey answered',
    attributedTo: 'answer',
    dimensions: TICKET_DIMS,
    version: 1,
    samples: (w) => answers(w, 'CES', Prisma.sql`s.score`),
  },
  ...CUSTOMER_METRICS,
  ...workloadMetrics(),
  ...slaMetrics({ ticketSamples, conversationSamples, seconds, ticketDimensions: TICKET_DIMS, conversationDimensions: CONVERSATION_DIMS, durationStatistics: DURATION_STATS }),
];

/** Clocks a metric supports: business time applies to durations (their values come from `seconds`). */
export function clocksOf(metric: MetricDefinition): Clock[] {
  return metric.unit === 'SECONDS' ? ['CALENDAR', 'BUSINESS'] : ['CALENDAR'];
}

export function metricByKey(key: string): MetricDefinition | undefined {
  return METRICS.find((m) => m.key === key);
}
