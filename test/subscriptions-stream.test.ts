import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { InMemoryBus, RedisBus } from '../src/events/bus.ts';
import { createLiveEvents } from '../src/events/live.ts';
import { FEED_RECENT, FeedRegistry, type StateLoader } from '../src/events/feed.ts';
import { eventStream, PAGE_SIZE, SUBSCRIBER_TOO_SLOW, type StreamItem } from '../src/events/stream.ts';
import type { PrismaClient } from '../src/generated/prisma/client.ts';
import { createLogger } from '../src/logger.ts';
import { createReadinessCheck } from '../src/readiness.ts';
import { testDatabase } from './helpers/database.ts';
import { take } from './events-helpers.ts';
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

const UPDATED = { types: ['customer.updated'] };

describe('eventStream', () => {
  it('replays more than a page in order, then delivers live events with no gap or duplicate at the seam', async () => {
    const { ws, prisma, add } = await workspaceWithEvents(PAGE_SIZE * 2 + 50);
    const bus = new InMemoryBus();
    const stream = eventStream({ prisma, feeds: new FeedRegistry(bus, 60_000), workspaceId: ws.workspaceId, after: 0n, route: UPDATED, maxBuffered: 1000 });
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
    const stream = eventStream({ prisma, feeds: new FeedRegistry(bus, 60_000), workspaceId: ws.workspaceId, after: 0n, route: UPDATED, maxBuffered: 10 });
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
    const stream = eventStream({ prisma, feeds: new FeedRegistry(new InMemoryBus(), 100), workspaceId: ws.workspaceId, after: 0n, route: UPDATED, maxBuffered: 10 });
    const pending = stream.next();
    await add(1);
    expect(((await pending).value as StreamItem).event?.workspaceId).toBe(ws.workspaceId);
    await stream.return!();
  });

  it('ends every open stream on shutdown', async () => {
    const { ws, prisma } = await workspaceWithEvents(0);
    const live = createLiveEvents(new InMemoryBus(), { pollMs: 60_000 });
    const stream = eventStream({ prisma, feeds: live.feeds, workspaceId: ws.workspaceId, after: 0n, route: UPDATED, maxBuffered: 10, track: live.track });
    const pending = stream.next();
    live.endAll();
    expect(await pending).toEqual({ value: undefined, done: true });
  });
});

/** Counts calls per model operation ("event.findMany"), to prove what the shared reader saves. */
function countingPrisma(prisma: PrismaClient) {
  const calls: Record<string, number> = {};
  const proxy = new Proxy(prisma, {
    get(target, model, receiver) {
      const delegate = Reflect.get(target, model, receiver) as unknown;
      if (typeof model !== 'string' || model.startsWith('$') || !delegate || typeof delegate !== 'object') return delegate;
      return new Proxy(delegate, {
        get(d, op) {
          const fn = Reflect.get(d, op) as unknown;
          if (typeof fn !== 'function') return fn;
          return (...args: unknown[]) => {
            const name = `${model}.${String(op)}`;
            calls[name] = (calls[name] ?? 0) + 1;
            return (fn as (...a: unknown[]) => unknown).apply(d, args);
          };
        },
      });
    },
  });
  return { prisma: proxy, calls, reset: () => Object.keys(calls).forEach((k) => delete calls[k]) };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe('the shared per-workspace feed', () => {
  it('reads each batch once for all subscribers and hands each exactly its own events, in order', async () => {
    const { ws, prisma: raw } = await workspaceWithEvents(0);
    const { prisma, calls, reset } = countingPrisma(raw);
    const bus = new InMemoryBus();
    const feeds = new FeedRegistry(bus, 60_000);
    const [a, b] = ['0190a000-0000-7000-8000-00000000000a', '0190a000-0000-7000-8000-00000000000b'];
    const streams = Array.from({ length: 40 }, (_, i) =>
      eventStream({ prisma, feeds, workspaceId: ws.workspaceId, after: 0n, route: { types: ['customer.updated'], anyOf: [{ subjectType: 'Customer', subjectId: i % 2 ? b : a }] }, maxBuffered: 100 }),
    );
    const pending = streams.map((s) => take(s, s === streams[0] || streams.indexOf(s) % 2 === 0 ? 3 : 2));
    await until(() => feeds.get(ws.workspaceId)?.size === 40, 'all 40 subscribers to join');
    reset();
    const subjects = [a, b, a, b, a];
    for (const subjectId of subjects) await raw.event.create({ data: { workspaceId: ws.workspaceId, type: 'customer.updated', subjectType: 'Customer', subjectId, actorKind: 'SYSTEM' } });
    await bus.notify(ws.workspaceId);
    const received = await Promise.all(pending);
    const ids = (await raw.event.findMany({ where: { workspaceId: ws.workspaceId }, orderBy: { id: 'asc' }, select: { id: true, subjectId: true } }));
    const idsOf = (subject: string) => ids.filter((e) => e.subjectId === subject).map((e) => e.id);
    received.forEach((items, i) => expect(items.map((it) => it.event!.id)).toEqual(idsOf(i % 2 ? b : a)));
    // One read of the event table for 40 subscribers (it was 40 reads, one per subscriber).
    expect(calls['event.findMany']).toBe(1);
    await Promise.all(streams.map((s) => s.return!()));
    expect(feeds.get(ws.workspaceId)).toBeUndefined();
  });

  it('loads the objects that filters depend on once per batch, not once per subscriber', async () => {
    const { ws, prisma } = await workspaceWithEvents(0);
    const bus = new InMemoryBus();
    const feeds = new FeedRegistry(bus, 60_000);
    const [open, closed] = ['0190a000-0000-7000-8000-0000000000c1', '0190a000-0000-7000-8000-0000000000c2'];
    const loads: string[][] = [];
    const loader: StateLoader<{ open: boolean }> = {
      load: async (_p, workspaceId, ids) => {
        expect(workspaceId).toBe(ws.workspaceId);
        loads.push([...ids].sort());
        return new Map(ids.map((id) => [id, { open: id === open }]));
      },
    };
    const streams = Array.from({ length: 30 }, () =>
      eventStream({ prisma, feeds, workspaceId: ws.workspaceId, after: 0n, route: UPDATED, check: { loader, idOf: (e) => e.subjectId, test: (s) => s.open }, maxBuffered: 100 }),
    );
    const pending = streams.map((s) => take(s, 2));
    await until(() => feeds.get(ws.workspaceId)?.size === 30, 'all 30 subscribers to join');
    for (const subjectId of [open, closed, open, closed]) {
      await prisma.event.create({ data: { workspaceId: ws.workspaceId, type: 'customer.updated', subjectType: 'Customer', subjectId, actorKind: 'SYSTEM' } });
    }
    await bus.notify(ws.workspaceId);
    for (const items of await Promise.all(pending)) expect(items.map((i) => i.event!.subjectId)).toEqual([open, open]);
    expect(loads).toEqual([[open, closed].sort()]);
    await Promise.all(streams.map((s) => s.return!()));
  });

  it('joins a resuming subscriber from memory without reading the table, and one further behind after a replay, both exact', async () => {
    const { ws, prisma: raw, add } = await workspaceWithEvents(0);
    const bus = new InMemoryBus();
    const feeds = new FeedRegistry(bus, 60_000);
    const all = async () => (await raw.event.findMany({ where: { workspaceId: ws.workspaceId }, orderBy: { id: 'asc' }, select: { id: true } })).map((e) => e.id);
    const keeper = eventStream({ prisma: raw, feeds, workspaceId: ws.workspaceId, after: 0n, route: UPDATED, maxBuffered: 10_000 });
    const keeperFirst = take(keeper, 10);
    await until(() => feeds.get(ws.workspaceId)?.size === 1, 'the first subscriber to join');
    await add(10);
    await bus.notify(ws.workspaceId);
    await keeperFirst;
    const ten = await all();

    // Resumes after the 5th event: the feed still holds it, so no table read at all.
    const { prisma, calls } = countingPrisma(raw);
    const resumed = eventStream({ prisma, feeds, workspaceId: ws.workspaceId, after: ten[4]!, route: UPDATED, maxBuffered: 10_000 });
    expect((await take(resumed, 5)).map((i) => i.event!.id)).toEqual(ten.slice(5));
    expect(calls['event.findMany'] ?? 0).toBe(0);

    // More events than the feed keeps: a subscriber from the 3rd event must read the table first.
    await add(FEED_RECENT + 300);
    await bus.notify(ws.workspaceId);
    await take(keeper, FEED_RECENT + 300);
    const behind = eventStream({ prisma: raw, feeds, workspaceId: ws.workspaceId, after: ten[2]!, route: UPDATED, maxBuffered: 100 });
    const replayed = await take(behind, 7 + FEED_RECENT + 300);
    const live = take(behind, 1);
    const resumedLive = take(resumed, FEED_RECENT + 301);
    await add(1);
    await bus.notify(ws.workspaceId);
    const ids = await all();
    expect([...replayed, ...(await live)].map((i) => i.event!.id)).toEqual(ids.slice(3));
    expect((await resumedLive).map((i) => i.event!.id)).toEqual(ids.slice(10));
    await Promise.all([keeper, resumed, behind].map((s) => s.return!()));
  });

  it('joins a filtered subscriber whose cursor is older than the feed memory with no match since (no endless replay)', async () => {
    const { ws, prisma, add } = await workspaceWithEvents(0);
    const bus = new InMemoryBus();
    const feeds = new FeedRegistry(bus, 60_000);
    const keeper = eventStream({ prisma, feeds, workspaceId: ws.workspaceId, after: 0n, route: UPDATED, maxBuffered: 10_000 });
    const kept = take(keeper, FEED_RECENT + 10);
    await until(() => feeds.get(ws.workspaceId)?.size === 1, 'the first subscriber to join');
    await add(FEED_RECENT + 10);
    await bus.notify(ws.workspaceId);
    await kept;
    // From the start, for ticket events only: none in the table, and the feed no longer holds the
    // first events. Its cursor used to stay at 0 (the filter runs in the query), behind the feed's
    // memory, so every join was refused and the replay repeated for ever.
    const tickets = eventStream({ prisma, feeds, workspaceId: ws.workspaceId, after: 0n, route: { types: ['ticket.updated'] }, maxBuffered: 100 });
    const first = take(tickets, 1);
    await until(() => feeds.get(ws.workspaceId)?.size === 2, 'the ticket subscriber to join');
    await prisma.event.create({ data: { workspaceId: ws.workspaceId, type: 'ticket.updated', subjectType: 'Ticket', subjectId: ws.agentId, actorKind: 'SYSTEM' } });
    await bus.notify(ws.workspaceId);
    expect((await first).map((i) => i.event!.type)).toEqual(['ticket.updated']);
    await Promise.all([keeper, tickets].map((s) => s.return!()));
  });

  it('ends a slow subscriber without holding up the others', async () => {
    const { ws, prisma, add } = await workspaceWithEvents(0);
    const bus = new InMemoryBus();
    const feeds = new FeedRegistry(bus, 60_000);
    const slow = eventStream({ prisma, feeds, workspaceId: ws.workspaceId, after: 0n, route: UPDATED, maxBuffered: 10 });
    const fast = eventStream({ prisma, feeds, workspaceId: ws.workspaceId, after: 0n, route: UPDATED, maxBuffered: 100 });
    const slowFirst = slow.next();
    const fastAll = take(fast, 15);
    await until(() => feeds.get(ws.workspaceId)?.size === 2, 'both subscribers to join');
    await add(15);
    await bus.notify(ws.workspaceId);
    expect(((await slowFirst).value as StreamItem).error?.extensions.code).toBe(SUBSCRIBER_TOO_SLOW);
    expect(await fastAll).toHaveLength(15);
    expect(feeds.get(ws.workspaceId)?.size).toBe(1);
    await fast.return!();
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
      keyRecheckMs: 5_000,
      metricPushMs: 2_000,
    });
    expect(loadConfig({ CXGRAPH_METRIC_PUSH_MS: '500' }).events.metricPushMs).toBe(500);
    expect(() => loadConfig({ CXGRAPH_METRIC_PUSH_MS: '10' })).toThrow(/CXGRAPH_METRIC_PUSH_MS/);
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).events.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(loadConfig({ REDIS_URL: 'rediss://cache.internal:6380/0' }).events.redisUrl).toBe('rediss://cache.internal:6380/0');
    expect(() => loadConfig({ REDIS_URL: 'http://cache:6379' })).toThrow(/REDIS_URL must start with redis:\/\/ or rediss:\/\//);
    expect(() => loadConfig({ REDIS_URL: 'not a url' })).toThrow(/REDIS_URL is not a valid URL/);
    expect(() => loadConfig({ CXGRAPH_EVENT_RETENTION_DAYS: 'week' })).toThrow(/CXGRAPH_EVENT_RETENTION_DAYS must be a whole number/);
  });
});
