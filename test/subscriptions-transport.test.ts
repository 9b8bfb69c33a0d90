import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { startServer } from '../src/server.ts';
import { testDatabase } from './helpers/database.ts';
import { connectWs, MESSAGE_ADDED, settle, subscribe, until, useLiveServer } from './helpers/ws.ts';

/**
 * The transports and their guards over a real port: graphql-ws authentication and limits,
 * typing indicators, server-sent events, and graceful shutdown.
 */

const live = useLiveServer({ CXGRAPH_WS_MAX_SUBSCRIPTIONS: '4', CXGRAPH_WS_MAX_CONNECTIONS_PER_KEY: '3' });
const connect = live.connect;
const setup = live.setup;

describe('authentication, authorization and limits', () => {
  it('closes with 4401 without a key or with a bad one, and 4403 for a key that can read nothing live', async () => {
    const { ws } = await setup();
    expect((await connect(null).closed).code).toBe(4401);
    expect((await connect('cxg_not_a_real_key_000000000000000').closed).code).toBe(4401);
    const knowledgeOnly = await ws.createKey(['knowledge:read']);
    expect((await connect(knowledgeOnly).closed).code).toBe(4403);
  });

  it('checks the read scope of what is subscribed to', async () => {
    const { ws, fx, customer } = await setup();
    const conversation = await fx.conversation(customer.id);
    const conversationsOnly = await ws.createKey(['conversations:read']);
    const conn = connect(conversationsOnly);
    const denied = subscribe(conn.client, /* GraphQL */ `subscription { ticketCreated { eventId } }`);
    await denied.ended();
    expect(denied.errors[0]?.extensions?.code).toBe('FORBIDDEN');
    const allowed = subscribe(conn.client, MESSAGE_ADDED, { id: encodeGlobalId('Conversation', conversation.id), after: await fx.mark() });
    await fx.message(conversation.id, customer.id, 'visible');
    await allowed.waitFor(1);
  });

  it('limits subscriptions per connection and connections per key (4429)', async () => {
    const { ws, fx, customer } = await setup();
    const conversation = await fx.conversation(customer.id);
    const conn = connect(ws.apiKey);
    const four = Array.from({ length: 4 }, () => subscribe(conn.client, MESSAGE_ADDED, { id: encodeGlobalId('Conversation', conversation.id) }));
    await settle(300);
    // All four, the limit included, are live.
    await fx.message(conversation.id, customer.id, 'to all four');
    await Promise.all(four.map((sub) => sub.waitFor(1)));
    // waitFor also returns when a subscription ends: each must really have its message, on a live connection.
    for (const sub of four) expect(sub.items.map((i) => i.messageAdded.message.body)).toEqual(['to all four']);
    expect(four.some((sub) => sub.completed)).toBe(false);
    subscribe(conn.client, MESSAGE_ADDED, { id: encodeGlobalId('Conversation', conversation.id) });
    expect(await conn.closed).toMatchObject({ code: 4429, reason: expect.stringMatching(/subscriptions/) });

    const key = await ws.createKey(['conversations:read']);
    const conns = [connect(key), connect(key), connect(key)];
    await Promise.all(conns.map((c) => new Promise<void>((resolve) => c.client.on('connected', () => resolve()))));
    const fourth = connect(key);
    expect(await fourth.closed).toMatchObject({ code: 4429, reason: expect.stringMatching(/connections/) });
    await conns[0]!.dispose();
    await settle(200);
    const again = connect(key);
    await new Promise<void>((resolve) => again.client.on('connected', () => resolve()));
  });
});

describe('typing indicators and SSE', () => {
  it('broadcasts setTyping to typingIndicator subscribers of that conversation only', async () => {
    const { ws, fx, customer } = await setup();
    const conversation = await fx.conversation(customer.id);
    const elsewhere = await fx.conversation(customer.id);
    const conn = connect(ws.apiKey);
    const sub = subscribe(
      conn.client,
      /* GraphQL */ `subscription ($id: ID!) { typingIndicator(conversationId: $id) { conversationId isTyping agent { name } } }`,
      { id: encodeGlobalId('Conversation', conversation.id) },
    );
    const SET = /* GraphQL */ `mutation ($input: SetTypingInput!) { setTyping(input: $input) { __typename ... on SetTypingPayload { indicator { isTyping } } ... on NotFoundError { code field } } }`;
    await live.post(ws.apiKey, SET, { input: { conversationId: encodeGlobalId('Conversation', elsewhere.id), isTyping: true } });
    // Typing is live only: repeat until the subscription, whose start is not acknowledged, hears it.
    for (let i = 0; i < 40 && sub.items.length === 0; i++) {
      const result = await live.post(ws.apiKey, SET, { input: { conversationId: encodeGlobalId('Conversation', conversation.id), isTyping: true } });
      expect(result.data.setTyping).toEqual({ __typename: 'SetTypingPayload', indicator: { isTyping: true } });
      await settle(100);
    }
    await live.post(ws.apiKey, SET, { input: { conversationId: encodeGlobalId('Conversation', elsewhere.id), isTyping: false } });
    await live.post(ws.apiKey, SET, { input: { conversationId: encodeGlobalId('Conversation', conversation.id), isTyping: false } });
    await until(() => sub.items.at(-1)?.typingIndicator.isTyping === false);
    const seen = sub.items.map((i) => i.typingIndicator);
    expect(seen[0]).toEqual({ conversationId: encodeGlobalId('Conversation', conversation.id), isTyping: true, agent: { name: 'Test Admin' } });
    expect(seen.at(-1)).toEqual({ conversationId: encodeGlobalId('Conversation', conversation.id), isTyping: false, agent: { name: 'Test Admin' } });
    expect(seen.every((t) => t.conversationId === encodeGlobalId('Conversation', conversation.id))).toBe(true);
    const stranger = await setup();
    const missing = await live.post(stranger.ws.apiKey, SET, { input: { conversationId: encodeGlobalId('Conversation', conversation.id), isTyping: true } });
    expect(missing.data.setTyping).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND', field: 'input.conversationId' });
  });

  it('serves a subscription as server-sent events with the Authorization header', async () => {
    const { ws, fx, customer } = await setup();
    const conversation = await fx.conversation(customer.id);
    const abort = new AbortController();
    const res = await fetch(live.running.url, {
      method: 'POST',
      signal: abort.signal,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${ws.apiKey}` },
      body: JSON.stringify({ query: MESSAGE_ADDED, variables: { id: encodeGlobalId('Conversation', conversation.id), after: await fx.mark() } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    await fx.message(conversation.id, customer.id, 'over sse');
    const reader = res.body!.getReader();
    let text = '';
    const deadline = Date.now() + 8_000;
    while (!text.includes('over sse') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    abort.abort();
    expect(text).toMatch(/event: next\ndata: .*"body":"over sse"/);

    const unauthenticated = await fetch(live.running.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: 'Bearer cxg_not_a_real_key_000000000000000' },
      body: JSON.stringify({ query: MESSAGE_ADDED, variables: { id: encodeGlobalId('Conversation', conversation.id) } }),
    });
    expect(unauthenticated.status).toBe(401);
  });
});

describe('graceful shutdown', () => {
  it('says "going away" (1001) on every WebSocket and ends SSE streams before the HTTP server closes', async () => {
    const { ws, fx, customer } = await setup();
    const conversation = await fx.conversation(customer.id);
    const config = loadConfig({ PORT: '0', CXGRAPH_SEED_DEMO: 'false', CXGRAPH_SHUTDOWN_GRACE_MS: '20000' });
    const other = await startServer(config, createLogger('silent'), { db: await testDatabase() });
    const conn = connectWs(other.url.replace(/^http/, 'ws'), ws.apiKey);
    const sub = subscribe(conn.client, MESSAGE_ADDED, { id: encodeGlobalId('Conversation', conversation.id), after: await fx.mark() });
    await fx.message(conversation.id, customer.id, 'before shutdown');
    await sub.waitFor(1);
    const sse = await fetch(other.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${ws.apiKey}` },
      body: JSON.stringify({ query: MESSAGE_ADDED, variables: { id: encodeGlobalId('Conversation', conversation.id) } }),
    });
    const sseDone = sse.text();
    const started = Date.now();
    await other.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await conn.closed).toMatchObject({ code: 1001 });
    await expect(sseDone).resolves.toEqual(expect.any(String));
    // The shared database stays open for the rest of the suite.
    expect(await (await testDatabase()).prisma.workspace.count({ where: { id: ws.workspaceId } })).toBe(1);
  });
});

describe('wake-ups from mutations', () => {
  it('delivers an event committed by a mutation at once, without waiting for the poll', async () => {
    const { ws, fx, customer } = await setup();
    const conversation = await fx.conversation(customer.id);
    const id = encodeGlobalId('Conversation', conversation.id);
    const config = loadConfig({ PORT: '0', CXGRAPH_SEED_DEMO: 'false', CXGRAPH_EVENT_POLL_MS: '600000' });
    const slowPoll = await startServer(config, createLogger('silent'), { db: await testDatabase() });
    try {
      const conn = connectWs(slowPoll.url.replace(/^http/, 'ws'), ws.apiKey);
      const sub = subscribe(conn.client, MESSAGE_ADDED, { id, after: await fx.mark() });
      const send = async (body: string) => {
        const res = await fetch(slowPoll.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ws.apiKey}` },
          body: JSON.stringify({
            query: /* GraphQL */ `mutation ($input: SendMessageInput!) { sendMessage(input: $input) { __typename } }`,
            variables: { input: { conversationId: id, authorKind: 'CUSTOMER', body } },
          }),
        });
        expect(((await res.json()) as any).data.sendMessage.__typename).toBe('SendMessagePayload');
      };
      // The first may arrive by replay if the subscription starts late; once it is in, the stream is live.
      await send('first');
      await sub.waitFor(1, 5_000);
      const started = Date.now();
      await send('second');
      await sub.waitFor(2, 3_000);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(sub.items.map((i) => i.messageAdded.message.body)).toEqual(['first', 'second']);
      await conn.dispose();
    } finally {
      await slowPoll.stop();
    }
  });
});
