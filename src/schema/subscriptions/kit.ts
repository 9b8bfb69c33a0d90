import type { Context } from '../../context.ts';
import type { Event, Prisma } from '../../generated/prisma/client.ts';
import { eventStream, encodeEventCursor, startingPoint, type StreamItem } from '../../events/stream.ts';
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
  if (!viewerCan(ctx.viewer, scope)) throw requestError(ErrorCode.FORBIDDEN, `Not allowed: this subscription needs the ${scope} scope`);
}

/**
 * What every durable subscription shares: the starting point is checked while subscribing (a
 * bad or expired cursor is a request error, before any stream exists), then one stream per
 * subscriber reads only the caller's workspace.
 */
export async function subscribeToEvents(
  ctx: Context,
  after: string | null | undefined,
  options: { scope: Scope; types: readonly string[]; where?: Prisma.EventWhereInput; filter?: (event: Event) => boolean | Promise<boolean> },
): Promise<AsyncIterable<StreamItem>> {
  authorizeSubscription(ctx, options.scope);
  const workspaceId = workspaceIdOf(ctx);
  const start = await startingPoint(ctx.prisma, workspaceId, after, ctx.events.retentionMs);
  return eventStream({
    prisma: ctx.prisma,
    bus: ctx.events.bus,
    workspaceId,
    after: start,
    types: options.types,
    where: options.where,
    filter: options.filter,
    maxBuffered: ctx.events.maxBuffered,
    pollMs: ctx.events.pollMs,
    track: ctx.events.track,
  });
}

/** The stream's closing error becomes the subscription's GraphQL error; events pass through. */
export function eventOf(item: StreamItem): Event {
  if (item.error) throw item.error;
  return item.event;
}

/** Events whose routing payload names this id under `key`. */
export function payloadIs(key: string, id: string): Prisma.EventWhereInput {
  return { payload: { path: [key], equals: id } };
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
