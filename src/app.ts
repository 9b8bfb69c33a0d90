import { createYoga, useReadinessCheck, type YogaServerInstance } from 'graphql-yoga';
import { GraphQLError } from 'graphql';
import { resolveViewer } from './auth/viewer.ts';
import type { Context } from './context.ts';
import { AppError } from './errors.ts';
import type { Database } from './db/index.ts';
import type { Logger } from './logger.ts';
import { createReadinessCheck } from './readiness.ts';
import { useErrorCodes } from './error-codes-plugin.ts';
import { getSchema } from './schema/index.ts';
import { InMemoryBus } from './events/bus.ts';
import { createLiveEvents, type LiveEvents } from './events/live.ts';
import { useSharedSubscriptionExecution } from './events/shared-execution.ts';
import { ApiKeyWatch, useHttpSubscriptionKeyWatch } from './events/key-watch.ts';
import { useEventWakeups } from './events/notify-plugin.ts';
import { MemoryBuckets, RedisBuckets, type CostBuckets } from './guards/bucket.ts';
import { DEFAULT_LIMITS, DEFAULT_RATE_LIMIT, type GuardLimits, type RateLimitConfig } from './guards/limits.ts';
import { CostGuard } from './guards/plugin.ts';

export interface AppOptions {
  db: Database;
  logger: Logger;
  /** Live updates; default: an in-memory bus (one instance) with default settings. */
  events?: LiveEvents;
  /**
   * Re-checks the API keys of open subscriptions (WebSocket connections and SSE streams); share
   * it with attachWebSockets so a revocation through the API reaches both at once. Default: a
   * watch of its own, every 5 s.
   */
  keyWatch?: ApiKeyWatch;
  /** Query cost and document limits; default: DEFAULT_LIMITS (config: CXGRAPH_MAX_*). */
  limits?: Partial<GuardLimits>;
  /**
   * Cost points per caller; default: DEFAULT_RATE_LIMIT, in this instance's memory, or shared
   * through Redis when `redisUrl` is given (closed with `app.dispose()`).
   */
  rateLimit?: Partial<RateLimitConfig> & { redisUrl?: string | null };
}

/** What the transports hand to the context factory: an HTTP request, or a WebSocket operation. */
export interface ServerContext {
  /** graphql-ws `connection_init` payload, when the operation arrived over a WebSocket. */
  connectionParams?: Record<string, unknown>;
}

export type App = YogaServerInstance<ServerContext, Context>;

function authorizationOf(request: Request | undefined, connectionParams: Record<string, unknown> | undefined): string | null {
  const fromInit = connectionParams?.authorization ?? connectionParams?.Authorization;
  if (typeof fromInit === 'string') return fromInit;
  // WebSocket operations carry no fetch Request: their key is in connectionParams only.
  return typeof request?.headers?.get === 'function' ? request.headers.get('authorization') : null;
}

/**
 * Builds the GraphQL application (no listening: tests call `app.fetch` in memory and
 * src/server.ts attaches it to HTTP and WebSocket). Errors that are not GraphQLErrors are
 * masked as INTERNAL_SERVER_ERROR for the client and logged in full here.
 */
export function createApp({
  db,
  logger,
  events = createLiveEvents(new InMemoryBus()),
  keyWatch = new ApiKeyWatch(db.prisma, 5_000, logger),
  limits,
  rateLimit,
}: AppOptions): App {
  const readiness = createReadinessCheck(db, events.bus);
  const bucketConfig = { ...DEFAULT_RATE_LIMIT, ...rateLimit };
  const buckets: CostBuckets = rateLimit?.redisUrl
    ? new RedisBuckets(rateLimit.redisUrl, bucketConfig, logger)
    : new MemoryBuckets(bucketConfig);
  const costGuard = new CostGuard({ limits: { ...DEFAULT_LIMITS, ...limits }, rateLimit: bucketConfig, buckets });
  return createYoga<ServerContext, Context>({
    schema: getSchema(),
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/healthz',
    landingPage: false,
    logging: {
      debug: (...args) => logger.debug({ yoga: args }, 'yoga'),
      info: (...args) => logger.info({ yoga: args }, 'yoga'),
      warn: (...args) => logger.warn({ yoga: args }, 'yoga'),
      error: (...args) => logger.error({ yoga: args }, 'yoga'),
    },
    graphiql: {
      title: 'cxgraph',
      defaultQuery: /* GraphQL */ `# Add the header  Authorization: Bearer <your API key>  below, then run:
{
  viewer { workspace { name } scopes }
  customers(first: 5) { totalCount edges { node { id name email } } }
}
`,
    },
    maskedErrors: {
      maskError(error, message): Error {
        if (error instanceof GraphQLError) {
          const original = error.originalError;
          // Argument problems Pothos detects itself (negative `last`, undecodable cursor).
          if (original instanceof GraphQLError && original.name === 'PothosValidationError' && !original.extensions.code) {
            return new GraphQLError(original.message, { nodes: error.nodes, path: error.path, extensions: { code: 'BAD_USER_INPUT' } });
          }
          if (!original || original instanceof GraphQLError) return error;
          if (original instanceof AppError) {
            return new GraphQLError(original.message, {
              nodes: error.nodes,
              path: error.path,
              extensions: { code: original.code, ...(original.path ? { field: original.path } : {}) },
            });
          }
        }
        logger.error({ err: error instanceof GraphQLError ? (error.originalError ?? error) : error }, 'unexpected error while resolving a request');
        return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      },
    },
    context: async (initial): Promise<Context> => {
      // The operation pays for itself before its key is looked up: a rate-limited request touches no database.
      await costGuard.admit(initial);
      return {
        viewer: await resolveViewer(db.prisma, authorizationOf(initial.request, initial.connectionParams)),
        prisma: db.prisma,
        db,
        log: logger,
        events,
        keyWatch,
      };
    },
    plugins: [
      costGuard.plugin(),
      { onDispose: () => buckets.close() },
      useErrorCodes(),
      useEventWakeups(),
      useSharedSubscriptionExecution(),
      useHttpSubscriptionKeyWatch(),
      useReadinessCheck({
        endpoint: '/readyz',
        check: async () => {
          const result = await readiness();
          return new Response(JSON.stringify(result), {
            status: result.ready ? 200 : 503,
            headers: { 'content-type': 'application/json' },
          });
        },
      }),
    ],
  });
}
