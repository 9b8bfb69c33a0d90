import { describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { settle, subscribe, until, useLiveServer } from './helpers/ws.ts';

/**
 * `metricUpdated` over a real graphql-ws connection: the current value at once, a recomputed
 * value after `submitSurveyResponse`, nothing from another workspace, and at most one push per
 * interval however many changes commit.
 */

const PUSH_MS = 300;
const live = useLiveServer({ CXGRAPH_METRIC_PUSH_MS: String(PUSH_MS) });

const METRIC_UPDATED = /* GraphQL */ `
  subscription ($input: MetricInput!, $intervalMs: Int) {
    metricUpdated(input: $input, intervalMs: $intervalMs) { computedAt cursor result { value sampleSize statistic definitionVersion } }
  }
`;
const SUBMIT = /* GraphQL */ `
  mutation ($input: SubmitSurveyResponseInput!) { submitSurveyResponse(input: $input) { __typename } }
`;

const csatInput = () => ({ key: 'csat', from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() });

async function workspace() {
  const { ws, customer } = await live.setup();
  const customerId = encodeGlobalId('Customer', customer.id);
  const answer = async (score: number) => {
    const res = await live.post(ws.apiKey, SUBMIT, { input: { kind: 'CSAT', customerId, score } });
    expect(res.data?.submitSurveyResponse.__typename).toBe('SurveyResponsePayload');
  };
  return { ws, answer };
}

describe('metricUpdated', () => {
  it('pushes the current CSAT at once and an updated CSAT after submitSurveyResponse, never counting another workspace', async () => {
    const { ws, answer } = await workspace();
    const other = await workspace();
    await answer(5);
    await answer(2);
    const sub = subscribe(live.connect(ws.apiKey).client, METRIC_UPDATED, { input: csatInput() });
    // 5 and 2: one of two answers is 4–5 → 50 %.
    const [first] = await sub.waitFor(1);
    expect(first.metricUpdated).toMatchObject({ cursor: null, result: { value: 50, sampleSize: 2, statistic: 'RATE', definitionVersion: 1 } });

    await answer(4);
    // 5, 2, 4: two of three → 66.67 %.
    await sub.waitFor(2);
    expect(sub.items[1].metricUpdated.result.sampleSize).toBe(3);
    expect(sub.items[1].metricUpdated.result.value).toBeCloseTo(200 / 3, 10);
    expect(sub.items[1].metricUpdated.cursor).toEqual(expect.any(String));

    // Another workspace's answer neither triggers a push nor counts.
    await other.answer(1);
    await settle(PUSH_MS * 4);
    expect(sub.items).toHaveLength(2);
    await answer(1);
    // 5, 2, 4, 1: two of four → 50 %.
    await until(() => sub.items.at(-1)?.metricUpdated.result.sampleSize === 4);
    expect(sub.items.at(-1).metricUpdated.result.value).toBe(50);
    expect(sub.items.every((i) => i.metricUpdated.result.sampleSize <= 4)).toBe(true);
    expect(sub.errors).toEqual([]);
  });

  it('coalesces a burst of changes: at most one push per interval, the last one exact', async () => {
    const { ws, answer } = await workspace();
    const intervalMs = 1_500;
    const sub = subscribe(live.connect(ws.apiKey).client, METRIC_UPDATED, { input: csatInput(), intervalMs });
    await sub.waitFor(1);
    expect(sub.items[0].metricUpdated.result).toMatchObject({ value: null, sampleSize: 0 });
    // Six answers at once: 5, 5, 4, 3, 2, 1 → three of six are 4–5 → 50 %.
    await Promise.all([5, 5, 4, 3, 2, 1].map((score) => answer(score)));
    await until(() => sub.items.at(-1)?.metricUpdated.result.sampleSize === 6, 15_000);
    expect(sub.items.at(-1).metricUpdated.result.value).toBe(50);
    const pushes = sub.items.map((i) => Date.parse(i.metricUpdated.computedAt));
    expect(pushes.length - 1).toBeLessThan(6);
    for (let i = 1; i < pushes.length; i++) expect(pushes[i]! - pushes[i - 1]!).toBeGreaterThanOrEqual(intervalMs);
  });

  it('refuses bad input and callers without metrics:read at subscribe', async () => {
    const { ws } = await workspace();
    const conn = live.connect(ws.apiKey);
    const tooFast = subscribe(conn.client, METRIC_UPDATED, { input: csatInput(), intervalMs: PUSH_MS - 1 });
    await tooFast.ended();
    expect(tooFast.errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'intervalMs' });
    const unknown = subscribe(conn.client, METRIC_UPDATED, { input: { ...csatInput(), key: 'no_such_metric' } });
    await unknown.ended();
    expect(unknown.errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.key' });

    const ticketsOnly = await ws.createKey(['tickets:read']);
    const denied = subscribe(live.connect(ticketsOnly).client, METRIC_UPDATED, { input: csatInput() });
    await denied.ended();
    expect(denied.errors[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
