import { Prisma } from '../generated/prisma/client.ts';
import type { Dimension, MetricDefinition, MetricOptions, Statistic } from './definitions.ts';
import { calendarSeconds } from './seconds.ts';

/**
 * Next reply time and SLA compliance.
 *
 * A customer WAIT for a next reply starts at a public customer comment (message) that follows a
 * public human agent reply, and ends at the next public human agent reply; customer comments in
 * a row are one wait, from the first. Bot, integration and system comments and internal notes
 * neither start nor end a wait. The database keeps the waits in ReplyWait (cx_refresh_ticket_waits /
 * cx_refresh_conversation_waits, run by triggers on comments and messages).
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

type Samples = (workspaceId: string, at: Prisma.Sql, value: Prisma.Sql, where: Prisma.Sql, join?: Prisma.Sql) => Prisma.Sql;

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
 * of the given kinds, from the clocks the database keeps (TicketSlaClock, maintained by triggers
 * on tickets, comments, policies, targets and calendars; see the migration
 * reply_waits_sla_clocks_maintained). Columns: ticket_id, kind, minutes, business_hours,
 * calendar_id (the calendar the due time is counted in, null for calendar time), started_at,
 * achieved_at, solved_at, due_at.
 */
export function slaInstances(workspaceId: string, kinds: readonly SlaKind[], ticketIds?: readonly string[]): Prisma.Sql {
  return Prisma.sql`
    SELECT k."ticketId" AS ticket_id, k.kind::text AS kind, k."targetMinutes" AS minutes, k."businessHours" AS business_hours,
      k."calendarId" AS calendar_id, k."startedAt" AS started_at, k."achievedAt" AS achieved_at, t."solvedAt" AS solved_at, k."dueAt" AS due_at
    FROM "TicketSlaClock" k
    JOIN "Ticket" t ON t.id = k."ticketId"
    WHERE k."workspaceId" = ${workspaceId}::uuid AND ${clockKinds('k', kinds)}
      ${ticketIds ? Prisma.sql`AND k."ticketId" = ANY(${[...ticketIds]}::uuid[])` : Prisma.empty}`;
}

/** `alias.kind IN (…)`, each kind cast to the enum so the (workspaceId, kind, startedAt) index applies. */
function clockKinds(alias: string, kinds: readonly SlaKind[]): Prisma.Sql {
  return Prisma.sql`${Prisma.raw(alias)}.kind IN (${Prisma.join(kinds.map((k) => Prisma.sql`${k}::"SlaTargetKind"`))})`;
}

/** The outcome of an SLA instance, as of now, from its achievement, due time and the ticket's latest solve. */
export function slaOutcome(achieved: Prisma.Sql, due: Prisma.Sql, solved: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`CASE
    WHEN ${achieved} IS NOT NULL THEN
      CASE WHEN ${due} IS NULL OR ${achieved} <= ${due} THEN 'MET' ELSE 'BREACHED' END
    WHEN ${due} <= coalesce(${solved}, now()) THEN 'BREACHED'
    WHEN ${solved} IS NOT NULL THEN 'CANCELLED'
    ELSE 'PENDING' END`;
}

/** Seconds from `from` to `to` on the target's clock (business seconds of `calendar` when given); null when either end is. */
export function clockSeconds(calendar: Prisma.Sql | null, from: Prisma.Sql, to: Prisma.Sql): Prisma.Sql {
  const span = calendar ? Prisma.sql`cx_business_seconds(${calendar}, ${from}, ${to})` : calendarSeconds(from, to);
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
    samples: (w) => {
      const outcome = slaOutcome(Prisma.sql`k."achievedAt"`, Prisma.sql`k."dueAt"`, Prisma.sql`t."solvedAt"`);
      return kit.ticketSamples(
        w,
        Prisma.sql`k."startedAt"`,
        Prisma.sql`CASE WHEN ${outcome} = 'MET' THEN 1 ELSE 0 END`,
        Prisma.sql`k."workspaceId" = ${w}::uuid AND ${outcome} IN ('MET', 'BREACHED')`,
        Prisma.sql`JOIN "TicketSlaClock" k ON k."ticketId" = t.id AND ${clockKinds('k', [kind])}`,
      );
    },
  };
}

/** The next-reply formula, for comments (tickets) or messages (conversations), and the authors that neither start nor end a wait. */
const nextReplyFormula = (item: string, ignored: string) =>
  `next public human agent reply − the customer's first ${item} after a public human agent reply; one sample per such wait (consecutive customer ${item}s are one wait); the wait before the first agent reply (first response) is not included; ${ignored} ${item}s and internal notes are ignored; waits without a reply yet are excluded, not zero`;

/** The metrics of this module, for METRICS in definitions.ts. */
export function slaMetrics(kit: SampleKit): MetricDefinition[] {
  const nextReply = (o: MetricOptions) => kit.seconds(o, Prisma.sql`rw."waitingSince"`, Prisma.sql`rw."repliedAt"`);
  const answered = (w: string) => Prisma.sql`rw."workspaceId" = ${w}::uuid AND rw."repliedAt" IS NOT NULL`;
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
      samples: (w, o) =>
        kit.ticketSamples(w, Prisma.sql`rw."waitingSince"`, nextReply(o), answered(w), Prisma.sql`JOIN "ReplyWait" rw ON rw."ticketId" = t.id`),
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
      samples: (w, o) =>
        kit.conversationSamples(w, Prisma.sql`rw."waitingSince"`, nextReply(o), answered(w), Prisma.sql`JOIN "ReplyWait" rw ON rw."conversationId" = c.id`),
    },
    ...SLA_KINDS.map((kind) => compliance(kit, kind)),
  ];
}
