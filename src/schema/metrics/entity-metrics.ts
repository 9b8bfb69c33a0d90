import { builder } from '../../builder.ts';

/**
 * Per-object drill-down: the same definitions as `metric`, for one ticket or conversation,
 * computed from the object's own timestamps (no extra query). Null means "has not happened
 * yet" — never zero.
 */
const secondsBetween = (from: Date | null, to: Date | null) => (from && to ? (to.getTime() - from.getTime()) / 1000 : null);

interface TicketTimes {
  createdAt: Date;
  firstResponseAt: Date | null;
  firstSolvedAt: Date | null;
  solvedAt: Date | null;
  publicAgentReplyCount: number;
  reopenCount: number;
}

const TicketMetricsRef = builder.objectRef<TicketTimes>('TicketMetrics').implement({
  description: 'This ticket\'s support metrics (calendar time; definitions as in `metricDefinitions`).',
  fields: (t) => ({
    firstResponseTime: t.float({
      nullable: true,
      description: 'Seconds from creation to the first public human agent reply (ticket_first_response_time); null before it.',
      resolve: (m) => secondsBetween(m.createdAt, m.firstResponseAt),
    }),
    firstResolutionTime: t.float({ nullable: true, description: 'Seconds from creation to the first SOLVED; null before it.', resolve: (m) => secondsBetween(m.createdAt, m.firstSolvedAt) }),
    fullResolutionTime: t.float({
      nullable: true,
      description: 'Seconds from creation to the latest SOLVED; null while not solved (also after a reopen).',
      resolve: (m) => secondsBetween(m.createdAt, m.solvedAt),
    }),
    replies: t.int({ description: 'Public replies by human agents.', resolve: (m) => m.publicAgentReplyCount }),
    reopened: t.boolean({ description: 'Reopened at least once.', resolve: (m) => m.reopenCount > 0 }),
    firstContactResolution: t.boolean({
      nullable: true,
      description: 'Solved with at most one public agent reply and never reopened; null while never solved.',
      resolve: (m) => (m.firstSolvedAt ? m.publicAgentReplyCount <= 1 && m.reopenCount === 0 : null),
    }),
  }),
});

builder.prismaObjectFields('Ticket', (t) => ({
  metrics: t.field({
    type: TicketMetricsRef,
    description: 'This ticket\'s support metrics.',
    select: { createdAt: true, firstResponseAt: true, firstSolvedAt: true, solvedAt: true, publicAgentReplyCount: true, reopenCount: true },
    resolve: (ticket) => ticket,
  }),
}));

interface ConversationTimes {
  firstCustomerMessageAt: Date | null;
  firstAgentResponseAt: Date | null;
  botHandoffAt: Date | null;
  firstResolvedAt: Date | null;
  createdAt: Date;
  reopenCount: number;
  waitingSince: Date | null;
}

const ConversationMetricsRef = builder.objectRef<ConversationTimes>('ConversationMetrics').implement({
  description: 'This conversation\'s metrics (calendar time; definitions as in `metricDefinitions`).',
  fields: (t) => ({
    firstResponseTime: t.float({
      nullable: true,
      description: 'Seconds from the first customer message to the first public human agent reply; null before it (or when an agent wrote first).',
      resolve: (m) => {
        const s = secondsBetween(m.firstCustomerMessageAt, m.firstAgentResponseAt);
        return s !== null && s >= 0 ? s : null;
      },
    }),
    firstResponseTimeFromHandoff: t.float({
      nullable: true,
      description: 'Seconds from the bot handoff to the first public human agent reply; null without a handoff or reply.',
      resolve: (m) => {
        const s = secondsBetween(m.botHandoffAt, m.firstAgentResponseAt);
        return s !== null && s >= 0 ? s : null;
      },
    }),
    firstResolutionTime: t.float({ nullable: true, description: 'Seconds from creation to the first resolution; null before it.', resolve: (m) => secondsBetween(m.createdAt, m.firstResolvedAt) }),
    waitingTime: t.float({
      nullable: true,
      description: 'Seconds the customer has been waiting for a reply, as of now; null when nobody is waiting.',
      resolve: (m) => (m.waitingSince ? (Date.now() - m.waitingSince.getTime()) / 1000 : null),
    }),
    reopened: t.boolean({ description: 'Reopened at least once.', resolve: (m) => m.reopenCount > 0 }),
  }),
});

builder.prismaObjectFields('Conversation', (t) => ({
  metrics: t.field({
    type: ConversationMetricsRef,
    description: 'This conversation\'s metrics.',
    select: { firstCustomerMessageAt: true, firstAgentResponseAt: true, botHandoffAt: true, firstResolvedAt: true, createdAt: true, reopenCount: true, waitingSince: true },
    resolve: (conversation) => conversation,
  }),
}));
