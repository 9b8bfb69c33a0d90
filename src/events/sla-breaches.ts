import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import type { SlaTargetKind } from '../generated/prisma/enums.ts';
import type { Logger } from '../logger.ts';
import { createPeriodicJob, type PeriodicJob } from '../jobs/periodic.ts';
import { slaOutcome } from '../metrics/sla.ts';
import type { WakeupBus } from './bus.ts';
import { recordEvents, type NewEvent } from './outbox.ts';

/**
 * `ticket.sla_breached`: time passing is not a write, so no mutation can record it. Every
 * instance runs a sweeper that, every few seconds, claims the SLA target instances that have
 * breached and are not announced yet, and records one event for each.
 *
 * - A target INSTANCE is (ticketId, kind, startedAt): clock rows are deleted and re-inserted by
 *   cx_refresh_ticket_sla whenever their inputs change, so their ids mean nothing. A recomputed
 *   clock with the same start is the same instance — a policy edit that moves a breached
 *   target's due time later does not announce it again; a new policy on the ticket restarts its
 *   clocks at the same start, so that is the same instance too. A new customer wait (its own
 *   start) or a reopen that un-achieves the resolution target are what make new instances.
 * - Claiming: one INSERT … ON CONFLICT DO NOTHING RETURNING into SlaBreachNotice (primary key =
 *   the instance), in the transaction that records the events through the outbox. Whatever the
 *   number of instances or restarts, an instance is announced once or not at all; a failed
 *   transaction releases its claims. Sweeps of several servers also take one transaction-scoped
 *   advisory lock, so they run one after the other instead of waiting on each other's rows.
 * - What breaches: exactly what `slaOutcome` (src/metrics/sla.ts) calls BREACHED, so the events
 *   agree with `slaStatus` and the compliance metrics. Two ways, read through two indexes:
 *     RUNNING   not achieved, due time passed (and, for response targets, not solved before
 *               it): announced at the first sweep after its due time, `achievedAt` null;
 *     LATE      achieved after its due time before any sweep saw it running (answered within
 *               a sweep interval of its due time, or while no server ran): announced at the
 *               next sweep, with its `achievedAt`.
 *   A target announced while running and achieved late afterwards is the same instance: its
 *   notice keeps it from a second event. A target achieved in time, cancelled by solving the
 *   ticket before it was due, or without a due time (a calendar with no open hours) never
 *   breaches.
 * - Missed while down: the first sweep runs at start-up and announces what passed meanwhile,
 *   with the due time in the payload (`occurredAt` is when the event was recorded). Due times
 *   older than the look-back window are history, not news, and are never announced, running or
 *   achieved late; the window also bounds each sweep's index range scans, however many targets
 *   were breached long ago and still run (abandoned tickets) or were achieved late long ago.
 */

export const SLA_BREACHED = 'ticket.sla_breached';

/** One announced breach (raw ids; the change feed and subscriptions turn them into global IDs). */
export interface SlaBreach {
  workspaceId: string;
  ticketId: string;
  kind: SlaTargetKind;
  startedAt: Date;
  dueAt: Date;
  /** When a target achieved late was achieved; null when it was still running when announced. */
  achievedAt: Date | null;
  teamId: string | null;
  assigneeId: string | null;
}

export interface SweepOptions {
  /** Most breaches claimed by this sweep. */
  batchSize: number;
  /** Only due times within this many milliseconds before now. */
  lookbackMs: number;
}

/** Sweeps of all servers on one database run one at a time (an arbitrary key, far from the outbox's per-workspace ones). */
const SWEEP_LOCK = Prisma.sql`SELECT pg_advisory_xact_lock(hashtextextended('cxgraph:sla_breach_sweep', 0))`;

/**
 * Claims up to `batchSize` breached target instances not announced yet, and records their
 * events, in one transaction. Resolves with what it announced, oldest due time first.
 */
export async function sweepSlaBreaches(prisma: PrismaClient, options: SweepOptions): Promise<SlaBreach[]> {
  const outcome = slaOutcome(Prisma.sql`k."achievedAt"`, Prisma.sql`k."dueAt"`, Prisma.sql`t."solvedAt"`);
  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw(SWEEP_LOCK);
      const since = Prisma.sql`now() - make_interval(secs => ${options.lookbackMs / 1000})`;
      // Two disjoint range scans over due times in the window, one per way of breaching, each
      // with the index that matches it (one WHERE with an OR would leave no single index to range
      // over, and the planner free to pick a scan of the whole table):
      // - running clocks: the (achievedAt, dueAt) index, equality on its first column
      //   (achievedAt IS NULL) and a range on its second;
      // - clocks achieved late: the partial index on dueAt WHERE achievedAt > dueAt
      //   (TicketSlaClock_achieved_late_idx), which holds only clocks BREACHED by achievement, so
      //   the range reads no met clock. It applies because the branch repeats its predicate
      //   word for word. (The (achievedAt, dueAt) index could only range over achievedAt: every
      //   clock achieved within the window, mostly met, each fetched from the heap to compare.)
      // Notices of earlier sweeps are skipped by primary key; ON CONFLICT covers a claim that
      // raced this one anyway.
      const claimed = await tx.$queryRaw<SlaBreach[]>`
        WITH due AS (
          SELECT k."workspaceId", k."ticketId", k.kind, k."startedAt", k."dueAt", k."achievedAt", t."teamId", t."assigneeId"
          FROM (
            SELECT "workspaceId", "ticketId", kind, "startedAt", "dueAt", "achievedAt" FROM "TicketSlaClock"
            WHERE "achievedAt" IS NULL AND "dueAt" <= now() AND "dueAt" > ${since}
            UNION ALL
            SELECT "workspaceId", "ticketId", kind, "startedAt", "dueAt", "achievedAt" FROM "TicketSlaClock"
            WHERE "achievedAt" > "dueAt" AND "dueAt" <= now() AND "dueAt" > ${since}
          ) k
          JOIN "Ticket" t ON t.id = k."ticketId"
          WHERE ${outcome} = 'BREACHED'
            AND NOT EXISTS (
              SELECT 1 FROM "SlaBreachNotice" n WHERE n."ticketId" = k."ticketId" AND n.kind = k.kind AND n."startedAt" = k."startedAt")
          ORDER BY k."dueAt", k."ticketId", k.kind
          LIMIT ${options.batchSize}
        ),
        claimed AS (
          INSERT INTO "SlaBreachNotice" ("ticketId", kind, "startedAt", "workspaceId", "dueAt")
          SELECT "ticketId", kind, "startedAt", "workspaceId", "dueAt" FROM due
          ON CONFLICT DO NOTHING
          RETURNING "ticketId", kind, "startedAt"
        )
        SELECT d."workspaceId"::text AS "workspaceId", d."ticketId"::text AS "ticketId", d.kind::text AS kind, d."startedAt", d."dueAt",
               d."achievedAt", d."teamId"::text AS "teamId", d."assigneeId"::text AS "assigneeId"
        FROM claimed c
        JOIN due d ON d."ticketId" = c."ticketId" AND d.kind = c.kind AND d."startedAt" = c."startedAt"
        ORDER BY d."workspaceId", d."dueAt", d."ticketId", d.kind`;
      const byWorkspace = new Map<string, NewEvent[]>();
      for (const b of claimed) {
        let events = byWorkspace.get(b.workspaceId);
        if (!events) byWorkspace.set(b.workspaceId, (events = []));
        events.push({
          type: SLA_BREACHED,
          subjectType: 'Ticket',
          subjectId: b.ticketId,
          payload: {
            ticketId: b.ticketId,
            kind: b.kind,
            startedAt: b.startedAt.toISOString(),
            dueAt: b.dueAt.toISOString(),
            // Null: still running when announced (a late achievement afterwards sends nothing more).
            achievedAt: b.achievedAt?.toISOString() ?? null,
            teamId: b.teamId,
            assigneeId: b.assigneeId,
          },
        });
      }
      // Workspaces in id order: the outbox's per-workspace locks are always taken in one order.
      for (const [workspaceId, events] of byWorkspace) {
        await recordEvents(tx, { workspaceId, kind: 'SYSTEM', agentId: null }, events);
      }
      return [...claimed].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
    },
    // Waiting for another server's sweep counts against the timeout.
    { maxWait: 10_000, timeout: 60_000 },
  );
}

/**
 * Sweeps batch after batch until the backlog is gone, waking the subscribers of every workspace
 * that got events; `sweep()` resolves with what it announced (nothing once stopped). Its first
 * sweep at start announces what passed while no server ran.
 */
export type SlaBreachSweeper = PeriodicJob<SlaBreach[]>;

export interface SweeperOptions extends SweepOptions {
  prisma: PrismaClient;
  bus: WakeupBus;
  log: Logger;
  /** Pause between the end of one sweep and the next. */
  intervalMs: number;
}

/** Batches per sweep, so a huge backlog never keeps one sweep (and shutdown) busy for long. */
const MAX_BATCHES_PER_SWEEP = 20;

export function createSlaBreachSweeper(options: SweeperOptions): SlaBreachSweeper {
  const { prisma, bus, log } = options;
  return createPeriodicJob({
    name: 'SLA breach sweep',
    intervalMs: options.intervalMs,
    log,
    async run(stopped) {
      const announced: SlaBreach[] = [];
      for (let batch = 0; batch < MAX_BATCHES_PER_SWEEP && !stopped(); batch += 1) {
        const breaches = await sweepSlaBreaches(prisma, options);
        announced.push(...breaches);
        // After the commit: subscribers here and, through Redis, on every other instance.
        for (const workspaceId of new Set(breaches.map((b) => b.workspaceId))) {
          bus.notify(workspaceId).catch((error: unknown) => log.warn({ err: error }, 'could not publish a wake-up'));
        }
        if (breaches.length < options.batchSize) break;
      }
      if (announced.length > 0) log.info({ breaches: announced.length }, 'announced SLA breaches');
      return announced;
    },
  });
}
