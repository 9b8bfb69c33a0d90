import { Prisma } from '../generated/prisma/client.ts';
import {
  CONVERSATION_DIMS,
  conversationSamples,
  DURATION_STATS,
  seconds,
  TICKET_DIMENSIONS,
  TICKET_DIMS,
  ticketSamples,
  type MetricDefinition,
  type MetricOptions,
} from './definitions.ts';

/**
 * Workload metrics: how much work was done (tickets solved, handle time) and how much is waiting
 * (backlog).
 *
 * Work time is captured explicitly: a WorkEntry (mutation `logWork`) says that an agent worked a
 * ticket or a conversation from `startedAt` for `seconds`, measured by hand (MANUAL), by a timer
 * in the agent's tool (TIMER) or by the tool while a reply was being composed (COMPOSITION).
 * Nothing is inferred from message timestamps: the gap between two messages is waiting as often
 * as it is work.
 */

/**
 * A work entry's (alias `e`) seconds on the requested clock: with BUSINESS, its part inside the
 * open hours; on the calendar clock, its own whole seconds (summing them as float8 rather than
 * through extract(epoch …), a numeric, halved the cost of the sum over 800,000 entries).
 */
function workSeconds(o: MetricOptions): Prisma.Sql {
  if (!o.businessCalendarId) return Prisma.sql`e.seconds::float8`;
  return seconds(o, Prisma.sql`e."startedAt"`, Prisma.sql`e."startedAt" + make_interval(secs => e.seconds)`);
}

const HANDLE_TIME_EXCLUSION =
  'without any work entry are excluded, not zero: no entry means the time was not captured, and counting it as 0 would pull the ' +
  'average down for everything nobody logged. With clock: BUSINESS, only the part of each entry inside the calendar\'s open hours counts.';

/**
 * The definitions, built on call: definitions.ts spreads them into METRICS while this module and
 * it import each other, so nothing here may be evaluated before the helpers it uses exist.
 */
export function workloadMetrics(): MetricDefinition[] {
  return [
    {
      key: 'tickets_solved',
      name: 'Tickets solved',
      description: 'Tickets solved for the first time.',
      formula: 'count of tickets whose first SOLVED falls in the range (merged-away duplicates excluded; a reopen and second solve does not count again)',
      unit: 'COUNT',
      statistics: ['COUNT'],
      defaultStatistic: 'COUNT',
      startEvent: 'first SOLVED',
      stopEvent: 'first SOLVED',
      attributedTo: 'first solve',
      dimensions: TICKET_DIMS,
      version: 1,
      samples: (w) => ticketSamples(w, Prisma.sql`t."firstSolvedAt"`, Prisma.sql`1`, Prisma.sql`t."firstSolvedAt" IS NOT NULL`),
    },
    {
      key: 'average_handle_time',
      name: 'Handle time (tickets)',
      description: 'Agent work time per solved ticket, from the work entries logged on it.',
      formula:
        'per ticket solved at least once: the sum of the seconds of every work entry (logWork: MANUAL, TIMER or COMPOSITION) logged on the ticket ' +
        'and on the duplicates merged into it, whoever logged them and whenever (work after a reopen adds to it); attributed to the first solve. ' +
        `Tickets ${HANDLE_TIME_EXCLUSION}`,
      unit: 'SECONDS',
      statistics: DURATION_STATS,
      defaultStatistic: 'MEAN',
      startEvent: 'work entry started',
      stopEvent: 'work entry ended',
      attributedTo: 'first solve',
      dimensions: TICKET_DIMS,
      version: 1,
      // A ticket sums its own entries and those of every duplicate merged into it, through the
      // whole chain (source → target → …). Entries are summed per ticket in one parallel
      // aggregate; only the entries of the few merged-away tickets walk the chain to their root
      // (each CTE is read once, so the planner inlines it and can parallelize). Both sums are
      // joined to the tickets (hash joins): regrouping them by a computed root made the planner
      // expect a few thousand tickets and probe the ticket table once per ticket (3 s at
      // 1,000,000 tickets), and walking every entry up the chain kept 1,400,000 entries in a
      // recursive, single-threaded plan.
      samples: (w, o) => Prisma.sql`
        SELECT * FROM (
          WITH RECURSIVE own AS (
            SELECT e."ticketId" AS ticket_id, sum(${workSeconds(o)}) AS value
            FROM "WorkEntry" e
            WHERE e."workspaceId" = ${w}::uuid AND e."ticketId" IS NOT NULL
            GROUP BY 1
          ),
          chain(ticket_id, root_id) AS (
            SELECT d.id, d."mergedIntoId" FROM "Ticket" d WHERE d."workspaceId" = ${w}::uuid AND d."mergedIntoId" IS NOT NULL
            UNION ALL
            SELECT chain.ticket_id, m."mergedIntoId" FROM chain JOIN "Ticket" m ON m.id = chain.root_id WHERE m."mergedIntoId" IS NOT NULL
          ),
          merged AS (
            SELECT c.root_id, sum(${workSeconds(o)}) AS value
            FROM chain c JOIN "Ticket" r ON r.id = c.root_id AND r."mergedIntoId" IS NULL JOIN "WorkEntry" e ON e."ticketId" = c.ticket_id
            GROUP BY 1
          )
          ${ticketSamples(
            w,
            Prisma.sql`t."firstSolvedAt"`,
            Prisma.sql`coalesce(own.value, 0) + coalesce(merged.value, 0)`,
            Prisma.sql`t."firstSolvedAt" IS NOT NULL AND (own.ticket_id IS NOT NULL OR merged.root_id IS NOT NULL)`,
            Prisma.sql`LEFT JOIN own ON own.ticket_id = t.id LEFT JOIN merged ON merged.root_id = t.id`,
          )}
        ) h`,
    },
    {
      key: 'conversation_handle_time',
      name: 'Handle time (conversations)',
      description: 'Agent work time per resolved conversation, from the work entries logged on it.',
      formula:
        'per conversation resolved at least once: the sum of the seconds of every work entry (logWork) logged on it, whoever logged them and ' +
        `whenever (work after a reopen adds to it); attributed to the first resolution. Conversations ${HANDLE_TIME_EXCLUSION}`,
      unit: 'SECONDS',
      statistics: DURATION_STATS,
      defaultStatistic: 'MEAN',
      startEvent: 'work entry started',
      stopEvent: 'work entry ended',
      attributedTo: 'first resolution',
      dimensions: CONVERSATION_DIMS,
      version: 1,
      samples: (w, o) =>
        conversationSamples(
          w,
          Prisma.sql`c."firstResolvedAt"`,
          Prisma.sql`h.value`,
          Prisma.sql`c."firstResolvedAt" IS NOT NULL`,
          Prisma.sql`JOIN (SELECT e."conversationId" AS id, sum(${workSeconds(o)}) AS value FROM "WorkEntry" e
            WHERE e."workspaceId" = ${w}::uuid AND e."conversationId" IS NOT NULL GROUP BY 1) h ON h.id = c.id`,
        ),
    },
    {
      key: 'ticket_backlog',
      kind: 'SNAPSHOT',
      name: 'Ticket backlog',
      description: 'Tickets waiting for work at an instant: the end of the range, and the start of each time bucket.',
      formula:
        'count of tickets whose status at the instant was NEW, OPEN, PENDING or ON_HOLD, replayed from the audit trail (creation, every status ' +
        'change, reopens, merges). A ticket leaves the backlog when it is SOLVED or CLOSED or merged into another, and re-enters it when reopened; ' +
        'a merged-away duplicate counts until its merge. Value at the range end (or now, if the range ends in the future); each series point is the ' +
        'level at its bucket\'s local start (null after now); an empty backlog is 0. Team, agent and the other dimensions are the ticket\'s current ones.',
      unit: 'COUNT',
      statistics: ['COUNT'],
      defaultStatistic: 'COUNT',
      startEvent: 'ticket created or reopened (or moved to an unsolved status)',
      stopEvent: 'ticket SOLVED, CLOSED or merged',
      attributedTo: 'each instant the ticket is open',
      dimensions: TICKET_DIMS,
      version: 1,
      // Series points after now are null until their instant passes.
      timeDependent: true,
      // The intervals are replayed from the audit trail by a trigger as it is appended to (see
      // TicketOpenInterval in prisma/schema.prisma): one row per unsolved spell of a ticket.
      samples: (w) => Prisma.sql`
        SELECT i."openedAt" AS at, i."closedAt" AS until, ${TICKET_DIMENSIONS}
        FROM "TicketOpenInterval" i
        JOIN "Ticket" t ON t.id = i."ticketId"
        LEFT JOIN "Conversation" sc ON sc.id = t."sourceConversationId"
        WHERE i."workspaceId" = ${w}::uuid`,
    },
  ];
}
