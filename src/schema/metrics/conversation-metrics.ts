import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import { Prisma } from '../../generated/prisma/client.ts';
import { clockSeconds } from '../../metrics/sla.ts';
import { clockLoaderFamily, type ClockRow } from './clock-loader.ts';
import { idOfType } from '../global-id.ts';

/**
 * Per-conversation drill-down, the counterpart of `Ticket.metrics` (entity-metrics.ts): the
 * definitions of the conversation_* metrics for one conversation. Calendar-time durations come
 * from the conversation's own timestamps (no extra query); business-time durations and next reply
 * times are computed in SQL, batched: one statement per page of conversations (per calendar).
 * Null means "has not happened yet" — never zero.
 */

interface ConversationTimes {
  id: string;
  firstCustomerMessageAt: Date | null;
  firstAgentResponseAt: Date | null;
  botHandoffAt: Date | null;
  firstResolvedAt: Date | null;
  createdAt: Date;
  reopenCount: number;
  waitingSince: Date | null;
  /** Business clock: the BusinessCalendar to count in; null for calendar time. */
  calendarId: string | null;
}

interface ConversationClockRow extends ClockRow {
  first_response: number | null;
  first_response_from_handoff: number | null;
  first_resolution: number | null;
  next_replies: number[];
}

/** A reply before the clock starts (an agent wrote first) is not a response time, in either clock. */
function responseSeconds(from: Date | null, to: Date | null): number | null {
  return from && to && to >= from ? (to.getTime() - from.getTime()) / 1000 : null;
}

const responseSql = (cal: Prisma.Sql | null, from: Prisma.Sql, to: Prisma.Sql) =>
  Prisma.sql`CASE WHEN ${to} >= ${from} THEN ${clockSeconds(cal, from, to)} END`;

/** Per request and clock, a loader of the conversations' durations. */
const conversationClock = clockLoaderFamily<ConversationClockRow>(
  (ids, cal, ws) => Prisma.sql`
    SELECT c.id,
      ${responseSql(cal, Prisma.sql`c."firstCustomerMessageAt"`, Prisma.sql`c."firstAgentResponseAt"`)} AS first_response,
      ${responseSql(cal, Prisma.sql`c."botHandoffAt"`, Prisma.sql`c."firstAgentResponseAt"`)} AS first_response_from_handoff,
      ${clockSeconds(cal, Prisma.sql`c."createdAt"`, Prisma.sql`c."firstResolvedAt"`)} AS first_resolution,
      ARRAY(
        SELECT ${clockSeconds(cal, Prisma.sql`w."waitingSince"`, Prisma.sql`w."repliedAt"`)}
        FROM "ReplyWait" w
        WHERE w."conversationId" = c.id AND w."repliedAt" IS NOT NULL ORDER BY w."waitingSince"
      ) AS next_replies
    FROM "Conversation" c
    WHERE c."workspaceId" = ${ws}::uuid AND c.id = ANY(${[...ids]}::uuid[])`,
);

/** A duration in the requested clock: from the timestamps for calendar time, else from the loader. */
function duration(key: 'first_response' | 'first_response_from_handoff' | 'first_resolution', calendar: (m: ConversationTimes) => number | null) {
  return async (m: ConversationTimes, _args: object, ctx: Context) =>
    m.calendarId ? ((await conversationClock(ctx, m.calendarId).load(m.id))?.[key] ?? null) : calendar(m);
}

const ConversationMetricsRef = builder.objectRef<ConversationTimes>('ConversationMetrics').implement({
  description:
    'This conversation\'s metrics (definitions as in `metricDefinitions`); durations in calendar time, or in business time when `Conversation.metrics` got a `calendarId` (except `waitingTime`).',
  fields: (t) => ({
    firstResponseTime: t.float({
      nullable: true,
      description:
        'Seconds from the first customer message to the first public human agent reply (conversation_first_response_time); null before it (or when an agent wrote first).',
      resolve: duration('first_response', (m) => responseSeconds(m.firstCustomerMessageAt, m.firstAgentResponseAt)),
    }),
    firstResponseTimeFromHandoff: t.float({
      nullable: true,
      description:
        'Seconds from the bot handoff to the first public human agent reply (conversation_first_response_time with firstResponseFrom: BOT_HANDOFF); null without a handoff or reply, or when the reply came before the handoff.',
      resolve: duration('first_response_from_handoff', (m) => responseSeconds(m.botHandoffAt, m.firstAgentResponseAt)),
    }),
    firstResolutionTime: t.float({
      nullable: true,
      description: 'Seconds from creation to the first resolution; null before it.',
      resolve: duration('first_resolution', (m) => (m.firstResolvedAt ? (m.firstResolvedAt.getTime() - m.createdAt.getTime()) / 1000 : null)),
    }),
    nextReplyTimes: t.floatList({
      description:
        'Seconds of each answered customer wait after an agent reply, oldest first (the conversation_next_reply_time samples); empty when there is none. Waits not answered yet are not listed.',
      resolve: async (m, _args, ctx) => (await conversationClock(ctx, m.calendarId).load(m.id))?.next_replies ?? [],
    }),
    waitingTime: t.float({
      nullable: true,
      description:
        'Seconds the customer has been waiting for a reply, as of now, always in calendar time (a live figure for the inbox, whatever `calendarId` says); null when nobody is waiting.',
      resolve: (m) => (m.waitingSince ? (Date.now() - m.waitingSince.getTime()) / 1000 : null),
    }),
    reopened: t.boolean({ description: 'Reopened at least once.', resolve: (m) => m.reopenCount > 0 }),
  }),
});

builder.prismaObjectFields('Conversation', (t) => ({
  metrics: t.field({
    type: ConversationMetricsRef,
    description: 'This conversation\'s metrics.',
    args: {
      calendarId: t.arg.globalID({
        required: false,
        description: 'Measure durations in business time: only the open hours (minus holidays) of this BusinessCalendar count. Omitted: calendar time.',
      }),
    },
    select: {
      id: true,
      firstCustomerMessageAt: true,
      firstAgentResponseAt: true,
      botHandoffAt: true,
      firstResolvedAt: true,
      createdAt: true,
      reopenCount: true,
      waitingSince: true,
    },
    resolve: (conversation, args) => ({ ...conversation, calendarId: args.calendarId ? idOfType(args.calendarId, 'BusinessCalendar', 'calendarId') : null }),
  }),
}));
