import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { InMemoryBus, RedisBus } from '../src/events/bus.ts';
import { createLiveEvents } from '../src/events/live.ts';
import { eventStream, PAGE_SIZE, SUBSCRIBER_TOO_SLOW, type StreamItem } from '../src/events/stream.ts';
import { createLogger } from '../src/logger.ts';
import { createReadinessCheck } from '../src/readiness.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace } from './helpers/factories.ts';

/** The event stream on its own: replay in pages, the replay/live seam, the buffer bound, and the bus's health. */

async function workspaceWithEvents(count: number) {
  const ws = await createTestWorkspace();
  const { prisma } = await testDatabase();
  const add = async (n: number) => {
    if (n === 0) return;
    await prisma.event.createMany({
      data: Array.from({ length: n }, () => ({ workspaceId: ws.workspaceId, type: 'customer.updated', subjectType: 'Customer', subjectId: ws.agentId, actorKind: 'SYSTEM' as const })),
    });
  };
  await add(count);
  return { ws, prisma, add };
}

async function take(stream: AsyncIterator<StreamItem>, n: number): Promise<StreamItem[]> {
  const items: StreamItem[] = [];
  while (items.length < n) {
    const next = await stream.next();
    if (next.done) break;
    items.push(next.value);
  }
  return items;
}

describe('eventStream', () => {
  it('replays more than a page in order, then delivers live events with no gap or duplicate at the seam', async () => {
    const { ws, prisma, add } = await workspaceWithEvents(PAGE_SIZE * 2 + 50);
    const bus = new InMemoryBus();
    const stream = eventStream({ prisma, bus, workspaceId: ws.workspaceId, after: 0n, types: ['customer.updated'], maxBuffered: 1000, pollMs: 60_000 });
    const replayed = await take(stream, PAGE_SIZE * 2 + 50);
    // Written during the hand-over from replay to live, and signalled only by the wake-up.
    const pending = stream.next();
    await add(3);
    await bus.notify(ws.workspaceId);
    const live = [(await pending).value as StreamItem, ...(await take(stream, 2))];
    await stream.return!();
    const ids = [...replayed, ...live].map((i) => i.event!.id);
    const all = (await prisma.event.findMany({ where: { workspaceId: ws.workspaceId }, orderBy: { id: 'asc' }, select: { id: true } })).map((e) => e.id);
    expect(ids).toEqual(all);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('ends with SUBSCRIBER_TOO_SLOW when a live subscriber falls more than maxBuffered events behind', async () => {
    const { ws, prisma, add } = await workspaceWithEvents(0);
    const bus = new InMemoryBus();
    const stream = eventStream({ prisma, bus, workspaceId: ws.workspaceId, after: 0n, types: ['customer.updated'], maxBuffered: 10, pollMs: 60_000 });
    const pending = stream.next();
    await new Promise((r) => setTimeout(r, 50));
    await add(15);
    await bus.notify(ws.workspaceId);
    const first = (await pending).value as StreamItem;
    expect(first.error?.extensions.code).toBe(SUBSCRIBER_TOO_SLOW);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('polls the table when no wake-up comes (events written by another instance without Redis)', async () => {
    const { ws, prisma, add } = await workspaceWithEvents(0);
    const stream = eventStream({ prisma, bus: new InMemoryBus(), workspaceId: ws.workspaceId, after: 0n, types: ['customer.updated'], maxBuffered: 10, pollMs: 100 });
    const pending = stream.next();
    await add(1);
    expect(((await pending).value as StreamItem).event?.workspaceId).toBe(ws.workspaceId);
    await stream.return!();
  });

  it('ends every open stream on shutdown', async () => {
    const { ws, prisma } = await workspaceWithEvents(0);
    const live = createLiveEvents(new InMemoryBus(), { pollMs: 60_000 });
    const stream = eventStream({ prisma, bus: live.bus, workspaceId: ws.workspaceId, after: 0n, types: ['customer.updated'], maxBuffered: 10, pollMs: 60_000, track: live.track });
    const pending = stream.next();
    live.endAll();
    expect(await pending).toEqual({ value: undefined, done: true });
  });
});

describe('the wake-up bus when Redis is down', () => {
  it('keeps mutations working, reports degraded readiness, and still wakes local subscribers', async () => {
    const db = await testDatabase();
    const log = createLogger('silent');
    const bus = new RedisBus('redis://127.0.0.1:1', log);
    try {
      const events = createLiveEvents(bus);
      const app = createApp({ db, logger: log, events });
      const ws = await createTestWorkspace();
      let woken = 0;
      const off = bus.subscribe(ws.workspaceId, () => woken++);
      const started = Date.now();
      const res = await app.fetch('http://cxgraph.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ws.apiKey}` },
        body: JSON.stringify({ query: /* GraphQL */ `mutation { createCustomer(input: { name: "Ada" }) { __typename } }` }),
      });
      expect(((await res.json()) as any).data.createCustomer.__typename).toBe('CustomerPayload');
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(woken).toBe(1);
      off();
      const readiness = await createReadinessCheck(db, bus)();
      expect(readiness.ready).toBe(true);
      expect(readiness.degraded).toBe(true);
      expect(readiness.checks.events).toMatchObject({ ok: false, detail: expect.stringMatching(/redis/i) });
      const readyz = await app.fetch('http://cxgraph.test/readyz');
      expect(readyz.status).toBe(200);
      expect(await readyz.json()).toMatchObject({ ready: true, degraded: true, checks: { events: { ok: false } } });
    } finally {
      await bus.close();
    }
  });

  it('reports the in-memory bus as healthy', async () => {
    const readiness = await createReadinessCheck(await testDatabase(), new InMemoryBus())();
    expect(readiness).toMatchObject({ ready: true, checks: { events: { ok: true } } });
    expect(readiness.degraded).toBeUndefined();
  });
});

describe('live-update configuration', () => {
  it('has defaults, accepts redis:// and rediss://, and names the variable on a bad value', () => {
    expect(loadConfig({}).events).toEqual({
      redisUrl: null,
      pollMs: 5_000,
      maxBuffered: 1_000,
      retentionDays: 7,
      maxSubscriptionsPerConnection: 50,
      maxConnectionsPerKey: 100,
    });
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).events.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(loadConfig({ REDIS_URL: 'rediss://cache.internal:6380/0' }).events.redisUrl).toBe('rediss://cache.internal:6380/0');
    expect(() => loadConfig({ REDIS_URL: 'http://cache:6379' })).toThrow(/REDIS_URL must start with redis:\/\/ or rediss:\/\//);
    expect(() => loadConfig({ REDIS_URL: 'not a url' })).toThrow(/REDIS_URL is not a valid URL/);
    expect(() => loadConfig({ CXGRAPH_EVENT_RETENTION_DAYS: 'week' })).toThrow(/CXGRAPH_EVENT_RETENTION_DAYS must be a whole number/);
  });
});
