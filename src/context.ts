import type { Logger } from 'pino';
import type { Viewer } from './auth/viewer.ts';
import type { Database } from './db/index.ts';
import type { ApiKeyCache } from './auth/key-cache.ts';
import type { ApiKeyWatch } from './events/key-watch.ts';
import type { WorkspaceConcurrency } from './guards/concurrency.ts';
import type { LiveEvents } from './events/live.ts';
import type { PrismaClient } from './generated/prisma/client.ts';

/** Per-request context, built once per HTTP request or WebSocket operation. */
export interface Context {
  viewer: Viewer | null;
  prisma: PrismaClient;
  db: Database;
  log: Logger;
  /** Live updates: the wake-up bus and subscription settings of this instance. */
  events: LiveEvents;
  /** This instance's watch over the API keys of open WebSocket connections and SSE streams. */
  keyWatch: ApiKeyWatch;
  /** This instance's cache of the API keys of HTTP requests (revocations invalidate it). */
  apiKeys: ApiKeyCache;
  /** This instance's bound on each workspace's concurrent metrics and searches (src/guards/concurrency.ts). */
  expensive: WorkspaceConcurrency;
}

/** The viewer of a resolver that is only reachable when authenticated (scope-auth ran). */
export function requireViewer(ctx: Context): Viewer {
  if (!ctx.viewer) throw new Error('resolver reached without a viewer: missing authScopes');
  return ctx.viewer;
}
