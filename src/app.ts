import { createYoga, useReadinessCheck, type YogaServerInstance } from 'graphql-yoga';
import { GraphQLError } from 'graphql';
import { ApiKeyCache } from './auth/key-cache.ts';
import { authorizationOf, resolveViewer } from './auth/viewer.ts';
import type { Context } from './context.ts';
import { AppError, dependencyError } from './errors.ts';
import { classifyDatabaseError } from './db/outage.ts';
import { useCancelOnDisconnect } from './guards/cancel-on-disconnect.ts';
import { WorkspaceConcurrency, type ConcurrencyLimits } from './guards/concurrency.ts';
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
import { DEFAULT_INPUT_CONFIG, readHttpConfig, type HttpConfig, type InputConfig } from './config.ts';
import { useHiddenFieldSuggestions } from './guards/field-suggestions.ts';
import { REPLAYED_HEADER, useIdempotencyKeys } from './guards/idempotency.ts';
import { useInputHygiene } from './guards/input-hygiene.ts';
import { useRequestErrorHygiene } from './guards/request-hygiene.ts';
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
  /** The API keys of HTTP requests, cached; default: a cache of its own over `events.bus`, trusting a key for 10 s. */
  apiKeys?: ApiKeyCache;
  /** CORS, field suggestions, idempotency keys; default: what an empty environment gives (src/config.ts). */
  http?: HttpConfig;
  /** Concurrent metrics and searches per workspace (CXGRAPH_EXPENSIVE_CONCURRENCY / _QUEUE), or a limiter to share. */
  concurrency?: ConcurrencyLimits | WorkspaceConcurrency;
  /** Request body and JSON argument limits; default: DEFAULT_INPUT_CONFIG. */
  input?: InputConfig;
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
  apiKeys = new ApiKeyCache(db.prisma, events.bus, { ttlMs: 10_000 }, logger),
  http = readHttpConfig(),
  concurrency,
  input = DEFAULT_INPUT_CONFIG,
  limits,
  rateLimit,
}: AppOptions): App {
  const readiness = createReadinessCheck(db, events.bus);
  // What the watch of open streams finds changed in the database, HTTP requests stop trusting too.
  keyWatch.onKeyChange((apiKeyId) => void apiKeys.invalidate(apiKeyId));
  const expensive = concurrency instanceof WorkspaceConcurrency ? concurrency : new WorkspaceConcurrency(concurrency);
  const anyOrigin = http.corsOrigins.includes('*');
  const bucketConfig = { ...DEFAULT_RATE_LIMIT, ...rateLimit };
  const buckets: CostBuckets = rateLimit?.redisUrl
    ? new RedisBuckets(rateLimit.redisUrl, bucketConfig, logger)
    : new MemoryBuckets(bucketConfig);
  const costGuard = new CostGuard({ limits: { ...DEFAULT_LIMITS, ...limits }, rateLimit: bucketConfig, buckets });
  return createYoga<ServerContext, Context>({
    // Keys travel in the Authorization header, never in cookies: no request needs credentials,
    // so none is ever allowed (yoga's default reflects any origin WITH credentials). Without an
    // allowed origin no CORS header is sent and the browser keeps the response from the page.
    cors: (request) => {
      const origin = request.headers.get('origin');
      if (!origin || !(anyOrigin || http.corsOrigins.includes(origin))) return false;
      return {
        // '*' reflects the caller's origin with `Vary: Origin` (yoga never sends a literal '*').
        origin: anyOrigin ? ['*'] : [...http.corsOrigins],
        credentials: false,
        exposedHeaders: [REPLAYED_HEADER, 'Retry-After', 'RateLimit', 'RateLimit-Policy'],
        maxAge: 600,
      };
    },
    schema: getSchema(),
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/healthz',
    landingPage: false,
    // Counted while the body streams in (and refused at once on a larger Content-Length): 413.
    maxRequestBodySize: input.maxBodyBytes,
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
        // A timeout or an outage is not our bug: the client gets a code it can retry on.
        const failure = classifyDatabaseError(error);
        if (failure) {
          logger.warn({ err: error instanceof GraphQLError ? (error.originalError ?? error) : error, failure }, 'database failure while resolving a request');
          return dependencyError(failure, error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {});
        }
        logger.error({ err: error instanceof GraphQLError ? (error.originalError ?? error) : error }, 'unexpected error while resolving a request');
        return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      },
    },
    context: async (initial): Promise<Context> => {
      // The operation pays for itself before its key is looked up: a rate-limited request touches no database.
      await costGuard.admit(initial);
      const authorization = authorizationOf(initial.request, initial.connectionParams);
      return {
        // A WebSocket operation reads its key every time: a revoked key must not subscribe.
        viewer: initial.connectionParams ? await resolveViewer(db.prisma, authorization) : await apiKeys.viewer(authorization),
        prisma: db.prisma,
        db,
        log: logger,
        events,
        keyWatch,
        apiKeys,
        expensive,
      };
    },
    plugins: [
      costGuard.plugin(),
      { onDispose: () => buckets.close() },
      useCancelOnDisconnect(),
      useErrorCodes(),
      useRequestErrorHygiene(),
      useInputHygiene(input),
      ...(http.fieldSuggestions ? [] : [useHiddenFieldSuggestions()]),
      // Before the wake-ups: a replayed mutation stops here and wrote nothing new.
      useIdempotencyKeys({ prisma: db.prisma, log: logger, ttlMs: http.idempotency.ttlMs, waitMs: http.idempotency.waitMs }),
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
