import type { Context } from '../../context.ts';
import type { Event } from '../../generated/prisma/client.ts';
import type { EventCheck, EventRoute } from '../../events/feed.ts';
import { eventStream, encodeEventCursor, startingPoint, type EventStreamHandle, type StreamItem } from '../../events/stream.ts';
import type { Scope } from '../../auth/scopes.ts';
import { viewerCan } from '../../auth/viewer.ts';
import { ErrorCode, requestError } from '../../errors.ts';
import { workspaceIdOf } from '../tenancy.ts';

/**
 * `authScopes` guards a subscription's per-event resolution, not its `subscribe` step; checking
 * again here makes an unauthorized subscription fail at once instead of opening a stream.
 */
export function authorizeSubscription(ctx: Context, scope: Scope): void {
  if (!ctx.viewer) throw requestError(ErrorCode.UNAUTHENTICATED, 'Authentication required: send "Authorization: Bearer <api key>"');
  if (!viewerCan(ctx.viewer, scope)) throw requestError(ErrorCode.FORBIDDEN, `Not allowed: this API key lacks the scope ${scope}`, { requiredScope: scope });
}

/**
 * What every durable subscription shares: the starting point is checked while subscribing (a
 * bad or expired cursor is a request error, before any stream exists), then the subscriber
 * replays what it asked for and joins the workspace's shared feed; it only ever sees the
 * caller's workspace.
 */
export async function subscribeToEvents<S>(
  ctx: Context,
  after: string | null | undefined,
  options: { scope: Scope; route: EventRoute; check?: EventCheck<S>; coalesce?: boolean },
): Promise<EventStreamHandle> {
  authorizeSubscription(ctx, options.scope);
  const workspaceId = workspaceIdOf(ctx);
  const start = await startingPoint(ctx.prisma, ctx.events.feeds, workspaceId, after, ctx.events.retentionMs);
  return eventStream({
    prisma: ctx.prisma,
    feeds: ctx.events.feeds,
    workspaceId,
    after: start,
    route: options.route,
    check: options.check,
    maxBuffered: ctx.events.maxBuffered,
    coalesce: options.coalesce,
    track: ctx.events.track,
  });
}

/**
 * An event payload's object, fetched once for every subscriber resolving the same event with the
 * same selection and the same scopes (field queries may depend on scopes), instead of once each.
 */
const scopeKeys = new WeakMap<object, string>();

export function sharedFetch<T>(ctx: Context, event: Event, field: string, query: unknown, load: () => Promise<T>): Promise<T> {
  const viewer = ctx.viewer;
  let scopes = viewer ? scopeKeys.get(viewer) : '';
  if (scopes === undefined && viewer) scopeKeys.set(viewer, (scopes = [...viewer.scopes].sort().join(',')));
  const selection = JSON.stringify(query, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return ctx.events.shared(`${event.workspaceId}:${event.id}:${field}:${scopes}:${selection}`, load);
}

/** The stream's closing error becomes the subscription's GraphQL error; events pass through. */
export function eventOf(item: StreamItem): Event {
  if (item.error) throw item.error;
  return item.event;
}

export function payloadOf(event: Event): Record<string, unknown> {
  return event.payload && typeof event.payload === 'object' && !Array.isArray(event.payload) ? (event.payload as Record<string, unknown>) : {};
}

export function changedFieldsOf(event: Event): string[] {
  const fields = payloadOf(event).changedFields;
  return Array.isArray(fields) ? fields.filter((f): f is string => typeof f === 'string') : [];
}

export function stringOf(event: Event, key: string): string | null {
  const value = payloadOf(event)[key];
  return typeof value === 'string' ? value : null;
}

export { encodeEventCursor };

export const AFTER_DESCRIPTION =
  'Cursor of the last event you received: everything after it is replayed first, then live events follow. Omit to receive only new events. An expired cursor fails with CURSOR_EXPIRED: refetch, then subscribe without it.';
