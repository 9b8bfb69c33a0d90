import { Prisma } from '../generated/prisma/client.ts';
import type { Dimension, MetricDefinition, MetricOptions, Statistic } from './definitions.ts';

/**
 * Next reply time and SLA compliance.
 *
 * A customer WAIT for a next reply starts at a public customer comment (message) that follows a
 * public human agent reply, and ends at the next public human agent reply; customer comments in
 * a row are one wait, from the first. Bot, integration and system comments and internal notes
 * neither start nor end a wait. See cx_ticket_reply_waits / cx_conversation_reply_waits (SQL).
 *
 * An SLA TARGET INSTANCE is one clock of a ticket's SLA policy, for the target of the ticket's
 * current priority: FIRST_RESPONSE (ticket creation → first public human agent reply),
 * RESOLUTION (ticket creation → SOLVED; a reopen clears the solve, so the target runs again),
 * and NEXT_RESPONSE (one per wait: customer comment → next agent reply). It is due `minutes`
 * after its start, in calendar time or (businessHours) in the open hours of the policy's
 * calendar (calendar time when the policy has none). Its outcome:
 *   MET        achieved at or before the due time;
 *   BREACHED   achieved after it, or not achieved and the due time passed (before the ticket was
 *              solved, for the response targets);
 *   CANCELLED  a response target not achieved because the ticket was solved before it was due;
 *   PENDING    not achieved, not due yet.
 * A calendar without any open hours never makes a target due (it stays PENDING or is MET).
 */

export type SlaKind = 'FIRST_RESPONSE' | 'NEXT_RESPONSE' | 'RESOLUTION';
export const SLA_KINDS: readonly SlaKind[] = ['FIRST_RESPONSE', 'NEXT_RESPONSE', 'RESOLUTION'];

type Samples = (workspaceId: string, at: Prisma.Sql, value: Prisma.Sql, where: Prisma.Sql) => Prisma.Sql;

/**
 * What these definitions take from definitions.ts. It is handed in by definitions.ts, which
 * imports this module to register the metrics, so this module never imports it back (no cycle).
 */
export interface SampleKit {
  ticketSamples: Samples;
  conversationSamples: Samples;
  seconds(o: MetricOptions, from: Prisma.Sql, to: Prisma.Sql): Prisma.Sql;
  ticketDimensions: Dimension[];
  conversationDimensions: Dimension[];
  durationStatistics: Statistic[];
}

/**
 * Every SLA target instance of the workspace's live tickets (optionally only the given tickets)
 * of the given kinds. Columns: ticket_id, kind, minutes, business_hours, calendar_id,
 * started_at, achieved_at, solved_at, due_at.
 */
export function slaInstances(workspaceId: string, kinds: readonly SlaKind[], ticketIds?: readonly string[]): Prisma.Sql {
  const ws = Prisma.sql`${workspaceId}::uuid`;
  const onlyTickets = (column: Prisma.Sql) => (ticketIds ? Prisma.sql`AND ${column} = ANY(${[...ticketIds]}::uuid[])` : Prisma.empty);
  const ticketClock = (kind: SlaKind, stop: string) => Prisma.sql`
    SELECT t.id AS ticket_id, ${kind}::text AS kind, t."createdAt" AS started_at, t.${Prisma.raw(`"${stop}"`)} AS achieved_at
    FROM "Ticket" t WHERE t."workspaceId" = ${ws} ${onlyTickets(Prisma.sql`t.id`)}`;
  const branches = kinds.map((kind) =>
    kind === 'NEXT_RESPONSE'
      ? Prisma.sql`
        SELECT w.ticket_id, 'NEXT_RESPONSE'::text AS kind, w.waiting_since AS started_at, w.replied_at AS achieved_at
        FROM cx_ticket_reply_waits(${ws}) w WHERE TRUE ${onlyTickets(Prisma.sql`w.ticket_id`)}`
      : ticketClock(kind, kind === 'FIRST_RESPONSE' ? 'firstResponseAt' : 'solvedAt'),
  );
  return Prisma.sql`
    SELECT i.ticket_id, i.kind, st.minutes, st."businessHours" AS business_hours, p."calendarId" AS calendar_id,
      i.started_at, i.achieved_at, t."solvedAt" AS solved_at, d.due_at
    FROM (${Prisma.join(branches, ' UNION ALL ')}) i
    JOIN "Ticket" t ON t.id = i.ticket_id
    JOIN "SlaPolicy" p ON p.id = t."slaPolicyId"
    JOIN "SlaTarget" st ON st."policyId" = p.id AND st.priority = t.priority AND st.kind::text = i.kind
    -- OFFSET 0 keeps this a subquery, so the due time is computed once per instance, not once
    -- per use in the outcome (the planner would otherwise inline it into every reference).
    CROSS JOIN LATERAL (
      SELECT CASE WHEN st."businessHours" AND p."calendarId" IS NOT NULL
        THEN cx_business_add(p."calendarId", i.started_at, st.minutes * 60.0)
        ELSE i.started_at + make_interval(mins => st.minutes) END AS due_at
      OFFSET 0
    ) d
    WHERE t."workspaceId" = ${ws} AND t."mergedIntoId" IS NULL`;
}

/** The outcome of the SLA instance aliased `x` (columns of `slaInstances`), as of now. */
export function slaOutcome(x: string): Prisma.Sql {
  const c = (column: string) => Prisma.raw(`${x}.${column}`);
  return Prisma.sql`CASE
    WHEN ${c('achieved_at')} IS NOT NULL THEN
      CASE WHEN ${c('due_at')} IS NULL OR ${c('achieved_at')} <= ${c('due_at')} THEN 'MET' ELSE 'BREACHED' END
    WHEN ${c('due_at')} <= coalesce(${c('solved_at')}, now()) THEN 'BREACHED'
    WHEN ${c('solved_at')} IS NOT NULL THEN 'CANCELLED'
    ELSE 'PENDING' END`;
}

/** Seconds from `from` to `to` on the target's clock (business seconds of `calendar` when given); null when either end is. */
export function clockSeconds(calendar: Prisma.Sql | null, from: Prisma.Sql, to: Prisma.Sql): Prisma.Sql {
  const span = calendar ? Prisma.sql`cx_business_seconds(${calendar}, ${from}, ${to})` : Prisma.sql`extract(epoch FROM (${to} - ${from}))`;
  return Prisma.sql`CASE WHEN ${from} IS NULL OR ${to} IS NULL THEN NULL ELSE ${span}::float8 END`;
}

const TARGET_NAME: Record<SlaKind, string> = {
  FIRST_RESPONSE: 'first response',
  NEXT_RESPONSE: 'next response',
  RESOLUTION: 'resolution',
};
const TARGET_CLOCK: Record<SlaKind, [start: string, stop: string, attributedTo: string]> = {
  FIRST_RESPONSE: ['ticket created', 'first public human agent reply', 'ticket creation'],
  NEXT_RESPONSE: ['customer comment after an agent reply (start of a wait)', 'next public human agent reply', 'start of the wait (the customer\'s comment)'],
  RESOLUTION: ['ticket created', 'SOLVED (cleared by a reopen)', 'ticket creation'],
};

function compliance(kit: SampleKit, kind: SlaKind): MetricDefinition {
  const [startEvent, stopEvent, attributedTo] = TARGET_CLOCK[kind];
  return {
    key: `sla_${kind.toLowerCase()}_compliance`,
    name: `SLA compliance: ${TARGET_NAME[kind]}`,
    description: `Share of ${TARGET_NAME[kind]} SLA targets met, among those whose outcome is known.`,
    formula:
      `100 × (${kind} targets MET) ÷ (${kind} targets MET or BREACHED), over tickets with an SLA policy that has a ${kind} target for the ticket's priority` +
      (kind === 'NEXT_RESPONSE' ? ', one target per customer wait' : '') +
      '; MET = achieved by the due time (start + target minutes, in business hours of the policy\'s calendar when the target says so); BREACHED = achieved later, or not achieved and the due time passed; PENDING targets (not due yet) and response targets CANCELLED by solving the ticket before they were due are excluded',
    unit: 'PERCENT',
    statistics: ['RATE', 'COUNT'],
    defaultStatistic: 'RATE',
    startEvent,
    stopEvent,
    attributedTo,
    dimensions: kit.ticketDimensions,
    version: 1,
    // A PENDING target becomes BREACHED when its due time passes, with no event.
    timeDependent: true,
    samples: (w) => Prisma.sql`
      SELECT s.* FROM (SELECT x.*, ${slaOutcome('x')} AS outcome FROM (${slaInstances(w, [kind])}) x) i
      CROSS JOIN LATERAL (${kit.ticketSamples(w, Prisma.sql`i.started_at`, Prisma.sql`CASE WHEN i.outcome = 'MET' THEN 1 ELSE 0 END`, Prisma.sql`t.id = i.ticket_id`)}) s
      WHERE i.outcome IN ('MET', 'BREACHED')`,
  };
}

/** The next-reply formula, for comments (tickets) or messages (conversations), and the authors that neither start nor end a wait. */
const nextReplyFormula = (item: string, ignored: string) =>
  `next public human agent reply − the customer's first ${item} after a public human agent reply; one sample per such wait (consecutive customer ${item}s are one wait); the wait before the first agent reply (first response) is not included; ${ignored} ${item}s and internal notes are ignored; waits without a reply yet are excluded, not zero`;

/** The metrics of this module, for METRICS in definitions.ts. */
export function slaMetrics(kit: SampleKit): MetricDefinition[] {
  const nextReply = (o: MetricOptions, w: string) => kit.seconds(o, Prisma.sql`${Prisma.raw(w)}.waiting_since`, Prisma.sql`${Prisma.raw(w)}.replied_at`);
  return [
    {
      key: 'ticket_next_reply_time',
      name: 'Next reply time (tickets)',
      description: 'How long customers wait for the next public reply by a human agent after they answer an agent on a ticket.',
      formula: nextReplyFormula('comment', 'bot, integration and system'),
      unit: 'SECONDS',
      statistics: kit.durationStatistics,
      defaultStatistic: 'MEDIAN',
      startEvent: 'public customer comment following a public human agent reply',
      stopEvent: 'next public human agent reply',
      attributedTo: 'start of the wait (the customer\'s comment)',
      dimensions: kit.ticketDimensions,
      version: 1,
      samples: (w, o) => Prisma.sql`
        SELECT s.* FROM cx_ticket_reply_waits(${w}::uuid) rw
        CROSS JOIN LATERAL (${kit.ticketSamples(w, Prisma.sql`rw.waiting_since`, nextReply(o, 'rw'), Prisma.sql`t.id = rw.ticket_id`)}) s
        WHERE rw.replied_at IS NOT NULL`,
    },
    {
      key: 'conversation_next_reply_time',
      name: 'Next reply time (conversations)',
      description: 'How long customers wait for the next public reply by a human agent after they answer an agent in a conversation.',
      formula: nextReplyFormula('message', 'bot and system'),
      unit: 'SECONDS',
      statistics: kit.durationStatistics,
      defaultStatistic: 'MEDIAN',
      startEvent: 'customer message following a public human agent message',
      stopEvent: 'next public human agent message',
      attributedTo: 'start of the wait (the customer\'s message)',
      dimensions: kit.conversationDimensions,
      version: 1,
      samples: (w, o) => Prisma.sql`
        SELECT s.* FROM cx_conversation_reply_waits(${w}::uuid) rw
        CROSS JOIN LATERAL (${kit.conversationSamples(w, Prisma.sql`rw.waiting_since`, nextReply(o, 'rw'), Prisma.sql`c.id = rw.conversation_id`)}) s
        WHERE rw.replied_at IS NOT NULL`,
    },
    ...SLA_KINDS.map((kind) => compliance(kit, kind)),
  ];
}
