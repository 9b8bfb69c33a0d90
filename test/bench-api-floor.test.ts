import { beforeAll, describe, expect, it } from 'vitest';
import { jsonDifferences } from '../bench/api-compare.ts';
import { pickVariables } from '../bench/api-setup.ts';
import { uuidv7 } from '../src/db/ids.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { SHAPE_NAMES, SHAPES, type ShapeName } from '../bench/api-shapes.ts';
import { graphql } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';

/**
 * bench:api compares cxgraph with a raw-SQL floor that must answer the SAME bodies. This keeps
 * the floor honest as the schema evolves: each shape's floor statement runs on the test
 * database (embedded or PostgreSQL) against a small workspace of its own and must equal what
 * cxgraph answers in memory for the same request.
 */

let workspaceId: string;
let apiKey: string;
let agentId: string;
let variables: Record<ShapeName, Record<string, unknown>>;

/**
 * A small workspace with one of everything the shapes read: an organization, a team and an
 * agent, customers with tickets (one assigned), audit entries whose values name other objects,
 * an open conversation with customer messages that a published article matches, a survey
 * answer and a purchase.
 */
async function buildFixture(ws: TestWorkspace): Promise<void> {
  const { prisma } = await testDatabase();
  const w = { workspaceId: ws.workspaceId };
  const base = Date.now() - 3_600_000;
  const at = (s: number) => new Date(base + s * 1000);
  const org = await prisma.organization.create({ data: { id: uuidv7(), ...w, name: 'Acme', plan: 'Growth' } });
  const team = await prisma.team.create({ data: { id: uuidv7(), ...w, name: 'Support tier 1', function: 'SUPPORT' } });
  const customers = await insertCustomers(ws.workspaceId, 7, { organizationId: org.id, tags: ['vip'], attributes: { plan: 'pro', seats: 3 } });
  const c = customers[0]!;
  const tickets = customers.flatMap((cu, i) => [0, 1].map((k) => ({
    id: uuidv7(at(i * 10 + k)), ...w, number: i * 2 + k + 1, subject: `Ticket ${i}-${k}`, requesterId: cu.id, createdAt: at(i * 10 + k),
    assigneeId: k === 0 ? ws.agentId : null, priority: k === 0 ? ('HIGH' as const) : ('NORMAL' as const),
  })));
  await prisma.ticket.createMany({ data: tickets });
  await prisma.ticketEvent.createMany({
    data: [
      { id: uuidv7(at(100)), ...w, ticketId: tickets[0]!.id, kind: 'CREATED', actorKind: 'AGENT', newValue: { requesterId: c.id, subject: 'x' }, createdAt: at(100) },
      { id: uuidv7(at(101)), ...w, ticketId: tickets[0]!.id, kind: 'FIELD_CHANGED', field: 'assigneeId', newValue: ws.agentId, actorKind: 'AGENT', createdAt: at(101) },
      { id: uuidv7(at(102)), ...w, ticketId: tickets[0]!.id, kind: 'FIELD_CHANGED', field: 'priority', newValue: 'HIGH', actorKind: 'AGENT', createdAt: at(102) },
      { id: uuidv7(at(103)), ...w, ticketId: tickets[1]!.id, kind: 'MERGED_FROM', newValue: { ticketId: tickets[0]!.id, count: 2 }, actorKind: 'SYSTEM', createdAt: at(103) },
    ],
  });
  const convo = await prisma.conversation.create({
    data: { id: uuidv7(at(110)), ...w, customerId: c.id, channel: 'EMAIL', status: 'OPEN', teamId: team.id, assigneeId: ws.agentId, subject: 'Cannot log in', createdAt: at(110), waitingSince: at(111) },
  });
  await prisma.message.createMany({
    data: [
      { id: uuidv7(at(111)), ...w, conversationId: convo.id, authorKind: 'CUSTOMER', direction: 'INBOUND', body: 'I forgot my password and cannot log in', createdAt: at(111) },
      { id: uuidv7(at(112)), ...w, conversationId: convo.id, authorKind: 'AGENT', direction: 'OUTBOUND', body: 'Let me help', createdAt: at(112) },
    ],
  });
  await prisma.article.createMany({
    data: ['Reset your password', 'Log in with single sign-on'].map((title, i) => ({
      id: uuidv7(), ...w, slug: `article-${i}`, title, body: `${title}: step by step, when you cannot log in.`, status: 'PUBLISHED' as const, publishedAt: at(1),
    })),
  });
  await prisma.surveyResponse.create({ data: { id: uuidv7(), ...w, customerId: c.id, kind: 'CSAT', score: 4, comment: 'Quick', sentAt: at(120), respondedAt: at(121) } });
  await prisma.customerEvent.create({ data: { id: uuidv7(), ...w, customerId: c.id, type: 'purchase', value: '19.99', currency: 'EUR', occurredAt: at(130) } });
}

beforeAll(async () => {
  const db = await testDatabase();
  const ws = await createTestWorkspace();
  await buildFixture(ws);
  workspaceId = ws.workspaceId;
  apiKey = ws.apiKey;
  agentId = ws.agentId;
  variables = await pickVariables(db, workspaceId);
  // A page smaller than the workspace, so the floor's hasNextPage and endCursor are exercised.
  variables.customers50x10 = { first: 5, tickets: 2 };
});

async function floorData(name: ShapeName, vars: Record<string, unknown>): Promise<unknown> {
  const { prisma } = await testDatabase();
  const shape = SHAPES[name];
  const rows = await prisma.$queryRawUnsafe<{ data: string }[]>(shape.sql, workspaceId, ...shape.params(vars));
  expect(rows).toHaveLength(1);
  return JSON.parse(rows[0]!.data);
}

describe('bench:api floor', () => {
  it.each(SHAPE_NAMES)('%s: the floor statement answers the same body as cxgraph', async (name) => {
    const res = await graphql(SHAPES[name].query, variables[name], { apiKey });
    expect(res.errors).toBeUndefined();
    expect(jsonDifferences(res.data, await floorData(name, variables[name]))).toEqual([]);
  });

  it('the fixture reaches every part of the shapes (so equality is not between empty answers)', async () => {
    const customers = (await floorData('customers50x10', variables.customers50x10)) as any;
    expect(customers.customers.edges).toHaveLength(5);
    expect(customers.customers.pageInfo.hasNextPage).toBe(true);
    expect(customers.customers.edges[0].node.tickets.edges.length).toBeGreaterThan(0);
    const inbox = (await floorData('agentInbox', variables.agentInbox)) as any;
    expect(inbox.conversations.edges.length).toBeGreaterThan(0);
    expect(inbox.conversations.edges[0].node.suggestedArticles.length).toBeGreaterThan(0);
    const c360 = (await floorData('customer360', variables.customer360)) as any;
    expect(c360.customer.timeline.edges.length).toBeGreaterThan(0);
    expect(new Set(c360.customer.timeline.edges.map((e: any) => e.node.kind))).toEqual(
      new Set(['CONVERSATION', 'MESSAGE', 'TICKET', 'TICKET_EVENT', 'SURVEY_RESPONSE', 'CUSTOMER_EVENT']),
    );
    // Audit values naming objects are shown as global IDs, in plain and in object values.
    const values = c360.customer.timeline.edges.flatMap((e: any) => (e.node.ticketEvent ? [e.node.ticketEvent.newValue] : []));
    expect(values).toContainEqual(encodeGlobalId('Agent', agentId));
    expect(values.some((v: any) => typeof v === 'object' && v?.ticketId?.length > 36)).toBe(true);
  });

  it('a difference is reported with its path', () => {
    expect(jsonDifferences({ a: [{ id: 'x' }] }, { a: [{ id: 'y' }, { id: 'z' }] })).toEqual(['$.a: 1 items vs 2', '$.a[0].id: "x" vs "y"']);
  });
});
