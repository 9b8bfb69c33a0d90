import type { Prisma } from '../generated/prisma/client.ts';
import type { ActorKind } from '../generated/prisma/enums.ts';

/**
 * The transactional outbox. A service calls `recordEvents` as the LAST step of the transaction
 * that makes a change, so the change and its events commit (or roll back) together.
 *
 * Ordering: `Event.id` comes from a sequence, and two transactions can take ids in one order and
 * commit in the other; a reader that remembered the larger id would then skip the smaller one
 * for ever. Taking a per-workspace transaction-scoped advisory lock before inserting makes the
 * event-writing tails of one workspace's transactions run one at a time, so within a workspace
 * ids become visible in commit order. Readers page per workspace by id: nothing is skipped,
 * nothing repeats. The lock is held only from the event insert to the commit.
 */

/** Event types are part of the public contract (subscriptions and the change feed). */
export const EVENT_TYPES = [
  'customer.created',
  'customer.updated',
  'customer.merged',
  'customer.event_recorded',
  'organization.created',
  'organization.updated',
  'conversation.created',
  'conversation.updated',
  'message.added',
  'ticket.created',
  'ticket.updated',
  'ticket.commented',
  'ticket.merged',
  /** An SLA target's due time passed while it was running; recorded by the sweeper (src/events/sla-breaches.ts), not by a mutation. */
  'ticket.sla_breached',
  'article.created',
  'article.updated',
  'article.published',
  'article.archived',
  'article.rated',
  'article_category.created',
  'survey.sent',
  'survey.answered',
  /** SLA configuration: they move SLA due times and business-hours durations, so live metrics recompute on them. */
  'sla_policy.created',
  'sla_policy.updated',
  'sla_policy.deleted',
  'business_calendar.created',
  'business_calendar.updated',
  'business_calendar.deleted',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const isSlaConfiguration = (type: EventType) => type.startsWith('sla_policy.') || type.startsWith('business_calendar.');

/** Every event about customers and their conversations, tickets and surveys: not the knowledge base's, not SLA configuration. */
export const CUSTOMER_JOURNEY_EVENT_TYPES: readonly EventType[] = EVENT_TYPES.filter((type) => !type.startsWith('article') && !isSlaConfiguration(type));

/**
 * What can change a metric: the customer journey, and SLA policies and calendars (they change
 * SLA compliance and business-hours durations without any ticket event).
 */
export const METRIC_EVENT_TYPES: readonly EventType[] = EVENT_TYPES.filter((type) => !type.startsWith('article'));

export interface NewEvent {
  type: EventType;
  /** GraphQL type name of the subject, e.g. "Ticket". */
  subjectType: string;
  subjectId: string;
  /**
   * Small routing data, never whole objects: related ids (conversationId, customerId, teamId,
   * assigneeId, ticketId), `changedFields` for updates, `mergedIntoId` for merges.
   */
  payload?: Record<string, unknown>;
}

export interface EventActor {
  workspaceId: string;
  kind: ActorKind;
  agentId: string | null;
}

export async function recordEvents(tx: Prisma.TransactionClient, actor: EventActor, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${actor.workspaceId}, 7249))`;
  await tx.event.createMany({
    data: events.map((e) => ({
      workspaceId: actor.workspaceId,
      type: e.type,
      subjectType: e.subjectType,
      subjectId: e.subjectId,
      payload: (e.payload ?? {}) as Prisma.InputJsonValue,
      actorKind: actor.kind,
      actorAgentId: actor.agentId,
    })),
  });
}
