import { recordEvents, type EventType } from '../../events/outbox.ts';
import type { BusinessCalendar, Prisma, SlaPolicy } from '../../generated/prisma/client.ts';
import type { Actor } from '../service-kit.ts';

/**
 * Calendar and policy changes in the outbox. They move SLA due times and business-hours
 * durations (the database recomputes the clocks in the same transaction), so `metricUpdated` must recompute on
 * them and partners must see them in the change feed. Payloads stay small: `changedFields` for
 * updates, and a policy's `calendarId`.
 */

type CalendarEventType = Extract<EventType, `business_calendar.${string}`>;
type PolicyEventType = Extract<EventType, `sla_policy.${string}`>;

function eventActor(actor: Actor) {
  return { workspaceId: actor.workspaceId, kind: actor.kind, agentId: actor.agentId };
}

/**
 * Recomputes the SLA clocks this transaction changed now, before the event takes the workspace's
 * event lock: the recompute is a deferred trigger (PendingSlaRefresh_apply) that would otherwise
 * run at commit, holding that lock — and every other write of the workspace that records an
 * event waiting on it — for as long as it takes to redo the calendar's open hours and running
 * clocks (seconds for a large workspace).
 */
async function refreshSlaClocksNow(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$executeRawUnsafe('SET CONSTRAINTS "PendingSlaRefresh_apply" IMMEDIATE');
}

export async function recordCalendarEvent(tx: Prisma.TransactionClient, actor: Actor, type: CalendarEventType, calendar: Pick<BusinessCalendar, 'id'>, changedFields?: string[]) {
  await refreshSlaClocksNow(tx);
  return recordEvents(tx, eventActor(actor), [
    { type, subjectType: 'BusinessCalendar', subjectId: calendar.id, payload: changedFields ? { changedFields } : {} },
  ]);
}

export async function recordPolicyEvent(
  tx: Prisma.TransactionClient,
  actor: Actor,
  type: PolicyEventType,
  policy: Pick<SlaPolicy, 'id' | 'calendarId'>,
  changedFields?: string[],
) {
  await refreshSlaClocksNow(tx);
  return recordEvents(tx, eventActor(actor), [
    { type, subjectType: 'SlaPolicy', subjectId: policy.id, payload: { ...(changedFields ? { changedFields } : {}), calendarId: policy.calendarId } },
  ]);
}

/** Names of the scalar fields whose value differs. */
export function changedScalars<T extends object>(before: T, after: T, fields: readonly (keyof T & string)[]): string[] {
  return fields.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
}

/** Whether two lists replaced as a whole hold the same items, whatever their order (only `keys` compared). */
export function sameItems<T extends object>(before: readonly T[], after: readonly T[], keys: readonly (keyof T & string)[]): boolean {
  const canonical = (list: readonly T[]) => list.map((item) => JSON.stringify(keys.map((k) => item[k]))).sort();
  const [a, b] = [canonical(before), canonical(after)];
  return a.length === b.length && a.every((item, i) => item === b[i]);
}
