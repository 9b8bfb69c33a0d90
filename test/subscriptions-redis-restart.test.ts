import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { redisAnswers } from './helpers/redis.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { apiKeyPrefix, generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { parseDatabaseUrl } from '../src/config.ts';
import { openDatabase, type Database } from '../src/db/index.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { onPostgres } from './helpers/database.ts';
import { freePort, startServerProcess } from './helpers/process.ts';
import { scratchDatabase } from './helpers/scratch.ts';
import { connectWs, liveFixtures, MESSAGE_ADDED, settle, subscribe } from './helpers/ws.ts';

/**
 * Redis is only a wake-up channel: when it dies and comes back in the middle of a stream of
 * mutations, subscribers on another instance must still receive every committed event exactly
 * once and in order (the poll covers the outage), and a resume by cursor must return exactly
 * what was missed. The test runs its own redis-server on a free port, never the shared one.
 */

const hasRedisServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
const skipReason = !onPostgres()
  ? 'needs PostgreSQL (run with DATABASE_URL): two processes cannot share an embedded database'
  : !hasRedisServer
    ? 'redis-server is not on PATH'
    : null;
if (skipReason) console.warn(`[subscriptions-redis-restart] skipped: ${skipReason}`);

const pong = (port: number) => redisAnswers('127.0.0.1', port, 500);

/** A private redis-server that can be stopped and started again on the same port. */
function ownRedis(port: number) {
  let child: ChildProcess | null = null;
  return {
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: 'ignore' });
      const deadline = Date.now() + 5_000;
      while (!(await pong(port))) {
        if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
        await settle(50);
      }
    },
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    },
  };
}

const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => undefined);
});

const SEND = /* GraphQL */ `
  mutation ($input: SendMessageInput!) { sendMessage(input: $input) { __typename } }
`;

describe.skipIf(skipReason !== null)(`Redis restarting under a stream of mutations${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('delivers every committed event once and in order across the outage, and a resume gets exactly the missed ones', async () => {
    const redisPort = await freePort();
    const redis = ownRedis(redisPort);
    await redis.start();
    cleanup.push(() => redis.stop());
    const scratch = await scratchDatabase();
    cleanup.push(() => scratch.dispose());
    const env = { DATABASE_URL: scratch.url!, REDIS_URL: `redis://127.0.0.1:${redisPort}`, CXGRAPH_SEED_DEMO: 'false', CXGRAPH_EVENT_POLL_MS: '500' };
    const a = await startServerProcess(env);
    cleanup.push(() => a.stop('SIGKILL'));
    const b = await startServerProcess(env);
    cleanup.push(() => b.stop('SIGKILL'));

    const db: Database = await openDatabase(parseDatabaseUrl(scratch.url!, 2));
    cleanup.push(() => db.close());
    const { prisma } = db;
    const workspace = await prisma.workspace.create({ data: { name: 'Redis restart', slug: `redis-restart-${Date.now().toString(36)}` } });
    const agent = await prisma.agent.create({ data: { workspaceId: workspace.id, name: 'Agent R', email: 'r@example.test', role: 'ADMIN' } });
    const key = generateApiKey();
    await prisma.apiKey.create({ data: { workspaceId: workspace.id, name: 'test', prefix: apiKeyPrefix(key), hashedKey: hashApiKey(key), scopes: ['*'], agentId: agent.id } });
    const fx = liveFixtures(prisma, workspace.id);
    const customer = await fx.customer();
    const conversation = await fx.conversation(customer.id);
    const conversationId = encodeGlobalId('Conversation', conversation.id);
    const start = await fx.mark();

    const wsUrl = b.url.replace(/^http/, 'ws');
    const steady = connectWs(wsUrl, key);
    cleanup.push(() => steady.dispose());
    const all = subscribe(steady.client, MESSAGE_ADDED, { id: conversationId, after: start });
    const leaver = connectWs(wsUrl, key);
    cleanup.push(() => leaver.dispose());
    const early = subscribe(leaver.client, MESSAGE_ADDED, { id: conversationId, after: start });

    const send = async (body: string) => {
      const res = await fetch(a.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: SEND, variables: { input: { conversationId, authorKind: 'CUSTOMER', body } } }),
      });
      const json = (await res.json()) as { data?: { sendMessage: { __typename: string } }; errors?: unknown[] };
      expect(json.errors, body).toBeUndefined();
      expect(json.data?.sendMessage.__typename, body).toBe('SendMessagePayload');
    };

    const TOTAL = 30;
    const sentWhileDown: string[] = [];
    let redisDown = false;
    let lastSeenByLeaver = '';
    let lastIdSeenByLeaver = '';
    for (let i = 0; i < TOTAL; i += 1) {
      const body = `m${String(i).padStart(2, '0')}`;
      if (i === 6) {
        await early.waitFor(6, 5_000);
        lastSeenByLeaver = early.items.at(-1)!.messageAdded.cursor as string;
        lastIdSeenByLeaver = early.items.at(-1)!.messageAdded.eventId as string;
        await leaver.dispose();
      }
      if (i === 10) {
        await redis.stop();
        redisDown = true;
      }
      if (i === 20) {
        await redis.start();
        redisDown = false;
      }
      await send(body);
      if (redisDown) sentWhileDown.push(body);
      await settle(100);
    }
    expect(sentWhileDown.length).toBe(10);

    const committed = await prisma.event.findMany({ where: { workspaceId: workspace.id, type: 'message.added' }, orderBy: { id: 'asc' }, select: { id: true } });
    expect(committed).toHaveLength(TOTAL);
    const committedIds = committed.map((e) => e.id.toString());
    const bodies = Array.from({ length: TOTAL }, (_, i) => `m${String(i).padStart(2, '0')}`);

    await all.waitFor(TOTAL, 10_000);
    await settle(1_200);
    expect(all.errors).toEqual([]);
    expect(all.items.map((i) => i.messageAdded.eventId)).toEqual(committedIds);
    expect(all.items.map((i) => i.messageAdded.message.body)).toEqual(bodies);

    // Redis is back: both instances reconnect (ioredis backoff) and report it.
    for (const instance of [a, b]) {
      let ready: { checks?: { events?: { ok?: boolean } } } = {};
      const deadline = Date.now() + 10_000;
      while (ready.checks?.events?.ok !== true && Date.now() < deadline) {
        ready = (await (await fetch(`${instance.origin}/readyz`)).json()) as typeof ready;
        if (ready.checks?.events?.ok !== true) await settle(200);
      }
      expect(ready).toMatchObject({ checks: { events: { ok: true } } });
    }

    const seenEarly = early.items.map((i) => i.messageAdded.eventId as string);
    expect(seenEarly).toEqual(committedIds.slice(0, seenEarly.length));
    const resumed = connectWs(wsUrl, key);
    cleanup.push(() => resumed.dispose());
    const rest = subscribe(resumed.client, MESSAGE_ADDED, { id: conversationId, after: lastSeenByLeaver });
    expect(seenEarly.at(-1)).toBe(lastIdSeenByLeaver);
    const missed = committedIds.slice(committedIds.indexOf(lastIdSeenByLeaver) + 1);
    await rest.waitFor(missed.length, 10_000);
    await settle(800);
    expect(rest.errors).toEqual([]);
    expect(rest.items.map((i) => i.messageAdded.eventId)).toEqual(missed);

    expect(await a.stop('SIGTERM')).toBe(0);
    expect(await b.stop('SIGTERM')).toBe(0);
  }, 60_000);
});
