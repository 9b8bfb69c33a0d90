import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';

/**
 * Conversation metrics, survey response rate and lifetime value against hand-computed values.
 *   C1 SERVICE CHAT   first customer msg 03-02 09:00, bot handoff 09:02, first agent reply 09:05; escalated to a SUPPORT ticket
 *   C2 SERVICE EMAIL  first customer msg 03-02 10:00, no handoff, first agent reply 10:20
 *   C3 SUPPORT PHONE  first customer msg 03-03 08:00, no human reply yet
 *   C4 SERVICE CHAT   first customer msg 03-04 08:00, answered by a bot only
 */
async function fixture(ws: TestWorkspace) {
  const { prisma } = await testDatabase();
  const w = ws.workspaceId;
  const [customer] = await insertCustomers(w, 1);
  const t = (iso: string) => new Date(iso);
  const c1 = uuidv7();
  const base = { workspaceId: w, customerId: customer!.id };
  await prisma.conversation.createMany({
    data: [
      { ...base, id: c1, channel: 'CHAT', function: 'SERVICE', createdAt: t('2026-03-02T09:00:00Z'), firstCustomerMessageAt: t('2026-03-02T09:00:00Z'), botHandoffAt: t('2026-03-02T09:02:00Z'), firstAgentResponseAt: t('2026-03-02T09:05:00Z') },
      { ...base, id: uuidv7(), channel: 'EMAIL', function: 'SERVICE', createdAt: t('2026-03-02T10:00:00Z'), firstCustomerMessageAt: t('2026-03-02T10:00:00Z'), firstAgentResponseAt: t('2026-03-02T10:20:00Z') },
      { ...base, id: uuidv7(), channel: 'PHONE', function: 'SUPPORT', createdAt: t('2026-03-03T08:00:00Z'), firstCustomerMessageAt: t('2026-03-03T08:00:00Z') },
      { ...base, id: uuidv7(), channel: 'CHAT', function: 'SERVICE', createdAt: t('2026-03-04T08:00:00Z'), firstCustomerMessageAt: t('2026-03-04T08:00:00Z'), firstBotResponseAt: t('2026-03-04T08:00:05Z') },
    ],
  });
  await prisma.ticket.create({ data: { id: uuidv7(), workspaceId: w, number: 1, subject: 'Escalated', requesterId: customer!.id, function: 'SUPPORT', sourceConversationId: c1, createdAt: t('2026-03-02T09:10:00Z') } });
  // Surveys: 4 sent in March, 3 answered.
  await prisma.surveyResponse.createMany({
    data: [5, 4, null, 2].map((score, i) => ({
      id: uuidv7(), workspaceId: w, customerId: customer!.id, kind: 'CSAT' as const, score,
      sentAt: t(`2026-03-1${i}T08:00:00Z`), respondedAt: score === null ? null : t(`2026-03-1${i}T09:00:00Z`),
    })),
  });
  // Purchases: 49.90 + 20.00 − 9.90 EUR = 60.00 EUR; 10 USD; a login without value.
  await prisma.customerEvent.createMany({
    data: [
      { id: uuidv7(), workspaceId: w, customerId: customer!.id, type: 'purchase', value: 49.9, currency: 'EUR', occurredAt: t('2026-03-01T10:00:00Z') },
      { id: uuidv7(), workspaceId: w, customerId: customer!.id, type: 'purchase', value: 20, currency: 'EUR', occurredAt: t('2026-03-05T10:00:00Z') },
      { id: uuidv7(), workspaceId: w, customerId: customer!.id, type: 'refund', value: -9.9, currency: 'EUR', occurredAt: t('2026-03-06T10:00:00Z') },
      { id: uuidv7(), workspaceId: w, customerId: customer!.id, type: 'purchase', value: 10, currency: 'USD', occurredAt: t('2026-03-07T10:00:00Z') },
      { id: uuidv7(), workspaceId: w, customerId: customer!.id, type: 'login', occurredAt: t('2026-03-08T10:00:00Z') },
    ],
  });
  return { customerId: encodeGlobalId('Customer', customer!.id) };
}

const METRIC = /* GraphQL */ `query ($input: MetricInput!) { metric(input: $input) { value sampleSize groups { key value sampleSize } } }`;
const MARCH = { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' };

async function metric(ws: TestWorkspace, input: Record<string, unknown>) {
  const res = await ws.gql(METRIC, { input: { ...MARCH, ...input } });
  expect(res.errors).toBeUndefined();
  return res.data!.metric;
}

describe('conversation and service metrics', () => {
  it('conversation first response time from the first customer message or from the bot handoff', async () => {
    const ws = await createTestWorkspace();
    await fixture(ws);
    // From the customer: C1 300 s, C2 1200 s (C3 unanswered, C4 bot only) → median 750.
    expect(await metric(ws, { key: 'conversation_first_response_time' })).toMatchObject({ value: 750, sampleSize: 2 });
    // From the handoff: only C1 had one: 09:05 − 09:02 = 180 s.
    expect(await metric(ws, { key: 'conversation_first_response_time', firstResponseFrom: 'BOT_HANDOFF' })).toMatchObject({ value: 180, sampleSize: 1 });
    const byChannel = await metric(ws, { key: 'conversation_first_response_time', groupBy: 'CHANNEL', statistic: 'MEAN' });
    expect(byChannel.groups).toEqual([
      { key: 'CHAT', value: 300, sampleSize: 1 },
      { key: 'EMAIL', value: 1200, sampleSize: 1 },
    ]);
  });

  it('conversation volume and escalation rate', async () => {
    const ws = await createTestWorkspace();
    await fixture(ws);
    expect((await metric(ws, { key: 'conversation_volume' })).value).toBe(4);
    expect((await metric(ws, { key: 'conversation_volume', filter: { function: 'SUPPORT' } })).value).toBe(1);
    // SERVICE conversations C1, C2, C4; C1 escalated → 1 / 3.
    expect(await metric(ws, { key: 'escalation_rate' })).toMatchObject({ sampleSize: 3 });
    expect((await metric(ws, { key: 'escalation_rate' })).value).toBeCloseTo(33.3333, 3);
  });

  it('survey response rate', async () => {
    const ws = await createTestWorkspace();
    await fixture(ws);
    expect(await metric(ws, { key: 'survey_response_rate' })).toMatchObject({ value: 75, sampleSize: 4 }); // 3 of 4
  });

  it('rejects firstResponseFrom on other metrics', async () => {
    const ws = await createTestWorkspace();
    const res = await ws.gql(METRIC, { input: { ...MARCH, key: 'csat', firstResponseFrom: 'BOT_HANDOFF' } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.firstResponseFrom' });
  });

  it('Customer.lifetimeValue sums purchases minus refunds per currency, in one statement for a page', async () => {
    const ws = await createTestWorkspace();
    const { customerId } = await fixture(ws);
    const res = await ws.gql(/* GraphQL */ `query ($id: ID!) { customer(id: $id) { lifetimeValue { amount currency } } }`, { id: customerId });
    expect(res.data!.customer.lifetimeValue).toEqual([
      { amount: 60, currency: 'EUR' },
      { amount: 10, currency: 'USD' },
    ]);
    await insertCustomers(ws.workspaceId, 10);
    const page = /* GraphQL */ `query ($n: Int) { customers(first: $n) { edges { node { lifetimeValue { amount } } } } }`;
    await ws.gql(page, { n: 1 });
    const small = await ws.gql(page, { n: 2 });
    const large = await ws.gql(page, { n: 11 });
    expect(large.statements).toBe(small.statements);
  });
});
