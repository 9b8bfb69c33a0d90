import { afterAll, describe, expect, it } from 'vitest';
import { apiKeyPrefix, generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { parseDatabaseUrl } from '../src/config.ts';
import { openDatabase, type Database } from '../src/db/index.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { redisAnswers } from './helpers/redis.ts';
import { onPostgres } from './helpers/database.ts';
import { startServerProcess, type RunningChild } from './helpers/process.ts';
import { scratchDatabase } from './helpers/scratch.ts';
import { connectWs, liveFixtures, settle, subscribe } from './helpers/ws.ts';

/**
 * Two server processes on one PostgreSQL database with Redis between them: a change made
 * through A reaches a subscriber connected to B through a Redis wake-up (B's poll interval is
 * far longer than the test waits), and typing indicators cross instances.
 */

const REDIS_URL = process.env.REDIS_URL?.trim() || 'redis://127.0.0.1:6379';


const skipReason = !onPostgres() ? 'needs PostgreSQL (run with DATABASE_URL): two processes cannot share an embedded database' : (await redisAnswers(new URL(REDIS_URL).hostname, Number(new URL(REDIS_URL).port || 6379))) ? null : `Redis is not reachable at ${REDIS_URL}`;
if (skipReason) console.warn(`[subscriptions-redis] skipped: ${skipReason}`);

const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => undefined);
});

describe.skipIf(skipReason !== null)(`two instances sharing Redis and PostgreSQL${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('delivers a mutation on A to a subscriber on B, and typing indicators across instances', async () => {
    const scratch = await scratchDatabase();
    cleanup.push(() => scratch.dispose());
    const env = { DATABASE_URL: scratch.url!, REDIS_URL, CXGRAPH_SEED_DEMO: 'false', CXGRAPH_EVENT_POLL_MS: '600000' };
    const a: RunningChild = await startServerProcess(env);
    cleanup.push(() => a.stop('SIGKILL'));
    const b: RunningChild = await startServerProcess(env);
    cleanup.push(() => b.stop('SIGKILL'));

    const db: Database = await openDatabase(parseDatabaseUrl(scratch.url!, 2));
    cleanup.push(() => db.close());
    const { prisma } = db;
    const workspace = await prisma.workspace.create({ data: { name: 'Redis test', slug: `redis-${Date.now().toString(36)}` } });
    const agent = await prisma.agent.create({ data: { workspaceId: workspace.id, name: 'Agent A', email: 'a@example.test', role: 'ADMIN' } });
    const key = generateApiKey();
    await prisma.apiKey.create({ data: { workspaceId: workspace.id, name: 'test', prefix: apiKeyPrefix(key), hashedKey: hashApiKey(key), scopes: ['*'], agentId: agent.id } });
    const fx = liveFixtures(prisma, workspace.id);
    const customer = await fx.customer();
    const conversation = await fx.conversation(customer.id);
    const conversationId = encodeGlobalId('Conversation', conversation.id);

    const conn = connectWs(b.url.replace(/^http/, 'ws'), key);
    cleanup.push(() => conn.dispose());
    // Starting after a marker, the subscription cannot miss the message however slowly it starts.
    const after = await fx.mark();
    const messages = subscribe(
      conn.client,
      /* GraphQL */ `subscription ($id: ID!, $after: String) { messageAdded(conversationId: $id, after: $after) { message { body } } }`,
      { id: conversationId, after },
    );
    const typing = subscribe(conn.client, /* GraphQL */ `subscription ($id: ID!) { typingIndicator(conversationId: $id) { isTyping agent { name } } }`, { id: conversationId });
    await settle(1_000);

    const post = async (query: string, variables: Record<string, unknown>) => {
      const res = await fetch(a.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }) });
      return (await res.json()) as { data?: any; errors?: unknown[] };
    };
    // The row a service's transaction would commit, then any mutation on A: its wake-up crosses Redis.
    await fx.message(conversation.id, customer.id, 'from A');
    const mutation = await post(/* GraphQL */ `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { __typename } }`, { input: { name: 'Wake-up' } });
    expect(mutation.data?.createCustomer.__typename).toBe('CustomerPayload');
    await messages.waitFor(1, 5_000);
    expect(messages.items.map((i) => i.messageAdded.message.body)).toEqual(['from A']);

    await post(/* GraphQL */ `mutation ($input: SetTypingInput!) { setTyping(input: $input) { __typename } }`, { input: { conversationId, isTyping: true } });
    await typing.waitFor(1, 5_000);
    expect(typing.items[0].typingIndicator).toEqual({ isTyping: true, agent: { name: 'Agent A' } });

    const ready = (await (await fetch(`${b.origin}/readyz`)).json()) as Record<string, any>;
    expect(ready).toMatchObject({ ready: true, checks: { events: { ok: true } } });
    expect(await a.stop('SIGTERM')).toBe(0);
    expect(await b.stop('SIGTERM')).toBe(0);
  }, 60_000);
});
