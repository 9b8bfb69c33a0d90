import { builder } from '../../builder.ts';
import type { Event } from '../../generated/prisma/client.ts';
import { ActorKindEnum } from '../enums.ts';
import { encodeGlobalId } from '../global-id.ts';
import { publicPayload, type subjectLoader } from './subjects.ts';

/** One event of the change feed, with the loader its page shares for `subject`. */
export interface FeedEvent {
  event: Event;
  loadSubject: ReturnType<typeof subjectLoader>;
}

export interface FeedPage {
  events: FeedEvent[];
  hasNextPage: boolean;
  after: string | null;
}

/**
 * Opaque cursor of an event: base64url of "Event:<id>" (the id is a bigint; JSON carries it as a
 * string). The same encoding as the subscriptions' cursors, so a partner can switch between
 * polling the feed and subscribing without losing its place.
 */
export function encodeEventCursor(id: bigint): string {
  return Buffer.from(`Event:${id.toString()}`, 'utf8').toString('base64url');
}

/** The event id inside a cursor, or null when it is not one of ours. */
export function decodeEventCursor(cursor: string): bigint | null {
  if (cursor.length > 64 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const match = /^Event:(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? BigInt(match[1]!) : null;
}

export const EventRef = builder.objectRef<FeedEvent>('Event').implement({
  description:
    'One committed change in the workspace, as recorded in the same transaction as the change itself. Events are immutable and ordered by commit.',
  fields: (t) => ({
    cursor: t.string({
      description: 'Opaque position of this event in the feed; pass it as `after` to read what happened since.',
      resolve: ({ event }) => encodeEventCursor(event.id),
    }),
    type: t.string({
      description: 'What happened, as a dotted type, e.g. "ticket.updated", "message.added", "customer.merged".',
      resolve: ({ event }) => event.type,
    }),
    subjectType: t.string({
      description: 'The GraphQL type of the object the event is about, e.g. "Ticket".',
      resolve: ({ event }) => event.subjectType,
    }),
    subjectId: t.id({
      description: 'Global ID of the object the event is about (it keeps this ID even after the object is gone or merged).',
      resolve: ({ event }) => encodeGlobalId(event.subjectType, event.subjectId),
    }),
    payload: t.field({
      type: 'JSON',
      description:
        'Small routing data: global IDs of related objects (conversationId, customerId, ticketId, teamId, assigneeId, organizationId; mergedIntoId / mergedFromId for merges; calendarId of an SLA policy), `changedFields` for updates, e.g. the new `status`, and for `ticket.sla_breached` the target\'s `kind`, `startedAt`, `dueAt` (the instant it breached) and `achievedAt` (when it was achieved late; null when it was still running). Re-read the subject for its full state.',
      resolve: ({ event }) => publicPayload(event.subjectType, event.payload),
    }),
    actorKind: t.field({ type: ActorKindEnum, description: 'Who made the change.', resolve: ({ event }) => event.actorKind }),
    occurredAt: t.field({ type: 'DateTime', description: 'When the change was recorded.', resolve: ({ event }) => event.createdAt }),
    subject: t.field({
      type: builder.nodeInterfaceRef(),
      nullable: true,
      description:
        'The object the event is about, as it is now; null when it no longer exists in the workspace. Reading it needs the read scope of its domain.',
      resolve: ({ event, loadSubject }) => loadSubject(event) as never,
    }),
  }),
});

const EventEdgeRef = builder.objectRef<FeedEvent>('EventEdge').implement({
  description: 'One event in a page of the change feed, with its cursor.',
  fields: (t) => ({
    cursor: t.string({
      description: 'Opaque position of this event; pass it as `after` for the events that follow.',
      resolve: ({ event }) => encodeEventCursor(event.id),
    }),
    node: t.field({ type: EventRef, description: 'The event.', resolve: (e) => e }),
  }),
});

export const EventConnectionRef = builder.objectRef<FeedPage>('EventConnection').implement({
  description: 'A page of the change feed, oldest first (forward only).',
  fields: (t) => ({
    edges: t.field({ type: [EventEdgeRef], description: 'The events of this page, in commit order.', resolve: (p) => p.events }),
    pageInfo: t.field({
      type: builder.pageInfoRef(),
      description: 'Where this page sits in the feed. `endCursor` is where to continue, also when the page is empty.',
      resolve: (p) => {
        const last = p.events.at(-1);
        return {
          hasNextPage: p.hasNextPage,
          hasPreviousPage: p.after !== null,
          startCursor: p.events[0] ? encodeEventCursor(p.events[0].event.id) : null,
          // An empty page keeps the caller's position, so a poller can always pass endCursor back.
          endCursor: last ? encodeEventCursor(last.event.id) : p.after,
        };
      },
    }),
  }),
});
