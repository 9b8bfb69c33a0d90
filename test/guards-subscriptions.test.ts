import { describe, expect, it } from 'vitest';
import { subscribe, useLiveServer } from './helpers/ws.ts';

// 50 (the metric computed at start, declared on metricUpdated) + 1 (MetricUpdate) + 1 (result) = 52.
const METRIC_UPDATED = /* GraphQL */ `subscription ($input: MetricInput!) { metricUpdated(input: $input) { computedAt result { value } } }`;
const input = () => ({ key: 'csat', from: new Date(Date.now() - 7 * 86_400_000).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() });
const TWO_POINTS = /* GraphQL */ `{ viewer { workspace { name } } }`;

/** What the bucket holds after a 2-point query by this key. */
async function availableAfterQuery(apiKey: string): Promise<number> {
  const res = (await live.post(apiKey, TWO_POINTS)) as { extensions?: { cost: { throttleStatus: { currentlyAvailable: number } } } };
  return res.extensions!.cost.throttleStatus.currentlyAvailable;
}

/** Bucket of 60 points restoring 1 per second: one subscription start of 52 fits, a second does not for ~45 s. */
const live = useLiveServer({ CXGRAPH_RATE_LIMIT_POINTS: '60', CXGRAPH_RATE_LIMIT_RESTORE_PER_SECOND: '1' });

describe('subscriptions pay their cost when they start', () => {
  it('charges a WebSocket subscription and refuses the next one with RATE_LIMITED', async () => {
    const { ws } = await live.setup();
    const connection = live.connect(ws.apiKey);
    const first = subscribe(connection.client, METRIC_UPDATED, { input: input() });
    await first.waitFor(1);
    expect(first.errors).toEqual([]);
    // 60 − 52 − 2 = 6, plus what was restored meanwhile (1/s); far from the 52 a second start needs.
    expect(await availableAfterQuery(ws.apiKey)).toBeLessThan(30);
    const second = subscribe(connection.client, METRIC_UPDATED, { input: input() });
    await second.ended();
    expect(second.items).toEqual([]);
    expect(second.errors[0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', cost: 52 });
    expect(second.errors[0]!.extensions).not.toHaveProperty('http');
    // The connection stays open: the first subscription is unaffected.
    expect(first.completed).toBe(false);
    first.unsubscribe();
  });

  it('refuses a too complex subscription over WebSocket with QUERY_TOO_COMPLEX', async () => {
    const { ws } = await live.setup();
    const connection = live.connect(ws.apiKey);
    let inner = 'id';
    for (let i = 0; i < 6; i++) inner = `organization { customers(first: 2) { edges { node { ${inner} } } } }`;
    const deep = subscribe(connection.client, `subscription { ticketCreated { ticket { requester { ${inner} } } } }`);
    await deep.ended();
    expect(deep.errors[0]!.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 12 });
    expect(deep.errors[0]!.extensions!.depth).toBeGreaterThan(12);
    // Its key paid nothing.
    expect(await availableAfterQuery(ws.apiKey)).toBe(58);
  });

  it('charges a server-sent-events subscription at its start', async () => {
    const { ws } = await live.setup();
    const controller = new AbortController();
    const res = await fetch(live.running.url, {
      method: 'POST',
      signal: controller.signal,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${ws.apiKey}` },
      body: JSON.stringify({ query: METRIC_UPDATED, variables: { input: input() } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-policy')).toBe('"cost";q=60;w=60');
    const reader = res.body!.getReader();
    // The stream may open with a keep-alive comment before the first push.
    let received = '';
    while (!received.includes('metricUpdated')) {
      const { value, done } = await reader.read();
      if (done) break;
      received += new TextDecoder().decode(value);
    }
    expect(received).toContain('metricUpdated');
    expect(await availableAfterQuery(ws.apiKey)).toBeLessThan(30);
    const refused = await fetch(live.running.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${ws.apiKey}` },
      body: JSON.stringify({ query: METRIC_UPDATED, variables: { input: input() } }),
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    await refused.text();
    controller.abort();
    await reader.cancel().catch(() => undefined);
  });
});
