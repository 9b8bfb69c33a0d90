import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { graphql } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';

/**
 * A customer journey with every kind of entry, interleaved in time (minutes after t0):
 *   0 signup event · 1 conversation · 2 customer message · 3 agent message · 4 ticket ·
 *   5 ticket status change · 6 survey answered · 7 purchase event · 8 second ticket event
 * plus a second customer whose entries must never appear.
 */
async function journey(ws: TestWorkspace) {
  const { prisma } = await testDatabase();
  const [customer, other] = await insertCustomers(ws.workspaceId, 2);
  const t0 = Date.UTC(2026, 5, 1, 12, 0, 0);
  const at = (minutes: number) => new Date(t0 + minutes * 60_000);
  const w = ws.workspaceId;
  const conversationId = uuidv7(at(1));
  const ticketId = uuidv7(at(4));
  await prisma.customerEvent.create({ data: { id: uuidv7(at(0)), workspaceId: w, customerId: customer!.id, type: 'signup', occurredAt: at(0) } });
  await prisma.conversation.create({ data: { id: conversationId, workspaceId: w, customerId: customer!.id, channel: 'CHAT', createdAt: at(1) } });
  await prisma.message.createMany({
    data: [
      { id: uuidv7(at(2)), workspaceId: w, conversationId, authorKind: 'CUSTOMER', direction: 'INBOUND', body: 'Hi, my order is late', createdAt: at(2) },
      { id: uuidv7(at(3)), workspaceId: w, conversationId, authorKind: 'AGENT', authorAgentId: ws.agentId, direction: 'OUTBOUND', body: 'Checking!', createdAt: at(3) },
    ],
  });
  await prisma.ticket.create({ data: { id: ticketId, workspaceId: w, number: 1, subject: 'Late order', requesterId: customer!.id, createdAt: at(4) } });
  await prisma.ticketEvent.createMany({
    data: [
      { id: uuidv7(at(4)), workspaceId: w, ticketId, kind: 'CREATED', actorKind: 'AGENT', createdAt: at(4) },
      { id: uuidv7(at(5)), workspaceId: w, ticketId, kind: 'FIELD_CHANGED', field: 'status', oldValue: 'NEW', newValue: 'OPEN', actorKind: 'AGENT', createdAt: at(5) },
      { id: uuidv7(at(8)), workspaceId: w, ticketId, kind: 'FIELD_CHANGED', field: 'status', oldValue: 'OPEN', newValue: 'SOLVED', actorKind: 'AGENT', createdAt: at(8) },
    ],
  });
  await prisma.surveyResponse.create({
    data: { id: uuidv7(at(6)), workspaceId: w, customerId: customer!.id, kind: 'CSAT', score: 5, sentAt: at(5.5), respondedAt: at(6) },
  });
  await prisma.customerEvent.create({
    data: { id: uuidv7(at(7)), workspaceId: w, customerId: customer!.id, type: 'purchase', value: 20, currency: 'EUR', occurredAt: at(7) },
  });
  // Noise from another customer of the same workspace.
  await prisma.customerEvent.create({ data: { id: uuidv7(at(3.5)), workspaceId: w, customerId: other!.id, type: 'login', occurredAt: at(3.5) } });
  return { customerId: encodeGlobalId('Customer', customer!.id) };
}

const TIMELINE = /* GraphQL */ `
  query ($id: ID!, $first: Int, $after: String, $types: [TimelineEntryKind!]) {
    customer(id: $id) {
      timeline(first: $first, after: $after, types: $types) {
        totalCount
        edges { cursor node { kind occurredAt
          conversation { channel customer { id } } message { body conversation { channel } } ticket { subject requester { id } } ticketEvent { field newValue ticket { number } }
          surveyResponse { score } customerEvent { type } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`;

const EXPECTED = [
  'TICKET_EVENT:SOLVED',
  'CUSTOMER_EVENT:purchase',
  'SURVEY_RESPONSE:5',
  'TICKET_EVENT:OPEN',
  'TICKET:Late order',
  'MESSAGE:Checking!',
  'MESSAGE:Hi, my order is late',
  'CONVERSATION:CHAT',
  'CUSTOMER_EVENT:signup',
];

function label(node: any): string {
  const detail =
    node.conversation?.channel ?? node.message?.body ?? node.ticket?.subject ?? node.ticketEvent?.newValue ?? node.surveyResponse?.score ?? node.customerEvent?.type;
  if (node.message) expect(node.message.conversation.channel).toBe('CHAT');
  if (node.ticketEvent) expect(node.ticketEvent.ticket.number).toBe(1);
  return `${node.kind}:${detail}`;
}

describe('Customer.timeline', () => {
  it('merges service and support history newest first, with exactly the matching field set', async () => {
    const ws = await createTestWorkspace();
    const { customerId } = await journey(ws);
    const res = await ws.gql(TIMELINE, { id: customerId, first: 50 });
    expect(res.errors).toBeUndefined();
    const timeline = res.data!.customer.timeline;
    expect(timeline.totalCount).toBe(EXPECTED.length);
    expect(timeline.edges.map((e: any) => label(e.node))).toEqual(EXPECTED);
    const setFields = timeline.edges.map((e: any) => Object.entries(e.node).filter(([k, v]) => !['kind', 'occurredAt'].includes(k) && v !== null).length);
    expect(setFields.every((n: number) => n === 1)).toBe(true);
    expect(timeline.pageInfo.hasNextPage).toBe(false);
  });

  it('pages exactly across the merge, also when entries arrive between pages', async () => {
    const ws = await createTestWorkspace();
    const { customerId } = await journey(ws);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res: any = await ws.gql(TIMELINE, { id: customerId, first: 2, after });
      seen.push(...res.data.customer.timeline.edges.map((e: any) => label(e.node)));
      if (page === 0) {
        // A brand-new entry sorts before the cursor: it must not shift later pages.
        const { prisma } = await testDatabase();
        const raw = Buffer.from(customerId, 'base64url').toString().split(':')[1]!;
        await prisma.customerEvent.create({ data: { id: uuidv7(), workspaceId: ws.workspaceId, customerId: raw, type: 'login', occurredAt: new Date() } });
      }
      if (!res.data.customer.timeline.pageInfo.hasNextPage) break;
      after = res.data.customer.timeline.pageInfo.endCursor;
    }
    expect(seen).toEqual(EXPECTED);
  });

  it('filters by kind, and leaves out kinds the key may not read', async () => {
    const ws = await createTestWorkspace();
    const { customerId } = await journey(ws);
    const onlyTickets = await ws.gql(TIMELINE, { id: customerId, types: ['TICKET', 'TICKET_EVENT'] });
    expect(onlyTickets.data!.customer.timeline.edges.map((e: any) => label(e.node))).toEqual(['TICKET_EVENT:SOLVED', 'TICKET_EVENT:OPEN', 'TICKET:Late order']);

    const customersOnly = await ws.createKey(['customers:read']);
    const limited = await graphql(TIMELINE, { id: customerId }, { apiKey: customersOnly });
    expect(limited.errors).toBeUndefined();
    expect(limited.data!.customer.timeline.edges.map((e: any) => label(e.node))).toEqual(['CUSTOMER_EVENT:purchase', 'CUSTOMER_EVENT:signup']);
    expect(limited.data!.customer.timeline.totalCount).toBe(2);
  });

  it('rejects a forged cursor and out-of-range page sizes with BAD_USER_INPUT', async () => {
    const ws = await createTestWorkspace();
    const { customerId } = await journey(ws);
    for (const variables of [{ after: 'bm9wZQ' }, { after: Buffer.from('TL:2026-01-01T00:00:00.000Z:TICKET:1').toString('base64url') }, { first: 0 }, { first: 101 }]) {
      const res = await ws.gql(TIMELINE, { id: customerId, ...variables });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('costs the same number of SQL statements for a small and a large page', async () => {
    const ws = await createTestWorkspace();
    const { customerId } = await journey(ws);
    await ws.gql(/* GraphQL */ `{ viewer { scopes } }`);
    const small = await ws.gql(TIMELINE, { id: customerId, first: 9 });
    const large = await ws.gql(TIMELINE, { id: customerId, first: 100 });
    expect(small.data!.customer.timeline.edges).toHaveLength(9);
    expect(small.statements).toBe(large.statements);
    // customer lookup + page + one load per kind (6) + count (the warm key is cached)
    expect(large.statements).toBeLessThanOrEqual(10);
  });
});
