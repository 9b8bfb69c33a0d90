import type { Server } from 'node:http';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { App } from '../app.ts';
import { resolveViewer, viewerCan, type Viewer } from '../auth/viewer.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Logger } from '../logger.ts';

/**
 * graphql-ws (protocol graphql-transport-ws) on the HTTP server's own port, path /graphql.
 * Every operation is built by `app.getEnveloped`, so WebSocket and HTTP share plugins (error
 * masking, wake-ups) and the context factory (which reads `connectionParams.authorization`).
 *
 * Close codes: 4401 no or invalid key; 4403 a key that can read nothing a subscription serves;
 * 4429 too many connections for one key on this instance, or too many subscriptions on one
 * connection; 1001 server shutting down.
 */

export interface WebSocketLimits {
  maxSubscriptionsPerConnection: number;
  maxConnectionsPerKey: number;
  connectionInitWaitTimeoutMs?: number;
}

const SUBSCRIBABLE_SCOPES = ['conversations:read', 'tickets:read', 'customers:read', 'metrics:read'] as const;

function authorizationFrom(params: Record<string, unknown> | undefined): string | null {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === 'string' ? value : null;
}

export function attachWebSockets(
  server: Server,
  app: App,
  options: { prisma: PrismaClient; log: Logger; limits: WebSocketLimits },
): { close(): Promise<void> } {
  const { prisma, log, limits } = options;
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const connectionsPerKey = new Map<string, number>();

  useServer<Record<string, unknown>>(
    {
      connectionInitWaitTimeout: limits.connectionInitWaitTimeoutMs ?? 10_000,
      execute: (args: ExecutionArgs) => (args.rootValue as { execute: (a: ExecutionArgs) => unknown }).execute(args) as never,
      subscribe: (args: ExecutionArgs) => (args.rootValue as { subscribe: (a: ExecutionArgs) => unknown }).subscribe(args) as never,
      onConnect: async (ctx) => {
        const socket = ctx.extra.socket;
        const authorization = authorizationFrom(ctx.connectionParams);
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
          socket.close(4401, 'Unauthorized: API key is invalid, revoked or expired');
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
        connectionsPerKey.set(viewer.apiKeyId, open + 1);
        const apiKeyId = viewer.apiKeyId;
        socket.once('close', () => {
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
        const args: ExecutionArgs = {
          schema,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        return errors.length ? errors : args;
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
