import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import type { Prisma } from '../src/generated/prisma/client.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { graphql } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';

const BASE = Date.UTC(2026, 2, 1);
const HOUR = 3_600_000;

/** Conversations inserted directly; `at` is hours after BASE (createdAt), default its index. */
async function insertConversations(workspaceId: string, customerId: string, specs: Array<Partial<Prisma.ConversationUncheckedCreateInput> & { at?: number }>) {
  const { prisma } = await testDatabase();
  const rows = specs.map(({ at, ...spec }, i) => {
    const createdAt = new Date(BASE + (at ?? i) * HOUR);
    return { id: uuidv7(createdAt), workspaceId, customerId, channel: 'CHAT' as const, createdAt, updatedAt: createdAt, subject: `c${i}`, ...spec };
  });
  await prisma.conversation.createMany({ data: rows });
  return rows.map((r) => ({
    id: r.id,
    subject: r.subject as string,
    createdAt: new Date(r.createdAt),
    updatedAt: new Date(r.updatedAt),
    waitingSince: r.waitingSince ? new Date(r.waitingSince) : null,
  }));
}

const LIST = /* GraphQL */ `
  query ($filter: ConversationFilter, $orderBy: ConversationOrderBy, $first: Int, $after: String) {
    conversations(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      edges { node { subject } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

async function subjects(ws: TestWorkspace, variables: Record<string, unknown>) {
  const res = await ws.gql(LIST, { first: 100, ...variables });
  expect(res.errors).toBeUndefined();
  return res.data!.conversations.edges.map((e: any) => e.node.subject);
}

async function walk(ws: TestWorkspace, variables: Record<string, unknown>, pageSize: number) {
  const seen: string[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 50; guard++) {
    const res: any = await ws.gql(LIST, { ...variables, first: pageSize, after });
    expect(res.errors).toBeUndefined();
    seen.push(...res.data.conversations.edges.map((e: any) => e.node.subject));
    if (!res.data.conversations.pageInfo.hasNextPage) break;
    after = res.data.conversations.pageInfo.endCursor;
  }
  return seen;
}

describe('conversations query', () => {
  it('filters by status, channel, function, assignee, team, customer and time ranges', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const [alice, bob] = await insertCustomers(ws.workspaceId, 2);
    const team = await prisma.team.create({ data: { id: uuidv7(), workspaceId: ws.workspaceId, name: 'Tier 2', function: 'SUPPORT' } });
    await insertConversations(ws.workspaceId, alice!.id, [
      { subject: 'open-chat', status: 'OPEN', channel: 'CHAT', assigneeId: ws.agentId },
      { subject: 'pending-email', status: 'PENDING', channel: 'EMAIL', function: 'SUPPORT', teamId: team.id },
      { subject: 'resolved-sms', status: 'RESOLVED', channel: 'SMS', updatedAt: new Date(BASE + 50 * HOUR) },
    ]);
    await insertConversations(ws.workspaceId, bob!.id, [{ subject: 'snoozed-web', status: 'SNOOZED', channel: 'WEB', at: 10, function: 'SUPPORT' }]);

    expect(await subjects(ws, { filter: { status: ['OPEN', 'PENDING'] } })).toEqual(['pending-email', 'open-chat']);
    expect(await subjects(ws, { filter: { channel: ['SMS', 'WEB'] } })).toEqual(['snoozed-web', 'resolved-sms']);
    expect(await subjects(ws, { filter: { function: 'SUPPORT' } })).toEqual(['snoozed-web', 'pending-email']);
    expect(await subjects(ws, { filter: { assigneeId: encodeGlobalId('Agent', ws.agentId) } })).toEqual(['open-chat']);
    expect(await subjects(ws, { filter: { unassigned: true } })).toEqual(['snoozed-web', 'resolved-sms', 'pending-email']);
    expect(await subjects(ws, { filter: { unassigned: false } })).toEqual(['open-chat']);
    expect(await subjects(ws, { filter: { teamId: encodeGlobalId('Team', team.id) } })).toEqual(['pending-email']);
    expect(await subjects(ws, { filter: { customerId: encodeGlobalId('Customer', bob!.id) } })).toEqual(['snoozed-web']);
    const range = { from: new Date(BASE + HOUR).toISOString(), to: new Date(BASE + 10 * HOUR).toISOString() };
    expect(await subjects(ws, { filter: { createdAt: range } })).toEqual(['resolved-sms', 'pending-email']);
    expect(await subjects(ws, { filter: { updatedAt: { from: new Date(BASE + 20 * HOUR).toISOString() } } })).toEqual(['resolved-sms']);
    expect(await subjects(ws, { filter: { status: ['OPEN'], channel: ['EMAIL'] } })).toEqual([]);
    const counted = await ws.gql(LIST, { filter: { status: ['OPEN', 'PENDING', 'SNOOZED'] }, first: 1 });
    expect(counted.data!.conversations.totalCount).toBe(3);
  });

  it.each([
    [{ filter: { assigneeId: encodeGlobalId('Agent', uuidv7()), unassigned: true } }, /either/],
    [{ filter: { assigneeId: encodeGlobalId('Team', uuidv7()) } }, /must be the ID of a Agent/],
    [{ filter: { status: [] } }, /at least one status/],
    [{ filter: { createdAt: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } } }, /from.*before.*to/],
    [{ orderBy: { field: 'PRIORITY' } }, /PRIORITY/],
  ])('rejects bad arguments %j with BAD_USER_INPUT', async (variables, message) => {
    const ws = await createTestWorkspace();
    const res = await ws.gql(LIST, variables);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(message);
  });

  it('orders by created, updated and waiting time, and walks every page without skipping or repeating', async () => {
    const ws = await createTestWorkspace();
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    // Ties on every sort key, so only the id tiebreaker keeps pages stable.
    const rows = await insertConversations(
      ws.workspaceId,
      customer!.id,
      Array.from({ length: 13 }, (_, i) => ({
        at: Math.floor(i / 3),
        updatedAt: new Date(BASE + (20 - Math.floor(i / 2)) * HOUR),
        waitingSince: i % 4 === 0 ? null : new Date(BASE + (i % 3) * HOUR),
      })),
    );
    const byKey = (key: 'createdAt' | 'updatedAt' | 'waitingSince', dir: 1 | -1) =>
      rows
        .filter((r) => r[key] !== null)
        .sort((a, b) => dir * (a[key]!.getTime() - b[key]!.getTime() || (a.id < b.id ? -1 : 1)))
        .map((r) => r.subject);
    const cases: Array<[Record<string, unknown> | undefined, string[]]> = [
      [undefined, byKey('createdAt', -1)],
      [{ field: 'CREATED_AT', direction: 'ASC' }, byKey('createdAt', 1)],
      [{ field: 'UPDATED_AT', direction: 'DESC' }, byKey('updatedAt', -1)],
      [{ field: 'UPDATED_AT', direction: 'ASC' }, byKey('updatedAt', 1)],
      [{ field: 'WAITING_SINCE', direction: 'ASC' }, byKey('waitingSince', 1)],
      [{ field: 'WAITING_SINCE', direction: 'DESC' }, byKey('waitingSince', -1)],
    ];
    for (const [orderBy, expected] of cases) {
      expect(await subjects(ws, { orderBy }), JSON.stringify(orderBy)).toEqual(expected);
      expect(await walk(ws, { orderBy }, 2), JSON.stringify(orderBy)).toEqual(expected);
    }
    // WAITING_SINCE lists only conversations somebody is waiting on, and counts the same set.
    const waiting = await ws.gql(LIST, { orderBy: { field: 'WAITING_SINCE' }, first: 1 });
    expect(waiting.data!.conversations.totalCount).toBe(byKey('waitingSince', 1).length);
    expect(byKey('waitingSince', 1).length).toBeLessThan(rows.length);
  });

  it('loads nested customers, assignees, teams and messages without a query per conversation', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const team = await prisma.team.create({ data: { id: uuidv7(), workspaceId: ws.workspaceId, name: 'T', function: 'SERVICE' } });
    const NESTED = /* GraphQL */ `{ conversations(first: 50) { edges { node {
      customer { name } assignee { name } team { name } messages(first: 3) { totalCount edges { node { body authorAgent { name } } } } } } } }`;
    const statementsFor = async (count: number) => {
      const rows = await insertConversations(ws.workspaceId, customer!.id, Array.from({ length: count }, () => ({ assigneeId: ws.agentId, teamId: team.id })));
      await prisma.message.createMany({
        data: rows.flatMap((r) => [0, 1].map((j) => ({ id: uuidv7(), workspaceId: ws.workspaceId, conversationId: r.id, authorKind: 'AGENT' as const, authorAgentId: ws.agentId, direction: 'OUTBOUND' as const, body: `m${j}` }))),
      });
      const res = await ws.gql(NESTED);
      expect(res.errors).toBeUndefined();
      return res.statements;
    };
    // The key's first use also records lastUsedAt: keep that write out of the comparison.
    await ws.gql(`{ viewer { scopes } }`);
    const few = await statementsFor(2);
    const many = await statementsFor(10);
    expect(many).toBe(few);
  });
});

describe('conversation, node and Customer.conversations', () => {
  it('finds the caller\'s conversations and messages, and nothing of another workspace', async () => {
    const [ws, other] = await Promise.all([createTestWorkspace(), createTestWorkspace()]);
    const { prisma } = await testDatabase();
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const [row] = await insertConversations(ws.workspaceId, customer!.id, [{ subject: 'mine' }]);
    const message = await prisma.message.create({
      data: { id: uuidv7(), workspaceId: ws.workspaceId, conversationId: row!.id, authorKind: 'CUSTOMER', authorCustomerId: customer!.id, direction: 'INBOUND', body: 'hi' },
    });
    const team = await prisma.team.create({ data: { id: uuidv7(), workspaceId: ws.workspaceId, name: 'T', function: 'SERVICE' } });
    const ids = { c: encodeGlobalId('Conversation', row!.id), m: encodeGlobalId('Message', message.id), t: encodeGlobalId('Team', team.id) };
    const QUERY = /* GraphQL */ `query ($c: ID!, $m: ID!, $t: ID!) {
      conversation(id: $c) { subject }
      c: node(id: $c) { ... on Conversation { subject } }
      m: node(id: $m) { ... on Message { body authorCustomer { id } conversation { subject } } }
      t: node(id: $t) { ... on Team { name } }
      conversations { totalCount }
    }`;
    const mine = await ws.gql(QUERY, ids);
    expect(mine.errors).toBeUndefined();
    expect(mine.data).toEqual({
      conversation: { subject: 'mine' },
      c: { subject: 'mine' },
      m: { body: 'hi', authorCustomer: { id: encodeGlobalId('Customer', customer!.id) }, conversation: { subject: 'mine' } },
      t: { name: 'T' },
      conversations: { totalCount: 1 },
    });
    const theirs = await other.gql(QUERY, ids);
    expect(theirs.errors).toBeUndefined();
    expect(theirs.data).toEqual({ conversation: null, c: null, m: null, t: null, conversations: { totalCount: 0 } });
  });

  it('lists a customer\'s conversations newest first, and needs conversations:read for them', async () => {
    const ws = await createTestWorkspace();
    const [customer, someoneElse] = await insertCustomers(ws.workspaceId, 2);
    await insertConversations(ws.workspaceId, customer!.id, [{ subject: 'old', at: 1 }, { subject: 'new', at: 5 }, { subject: 'mid', at: 3 }]);
    await insertConversations(ws.workspaceId, someoneElse!.id, [{ subject: 'not theirs' }]);
    const QUERY = /* GraphQL */ `query ($id: ID!) { customer(id: $id) { name conversations(first: 2) { totalCount edges { node { subject } } pageInfo { hasNextPage } } } }`;
    const res = await ws.gql(QUERY, { id: encodeGlobalId('Customer', customer!.id) });
    expect(res.data!.customer.conversations).toEqual({ totalCount: 3, edges: [{ node: { subject: 'new' } }, { node: { subject: 'mid' } }], pageInfo: { hasNextPage: true } });
    const customersOnly = await ws.createKey(['customers:read']);
    const denied = await graphql(QUERY, { id: encodeGlobalId('Customer', customer!.id) }, { apiKey: customersOnly });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(denied.errors?.[0]?.path).toEqual(['customer', 'conversations']);
  });

  it('needs conversations:read for conversations and messages', async () => {
    const ws = await createTestWorkspace();
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const [row] = await insertConversations(ws.workspaceId, customer!.id, [{}]);
    const key = await ws.createKey(['customers:read', 'agents:read']);
    for (const query of [`{ conversations { totalCount } }`, `query ($id: ID!) { conversation(id: $id) { id } }`, `query ($id: ID!) { node(id: $id) { id } }`]) {
      const res = await graphql(query, { id: encodeGlobalId('Conversation', row!.id) }, { apiKey: key });
      expect(res.errors?.[0]?.extensions?.code, query).toBe('FORBIDDEN');
    }
  });
});
