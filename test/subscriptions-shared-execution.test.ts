import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { InMemoryBus } from '../src/events/bus.ts';
import { createLiveEvents, type LiveEvents } from '../src/events/live.ts';
import { createLogger } from '../src/logger.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace } from './helpers/factories.ts';
import { liveFixtures } from './helpers/ws.ts';

/**
 * Subscribers that would get the same answer (same document, variables and API key) share one
 * execution per event; a different key never sees another key's result, even for the same
 * event and selection.
 */

const QUERY = /* GraphQL */ `
  subscription ($id: ID!, $after: String) {
    customerTimelineUpdated(customerId: $id, after: $after) {
      eventId
      customer { name conversations(first: 5) { totalCount } }
    }
  }
`;

/** Opens an SSE subscription through the in-memory app and collects its `next` payloads. */
function sse(app: ReturnType<typeof createApp>, apiKey: string, variables: Record<string, unknown>) {
  const abort = new AbortController();
  const items: any[] = [];
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const done = (async () => {
    const res = await app.fetch('http://cxgraph.test/graphql', {
      method: 'POST',
      signal: abort.signal,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ query: QUERY, variables }),
    });
    expect(res.status).toBe(200);
    reader = res.body!.getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) return;
        buffer += new TextDecoder().decode(value);
        for (let i; (i = buffer.indexOf('\n\n')) >= 0; buffer = buffer.slice(i + 2)) {
          const data = buffer.slice(0, i).split('\n').find((l) => l.startsWith('data: '));
          if (data && buffer.slice(0, i).includes('event: next')) items.push(JSON.parse(data.slice(6)));
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    items,
    async waitFor(n: number) {
      for (let i = 0; i < 400 && items.length < n; i++) await new Promise((r) => setTimeout(r, 20));
      expect(items.length).toBeGreaterThanOrEqual(n);
    },
    close: async () => {
      abort.abort();
      await reader?.cancel().catch(() => undefined);
      await done;
    },
  };
}

describe('shared subscription execution', () => {
  it('executes once per event for identical subscriptions, and separately (with its own authorization) for another key', async () => {
    const db = await testDatabase();
    const base = createLiveEvents(new InMemoryBus(), { pollMs: 60_000 });
    const executions: string[] = [];
    const events: LiveEvents = {
      ...base,
      shared: (key, load) => base.shared(key, () => (key.startsWith('execution:') && executions.push(key), load())),
    };
    const app = createApp({ db, logger: createLogger('silent'), events });
    const ws = await createTestWorkspace();
    const customersOnly = await ws.createKey(['customers:read']);
    const fx = liveFixtures(db.prisma, ws.workspaceId);
    const customer = await fx.customer('Ada');
    await fx.conversation(customer.id);
    const variables = { id: encodeGlobalId('Customer', customer.id), after: await fx.mark() };

    const same = [sse(app, ws.apiKey, variables), sse(app, ws.apiKey, variables), sse(app, ws.apiKey, variables)];
    const limited = sse(app, customersOnly, variables);
    await new Promise((r) => setTimeout(r, 300));
    await fx.event('customer.updated', 'Customer', customer.id, { customerId: customer.id });
    await base.bus.notify(ws.workspaceId);
    await Promise.all([...same, limited].map((s) => s.waitFor(1)));

    for (const s of same) {
      expect(s.items[0].data.customerTimelineUpdated.customer).toEqual({ name: 'Ada', conversations: { totalCount: 1 } });
      expect(s.items[0].errors).toBeUndefined();
    }
    // The customers-only key may not read the customer's conversations (a non-null field, so the
    // customer is null): it never receives the full key's result.
    expect(limited.items[0].data.customerTimelineUpdated).toEqual({ eventId: same[0]!.items[0].data.customerTimelineUpdated.eventId, customer: null });
    expect(limited.items[0].errors).toEqual([expect.objectContaining({ path: ['customerTimelineUpdated', 'customer', 'conversations'], extensions: { code: 'FORBIDDEN', requiredScope: 'conversations:read' } })]);
    // One execution for the three identical subscriptions, one for the other key.
    expect(executions).toHaveLength(2);
    await Promise.all([...same, limited].map((s) => s.close()));
    // Closing the responses ends the source streams through the shared mapper: the workspace's reader goes away.
    for (let i = 0; i < 200 && base.feeds.get(ws.workspaceId); i++) await new Promise((r) => setTimeout(r, 20));
    expect(base.feeds.get(ws.workspaceId)).toBeUndefined();
  });
});
