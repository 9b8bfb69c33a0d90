import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { createLogger } from '../src/logger.ts';
import { graphql } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace } from './helpers/factories.ts';

// viewer 1 + workspace 1 = 2 points requested, and 2 actually used (nothing to refund).
const TWO_POINTS = /* GraphQL */ `{ viewer { workspace { name } } }`;

const apps: App[] = [];
afterAll(async () => {
  await Promise.all(apps.map((app) => app.dispose()));
});

/** An app of its own, so its buckets start full; 0.01 point/s: nothing refills during a test. */
async function appWith(rateLimit: Parameters<typeof createApp>[0]['rateLimit'] = { bucketSize: 10, restorePerSecond: 0.01 }): Promise<App> {
  const app = createApp({ db: await testDatabase(), logger: createLogger('silent'), rateLimit });
  apps.push(app);
  return app;
}

async function drain(app: App, apiKey: string, times: number) {
  const results = [];
  for (let i = 0; i < times; i++) results.push(await graphql(TWO_POINTS, {}, { apiKey, app }));
  return results;
}

function expectRateLimited(res: Awaited<ReturnType<typeof graphql>>) {
  expect(res.status).toBe(429);
  expect(res.data ?? null).toBeNull();
  expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', cost: 2 });
  expect(res.statements).toBe(0);
}

describe('rate limit: a leaky bucket of cost points per API key', () => {
  it('answers 429 with Retry-After and RateLimit headers once the bucket is empty, touching no database', async () => {
    const app = await appWith();
    const ws = await createTestWorkspace();
    const results = await drain(app, ws.apiKey, 7);
    // 10 points: five operations of 2, then the bucket holds 0 (+ at most a few hundredths).
    for (const ok of results.slice(0, 5)) expect(ok.errors).toBeUndefined();
    expect(results[4]!.extensions?.cost).toMatchObject({
      requestedQueryCost: 2,
      actualQueryCost: 2,
      throttleStatus: { maximumAvailable: 10, currentlyAvailable: 0, restoreRate: 0.01 },
    });
    const refused = results[5]!;
    expectRateLimited(refused);
    // 2 points missing at 0.01 per second: about 200 s.
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(150);
    expect(retryAfter).toBeLessThanOrEqual(200);
    expect(refused.errors![0]!.extensions!.retryAfter).toBe(retryAfter);
    expect(refused.headers.get('ratelimit-policy')).toBe('"cost";q=10;w=1000');
    expect(refused.headers.get('ratelimit')).toBe(`"cost";r=0;t=${retryAfter}`);
    expect(refused.extensions?.cost).toMatchObject({ requestedQueryCost: 2, actualQueryCost: 0 });
    expectRateLimited(results[6]!);
  });

  it('gives every key its own bucket: another key, and another workspace, are unaffected', async () => {
    const app = await appWith();
    const ws = await createTestWorkspace();
    const other = await createTestWorkspace();
    const secondKey = await ws.createKey(['*']);
    await drain(app, ws.apiKey, 5);
    expectRateLimited(await graphql(TWO_POINTS, {}, { apiKey: ws.apiKey, app }));
    for (const apiKey of [secondKey, other.apiKey]) {
      const res = await graphql(TWO_POINTS, {}, { apiKey, app });
      expect(res.errors).toBeUndefined();
      expect(res.extensions?.cost.throttleStatus.currentlyAvailable).toBe(8);
    }
  });

  it('charges the requested cost up front and refunds what the response did not use', async () => {
    const app = await appWith({ bucketSize: 100, restorePerSecond: 0.01 });
    const ws = await createTestWorkspace();
    // Requested 1 + 20 × (1 + 1 + 2 × 1) = 81; the workspace has no customers: actual 1.
    const query = /* GraphQL */ `{ customers(first: 20) { edges { node { id tickets(first: 2) { edges { node { id } } } } } } }`;
    const first = await graphql(query, {}, { apiKey: ws.apiKey, app });
    expect(first.extensions?.cost).toMatchObject({ requestedQueryCost: 81, actualQueryCost: 1 });
    expect(first.extensions?.cost.throttleStatus.currentlyAvailable).toBe(99);
    // Without the refund the second would need 81 of 19 points.
    const second = await graphql(query, {}, { apiKey: ws.apiKey, app });
    expect(second.errors).toBeUndefined();
    expect(second.extensions?.cost.throttleStatus.currentlyAvailable).toBe(98);
  });

  it('refuses an operation bigger than what is left even though smaller ones still pass', async () => {
    const app = await appWith({ bucketSize: 100, restorePerSecond: 0.01 });
    const ws = await createTestWorkspace();
    const query = /* GraphQL */ `{ customers(first: 60) { edges { node { id organization { id } } } } }`; // 1 + 60 × 2 = 121
    const res = await graphql(query, {}, { apiKey: ws.apiKey, app });
    expect(res.status).toBe(429);
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', cost: 121, available: 100 });
    expect(res.statements).toBe(0);
    expect((await graphql(TWO_POINTS, {}, { apiKey: ws.apiKey, app })).errors).toBeUndefined();
  });

  it('limits callers without a key by their address, at least 1 point per operation', async () => {
    const app = await appWith({ bucketSize: 3, restorePerSecond: 0.01 });
    const free = await graphql(`{ __typename }`, {}, { app });
    expect(free.extensions?.cost).toMatchObject({ requestedQueryCost: 0, throttleStatus: { currentlyAvailable: 2 } });
    // Needs a key: 401, nothing returned, still 1 point.
    const anonymous = await graphql(`{ viewer { scopes } }`, {}, { app });
    expect(anonymous.status).toBe(401);
    expect(anonymous.extensions?.cost).toMatchObject({ requestedQueryCost: 1, actualQueryCost: 0, throttleStatus: { currentlyAvailable: 1 } });
    await graphql(`{ __typename }`, {}, { app });
    const limited = await graphql(`{ __typename }`, {}, { app });
    expect(limited.status).toBe(429);
    expect(limited.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', cost: 0 });
    expect(limited.statements).toBe(0);
  });

  it('runs with the production defaults when nothing is configured: 2,000 points, 100 per second, max cost 1,000', async () => {
    const app = createApp({ db: await testDatabase(), logger: createLogger('silent') });
    apps.push(app);
    const ws = await createTestWorkspace();
    const res = await graphql(TWO_POINTS, {}, { apiKey: ws.apiKey, app });
    expect(res.extensions?.cost.throttleStatus).toMatchObject({ maximumAvailable: 2000, restoreRate: 100 });
    expect(res.headers.get('ratelimit-policy')).toBe('"cost";q=2000;w=20');
    // 1 + 100 × (1 + 1 + 9 × 1) = 1,101 > 1,000.
    const big = await graphql(`{ customers(first: 100) { edges { node { id tickets(first: 9) { edges { node { id } } } } } } }`, {}, { apiKey: ws.apiKey, app });
    expect(big.errors![0]!.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', cost: 1101, limit: 1000 });
  });

  it('falls back to memory, and still limits, when Redis does not answer', async () => {
    // Nothing listens on port 1.
    const app = await appWith({ bucketSize: 4, restorePerSecond: 0.01, redisUrl: 'redis://127.0.0.1:1' });
    const ws = await createTestWorkspace();
    const results = await drain(app, ws.apiKey, 3);
    expect(results[0]!.errors).toBeUndefined();
    expect(results[1]!.errors).toBeUndefined();
    expectRateLimited(results[2]!);
  });
});

describe.runIf(process.env.REDIS_URL)('rate limit shared through Redis', () => {
  it('lets two instances draw from one bucket', async () => {
    const rateLimit = { bucketSize: 10, restorePerSecond: 0.01, redisUrl: process.env.REDIS_URL! };
    const [a, b] = [await appWith(rateLimit), await appWith(rateLimit)];
    const ws = await createTestWorkspace();
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await graphql(TWO_POINTS, {}, { apiKey: ws.apiKey, app: i % 2 ? b : a }));
    for (const ok of results.slice(0, 5)) expect(ok.errors).toBeUndefined();
    expect(results.map((r) => r.extensions?.cost.throttleStatus.currentlyAvailable).slice(0, 5)).toEqual([8, 6, 4, 2, 0]);
    expectRateLimited(results[5]!);
    // The other instance sees the same empty bucket.
    expectRateLimited(await graphql(TWO_POINTS, {}, { apiKey: ws.apiKey, app: a }));
  });
});
