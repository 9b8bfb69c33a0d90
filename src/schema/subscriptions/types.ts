import { builder } from '../../builder.ts';
import type { Event } from '../../generated/prisma/client.ts';
import { SlaTargetKind } from '../../generated/prisma/enums.ts';
import { SlaTargetKindEnum } from '../enums.ts';
import { encodeGlobalId } from '../global-id.ts';
import { changedFieldsOf, encodeEventCursor, payloadOf, sharedFetch, stringOf } from './kit.ts';

/**
 * Payloads of the durable subscriptions. Each carries where it sits in the event log (pass
 * `cursor` as `after` to resume) and re-fetches its object through the normal types, so
 * selection, field authorization and the workspace filter apply as in a query.
 */

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
type FieldBuilder = PothosSchemaTypes.ObjectFieldBuilder<Types, Event>;

function eventFields(t: FieldBuilder, withChanges: boolean) {
  return {
    cursor: t.string({ description: 'Position of this event in the log; subscribe with `after: cursor` to resume right after it.', resolve: (e) => encodeEventCursor(e.id) }),
    eventId: t.string({ description: 'Id of the event (increases with commit order within a workspace).', resolve: (e) => e.id.toString() }),
    type: t.string({ description: 'Dotted event type, e.g. "conversation.updated".', resolve: (e) => e.type }),
    occurredAt: t.field({ type: 'DateTime', description: 'When the change was committed.', resolve: (e) => e.createdAt }),
    ...(withChanges
      ? {
          changedFields: t.stringList({
            description: 'Fields the change touched (empty when the event is not an update).',
            resolve: (e) => changedFieldsOf(e),
          }),
        }
      : {}),
  };
}

export const MessageAddedEventRef = builder.objectRef<Event>('MessageAddedEvent').implement({
  description: 'A message was added to a conversation.',
  fields: (t) => ({
    ...eventFields(t, false),
    message: t.prismaField({
      type: 'Message',
      description: 'The new message.',
      resolve: (query, e, _args, ctx) =>
        sharedFetch(ctx, e, 'message', query, () => ctx.prisma.message.findFirstOrThrow({ ...query, where: { id: e.subjectId, workspaceId: e.workspaceId } })),
    }),
    conversation: t.prismaField({
      type: 'Conversation',
      description: 'The conversation, as it is now.',
      resolve: (query, e, _args, ctx) =>
        sharedFetch(ctx, e, 'conversation', query, () =>
          ctx.prisma.conversation.findFirstOrThrow({ ...query, where: { id: stringOf(e, 'conversationId') ?? '', workspaceId: e.workspaceId } }),
        ),
    }),
  }),
});

export const ConversationUpdatedEventRef = builder.objectRef<Event>('ConversationUpdatedEvent').implement({
  description: 'A conversation was created or changed (status, assignment, routing...).',
  fields: (t) => ({
    ...eventFields(t, true),
    conversation: t.prismaField({
      type: 'Conversation',
      description: 'The conversation, as it is now.',
      resolve: (query, e, _args, ctx) =>
        sharedFetch(ctx, e, 'conversation', query, () => ctx.prisma.conversation.findFirstOrThrow({ ...query, where: { id: e.subjectId, workspaceId: e.workspaceId } })),
    }),
  }),
});

/** The ticket an event is about: its subject, or the ticket named in its payload (comments). */
export function ticketIdOf(e: Event): string {
  return e.subjectType === 'Ticket' ? e.subjectId : (stringOf(e, 'ticketId') ?? e.subjectId);
}

const ticketField = (t: FieldBuilder) =>
  t.prismaField({
    type: 'Ticket',
    description: 'The ticket, as it is now.',
    resolve: (query, e, _args, ctx) =>
      sharedFetch(ctx, e, 'ticket', query, () => ctx.prisma.ticket.findFirstOrThrow({ ...query, where: { id: ticketIdOf(e), workspaceId: e.workspaceId } })),
  });

export const TicketCreatedEventRef = builder.objectRef<Event>('TicketCreatedEvent').implement({
  description: 'A ticket was opened.',
  fields: (t) => ({ ...eventFields(t, false), ticket: ticketField(t) }),
});

/** The target of a `ticket.sla_breached` event, as it was when the breach was announced. */
interface SlaBreachDetails {
  kind: SlaTargetKind;
  startedAt: Date;
  dueAt: Date;
  achievedAt: Date | null;
}

const SLA_KINDS = new Set<string>(Object.values(SlaTargetKind));

function slaBreachOf(e: Event): SlaBreachDetails | null {
  if (e.type !== 'ticket.sla_breached') return null;
  const { kind, startedAt, dueAt, achievedAt } = payloadOf(e);
  if (typeof kind !== 'string' || !SLA_KINDS.has(kind) || typeof startedAt !== 'string' || typeof dueAt !== 'string') return null;
  // Events recorded before late achievements were announced have no achievedAt: all of them were running.
  return {
    kind: kind as SlaTargetKind,
    startedAt: new Date(startedAt),
    dueAt: new Date(dueAt),
    achievedAt: typeof achievedAt === 'string' ? new Date(achievedAt) : null,
  };
}

const SlaBreachRef = builder.objectRef<SlaBreachDetails>('SlaBreach').implement({
  description:
    'An SLA target that breached: its due time passed while it was running (not achieved), or it was achieved after its due time before that was announced. ' +
    'Announced once per target, for every target `Ticket.metrics.slaStatus` and the compliance metrics call BREACHED (due within the look-back window): a target is its kind and start, so a later change of its due time, or its late achievement after a breach announced while it ran, is not a new breach.',
  fields: (t) => ({
    kind: t.field({ type: SlaTargetKindEnum, description: 'Which target was breached.', resolve: (b) => b.kind }),
    startedAt: t.field({ type: 'DateTime', description: "When the target's clock started (ticket creation, or the customer comment a next response answers).", resolve: (b) => b.startedAt }),
    dueAt: t.field({
      type: 'DateTime',
      description: 'When the target was due: the instant it breached. Can be well before `occurredAt` when the breach happened while no server was running.',
      resolve: (b) => b.dueAt,
    }),
    achievedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'When the target was achieved (the reply, or the solve), after `dueAt`: it was achieved late before its breach was announced. Null when it was still running when announced; achieving it later sends no second event.',
      resolve: (b) => b.achievedAt,
    }),
  }),
});

export const TicketChangedEventRef = builder.objectRef<Event>('TicketChangedEvent').implement({
  description: 'A ticket changed (an update, a comment, a merge), or one of its SLA targets was breached.',
  fields: (t) => ({
    ...eventFields(t, true),
    slaBreach: t.field({
      type: SlaBreachRef,
      nullable: true,
      description: 'The breached target, for `type: "ticket.sla_breached"`; null for other changes.',
      resolve: (e) => slaBreachOf(e),
    }),
    ticket: ticketField(t),
  }),
});

export const CustomerTimelineEventRef = builder.objectRef<Event>('CustomerTimelineEvent').implement({
  description: "Something was added to or changed on a customer's timeline (a conversation, message, ticket, survey or the customer record).",
  fields: (t) => ({
    ...eventFields(t, true),
    subjectType: t.string({ description: 'GraphQL type of the object the event is about, e.g. "Ticket".', resolve: (e) => e.subjectType }),
    subjectId: t.id({ description: 'Global ID of that object; fetch it with `node(id:)`.', resolve: (e) => encodeGlobalId(e.subjectType, e.subjectId) }),
    customer: t.prismaField({
      type: 'Customer',
      nullable: true,
      description: 'The customer, as they are now; null when the record was merged away.',
      resolve: (query, e, _args, ctx) =>
        sharedFetch(ctx, e, 'customer', query, () =>
          ctx.prisma.customer.findFirst({
            ...query,
            where: { id: e.subjectType === 'Customer' ? e.subjectId : (stringOf(e, 'customerId') ?? ''), workspaceId: e.workspaceId },
          }),
        ),
    }),
  }),
});
