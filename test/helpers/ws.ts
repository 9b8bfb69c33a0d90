import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';

/** A graphql-ws client (protocol graphql-transport-ws) that never retries, so a close is observable. */
export interface WsConnection {
  client: Client;
  /** Resolves with the close event's code and reason when the socket closes. */
  closed: Promise<{ code: number; reason: string }>;
  dispose(): Promise<void>;
}

export function connectWs(url: string, apiKey: string | null, params: Record<string, unknown> = {}): WsConnection {
  let resolveClosed!: (value: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (resolveClosed = resolve));
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: { ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), ...params },
    onNonLazyError: () => undefined,
    on: {
      closed: (event) => {
        const e = event as { code?: number; reason?: string | Buffer };
        resolveClosed({ code: e.code ?? 0, reason: String(e.reason ?? '') });
      },
    },
  });
  return { client, closed, dispose: () => client.dispose() as Promise<void> };
}

export interface Subscription<T = any> {
  /** Every `data` received, in order. */
  items: T[];
  errors: Array<{ message: string; extensions?: Record<string, unknown> }>;
  completed: boolean;
  /** Resolves once `count` items arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<T[]>;
  /** Resolves when the server ended the subscription (an error or complete). */
  ended(timeoutMs?: number): Promise<void>;
  unsubscribe(): void;
}

/**
 * Resolves once `done()` holds, checked now and whenever a listener of `listeners` is called;
 * rejects with `describe()` after `timeoutMs`. A bounded wait for an event, never a sleep.
 */
export function untilChanged(listeners: Set<() => void>, done: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!done()) return;
      listeners.delete(check);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      listeners.delete(check);
      reject(new Error(`timed out: ${describe()}`));
    }, timeoutMs);
    listeners.add(check);
    check();
  });
}

export function subscribe<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}): Subscription<T> {
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((l) => l());
  const sub: Subscription<T> = {
    items: [],
    errors: [],
    completed: false,
    waitFor: (count, timeoutMs = 8_000) => until(() => sub.items.length >= count || sub.completed, timeoutMs, () => `${sub.items.length}/${count} items, errors ${JSON.stringify(sub.errors)}`).then(() => sub.items),
    ended: (timeoutMs = 8_000) => until(() => sub.completed, timeoutMs, () => 'subscription still open'),
    unsubscribe: () => unsubscribe(),
  };
  const until = (done: () => boolean, timeoutMs: number, describe: () => string) => untilChanged(listeners, done, timeoutMs, describe);
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) sub.errors.push(...(result.errors as Subscription['errors']));
        if (result.data) sub.items.push(result.data as T);
        changed();
      },
      error: (error) => {
        if (Array.isArray(error)) sub.errors.push(...(error as Subscription['errors']));
        else sub.errors.push({ message: String((error as Error)?.message ?? (error as { reason?: string })?.reason ?? error) });
        sub.completed = true;
        changed();
      },
      complete: () => {
        sub.completed = true;
        changed();
      },
    },
  );
  return sub;
}

/** Waits a moment to show that nothing more arrives. */
export const settle = (ms = 600) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Rows and event-log entries for live-update tests, written straight to the database the way a
 * service's transaction would (the change, then its event).
 */
export function liveFixtures(prisma: import('../../src/generated/prisma/client.ts').PrismaClient, workspaceId: string) {
  let ticketNumber = 0;
  const event = (type: string, subjectType: string, subjectId: string, payload: Record<string, unknown> = {}, createdAt?: Date) =>
    prisma.event.create({ data: { workspaceId, type, subjectType, subjectId, payload: payload as never, actorKind: 'SYSTEM', ...(createdAt ? { createdAt } : {}) } });
  return {
    event,
    /**
     * Cursor of a new event no subscription under test matches: subscribing with `after` set to
     * it makes a test independent of how long the subscription takes to start.
     */
    async mark(): Promise<string> {
      const e = await event('article.created', 'Article', workspaceId);
      return Buffer.from(`Event:${e.id}`, 'utf8').toString('base64url');
    },
    customer: (name = 'Live Customer') => prisma.customer.create({ data: { workspaceId, name } }),
    team: (name = 'Live Team') => prisma.team.create({ data: { workspaceId, name, function: 'SUPPORT' } }),
    conversation: (customerId: string, data: Record<string, unknown> = {}) =>
      prisma.conversation.create({ data: { workspaceId, customerId, channel: 'CHAT', ...data } as never }),
    /** A message and its `message.added` event. */
    async message(conversationId: string, customerId: string, body: string) {
      const message = await prisma.message.create({ data: { workspaceId, conversationId, authorKind: 'CUSTOMER', direction: 'INBOUND', body } as never });
      const e = await event('message.added', 'Message', message.id, { conversationId, customerId });
      return { message, event: e };
    },
    /** A ticket and its `ticket.created` event. */
    async ticket(requesterId: string, data: Record<string, unknown> = {}) {
      ticketNumber += 1;
      const ticket = await prisma.ticket.create({
        data: { workspaceId, number: 100_000 + ticketNumber, subject: `Live ticket ${ticketNumber}`, requesterId, ...data } as never,
      });
      const e = await event('ticket.created', 'Ticket', ticket.id, { customerId: requesterId, teamId: ticket.teamId });
      return { ticket, event: e };
    },
  };
}

/**
 * An in-process server (src/server.ts's startServer, PORT 0) on the worker's test database for
 * the tests of one file, with a short poll so directly written event rows arrive quickly.
 */
export function useLiveServer(env: Record<string, string> = {}) {
  const handle = {
    running: undefined as unknown as Awaited<ReturnType<typeof import('../../src/server.ts').startServer>>,
    wsUrl: '',
    open: [] as WsConnection[],
    connect(apiKey: string | null, params?: Record<string, unknown>): WsConnection {
      const connection = connectWs(handle.wsUrl, apiKey, params);
      handle.open.push(connection);
      return connection;
    },
    async setup() {
      const { createTestWorkspace } = await import('./factories.ts');
      const { testDatabase } = await import('./database.ts');
      const ws = await createTestWorkspace();
      const { prisma } = await testDatabase();
      const fx = liveFixtures(prisma, ws.workspaceId);
      const customer = await fx.customer();
      return { ws, prisma, fx, customer };
    },
    async post(apiKey: string, query: string, variables: Record<string, unknown> = {}) {
      const res = await fetch(handle.running.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as { data?: any; errors?: any[] };
    },
  };
  beforeAll(async () => {
    const { loadConfig } = await import('../../src/config.ts');
    const { createLogger } = await import('../../src/logger.ts');
    const { startServer } = await import('../../src/server.ts');
    const { testDatabase } = await import('./database.ts');
    // With REDIS_URL set (CI's second pass), wake-ups go through Redis like in production.
    const redis = process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {};
    // A bucket no test drains unless it sets its own (test/guards-subscriptions.test.ts does).
    const bucket = { CXGRAPH_RATE_LIMIT_POINTS: '100000000', CXGRAPH_RATE_LIMIT_RESTORE_PER_SECOND: '1000000' };
    const config = loadConfig({ PORT: '0', CXGRAPH_SEED_DEMO: 'false', CXGRAPH_EVENT_POLL_MS: '150', ...redis, ...bucket, ...env });
    handle.running = await startServer(config, createLogger((process.env.CXGRAPH_TEST_LOG_LEVEL as never) ?? 'silent'), { db: await testDatabase() });
    handle.wsUrl = handle.running.url.replace(/^http/, 'ws');
  }, 60_000);
  afterAll(async () => {
    await Promise.all(handle.open.map((c) => c.dispose().catch(() => undefined)));
    await handle.running?.stop();
  });
  return handle;
}

export async function until(done: () => boolean, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await settle(50);
  }
}

export const MESSAGE_ADDED = /* GraphQL */ `
  subscription ($id: ID!, $after: String) {
    messageAdded(conversationId: $id, after: $after) { cursor eventId type message { body } conversation { id } }
  }
`;
