import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * One client process of the subscription benchmark (forked by bench/subscriptions.ts): holds
 * many graphql-ws connections to 127.0.0.1, records what each subscriber receives and when,
 * and answers the parent over IPC. Latencies are kept as a 1 ms histogram so millions of
 * deliveries cost no memory.
 */

export type ToClient =
  | { type: 'open'; url: string; key: string; conversationId: string; after: string; count: number; perConnection: number }
  | { type: 'progress' }
  | { type: 'collect'; expected: string[] }
  | { type: 'close' };

export type FromClient =
  | { type: 'opened'; connections: number; failed: number }
  | { type: 'progress'; received: number; errors: number }
  | { type: 'report'; subscribers: number; exact: number; missing: number; extra: number; outOfOrder: number; errors: string[]; hist: Record<string, number> }
  | { type: 'closed' };

const QUERY = /* GraphQL */ `
  subscription ($id: ID!, $after: String) {
    messageAdded(conversationId: $id, after: $after) { eventId occurredAt message { body } }
  }
`;

interface Subscriber {
  ids: string[];
  errors: string[];
}

const clients: Client[] = [];
const subscribers: Subscriber[] = [];
let hist = new Map<number, number>();

const send = (message: FromClient) => process.send!(message);

function connect(url: string, key: string): Promise<Client | null> {
  return new Promise((resolve) => {
    let settled = false;
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${key}` },
      onNonLazyError: () => undefined,
      on: {
        connected: () => {
          if (!settled) (settled = true), resolve(client);
        },
        closed: () => {
          if (!settled) (settled = true), resolve(null);
        },
      },
    });
  });
}

async function open(m: Extract<ToClient, { type: 'open' }>): Promise<void> {
  const connections = Math.ceil(m.count / m.perConnection);
  let failed = 0;
  let left = m.count;
  // Connects in small batches: a burst of thousands of handshakes at once only measures the accept queue.
  for (let c = 0; c < connections; c += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, connections - c) }, () => connect(m.url, m.key)));
    for (const client of batch) {
      if (!client) {
        failed += 1;
        continue;
      }
      clients.push(client);
      for (let s = 0; s < m.perConnection && left > 0; s += 1, left -= 1) {
        const sub: Subscriber = { ids: [], errors: [] };
        subscribers.push(sub);
        client.subscribe<{ messageAdded: { eventId: string; occurredAt: string } }>(
          { query: QUERY, variables: { id: m.conversationId, after: m.after } },
          {
            next: (result) => {
              const event = result.data?.messageAdded;
              if (result.errors) sub.errors.push(...result.errors.map((e) => e.message));
              if (!event) return;
              sub.ids.push(event.eventId);
              const ms = Math.max(0, Date.now() - Date.parse(event.occurredAt));
              hist.set(ms, (hist.get(ms) ?? 0) + 1);
            },
            error: (error) => sub.errors.push(String((error as Error)?.message ?? (error as { reason?: string })?.reason ?? JSON.stringify(error))),
            complete: () => undefined,
          },
        );
      }
    }
  }
  send({ type: 'opened', connections: clients.length, failed });
}

function collect(expected: string[]): void {
  let exact = 0;
  let missing = 0;
  let extra = 0;
  let outOfOrder = 0;
  const errors: string[] = [];
  const want = new Set(expected);
  for (const sub of subscribers) {
    const got = sub.ids;
    if (got.length === expected.length && got.every((id, i) => id === expected[i])) exact += 1;
    const seen = new Set(got);
    missing += expected.filter((id) => !seen.has(id)).length;
    extra += got.length - got.filter((id) => want.has(id)).length + (got.length - seen.size);
    for (let i = 1; i < got.length; i += 1) if (BigInt(got[i]!) <= BigInt(got[i - 1]!)) outOfOrder += 1;
    if (sub.errors.length && errors.length < 5) errors.push(...sub.errors.slice(0, 5 - errors.length));
    sub.ids = [];
  }
  send({ type: 'report', subscribers: subscribers.length, exact, missing, extra, outOfOrder, errors, hist: Object.fromEntries(hist) });
  hist = new Map();
}

process.on('message', (m: ToClient) => {
  if (m.type === 'open') void open(m);
  else if (m.type === 'progress') {
    send({ type: 'progress', received: subscribers.reduce((n, s) => n + s.ids.length, 0), errors: subscribers.reduce((n, s) => n + s.errors.length, 0) });
  } else if (m.type === 'collect') collect(m.expected);
  else if (m.type === 'close') {
    void Promise.all(clients.map((c) => c.dispose())).finally(() => {
      send({ type: 'closed' });
      process.exit(0);
    });
  }
});
process.on('disconnect', () => process.exit(0));
