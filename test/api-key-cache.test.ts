import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { ApiKeyCache } from '../src/auth/key-cache.ts';
import { generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { countQueries } from '../src/db/query-counter.ts';
import { createWakeupBus, type WakeupBus } from '../src/events/bus.ts';
import { createLiveEvents } from '../src/events/live.ts';
import { createLogger } from '../src/logger.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace } from './helpers/factories.ts';

/**
 * HTTP requests authenticate from a cache of key records (src/auth/key-cache.ts). Two app
 * instances share one event bus — Redis when REDIS_URL is set, as in production — to show that a
 * revocation on one reaches the other at once.
 */
const log = createLogger('silent');
const buses: WakeupBus[] = [];
const caches: ApiKeyCache[] = [];
afterAll(async () => {
  for (const cache of caches) cache.close();
  await Promise.all(buses.map((b) => b.close()));
});

async function instance(bus: WakeupBus, ttlMs = 10_000): Promise<App> {
  const db = await testDatabase();
  const apiKeys = new ApiKeyCache(db.prisma, bus, { ttlMs }, log);
  caches.push(apiKeys);
  return createApp({ db, logger: log, events: createLiveEvents(bus), apiKeys });
}

function sharedBus(): WakeupBus {
  const bus = createWakeupBus(process.env.REDIS_URL ?? null, log);
  buses.push(bus);
  return bus;
}

async function post(app: App, key: string, query: string, variables: Record<string, unknown> = {}) {
  const { result, tally } = await countQueries(async () => {
    const res = await app.fetch('http://cxgraph.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, body: (await res.json()) as { data?: any; errors?: any[] } };
  });
  return { ...result, statements: tally.statements };
}

const WHO = /* GraphQL */ `{ viewer { workspace { name } scopes } }`;
const SCOPES = /* GraphQL */ `{ viewer { scopes } }`;

describe('the API key cache of HTTP requests', () => {
  it('authenticates a key it has read with no SQL statement, each key as its own workspace', async () => {
    const app = await instance(sharedBus());
    const a = await createTestWorkspace();
    const b = await createTestWorkspace();
    const cold = await post(app, a.apiKey, SCOPES);
    expect(cold.body.data.viewer.scopes).toEqual(['*']);
    expect(cold.statements).toBe(1);
    const warm = await post(app, a.apiKey, SCOPES);
    expect(warm.body.data.viewer.scopes).toEqual(['*']);
    expect(warm.statements).toBe(0);
    expect((await post(app, a.apiKey, WHO)).body.data.viewer.workspace.name).toBe(a.name);
    expect((await post(app, b.apiKey, WHO)).body.data.viewer.workspace.name).toBe(b.name);
    expect((await post(app, a.apiKey, WHO)).body.data.viewer.workspace.name).toBe(a.name);
  });

  it('reads a burst of requests with a cold key once', async () => {
    const app = await instance(sharedBus());
    const ws = await createTestWorkspace();
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(app, ws.apiKey, SCOPES)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    // `viewer { scopes }` needs nothing but the key: the one statement is the key's read.
    expect(answers.reduce((sum, a) => sum + a.statements, 0)).toBe(1);
  });

  it('refuses a key revoked through revokeApiKey on another instance at once', async () => {
    const bus = sharedBus();
    const [first, second] = [await instance(bus), await instance(bus)];
    const ws = await createTestWorkspace();
    const integration = await ws.createKey(['tickets:read']);
    expect((await post(first, integration, SCOPES)).status).toBe(200);
    expect((await post(second, integration, SCOPES)).status).toBe(200);
    const { prisma } = await testDatabase();
    const row = await prisma.apiKey.findUniqueOrThrow({ where: { hashedKey: hashApiKey(integration) } });
    const revoked = await post(first, ws.apiKey, /* GraphQL */ `mutation ($id: ID!) { revokeApiKey(input: { id: $id }) { __typename } }`, {
      id: encodeGlobalId('ApiKey', row.id),
    });
    expect(revoked.body.data.revokeApiKey.__typename).toBe('RevokeApiKeyPayload');
    // The broadcast is asynchronous over Redis: allow it a moment, never a stale answer after that.
    await expect.poll(async () => (await post(second, integration, SCOPES)).status, { timeout: 5_000, interval: 20 }).toBe(401);
    const again = await post(first, integration, SCOPES);
    expect(again.status).toBe(401);
    expect(again.body.errors![0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a cached key once it expires, without reading it again', async () => {
    const app = await instance(sharedBus());
    const ws = await createTestWorkspace();
    const expiresAt = new Date(Date.now() + 1_500);
    const key = await ws.createKey(['tickets:read'], { expiresAt });
    expect((await post(app, key, SCOPES)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, expiresAt.getTime() - Date.now() + 50));
    const expired = await post(app, key, SCOPES);
    expect(expired.status).toBe(401);
    expect(expired.statements).toBe(0);
  });

  it('sees a key changed in the database by hand within its time to live', async () => {
    const app = await instance(sharedBus(), 300);
    const ws = await createTestWorkspace();
    const key = await ws.createKey(['tickets:read']);
    expect((await post(app, key, SCOPES)).status).toBe(200);
    const { prisma } = await testDatabase();
    await prisma.apiKey.update({ where: { hashedKey: hashApiKey(key) }, data: { revokedAt: new Date() } });
    await expect.poll(async () => (await post(app, key, SCOPES)).status, { timeout: 5_000, interval: 50 }).toBe(401);
  });

  it('works a key created a moment ago at once (unknown keys are never cached)', async () => {
    const app = await instance(sharedBus());
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const key = generateApiKey();
    expect((await post(app, key, SCOPES)).status).toBe(401);
    await prisma.apiKey.create({
      data: { id: crypto.randomUUID(), workspaceId: ws.workspaceId, name: 'late', prefix: key.slice(0, 12), hashedKey: hashApiKey(key), scopes: ['tickets:read'] },
    });
    expect((await post(app, key, SCOPES)).status).toBe(200);
  });
});
