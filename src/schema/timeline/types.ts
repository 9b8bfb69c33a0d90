import { builder } from '../../builder.ts';
import type { Scope } from '../../auth/scopes.ts';
import { viewerCan } from '../../auth/viewer.ts';
import type { Context } from '../../context.ts';
import { loadById } from '../batch-load.ts';
import { validatePageArgs, DEFAULT_PAGE_SIZE } from '../connections.ts';
import {
  decodeTimelineCursor,
  encodeTimelineCursor,
  TIMELINE_KINDS,
  timelineCount,
  timelinePage,
  type TimelineKey,
  type TimelineKind,
} from './service.ts';

/** Which scope reveals each kind of entry: a key sees only the parts of the journey it may read. */
const KIND_SCOPE: Record<TimelineKind, Scope> = {
  CONVERSATION: 'conversations:read',
  MESSAGE: 'conversations:read',
  TICKET: 'tickets:read',
  TICKET_EVENT: 'tickets:read',
  SURVEY_RESPONSE: 'surveys:read',
  CUSTOMER_EVENT: 'customers:read',
};

const TimelineKindEnum = builder.enumType('TimelineEntryKind', {
  description: 'What a timeline entry is.',
  values: {
    CONVERSATION: { description: 'A conversation started (service or support, any channel).' },
    MESSAGE: { description: 'A message in one of the customer\'s conversations (including internal notes).' },
    TICKET: { description: 'A ticket was opened for the customer.' },
    TICKET_EVENT: { description: 'A change on one of the customer\'s tickets (status, assignee, comment, escalation…).' },
    SURVEY_RESPONSE: { description: 'A survey sent to or answered by the customer (at the answer time once answered).' },
    CUSTOMER_EVENT: { description: 'A behavioural event: signup, purchase, login, cancellation…' },
  } as const,
});

type Entry = TimelineKey;

const MODEL_OF = {
  CONVERSATION: 'conversation',
  MESSAGE: 'message',
  TICKET: 'ticket',
  TICKET_EVENT: 'ticketEvent',
  SURVEY_RESPONSE: 'surveyResponse',
  CUSTOMER_EVENT: 'customerEvent',
} as const;

function rowIf(ctx: Context, query: object, entry: Entry, kind: TimelineKind) {
  return entry.kind === kind ? (loadById(ctx, MODEL_OF[kind], query, entry.id) as never) : null;
}

const TimelineEntryRef = builder.objectRef<Entry>('TimelineEntry').implement({
  description: 'One interaction in a customer\'s journey. Exactly the field matching `kind` is set.',
  fields: (t) => ({
    kind: t.field({ type: TimelineKindEnum, description: 'What this entry is.', resolve: (e) => e.kind }),
    occurredAt: t.field({ type: 'DateTime', description: 'When it happened; the timeline is ordered by it, newest first.', resolve: (e) => e.occurredAt }),
    conversation: t.prismaField({ type: 'Conversation', nullable: true, description: 'Set for CONVERSATION.', resolve: (q, e, _a, ctx) => rowIf(ctx, q, e, 'CONVERSATION') }),
    message: t.prismaField({ type: 'Message', nullable: true, description: 'Set for MESSAGE.', resolve: (q, e, _a, ctx) => rowIf(ctx, q, e, 'MESSAGE') }),
    ticket: t.prismaField({ type: 'Ticket', nullable: true, description: 'Set for TICKET.', resolve: (q, e, _a, ctx) => rowIf(ctx, q, e, 'TICKET') }),
    ticketEvent: t.prismaField({ type: 'TicketEvent', nullable: true, description: 'Set for TICKET_EVENT.', resolve: (q, e, _a, ctx) => rowIf(ctx, q, e, 'TICKET_EVENT') }),
    surveyResponse: t.prismaField({
      type: 'SurveyResponse',
      nullable: true,
      description: 'Set for SURVEY_RESPONSE.',
      resolve: (q, e, _a, ctx) => rowIf(ctx, q, e, 'SURVEY_RESPONSE'),
    }),
    customerEvent: t.prismaField({
      type: 'CustomerEvent',
      nullable: true,
      description: 'Set for CUSTOMER_EVENT.',
      resolve: (q, e, _a, ctx) => rowIf(ctx, q, e, 'CUSTOMER_EVENT'),
    }),
  }),
});

interface TimelineConnection {
  edges: { cursor: string; node: Entry }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  count: () => Promise<number>;
}

const TimelineEdgeRef = builder.objectRef<TimelineConnection['edges'][number]>('TimelineEdge').implement({
  description: 'One timeline entry with its cursor.',
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Opaque position; pass as `after` for the entries that follow.' }),
    node: t.field({ type: TimelineEntryRef, description: 'The entry.', resolve: (e) => e.node }),
  }),
});

const TimelineConnectionRef = builder.objectRef<TimelineConnection>('TimelineConnection').implement({
  description: 'A page of a customer\'s timeline, newest first.',
  fields: (t) => ({
    edges: t.field({ type: [TimelineEdgeRef], description: 'The entries of this page, newest first.', resolve: (c) => c.edges }),
    pageInfo: t.field({ type: builder.pageInfoRef(), description: 'Where this page sits in the whole timeline.', resolve: (c) => c.pageInfo }),
    totalCount: t.int({ description: 'How many entries match, across all pages.', resolve: (c) => c.count() }),
  }),
});

function visibleKinds(ctx: Context, requested: readonly TimelineKind[] | null | undefined): TimelineKind[] {
  const kinds = requested?.length ? [...new Set(requested)] : [...TIMELINE_KINDS];
  return kinds.filter((k) => viewerCan(ctx.viewer, KIND_SCOPE[k]));
}

builder.prismaObjectFields('Customer', (t) => ({
  timeline: t.field({
    type: TimelineConnectionRef,
    description:
      'Every interaction of this customer with the company — conversations and messages, tickets and their changes, surveys and behavioural events — in one list, newest first. Kinds the API key may not read are left out. Pages forward only (`first`/`after`).',
    args: {
      first: t.arg.int({ required: false, description: 'Page size (1–100, default 25).' }),
      after: t.arg.string({ required: false, description: 'Return entries after (older than) this cursor.' }),
      types: t.arg({ type: [TimelineKindEnum], required: false, description: 'Only these kinds (default: all).' }),
    },
    select: { id: true, workspaceId: true },
    resolve: async (customer, args, ctx) => {
      validatePageArgs({ first: args.first, after: null });
      const first = args.first ?? DEFAULT_PAGE_SIZE;
      const after = args.after ? decodeTimelineCursor(args.after) : null;
      const kinds = visibleKinds(ctx, args.types as TimelineKind[] | null);
      const { keys, hasNextPage } = await timelinePage(ctx.prisma, {
        workspaceId: customer.workspaceId,
        customerId: customer.id,
        kinds,
        first,
        after,
      });
      const edges = keys.map((key) => ({ cursor: encodeTimelineCursor(key), node: key }));
      return {
        edges,
        pageInfo: {
          hasNextPage,
          hasPreviousPage: after !== null,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
        count: () => timelineCount(ctx.prisma, customer.workspaceId, customer.id, kinds),
      };
    },
  }),
}));

