import DataLoader from 'dataloader';
import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import { Prisma } from '../../generated/prisma/client.ts';
import { clockLoaderFamily, type ClockRow } from './clock-loader.ts';
import { clockSeconds, SLA_KINDS, slaInstances, slaOutcome, type SlaKind } from '../../metrics/sla.ts';
import { SlaTargetKindEnum } from '../enums.ts';
import { idOfType } from '../global-id.ts';
import { workspaceIdOf } from '../tenancy.ts';

/**
 * Per-ticket drill-down: the same definitions as `metric`, for one ticket (conversations:
 * conversation-metrics.ts). Calendar-time durations come from the ticket's own timestamps (no
 * extra query). Business-time durations, next reply times and SLA statuses are computed in SQL,
 * batched: one statement per page of tickets (per calendar), however many tickets are listed.
 * Null means "has not happened yet" — never zero.
 */
const secondsBetween = (from: Date | null, to: Date | null) => (from && to ? (to.getTime() - from.getTime()) / 1000 : null);

interface TicketTimes {
  id: string;
  createdAt: Date;
  firstResponseAt: Date | null;
  firstSolvedAt: Date | null;
  solvedAt: Date | null;
  publicAgentReplyCount: number;
  reopenCount: number;
  /** Business clock: the BusinessCalendar to count in; null for calendar time. */
  calendarId: string | null;
}

interface TicketClockRow extends ClockRow {
  first_response: number | null;
  first_resolution: number | null;
  full_resolution: number | null;
  next_replies: number[];
}

/** Per request and clock, a loader of the tickets' durations. */
const ticketClock = clockLoaderFamily<TicketClockRow>(
  (ids, cal, ws) => Prisma.sql`
    SELECT t.id,
      ${clockSeconds(cal, Prisma.sql`t."createdAt"`, Prisma.sql`t."firstResponseAt"`)} AS first_response,
      ${clockSeconds(cal, Prisma.sql`t."createdAt"`, Prisma.sql`t."firstSolvedAt"`)} AS first_resolution,
      ${clockSeconds(cal, Prisma.sql`t."createdAt"`, Prisma.sql`t."solvedAt"`)} AS full_resolution,
      ARRAY(
        SELECT ${clockSeconds(cal, Prisma.sql`w."waitingSince"`, Prisma.sql`w."repliedAt"`)}
        FROM "ReplyWait" w
        WHERE w."ticketId" = t.id AND w."repliedAt" IS NOT NULL ORDER BY w."waitingSince"
      ) AS next_replies
    FROM "Ticket" t
    WHERE t."workspaceId" = ${ws}::uuid AND t.id = ANY(${[...ids]}::uuid[])`,
);

type ClockKey = 'first_response' | 'first_resolution' | 'full_resolution';

/** A duration in the requested clock: from the timestamps for calendar time, else from the loader. */
function duration(key: ClockKey, stop: 'firstResponseAt' | 'firstSolvedAt' | 'solvedAt') {
  return async (m: TicketTimes, _args: object, ctx: Context) =>
    m.calendarId ? ((await ticketClock(ctx, m.calendarId).load(m.id))?.[key] ?? null) : secondsBetween(m.createdAt, m[stop]);
}

type SlaStatus = 'MET' | 'BREACHED' | 'PENDING' | 'CANCELLED' | 'NOT_STARTED';

interface SlaStatusRow {
  ticket_id: string;
  kind: SlaKind;
  minutes: number;
  business_hours: boolean;
  started_at: Date | null;
  due_at: Date | null;
  achieved_at: Date | null;
  status: SlaStatus;
  remaining: number | null;
  overdue: number | null;
}

const slaLoaders = new WeakMap<Context, DataLoader<string, SlaStatusRow[]>>();

/**
 * The SLA status of each target of the ticket's policy for its current priority; for
 * NEXT_RESPONSE, of the latest customer wait. Remaining and overdue seconds are on the
 * target's own clock.
 */
function ticketSla(ctx: Context): DataLoader<string, SlaStatusRow[]> {
  let loader = slaLoaders.get(ctx);
  if (!loader) {
    const ws = workspaceIdOf(ctx);
    const targetSeconds = (from: Prisma.Sql, to: Prisma.Sql) => Prisma.sql`CASE WHEN st."businessHours" AND p."calendarId" IS NOT NULL
      THEN ${clockSeconds(Prisma.sql`p."calendarId"`, from, to)} ELSE ${clockSeconds(null, from, to)} END`;
    loader = new DataLoader(async (ids) => {
      const rows = await ctx.prisma.$queryRaw<SlaStatusRow[]>`
        WITH x AS (
          SELECT DISTINCT ON (i.ticket_id, i.kind) i.*, ${slaOutcome(Prisma.sql`i.achieved_at`, Prisma.sql`i.due_at`, Prisma.sql`i.solved_at`)} AS outcome
          FROM (${slaInstances(ws, SLA_KINDS, ids)}) i
          ORDER BY i.ticket_id, i.kind, i.started_at DESC
        )
        SELECT t.id AS ticket_id, st.kind::text AS kind, st.minutes, st."businessHours" AS business_hours,
          x.started_at, x.due_at, x.achieved_at, coalesce(x.outcome, 'NOT_STARTED') AS status,
          CASE WHEN x.outcome = 'PENDING' THEN ${targetSeconds(Prisma.sql`now()`, Prisma.sql`x.due_at`)} END AS remaining,
          CASE WHEN x.outcome = 'BREACHED' THEN ${targetSeconds(Prisma.sql`x.due_at`, Prisma.sql`coalesce(x.achieved_at, x.solved_at, now())`)} END AS overdue
        FROM "Ticket" t
        JOIN "SlaPolicy" p ON p.id = t."slaPolicyId"
        JOIN "SlaTarget" st ON st."policyId" = p.id AND st.priority = t.priority
        LEFT JOIN x ON x.ticket_id = t.id AND x.kind = st.kind::text
        WHERE t."workspaceId" = ${ws}::uuid AND t."mergedIntoId" IS NULL AND t.id = ANY(${[...ids]}::uuid[])
        ORDER BY t.id, st.kind`;
      return ids.map((id) => rows.filter((r) => r.ticket_id === id));
    });
    slaLoaders.set(ctx, loader);
  }
  return loader;
}

const SlaTargetStatusEnum = builder.enumType('SlaTargetStatus', {
  description: 'Where a ticket stands against one SLA target.',
  values: {
    MET: { description: 'Achieved at or before the due time.' },
    BREACHED: { description: 'Achieved after the due time, or not achieved and the due time has passed.' },
    PENDING: { description: 'Not achieved yet and not due yet: the clock is running.' },
    CANCELLED: { description: 'A response target not achieved because the ticket was solved before it was due; it counts neither way.' },
    NOT_STARTED: { description: 'NEXT_RESPONSE only: no customer comment has followed an agent reply yet, so no clock is running.' },
  } as const,
});

const TicketSlaStatusRef = builder.objectRef<SlaStatusRow>('TicketSlaStatus').implement({
  description:
    'One SLA target of the ticket\'s policy, for the ticket\'s current priority, and how the ticket stands against it (definitions as in the sla_*_compliance metrics).',
  fields: (t) => ({
    kind: t.field({ type: SlaTargetKindEnum, description: 'Which clock the target limits.', resolve: (s) => s.kind }),
    targetMinutes: t.int({ description: 'The limit, in minutes.', resolve: (s) => s.minutes }),
    businessHours: t.boolean({ description: 'True: counted in the open hours of the policy\'s calendar; false: in calendar time.', resolve: (s) => s.business_hours }),
    status: t.field({ type: SlaTargetStatusEnum, description: 'MET, BREACHED, PENDING, CANCELLED or NOT_STARTED.', resolve: (s) => s.status }),
    startedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the clock started: ticket creation, or (NEXT_RESPONSE) the customer comment that started the latest wait; null when NOT_STARTED.',
      resolve: (s) => s.started_at,
    }),
    dueAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the target is due; null when NOT_STARTED, or when the calendar has no open hours (the target is then never due).',
      resolve: (s) => s.due_at,
    }),
    achievedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it was achieved (the agent reply, or the solve); null while not achieved.',
      resolve: (s) => s.achieved_at,
    }),
    remainingSeconds: t.float({
      nullable: true,
      description: 'PENDING only: seconds until it is due, on the target\'s clock (business seconds for business-hours targets); null otherwise.',
      resolve: (s) => s.remaining,
    }),
    overdueSeconds: t.float({
      nullable: true,
      description: 'BREACHED only: seconds from the due time to the achievement (or to the solve, or to now while not achieved), on the target\'s clock; null otherwise.',
      resolve: (s) => s.overdue,
    }),
  }),
});

const TicketMetricsRef = builder.objectRef<TicketTimes>('TicketMetrics').implement({
  description:
    'This ticket\'s support metrics (definitions as in `metricDefinitions`); durations in calendar time, or in business time when `Ticket.metrics` got a `calendarId`.',
  fields: (t) => ({
    firstResponseTime: t.float({
      nullable: true,
      description: 'Seconds from creation to the first public human agent reply (ticket_first_response_time); null before it.',
      resolve: duration('first_response', 'firstResponseAt'),
    }),
    firstResolutionTime: t.float({ nullable: true, description: 'Seconds from creation to the first SOLVED; null before it.', resolve: duration('first_resolution', 'firstSolvedAt') }),
    fullResolutionTime: t.float({
      nullable: true,
      description: 'Seconds from creation to the latest SOLVED; null while not solved (also after a reopen).',
      resolve: duration('full_resolution', 'solvedAt'),
    }),
    nextReplyTimes: t.floatList({
      description:
        'Seconds of each answered customer wait after an agent reply, oldest first (the ticket_next_reply_time samples); empty when there is none.',
      resolve: async (m, _args, ctx) => (await ticketClock(ctx, m.calendarId).load(m.id))?.next_replies ?? [],
    }),
    replies: t.int({ description: 'Public replies by human agents.', resolve: (m) => m.publicAgentReplyCount }),
    reopened: t.boolean({ description: 'Reopened at least once.', resolve: (m) => m.reopenCount > 0 }),
    firstContactResolution: t.boolean({
      nullable: true,
      description: 'Solved with at most one public agent reply and never reopened; null while never solved.',
      resolve: (m) => (m.firstSolvedAt ? m.publicAgentReplyCount <= 1 && m.reopenCount === 0 : null),
    }),
    slaStatus: t.field({
      type: [TicketSlaStatusRef],
      description:
        'The ticket against each target of its SLA policy for its current priority, by kind; empty without a policy or without targets for the priority. Always on each target\'s own clock, whatever `calendarId` says.',
      resolve: (m, _args, ctx) => ticketSla(ctx).load(m.id),
    }),
  }),
});

builder.prismaObjectFields('Ticket', (t) => ({
  metrics: t.field({
    type: TicketMetricsRef,
    description: 'This ticket\'s support metrics.',
    args: {
      calendarId: t.arg.globalID({
        required: false,
        description: 'Measure durations in business time: only the open hours (minus holidays) of this BusinessCalendar count. Omitted: calendar time.',
      }),
    },
    select: { id: true, createdAt: true, firstResponseAt: true, firstSolvedAt: true, solvedAt: true, publicAgentReplyCount: true, reopenCount: true },
    resolve: (ticket, args) => ({ ...ticket, calendarId: args.calendarId ? idOfType(args.calendarId, 'BusinessCalendar', 'calendarId') : null }),
  }),
}));
