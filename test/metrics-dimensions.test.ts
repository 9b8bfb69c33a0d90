import { describe, expect, it } from 'vitest';
import { createTestWorkspace } from './helpers/factories.ts';
import { expectClose, expectGroups, fixture, MARCH, measure } from './metrics-dimensions-fixture.ts';
import { table } from './metrics-dimensions-table.ts';

/**
 * Every metric × every dimension it can be grouped by, and every statistic it supports, against
 * values worked out by hand (the fixture and its hand computation: metrics-dimensions-fixture.ts;
 * the expected table: metrics-dimensions-table.ts); every filter field; workspace isolation.
 */

const KEYS = [
  'ticket_first_response_time', 'ticket_first_resolution_time', 'ticket_full_resolution_time', 'first_contact_resolution_rate', 'reopen_rate',
  'ticket_volume', 'tickets_solved', 'average_handle_time', 'ticket_next_reply_time', 'sla_first_response_compliance',
  'sla_next_response_compliance', 'sla_resolution_compliance', 'ticket_backlog', 'csat', 'nps', 'ces', 'survey_response_rate',
  'conversation_first_response_time', 'conversation_volume', 'escalation_rate', 'conversation_handle_time', 'conversation_next_reply_time',
  'customer_retention_rate', 'customer_churn_rate', 'repeat_purchase_rate', 'customer_lifetime_value',
];

describe('every metric × statistic × dimension (hand-computed)', () => {
  it('the table covers exactly the statistics and dimensions each metric lists', async () => {
    const ids = await fixture();
    const res = await ids.ws.gql(/* GraphQL */ `{ metricDefinitions { key statistics dimensions } }`);
    const expected = table(ids);
    for (const d of res.data!.metricDefinitions as Array<{ key: string; statistics: string[]; dimensions: string[] }>) {
      expect(Object.keys(expected[d.key]?.statistics ?? {}).sort(), d.key).toEqual([...d.statistics].sort());
      const dims = Object.keys(expected[d.key]!.groups);
      expect(dims.sort(), d.key).toEqual([...d.dimensions].sort());
    }
    expect(Object.keys(expected).sort()).toEqual(res.data!.metricDefinitions.map((d: { key: string }) => d.key).sort());
    expect([...KEYS].sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(KEYS)('%s', async (key) => {
    const ids = await fixture();
    const expected = table(ids)[key]!;
    const data = await measure(ids.ws, key, Object.keys(expected.statistics), Object.keys(expected.groups));
    for (const [statistic, [value, n]] of Object.entries(expected.statistics)) {
      expect(data['s_' + statistic]!.sampleSize, `${key} ${statistic} sampleSize`).toBe(n);
      expectClose(data['s_' + statistic]!.value, value, `${key} ${statistic}`);
    }
    for (const [dim, groups] of Object.entries(expected.groups)) expectGroups(data['g_' + dim]!.groups, groups, `${key} by ${dim}`);
  });
});

describe('filters (hand-computed)', () => {
  it('narrow ticket, survey and conversation samples by each field, alone and combined', async () => {
    const ids = await fixture();
    const { A, X, Y, O1, O2, K1, K3 } = ids;
    const cases: Array<[string, Record<string, unknown>, number | null, number]> = [
      // ticket_volume: T1–T4.
      ['ticket_volume', { teamId: A }, 2, 2], // T1, T3
      ['ticket_volume', { agentId: X }, 2, 2], // T1, T4
      ['ticket_volume', { channel: 'EMAIL' }, 1, 1], // T3 (from V2)
      ['ticket_volume', { function: 'SERVICE' }, 1, 1], // T2
      ['ticket_volume', { priority: 'URGENT' }, 1, 1], // T4
      ['ticket_volume', { organizationId: O2 }, 2, 2], // T2, T3
      ['ticket_volume', { customerId: K1 }, 2, 2], // T1, T4
      ['ticket_volume', { tag: 'billing' }, 2, 2], // T1, T3 (T5 is merged away)
      ['ticket_volume', { tag: 'vip', teamId: A }, 1, 1], // T3
      ['ticket_volume', { tag: 'vip', agentId: Y }, 0, 0],
      // Median first response of T1 600 and T3 300 (the billing tickets) → 450.
      ['ticket_first_response_time', { tag: 'billing' }, 450, 2],
      // csat answers on billing tickets: S1 ✓ → 100; on conversations of agent Y: S2 ✗ and S3 (T2, Y) ✓ → 50.
      ['csat', { tag: 'billing' }, 100, 1],
      ['csat', { agentId: Y }, 50, 2],
      // conversation_volume: V1–V4; conversations have no tags.
      ['conversation_volume', { channel: 'CHAT' }, 2, 2],
      ['conversation_volume', { organizationId: O1 }, 2, 2],
      ['conversation_volume', { customerId: K3 }, 1, 1],
      ['conversation_volume', { tag: 'vip' }, 0, 0],
      // Customer metrics filter on the customer's organization: retention of O2's K2 → 0.
      ['customer_retention_rate', { organizationId: O2 }, 0, 1],
    ];
    const query = `query (${cases.map((_, i) => `$i${i}: MetricInput!`).join(', ')}) { ${cases.map((_, i) => `c${i}: metric(input: $i${i}) { value sampleSize }`).join(' ')} }`;
    const res = await ids.ws.gql(query, Object.fromEntries(cases.map(([key, filter], i) => [`i${i}`, { key, ...MARCH, filter }])));
    expect(res.errors).toBeUndefined();
    cases.forEach(([key, filter, value, n], i) => {
      const label = `${key} ${JSON.stringify(filter)}`;
      expect(res.data![`c${i}`].sampleSize, label).toBe(n);
      expectClose(res.data![`c${i}`].value, value, label);
    });
  });
});

describe('workspace isolation', () => {
  it('another workspace sees none of this data in any metric, grouping or filter', async () => {
    const ids = await fixture();
    const other = await createTestWorkspace();
    const res = await ids.ws.gql(/* GraphQL */ `{ metricDefinitions { key kind unit dimensions } }`);
    const defs = res.data!.metricDefinitions as Array<{ key: string; kind: string; unit: string; dimensions: string[] }>;
    const query = `query (${defs.map((_, i) => `$i${i}: MetricInput!`).join(', ')}) { ${defs.map((_, i) => `m${i}: metric(input: $i${i}) { value sampleSize groups { key } }`).join(' ')} }`;
    // Grouped by each metric's last dimension (CUSTOMER, for every metric), so a leak of this
    // workspace's rows would show as a group.
    const variables = Object.fromEntries(defs.map((d, i) => [`i${i}`, { key: d.key, ...MARCH, groupBy: d.dimensions.at(-1) }]));
    const theirs = await other.gql(query, variables);
    expect(theirs.errors).toBeUndefined();
    defs.forEach((d, i) => {
      // Nothing: a COUNT (and the backlog level) is 0, every other value null — never NaN.
      const zero = d.unit === 'COUNT';
      expect(theirs.data![`m${i}`], d.key).toEqual({ value: zero ? 0 : null, sampleSize: 0, groups: [] });
    });
    // Our own team and customer IDs, used as filters from the other workspace, match nothing there.
    const peek = await other.gql(/* GraphQL */ `query ($a: MetricInput!, $b: MetricInput!) { a: metric(input: $a) { value sampleSize } b: metric(input: $b) { value sampleSize } }`, {
      a: { key: 'ticket_volume', ...MARCH, filter: { teamId: ids.A } },
      b: { key: 'csat', ...MARCH, filter: { customerId: ids.K1 } },
    });
    expect(peek.data).toEqual({ a: { value: 0, sampleSize: 0 }, b: { value: null, sampleSize: 0 } });
  });
});
