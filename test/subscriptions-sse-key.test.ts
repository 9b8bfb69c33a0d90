import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../src/auth/api-keys.ts';
import { createApp, type App } from '../src/app.ts';
import { InMemoryBus } from '../src/events/bus.ts';
import { ApiKeyWatch } from '../src/events/key-watch.ts';
import { createLiveEvents } from '../src/events/live.ts';
import { createLogger } from '../src/logger.ts';
import type { PrismaClient } from '../src/generated/prisma/client.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace } from './helpers/factories.ts';
import { liveFixtures, MESSAGE_ADDED, untilChanged, useLiveServer } from './helpers/ws.ts';

/**
 * Subscriptions over server-sent events authenticate when their request arrives; afterwards the
 * app's ApiKeyWatch keeps them honest like WebSocket connections: a key revoked, deleted or
 * expired ends the stream with an UNAUTHENTICATED error, then `complete`; a key that lost a scope
 * it had ends it with FORBIDDEN. A revocation through `revokeApiKey` ends this instance's streams
 * of the key at once. The tests wait for the end with a generous bound and never assert a
 * duration; where the immediate path is under test, the periodic re-check is a minute away.
 */

const BOUND_MS = 20_000;

interface SseMessage {
  event: string;
  data: any;
}

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** One SSE subscription: every `event:` block received, in order, and whether the response body ended. */
function openSse(fetchFn: Fetch, url: string, apiKey: string, variables: Record<string, unknown>) {
  const messages: SseMessage[] = [];
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((l) => l());
  const abort = new AbortController();
  let ended = false;
  let status = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const reading = (async () => {
    try {
      const res = await fetchFn(url, {
        method: 'POST',
        signal: abort.signal,
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ query: MESSAGE_ADDED, variables }),
      });
      status = res.status;
      reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          if (!event) continue; // a keep-alive ping
          const data = /^data:(.*)$/m.exec(block)?.[1]?.trim();
          messages.push({ event, data: data ? JSON.parse(data) : null });
          changed();
        }
      }
    } catch {
      // aborted by close()
    } finally {
      ended = true;
      changed();
    }
  })();
  const until = (done: () => boolean, what: () => string) => untilChanged(listeners, done, BOUND_MS, what);
  const sse = {
    messages,
    get status() {
      return status;
    },
    bodies: () => messages.filter((m) => m.event === 'next' && m.data?.data).map((m) => m.data.data.messageAdded.message.body as string),
    errors: () => messages.filter((m) => m.event === 'next' && m.data?.errors).flatMap((m) => m.data.errors as Array<{ message: string; extensions?: Record<string, unknown> }>),
    /** Resolves once `count` messages were delivered (or the stream ended). */
    waitFor: (count: number) => until(() => ended || sse.bodies().length >= count, () => `${sse.bodies().length}/${count} messages; ${JSON.stringify(messages)}`),
    /** Resolves when the response body has ended. */
    ended: () => until(() => ended, () => `stream still open; ${JSON.stringify(messages)}`),
    get isEnded() {
      return ended;
    },
    close: async () => {
      abort.abort();
      // In memory (app.fetch) an abort does not reach a pending read; cancelling the body does.
      await reader?.cancel().catch(() => undefined);
      await reading;
    },
  };
  return sse;
}

type Sse = ReturnType<typeof openSse>;

/** The stream ended with one error of `code`, then `complete`, after delivering `bodies`. */
async function expectEndedWith(sse: Sse, code: string, message: RegExp, bodies: string[]) {
  await sse.ended();
  expect(sse.status).toBe(200);
  expect(sse.errors()).toEqual([{ message: expect.stringMatching(message), extensions: { code } }]);
  expect(sse.bodies()).toEqual(bodies);
  expect(sse.messages.map((m) => m.event).slice(-2)).toEqual(['next', 'complete']);
}

/** An in-memory app for the tests of one describe block, whose key watch re-checks every `recheckMs`. */
function useInMemoryApp(recheckMs: number): Fetch {
  let app: App | undefined;
  let keyWatch: ApiKeyWatch | undefined;
  beforeAll(async () => {
    const db = await testDatabase();
    const logger = createLogger('silent');
    keyWatch = new ApiKeyWatch(db.prisma, recheckMs, logger);
    app = createApp({ db, logger, events: createLiveEvents(new InMemoryBus(), { pollMs: 100 }), keyWatch });
  });
  afterAll(() => keyWatch?.close());
  return (url, init) => Promise.resolve(app!.fetch(url, init));
}

/** A workspace, a conversation, and two keys each with a live SSE stream that has received one message. */
async function twoStreams(fetchFn: Fetch, url: string, affectedScopes: string[] = ['conversations:read']) {
  const ws = await createTestWorkspace();
  const { prisma } = await testDatabase();
  const fx = liveFixtures(prisma, ws.workspaceId);
  const customer = await fx.customer();
  const conversation = await fx.conversation(customer.id);
  const variables = { id: encodeGlobalId('Conversation', conversation.id), after: await fx.mark() };
  const affectedKey = await ws.createKey(affectedScopes);
  const otherKey = await ws.createKey(['conversations:read']);
  const affected = openSse(fetchFn, url, affectedKey, variables);
  const other = openSse(fetchFn, url, otherKey, variables);
  await fx.message(conversation.id, customer.id, 'before');
  await Promise.all([affected.waitFor(1), other.waitFor(1)]);
  expect(affected.bodies()).toEqual(['before']);
  expect(other.bodies()).toEqual(['before']);
  return {
    ws,
    prisma,
    variables,
    affectedKey,
    affected,
    other,
    /** The other key's stream is still open and receives the next message. */
    async otherKeepsReceiving() {
      await fx.message(conversation.id, customer.id, 'after');
      await other.waitFor(2);
      expect(other.bodies()).toEqual(['before', 'after']);
      expect(other.isEnded).toBe(false);
      expect(other.errors()).toEqual([]);
      await other.close();
    },
  };
}

const URL_IN_MEMORY = 'http://cxgraph.test/graphql';
const INVALID = /^API key is invalid, revoked or expired$/;

describe('SSE streams of a key that stops working (periodic re-check)', () => {
  const periodic = useInMemoryApp(200);

  it.each([
    ['revoked', (prisma: PrismaClient, key: string) => prisma.apiKey.update({ where: { hashedKey: hashApiKey(key) }, data: { revokedAt: new Date() } })],
    ['expired', (prisma: PrismaClient, key: string) => prisma.apiKey.update({ where: { hashedKey: hashApiKey(key) }, data: { expiresAt: new Date(Date.now() - 1_000) } })],
    ['deleted', (prisma: PrismaClient, key: string) => prisma.apiKey.delete({ where: { hashedKey: hashApiKey(key) } })],
  ])('ends the stream with UNAUTHENTICATED, then complete, once the key is %s; another key stream goes on', async (_label, change) => {
    const t = await twoStreams(periodic, URL_IN_MEMORY);
    await change(t.prisma, t.affectedKey);
    await expectEndedWith(t.affected, 'UNAUTHENTICATED', INVALID, ['before']);
    await t.otherKeepsReceiving();
  });

  it('ends the stream with FORBIDDEN when the key loses a scope it had; a new subscription is authorized by the current scopes', async () => {
    const t = await twoStreams(periodic, URL_IN_MEMORY, ['conversations:read', 'tickets:read']);
    await t.prisma.apiKey.update({ where: { hashedKey: hashApiKey(t.affectedKey) }, data: { scopes: ['tickets:read'] } });
    await expectEndedWith(t.affected, 'FORBIDDEN', /scopes changed; subscribe again/, ['before']);
    await t.otherKeepsReceiving();
    const again = openSse(periodic, URL_IN_MEMORY, t.affectedKey, t.variables);
    await again.ended();
    expect(again.errors().map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(again.bodies()).toEqual([]);
  });
});

describe('SSE streams of a key revoked through the API', () => {
  const slowCheck = useInMemoryApp(60_000);

  it('ends at once on this instance with UNAUTHENTICATED, then complete', async () => {
    const t = await twoStreams(slowCheck, URL_IN_MEMORY);
    const { prisma } = await testDatabase();
    const row = await prisma.apiKey.findUniqueOrThrow({ where: { hashedKey: hashApiKey(t.affectedKey) } });
    const res = await slowCheck(URL_IN_MEMORY, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.ws.apiKey}` },
      body: JSON.stringify({
        query: /* GraphQL */ `mutation ($id: ID!) { revokeApiKey(input: { id: $id }) { __typename } }`,
        variables: { id: encodeGlobalId('ApiKey', row.id) },
      }),
    });
    expect(((await res.json()) as any).data.revokeApiKey.__typename).toBe('RevokeApiKeyPayload');
    await expectEndedWith(t.affected, 'UNAUTHENTICATED', INVALID, ['before']);
    await t.otherKeepsReceiving();
  });

  describe('over a real port, where WebSocket connections and SSE streams share the server watch', () => {
    const live = useLiveServer({ CXGRAPH_WS_KEY_RECHECK_MS: '60000' });

    it('ends the stream at once after revokeApiKey on the same server', async () => {
      const fetchFn: Fetch = (url, init) => fetch(url, init);
      const t = await twoStreams(fetchFn, live.running.url);
      const { prisma } = await testDatabase();
      const row = await prisma.apiKey.findUniqueOrThrow({ where: { hashedKey: hashApiKey(t.affectedKey) } });
      const res = await live.post(t.ws.apiKey, /* GraphQL */ `mutation ($id: ID!) { revokeApiKey(input: { id: $id }) { __typename } }`, {
        id: encodeGlobalId('ApiKey', row.id),
      });
      expect(res.data.revokeApiKey.__typename).toBe('RevokeApiKeyPayload');
      await expectEndedWith(t.affected, 'UNAUTHENTICATED', INVALID, ['before']);
      await t.otherKeepsReceiving();
    });
  });
});
