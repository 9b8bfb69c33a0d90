import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { InMemoryBus } from '../src/events/bus.ts';
import { SERVICE_UNAVAILABLE } from '../src/events/delivery.ts';
import { FeedRegistry } from '../src/events/feed.ts';
import { createLiveEvents } from '../src/events/live.ts';
import { eventStream, encodeEventCursor, type StreamItem } from '../src/events/stream.ts';
import type { PrismaClient } from '../src/generated/prisma/client.ts';
import { createLogger } from '../src/logger.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { testDatabase } from './helpers/database.ts';
import { take } from './events-helpers.ts';
import { createTestWorkspace } from './helpers/factories.ts';
import { liveFixtures, untilChanged } from './helpers/ws.ts';

/**
 * A durable event is never skipped when the database blips while a subscriber streams: its
 * payload load is retried, and when it keeps failing the stream ends with SERVICE_UNAVAILABLE and
 * the cursor to resume from, which delivers that very event first.
 */

/**
 * Turns the database "off" for chosen calls: `message.findFirstOrThrow` (a payload load) and
 * `event.findMany` (a replay page). A counter fails the next n calls (-1: all); `messageIds` fails
 * every load of those messages.
 */
function faultyPrisma(prisma: PrismaClient) {
  const faults = { messageLoads: 0, eventReads: 0, failed: 0, messageIds: new Set<string>() };
  const take = (key: 'messageLoads' | 'eventReads') => faults[key] !== 0 && (faults[key]--, true);
  const wrap = <T extends object>(target: T, method: string, failing: (args: unknown) => boolean) =>
    new Proxy(target, {
      get(t, p) {
        const value = Reflect.get(t, p) as unknown;
        if (p === method) {
          return (args: unknown) => {
            if (!failing(args)) return (value as (a: unknown) => unknown).call(t, args);
            faults.failed += 1;
            return Promise.reject(Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' }));
          };
        }
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
      },
    });
  const idOf = (args: unknown) => String((args as { where?: { id?: unknown } })?.where?.id);
  const message = wrap(prisma.message, 'findFirstOrThrow', (args) => faults.messageIds.has(idOf(args)) || take('messageLoads'));
  const event = wrap(prisma.event, 'findMany', () => take('eventReads'));
  const proxy = new Proxy(prisma, {
    get(t, p) {
      if (p === 'message') return message;
      if (p === 'event') return event;
      const value = Reflect.get(t, p) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
  return { prisma: proxy, faults };
}

const MESSAGE_ADDED = /* GraphQL */ `
  subscription ($id: ID!, $after: String) {
    messageAdded(conversationId: $id, after: $after) { cursor eventId message { body } }
  }
`;

type Result = { data?: { messageAdded: { cursor: string; eventId: string; message: { body: string } } } | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

/** Reads a subscription over server-sent events from the in-memory app until it completes. */
function openSse(app: App, apiKey: string, variables: Record<string, unknown>) {
  const results: Result[] = [];
  let completed = false;
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((l) => l());
  let reader: ReadableStreamDefaultReader<string> | undefined;
  const reading = (async () => {
    const res = await app.fetch('http://cxgraph.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ query: MESSAGE_ADDED, variables }),
    });
    reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) break;
      buffer += value;
      for (let i; (i = buffer.indexOf('\n\n')) >= 0; buffer = buffer.slice(i + 2)) {
        const block = buffer.slice(0, i);
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data:(.*)$/m.exec(block)?.[1]?.trim();
        if (event === 'next' && data) results.push(JSON.parse(data) as Result);
        if (event === 'complete') completed = true;
        changed();
      }
    }
    completed = true;
    changed();
  })();
  const bodies = () => results.flatMap((r) => (r.data?.messageAdded ? [r.data.messageAdded.message.body] : []));
  return {
    results,
    bodies,
    waitFor: (count: number) => untilChanged(listeners, () => completed || bodies().length >= count, 60_000, () => JSON.stringify(results)),
    ended: () => untilChanged(listeners, () => completed, 60_000, () => `still open: ${JSON.stringify(results)}`),
    close: async () => {
      // In memory (app.fetch) cancelling the body is what ends the subscription.
      await reader?.cancel().catch(() => undefined);
      await reading;
    },
  };
}

let app: App;
let faults: ReturnType<typeof faultyPrisma>['faults'];
beforeAll(async () => {
  const db = await testDatabase();
  const faulty = faultyPrisma(db.prisma);
  faults = faulty.faults;
  app = createApp({ db: { ...db, prisma: faulty.prisma }, logger: createLogger('silent'), events: createLiveEvents(new InMemoryBus(), { pollMs: 100 }) });
});
afterAll(() => {
  faults.messageLoads = 0;
  faults.eventReads = 0;
  faults.messageIds.clear();
});

async function conversationWithMessages(bodies: string[]) {
  const ws = await createTestWorkspace();
  const { prisma } = await testDatabase();
  const fx = liveFixtures(prisma, ws.workspaceId);
  const customer = await fx.customer();
  const conversation = await fx.conversation(customer.id);
  const after = await fx.mark();
  const events = [];
  const messages = [];
  for (const body of bodies) {
    const written = await fx.message(conversation.id, customer.id, body);
    events.push(written.event);
    messages.push(written.message);
  }
  return { ws, fx, customer, conversation, after, events, messages, id: encodeGlobalId('Conversation', conversation.id) };
}

describe('an event whose payload cannot be loaded', () => {
  it('is retried and delivered in order when the database comes back within the retries', async () => {
    const { ws, after, id, events } = await conversationWithMessages(['one', 'two', 'three']);
    faults.failed = 0;
    faults.messageLoads = 3;
    const sse = openSse(app, ws.apiKey, { id, after });
    await sse.waitFor(3);
    await sse.close();
    expect(faults.failed).toBe(3);
    expect(sse.results.flatMap((r) => r.errors ?? [])).toEqual([]);
    expect(sse.bodies()).toEqual(['one', 'two', 'three']);
    expect(sse.results.map((r) => r.data?.messageAdded.eventId)).toEqual(events.map((e) => e.id.toString()));
  });

  it('ends the stream with SERVICE_UNAVAILABLE and the last delivered cursor when it keeps failing; resuming from it delivers that event first', async () => {
    const { ws, after, id, events, messages } = await conversationWithMessages(['one', 'two', 'three']);
    // Every load of the second message fails until the "database" is back.
    faults.messageIds.add(messages[1]!.id);
    const sse = openSse(app, ws.apiKey, { id, after });
    await sse.ended();
    faults.messageIds.delete(messages[1]!.id);
    expect(sse.bodies()).toEqual(['one']);
    const errors = sse.results.flatMap((r) => r.errors ?? []);
    expect(errors).toEqual([{ message: expect.stringMatching(/could not be delivered/), extensions: { code: SERVICE_UNAVAILABLE, resumeAfter: encodeEventCursor(events[0]!.id) } }]);
    expect(errors[0]!.extensions!.resumeAfter).toBe(sse.results[0]!.data!.messageAdded.cursor);

    const resumed = openSse(app, ws.apiKey, { id, after: errors[0]!.extensions!.resumeAfter });
    await resumed.waitFor(2);
    await resumed.close();
    expect(resumed.bodies()).toEqual(['two', 'three']);
  });

  it('names the starting point as resumeAfter when nothing was delivered yet', async () => {
    const { ws, after, id, messages } = await conversationWithMessages(['one']);
    faults.messageIds.add(messages[0]!.id);
    const sse = openSse(app, ws.apiKey, { id, after });
    await sse.ended();
    faults.messageIds.delete(messages[0]!.id);
    expect(sse.results.flatMap((r) => r.errors ?? []).map((e) => e.extensions)).toEqual([{ code: SERVICE_UNAVAILABLE, resumeAfter: after }]);
  });
});

describe('a replay page that cannot be read', () => {
  const UPDATED = { types: ['message.added'] };

  it('is retried, and ends the stream with the last delivered cursor when the table stays unreadable', async () => {
    const { ws, events } = await conversationWithMessages(['one', 'two']);
    const { prisma } = await testDatabase();
    const faulty = faultyPrisma(prisma);
    const options = { prisma: faulty.prisma, feeds: new FeedRegistry(new InMemoryBus(), 60_000), workspaceId: ws.workspaceId, route: UPDATED, maxBuffered: 100 };

    faulty.faults.eventReads = 2;
    const recovering = eventStream({ ...options, after: events[0]!.id - 1n });
    expect((await take(recovering, 2)).map((i) => i.event?.id)).toEqual(events.map((e) => e.id));
    expect(faulty.faults.failed).toBe(2);
    await recovering.return!();

    faulty.faults.eventReads = -1;
    const failing = eventStream({ ...options, after: events[0]!.id });
    const [item] = await take(failing, 1);
    expect(item!.error?.extensions).toEqual({ code: SERVICE_UNAVAILABLE, resumeAfter: encodeEventCursor(events[0]!.id) });
    expect(await failing.next()).toEqual({ value: undefined, done: true });
  });
});
