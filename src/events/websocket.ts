import type { Server } from 'node:http';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { App } from '../app.ts';
import { ErrorCode } from '../errors.ts';
import { authorizationOf, resolveViewer, viewerCan, type Viewer } from '../auth/viewer.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Logger } from '../logger.ts';
import type { ApiKeyWatch } from './key-watch.ts';

/**
 * graphql-ws (protocol graphql-transport-ws) on the HTTP server's own port, path /graphql.
 * Every operation is built by `app.getEnveloped`, so WebSocket and HTTP share plugins (error
 * masking, wake-ups) and the context factory (which reads `connectionParams.authorization`).
 *
 * Close codes: 4401 no or invalid key; 4403 a key that can read nothing a subscription serves;
 * 4429 too many connections for one key on this instance, or too many subscriptions on one
 * connection; 1001 server shutting down.
 *
 * A key is checked at `connection_init`, at every `subscribe` (the context factory resolves it
 * again), and, for as long as the connection stays open, by the instance's ApiKeyWatch: every
 * CXGRAPH_WS_KEY_RECHECK_MS (one query for the distinct keys of all open connections; nothing per
 * event), and at once when `revokeApiKey` revokes a key on this instance. A key found revoked,
 * deleted or expired closes its connections with 4401 and the same reason as at
 * `connection_init`; a key that lost a scope it had at connect closes them with 4403.
 *
 * Why close the socket rather than complete each subscription with an UNAUTHENTICATED error:
 * graphql-transport-ws authenticates the connection, not the operation, and 4401 is the
 * protocol's "this connection is not authenticated" — the client gets the same signal as for a
 * bad key at `connection_init`, one code path. The graphql-ws client treats 4401 as fatal: it
 * does not reconnect with a dead key, and it errors every active subscription with the close
 * event at once (typing and metric subscriptions too, which are not event streams). Completing
 * operations one by one would leave an open, seemingly authenticated socket behind, need a hook in
 * every operation's stream, and its error would look like one subscription's failure. Closing
 * makes graphql-ws return every operation's iterator, so feeds drop the subscribers by
 * themselves. 4403 for lost scopes, by contrast, is retried by the client: the reconnect
 * re-authenticates, and each subscription is re-authorized with the key's current scopes.
 */

export interface WebSocketLimits {
  maxSubscriptionsPerConnection: number;
  maxConnectionsPerKey: number;
  connectionInitWaitTimeoutMs?: number;
}

export const INVALID_KEY_CLOSE = { code: 4401, reason: 'Unauthorized: API key is invalid, revoked or expired' } as const;
export const SCOPES_REDUCED_CLOSE = { code: 4403, reason: "Forbidden: the API key's scopes changed; reconnect to re-authorize" } as const;

const SUBSCRIBABLE_SCOPES = ['conversations:read', 'tickets:read', 'customers:read', 'metrics:read'] as const;

/** `extensions.http` is for HTTP responses only; a graphql-ws `error` message leaves it out. */
function withoutHttp(error: GraphQLError): GraphQLError {
  if (!('http' in error.extensions)) return error;
  const { http: _http, ...extensions } = error.extensions;
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions });
}

export function attachWebSockets(
  server: Server,
  app: App,
  options: {
    prisma: PrismaClient;
    log: Logger;
    limits: WebSocketLimits;
    /** The app's watch (createApp's `keyWatch`): SSE streams and `revokeApiKey` use the same one. Closed by its owner. */
    keyWatch: ApiKeyWatch;
  },
): { close(): Promise<void> } {
  const { prisma, log, limits, keyWatch: keys } = options;
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const connectionsPerKey = new Map<string, number>();

  useServer<Record<string, unknown>>(
    {
      connectionInitWaitTimeout: limits.connectionInitWaitTimeoutMs ?? 10_000,
      execute: (args: ExecutionArgs) => (args.rootValue as { execute: (a: ExecutionArgs) => unknown }).execute(args) as never,
      subscribe: (args: ExecutionArgs) => (args.rootValue as { subscribe: (a: ExecutionArgs) => unknown }).subscribe(args) as never,
      onConnect: async (ctx) => {
        const socket = ctx.extra.socket;
        const authorization = authorizationOf(undefined, ctx.connectionParams);
        if (!authorization) {
          socket.close(4401, 'Unauthorized: send connectionParams.authorization = "Bearer <api key>"');
          return false;
        }
        let viewer: Viewer | null;
        try {
          viewer = await resolveViewer(prisma, authorization);
        } catch {
          viewer = null;
        }
        if (!viewer) {
          socket.close(INVALID_KEY_CLOSE.code, INVALID_KEY_CLOSE.reason);
          return false;
        }
        if (!SUBSCRIBABLE_SCOPES.some((scope) => viewerCan(viewer, scope))) {
          socket.close(4403, `Forbidden: the key needs one of ${SUBSCRIBABLE_SCOPES.join(', ')}`);
          return false;
        }
        const open = connectionsPerKey.get(viewer.apiKeyId) ?? 0;
        if (open >= limits.maxConnectionsPerKey) {
          socket.close(4429, `Too many connections: at most ${limits.maxConnectionsPerKey} per API key`);
          return false;
        }
        // The client may have gone while the key was looked up: its 'close' has fired already, so
        // nothing registered below would ever be undone.
        if (socket.readyState !== socket.OPEN) return false;
        connectionsPerKey.set(viewer.apiKeyId, open + 1);
        const apiKeyId = viewer.apiKeyId;
        const unwatch = keys.watch(apiKeyId, viewer.scopes, (verdict) => {
          const close = verdict === 'invalid' ? INVALID_KEY_CLOSE : SCOPES_REDUCED_CLOSE;
          log.info({ apiKeyId, verdict, code: close.code }, 'closing a WebSocket connection: its API key changed');
          socket.close(close.code, close.reason);
        });
        socket.once('close', () => {
          unwatch();
          const left = (connectionsPerKey.get(apiKeyId) ?? 1) - 1;
          if (left <= 0) connectionsPerKey.delete(apiKeyId);
          else connectionsPerKey.set(apiKeyId, left);
        });
        return true;
      },
      onSubscribe: async (ctx, _id, params) => {
        // graphql-ws has already registered this operation's id in ctx.subscriptions, so it counts itself.
        if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptionsPerConnection) {
          const reason = `Too many subscriptions: at most ${limits.maxSubscriptionsPerConnection} per connection`;
          ctx.extra.socket.close(4429, reason);
          return [new GraphQLError(reason, { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } })];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = app.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
        });
        // Parsed and validated before the context is built: the guards (src/guards/) refuse a
        // too complex operation there, and the context factory charges its cost first, so a
        // refused subscription touches no database. Their GraphQLErrors become an `error` message.
        let document: ReturnType<typeof parse>;
        let contextValue: unknown;
        try {
          document = parse(params.query);
          const errors = validate(schema, document);
          if (errors.length) return errors;
          contextValue = await contextFactory();
        } catch (error) {
          // The key stopped working since connection_init (the periodic re-check has not run yet):
          // the same close as the re-check's, not an internal error.
          if (error instanceof GraphQLError && error.extensions.code === ErrorCode.UNAUTHENTICATED) {
            ctx.extra.socket.close(INVALID_KEY_CLOSE.code, INVALID_KEY_CLOSE.reason);
            return [error];
          }
          if (error instanceof GraphQLError && !error.originalError) return [withoutHttp(error)];
          throw error;
        }
        return {
          schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue,
          rootValue: { execute, subscribe },
        } satisfies ExecutionArgs;
      },
    },
    wss,
  );
  wss.on('error', (error) => log.error({ err: error }, 'websocket server error'));

  return {
    async close() {
      for (const client of wss.clients) client.close(1001, 'Server is going away');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      // Clients that ignore the close handshake must not hold the HTTP server open.
      setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, 1_000).unref();
    },
  };
}
