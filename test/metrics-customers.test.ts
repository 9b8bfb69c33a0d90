import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';

/**
 * Customer metrics (retention, churn, repeat purchase rate, lifetime value) against values
 * worked out by hand in the comments from the fixtures — never by calling the code under test.
 */

const METRIC = /* GraphQL */ `query ($input: MetricInput!) {
  metric(input: $input) { value sampleSize currency groups { key value sampleSize } series { bucketStart value sampleSize } }
}`;

async function metric(ws: TestWorkspace, input: Record<string, unknown>) {
  const res = await ws.gql(METRIC, { input });
  expect(res.errors).toBeUndefined();
  return res.data!.metric;
}

async function rejected(ws: TestWorkspace, input: Record<string, unknown>) {
  const res = await ws.gql(METRIC, { input });
  expect(res.data?.metric ?? null).toBeNull();
  return res.errors?.[0]?.extensions;
}

const t = (iso: string) => new Date(iso);

async function organizations(w: string) {
  const { prisma } = await testDatabase();
  const [o1, o2] = [uuidv7(), uuidv7()].sort();
  await prisma.organization.createMany({ data: [{ id: o1!, workspaceId: w, name: 'One' }, { id: o2!, workspaceId: w, name: 'Two' }] });
  return { o1: o1!, o2: o2! };
}

async function events(w: string, rows: Array<[customerId: string, type: string, iso: string, value?: number, currency?: string]>) {
  const { prisma } = await testDatabase();
  await prisma.customerEvent.createMany({
    data: rows.map(([customerId, type, iso, value, currency]) => ({
      id: uuidv7(), workspaceId: w, customerId, type, occurredAt: t(iso), value: value ?? null, currency: value === undefined ? (currency ?? null) : (currency ?? 'EUR'),
    })),
  });
}

/**
 * Retention fixture. Period P = [03-11, 03-21) UTC; the preceding period of equal length is
 * [03-01, 03-11). Engaged = active (event other than cancellation, conversation start, customer
 * message) and the latest customer event in the period is not a cancellation.
 *   A  O1 vip  login 03-02 (prev) · customer message 03-15 in a conversation started 02-01  → base, retained
 *   B  O1      conversation started 03-05, no message rows (prev) · agent message 03-14       → base, churned (agent ≠ customer)
 *   C  O2 vip  purchase 03-03 (prev) · purchase 03-12, cancellation 03-18                      → base, churned (latest event cancels)
 *   D  O2      cancellation 03-04 only (prev) · login 03-13                                    → not engaged before: no sample
 *   E  O2      cancellation 03-05, purchase 03-09 (prev: came back) · login 03-20              → base, retained
 *   F  O1      login 03-12 only                                                                → no sample
 *   G  O1      login 03-01T00:00Z (prev start, inclusive) · login 03-21T00:00Z (end, exclusive) → base, churned
 *   H  O2      login 03-11T00:00Z only (the period start belongs to P)                         → no sample
 *   M  O1 vip  merged into A (tombstone) with a login 03-02                                    → never counts
 * Base {A, B, C, E, G} = 5; retained {A, E} = 2 → retention 40 %, churn 60 %.
 * By organization: O1 {A, B, G} → 1/3 retained = 33.33 %; O2 {C, E} → 1/2 = 50 %.
 * Tag "vip": {A, C} → 50 %. Customer C alone: churn 100 %.
 */
async function retentionFixture(ws: TestWorkspace) {
  const { prisma } = await testDatabase();
  const w = ws.workspaceId;
  const { o1, o2 } = await organizations(w);
  const [a, b, c, d, e, f, g, h, m] = await insertCustomers(w, 9);
  const org: Record<string, [string, string[]]> = {
    [a!.id]: [o1, ['vip']], [b!.id]: [o1, []], [c!.id]: [o2, ['vip']], [d!.id]: [o2, []], [e!.id]: [o2, []],
    [f!.id]: [o1, []], [g!.id]: [o1, []], [h!.id]: [o2, []], [m!.id]: [o1, ['vip']],
  };
  for (const [id, [organizationId, tags]] of Object.entries(org)) await prisma.customer.update({ where: { id }, data: { organizationId, tags } });
  await prisma.customer.update({ where: { id: m!.id }, data: { mergedIntoId: a!.id, mergedAt: t('2026-03-25T00:00:00Z') } });
  await events(w, [
    [a!.id, 'login', '2026-03-02T10:00:00Z'],
    [c!.id, 'purchase', '2026-03-03T10:00:00Z', 10],
    [c!.id, 'purchase', '2026-03-12T10:00:00Z', 10],
    [c!.id, 'cancellation', '2026-03-18T10:00:00Z'],
    [d!.id, 'cancellation', '2026-03-04T10:00:00Z'],
    [d!.id, 'login', '2026-03-13T10:00:00Z'],
    [e!.id, 'cancellation', '2026-03-05T10:00:00Z'],
    [e!.id, 'purchase', '2026-03-09T10:00:00Z', 10],
    [e!.id, 'login', '2026-03-20T10:00:00Z'],
    [f!.id, 'login', '2026-03-12T10:00:00Z'],
    [g!.id, 'login', '2026-02-28T23:59:59Z'],
    [g!.id, 'login', '2026-03-01T00:00:00Z'],
    [g!.id, 'login', '2026-03-21T00:00:00Z'],
    [h!.id, 'login', '2026-03-11T00:00:00Z'],
    [m!.id, 'login', '2026-03-02T10:00:00Z'],
  ]);
  const convA = uuidv7();
  const convB = uuidv7();
  await prisma.conversation.createMany({
    data: [
      { id: convA, workspaceId: w, customerId: a!.id, channel: 'CHAT', createdAt: t('2026-02-01T10:00:00Z'), firstCustomerMessageAt: t('2026-02-01T10:00:00Z') },
      { id: convB, workspaceId: w, customerId: b!.id, channel: 'EMAIL', createdAt: t('2026-03-05T10:00:00Z'), firstCustomerMessageAt: t('2026-03-05T10:00:00Z') },
    ],
  });
  await prisma.message.createMany({
    data: [
      { id: uuidv7(), workspaceId: w, conversationId: convA, authorKind: 'CUSTOMER', authorCustomerId: a!.id, direction: 'INBOUND', body: 'still here', createdAt: t('2026-03-15T10:00:00Z') },
      { id: uuidv7(), workspaceId: w, conversationId: convB, authorKind: 'AGENT', authorAgentId: ws.agentId, direction: 'OUTBOUND', body: 'anyone?', createdAt: t('2026-03-14T10:00:00Z') },
    ],
  });
  return { o1: encodeGlobalId('Organization', o1), o2: encodeGlobalId('Organization', o2), c: encodeGlobalId('Customer', c!.id) };
}

const PERIOD = { from: '2026-03-11T00:00:00Z', to: '2026-03-21T00:00:00Z' };

describe('customer retention and churn', () => {
  it('retention and churn over a period, by organization and for a customer-tag segment', async () => {
    const ws = await createTestWorkspace();
    const { o1, o2, c } = await retentionFixture(ws);
    expect(await metric(ws, { ...PERIOD, key: 'customer_retention_rate' })).toMatchObject({ value: 40, sampleSize: 5 });
    expect(await metric(ws, { ...PERIOD, key: 'customer_churn_rate' })).toMatchObject({ value: 60, sampleSize: 5 });
    expect((await metric(ws, { ...PERIOD, key: 'customer_churn_rate', statistic: 'COUNT' })).value).toBe(5);

    const byOrg = await metric(ws, { ...PERIOD, key: 'customer_retention_rate', groupBy: 'ORGANIZATION' });
    expect(byOrg.groups).toHaveLength(2);
    expect(byOrg.groups[0]).toMatchObject({ key: o1, sampleSize: 3 });
    expect(byOrg.groups[0].value).toBeCloseTo(100 / 3, 6);
    expect(byOrg.groups[1]).toEqual({ key: o2, value: 50, sampleSize: 2 });
    const churnByOrg = await metric(ws, { ...PERIOD, key: 'customer_churn_rate', groupBy: 'ORGANIZATION' });
    expect(churnByOrg.groups[0].value).toBeCloseTo(200 / 3, 6);

    expect(await metric(ws, { ...PERIOD, key: 'customer_retention_rate', filter: { tag: 'vip' } })).toMatchObject({ value: 50, sampleSize: 2 });
    expect(await metric(ws, { ...PERIOD, key: 'customer_churn_rate', filter: { customerId: c } })).toMatchObject({ value: 100, sampleSize: 1 });
  });

  it('is null for a period with nobody engaged before it (COUNT 0), and never reads another workspace', async () => {
    const ws = await createTestWorkspace();
    await retentionFixture(ws);
    const empty = { from: '2025-01-01T00:00:00Z', to: '2025-01-11T00:00:00Z' };
    expect(await metric(ws, { ...empty, key: 'customer_retention_rate' })).toMatchObject({ value: null, sampleSize: 0 });
    expect(await metric(ws, { ...empty, key: 'customer_churn_rate' })).toMatchObject({ value: null, sampleSize: 0 });
    expect((await metric(ws, { ...empty, key: 'customer_churn_rate', statistic: 'COUNT' })).value).toBe(0);

    // Another workspace: one customer X, engaged in both periods → 100 % there, and nothing of
    // the first workspace (whose 5 base customers would make it 5 samples).
    const other = await createTestWorkspace();
    const [x] = await insertCustomers(other.workspaceId, 1);
    await events(other.workspaceId, [[x!.id, 'login', '2026-03-02T10:00:00Z'], [x!.id, 'login', '2026-03-12T10:00:00Z']]);
    expect(await metric(other, { ...PERIOD, key: 'customer_retention_rate' })).toMatchObject({ value: 100, sampleSize: 1 });
    expect(await metric(ws, { ...PERIOD, key: 'customer_retention_rate' })).toMatchObject({ value: 40, sampleSize: 5 });
  });

  it('rejects time buckets, other statistics and dimensions with BAD_USER_INPUT', async () => {
    const ws = await createTestWorkspace();
    expect(await rejected(ws, { ...PERIOD, key: 'customer_retention_rate', bucket: 'DAY' })).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.bucket' });
    expect(await rejected(ws, { ...PERIOD, key: 'customer_churn_rate', bucket: 'MONTH' })).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.bucket' });
    expect(await rejected(ws, { ...PERIOD, key: 'customer_churn_rate', statistic: 'MEAN' })).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.statistic' });
    expect(await rejected(ws, { ...PERIOD, key: 'customer_retention_rate', groupBy: 'TEAM' })).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.groupBy' });
  });
});

/**
 * Purchase fixture (EUR unless noted; America/New_York is UTC−5 in January and February).
 * Range R = [2026-01-01T05:00Z, 2026-03-01T05:00Z) = local January and February.
 *   P1 O1 vip  purchase 100 01-10 · purchase 50 02-10 · refund −30 02-15 · purchase 500 03-05 (after R)
 *   P2 O1      purchase 40 at 02-01T04:30Z = 01-31 23:30 local (January locally, February in UTC) · purchase 70 03-10 (after R)
 *   P3 O2 vip  purchase 200 at 02-01T05:30Z = 02-01 00:30 local · purchase 60 02-20
 *   P4 O2      purchase 80 2025-12-15 (first purchase before R) · purchase 20 01-20
 *   P5 —       purchase 30 USD 01-05 · purchase without a value 01-25
 *   M  O1 vip  merged into P1 (tombstone), purchase 1000 01-12 → never counts
 * Valued purchases, all time: EUR 10 (P1 3, P2 2, P3 2, P4 2, M 1), USD 1 → reporting currency EUR.
 *
 * Lifetime value (customers whose first EUR purchase is in R, EUR purchases − refunds before R's end):
 *   P1 100 + 50 − 30 = 120 · P2 40 · P3 200 + 60 = 260 (P4 acquired before R; P5 never bought in EUR; M merged)
 *   MEAN 420 / 3 = 140 · MEDIAN 120 · P90: sorted 40, 120, 260, position 0.9 × 2 = 1.8 → 120 + 0.8 × 140 = 232 · COUNT 3
 *   by organization (MEAN): O1 (120, 40) 80 · O2 260; tag vip: (120 + 260) / 2 = 190
 *   MONTH buckets in New York: January {P1, P2} 80 · February {P3} 260
 * Repeat purchase rate (first-ever purchase in R; ≥ 2 purchases before R's end):
 *   P1 yes (100, 50) · P2 no (70 is after R) · P3 yes · P5 yes (a purchase without a value is a purchase) → 3 / 4 = 75 %
 *   MONTH buckets in New York: January {P1 ✓, P2 ✗, P5 ✓} 66.67 % · February {P3 ✓} 100 %
 *   in UTC (R shifted to [01-01Z, 03-01Z)): January {P1, P5} 100 % · February {P2 ✗, P3 ✓} 50 %
 */
async function purchaseFixture(ws: TestWorkspace) {
  const { prisma } = await testDatabase();
  const w = ws.workspaceId;
  const { o1, o2 } = await organizations(w);
  const [p1, p2, p3, p4, p5, m] = await insertCustomers(w, 6);
  await prisma.customer.update({ where: { id: p1!.id }, data: { organizationId: o1, tags: ['vip'] } });
  await prisma.customer.update({ where: { id: p2!.id }, data: { organizationId: o1 } });
  await prisma.customer.update({ where: { id: p3!.id }, data: { organizationId: o2, tags: ['vip'] } });
  await prisma.customer.update({ where: { id: p4!.id }, data: { organizationId: o2 } });
  await prisma.customer.update({ where: { id: m!.id }, data: { organizationId: o1, tags: ['vip'], mergedIntoId: p1!.id, mergedAt: t('2026-02-20T00:00:00Z') } });
  await events(w, [
    [p1!.id, 'purchase', '2026-01-10T15:00:00Z', 100],
    [p1!.id, 'purchase', '2026-02-10T15:00:00Z', 50],
    [p1!.id, 'refund', '2026-02-15T15:00:00Z', -30],
    [p1!.id, 'purchase', '2026-03-05T15:00:00Z', 500],
    [p1!.id, 'login', '2026-01-11T15:00:00Z'],
    [p2!.id, 'purchase', '2026-02-01T04:30:00Z', 40],
    [p2!.id, 'purchase', '2026-03-10T15:00:00Z', 70],
    [p3!.id, 'purchase', '2026-02-01T05:30:00Z', 200],
    [p3!.id, 'purchase', '2026-02-20T15:00:00Z', 60],
    [p4!.id, 'purchase', '2025-12-15T15:00:00Z', 80],
    [p4!.id, 'purchase', '2026-01-20T15:00:00Z', 20],
    [p5!.id, 'purchase', '2026-01-05T15:00:00Z', 30, 'USD'],
    [p5!.id, 'purchase', '2026-01-25T15:00:00Z'],
    [m!.id, 'purchase', '2026-01-12T15:00:00Z', 1000],
  ]);
  return {
    o1: encodeGlobalId('Organization', o1),
    o2: encodeGlobalId('Organization', o2),
    p2: encodeGlobalId('Customer', p2!.id),
  };
}

const NY = { from: '2026-01-01T05:00:00Z', to: '2026-03-01T05:00:00Z', timeZone: 'America/New_York' };

describe('customer lifetime value', () => {
  it('MEAN, MEDIAN, P90 and COUNT across the customers acquired in the range, by organization and segment', async () => {
    const ws = await createTestWorkspace();
    const { o1, o2, p2 } = await purchaseFixture(ws);
    const clv = { ...NY, key: 'customer_lifetime_value' };
    expect(await metric(ws, clv)).toMatchObject({ value: 140, sampleSize: 3 });
    expect((await metric(ws, { ...clv, statistic: 'MEDIAN' })).value).toBe(120);
    expect((await metric(ws, { ...clv, statistic: 'P90' })).value).toBeCloseTo(232, 9);
    expect((await metric(ws, { ...clv, statistic: 'COUNT' })).value).toBe(3);
    expect((await metric(ws, { ...clv, groupBy: 'ORGANIZATION' })).groups).toEqual([
      { key: o1, value: 80, sampleSize: 2 },
      { key: o2, value: 260, sampleSize: 1 },
    ]);
    expect(await metric(ws, { ...clv, filter: { tag: 'vip' } })).toMatchObject({ value: 190, sampleSize: 2 });
    expect(await metric(ws, { ...clv, filter: { customerId: p2 } })).toMatchObject({ value: 40, sampleSize: 1 });
  });

  it('buckets by acquisition in the requested time zone, counting purchases up to the range end', async () => {
    const ws = await createTestWorkspace();
    await purchaseFixture(ws);
    const months = await metric(ws, { ...NY, key: 'customer_lifetime_value', bucket: 'MONTH' });
    expect(months.series).toEqual([
      { bucketStart: '2026-01-01T05:00:00.000Z', value: 80, sampleSize: 2 },
      { bucketStart: '2026-02-01T05:00:00.000Z', value: 260, sampleSize: 1 },
    ]);
    // Local days 01-31, 02-01, 02-02: P2 (23:30 on 01-31 locally) 40; P3 (00:30 on 02-01) has
    // only 200 before the range end 02-03 00:00 local (its 60 is on 02-20); 02-02 is empty → null.
    const days = await metric(ws, { key: 'customer_lifetime_value', bucket: 'DAY', from: '2026-01-31T05:00:00Z', to: '2026-02-03T05:00:00Z', timeZone: 'America/New_York' });
    expect(days).toMatchObject({ value: 120, sampleSize: 2 });
    expect(days.series).toEqual([
      { bucketStart: '2026-01-31T05:00:00.000Z', value: 40, sampleSize: 1 },
      { bucketStart: '2026-02-01T05:00:00.000Z', value: 200, sampleSize: 1 },
      { bucketStart: '2026-02-02T05:00:00.000Z', value: null, sampleSize: 0 },
    ]);
  });

  it('is null with no customers acquired in the range; another workspace is never read', async () => {
    const ws = await createTestWorkspace();
    await purchaseFixture(ws);
    const empty = await metric(ws, { key: 'customer_lifetime_value', from: '2025-06-01T00:00:00Z', to: '2025-07-01T00:00:00Z', bucket: 'MONTH', timeZone: 'UTC' });
    expect(empty).toMatchObject({ value: null, sampleSize: 0, series: [{ bucketStart: '2025-06-01T00:00:00.000Z', value: null, sampleSize: 0 }] });

    // Another workspace: one customer Z with a 999 EUR purchase in R → 999 there; the first
    // workspace still averages 140 over its own 3 customers.
    const other = await createTestWorkspace();
    const [z] = await insertCustomers(other.workspaceId, 1);
    await events(other.workspaceId, [[z!.id, 'purchase', '2026-01-15T15:00:00Z', 999]]);
    expect(await metric(other, { ...NY, key: 'customer_lifetime_value' })).toMatchObject({ value: 999, sampleSize: 1 });
    expect(await metric(ws, { ...NY, key: 'customer_lifetime_value' })).toMatchObject({ value: 140, sampleSize: 3 });
  });

  it('reports in the currency of most purchases and never adds another currency to it', async () => {
    // Q: 10 + 20 USD; R: 100 EUR (and 5 USD). Valued purchases: USD 3, EUR 1 → USD.
    // Customers with a first USD purchase in the range: Q 30, R 5 → MEAN 17.5 (R's 100 EUR is not added).
    const ws = await createTestWorkspace();
    const [q, r] = await insertCustomers(ws.workspaceId, 2);
    await events(ws.workspaceId, [
      [q!.id, 'purchase', '2026-01-10T15:00:00Z', 10, 'USD'],
      [q!.id, 'purchase', '2026-01-11T15:00:00Z', 20, 'USD'],
      [r!.id, 'purchase', '2026-01-12T15:00:00Z', 100, 'EUR'],
      [r!.id, 'purchase', '2026-01-13T15:00:00Z', 5, 'USD'],
    ]);
    expect(await metric(ws, { ...NY, key: 'customer_lifetime_value' })).toMatchObject({ value: 17.5, sampleSize: 2, currency: 'USD' });
    // Asked in EUR: only R, whose EUR purchases total 100 (Q never bought in EUR).
    expect(await metric(ws, { ...NY, key: 'customer_lifetime_value', currency: 'EUR' })).toMatchObject({ value: 100, sampleSize: 1, currency: 'EUR' });
    // A currency nobody paid in: no samples, not zero.
    expect(await metric(ws, { ...NY, key: 'customer_lifetime_value', currency: 'JPY' })).toMatchObject({ value: null, sampleSize: 0, currency: 'JPY' });
    expect(await rejected(ws, { ...NY, key: 'customer_lifetime_value', currency: 'eur' })).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.currency' });
    expect(await rejected(ws, { ...NY, key: 'repeat_purchase_rate', currency: 'EUR' })).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.currency' });
    // Other metrics carry no currency.
    expect((await metric(ws, { ...NY, key: 'repeat_purchase_rate' })).currency).toBeNull();
  });

  it('rejects statistics and dimensions it does not support', async () => {
    const ws = await createTestWorkspace();
    expect(await rejected(ws, { ...NY, key: 'customer_lifetime_value', statistic: 'RATE' })).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.statistic' });
    expect(await rejected(ws, { ...NY, key: 'customer_lifetime_value', groupBy: 'AGENT' })).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.groupBy' });
  });
});

describe('repeat purchase rate', () => {
  it('share of new buyers who bought again by the range end, by acquisition month in the time zone', async () => {
    const ws = await createTestWorkspace();
    const { o1, o2 } = await purchaseFixture(ws);
    const rpr = await metric(ws, { ...NY, key: 'repeat_purchase_rate', bucket: 'MONTH', groupBy: 'ORGANIZATION' });
    expect(rpr).toMatchObject({ value: 75, sampleSize: 4 });
    expect(rpr.series).toHaveLength(2);
    expect(rpr.series[0]).toMatchObject({ bucketStart: '2026-01-01T05:00:00.000Z', sampleSize: 3 });
    expect(rpr.series[0].value).toBeCloseTo(200 / 3, 6);
    expect(rpr.series[1]).toEqual({ bucketStart: '2026-02-01T05:00:00.000Z', value: 100, sampleSize: 1 });
    // O1 {P1 ✓, P2 ✗} 50 % · O2 {P3 ✓} 100 % · no organization {P5 ✓} 100 %.
    expect(rpr.groups).toEqual([
      { key: o1, value: 50, sampleSize: 2 },
      { key: o2, value: 100, sampleSize: 1 },
      { key: null, value: 100, sampleSize: 1 },
    ]);
    const utc = await metric(ws, { key: 'repeat_purchase_rate', bucket: 'MONTH', from: '2026-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z', timeZone: 'UTC' });
    expect(utc.series).toEqual([
      { bucketStart: '2026-01-01T00:00:00.000Z', value: 100, sampleSize: 2 },
      { bucketStart: '2026-02-01T00:00:00.000Z', value: 50, sampleSize: 2 },
    ]);
    expect((await metric(ws, { ...NY, key: 'repeat_purchase_rate', statistic: 'COUNT' })).value).toBe(4);
    expect(await metric(ws, { ...NY, key: 'repeat_purchase_rate', filter: { tag: 'vip' } })).toMatchObject({ value: 100, sampleSize: 2 });
  });

  it('is null without new buyers, ignores other workspaces, and rejects MEAN', async () => {
    const ws = await createTestWorkspace();
    await purchaseFixture(ws);
    expect(await metric(ws, { key: 'repeat_purchase_rate', from: '2025-06-01T00:00:00Z', to: '2025-07-01T00:00:00Z' })).toMatchObject({ value: null, sampleSize: 0 });
    // Another workspace: one new buyer with a single purchase → 0 % there (not null: one sample).
    const other = await createTestWorkspace();
    const [z] = await insertCustomers(other.workspaceId, 1);
    await events(other.workspaceId, [[z!.id, 'purchase', '2026-01-15T15:00:00Z', 9]]);
    expect(await metric(other, { ...NY, key: 'repeat_purchase_rate' })).toMatchObject({ value: 0, sampleSize: 1 });
    expect(await rejected(ws, { ...NY, key: 'repeat_purchase_rate', statistic: 'MEAN' })).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.statistic' });
  });
});

describe('metricDefinitions', () => {
  it('lists the customer metrics with their customer dimensions', async () => {
    const ws = await createTestWorkspace();
    const res = await ws.gql(/* GraphQL */ `{ metricDefinitions { key unit statistics dimensions formula } }`);
    const byKey = Object.fromEntries(res.data!.metricDefinitions.map((d: { key: string }) => [d.key, d]));
    for (const key of ['customer_retention_rate', 'customer_churn_rate', 'repeat_purchase_rate', 'customer_lifetime_value']) {
      expect(byKey[key]).toMatchObject({ dimensions: ['ORGANIZATION', 'CUSTOMER'] });
    }
    expect(byKey.customer_churn_rate.formula).toContain('cancellation');
  });
});
