import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';

/**
 * The number of SQL statements a request sends must not depend on page sizes: an N+1 shows up
 * here as a count that grows with `first`. Counts are measured after a warm-up request, so
 * per-key bookkeeping does not blur them.
 */
async function world(ws: TestWorkspace, customers: number) {
  const { prisma } = await testDatabase();
  const w = ws.workspaceId;
  const people = await insertCustomers(w, customers);
  let number = 0;
  const tickets = people.flatMap((c) =>
    Array.from({ length: 3 }, () => ({ id: uuidv7(), workspaceId: w, number: ++number, subject: `Ticket ${number}`, requesterId: c.id })),
  );
  await prisma.ticket.createMany({ data: tickets });
  await prisma.ticketComment.createMany({
    data: tickets.flatMap((t) => [1, 2].map((i) => ({ id: uuidv7(), workspaceId: w, ticketId: t.id, authorKind: 'AGENT' as const, body: `Reply ${i}` }))),
  });
  const conversations = people.map((c) => ({ id: uuidv7(), workspaceId: w, customerId: c.id, channel: 'CHAT' as const, subject: 'Hello' }));
  await prisma.conversation.createMany({ data: conversations });
  await prisma.message.createMany({
    data: conversations.flatMap((c) =>
      [1, 2, 3].map((i) => ({ id: uuidv7(), workspaceId: w, conversationId: c.id, authorKind: 'CUSTOMER' as const, direction: 'INBOUND' as const, body: `Message ${i}` })),
    ),
  });
}

async function statements(ws: TestWorkspace, query: string, variables: Record<string, unknown>) {
  const res = await ws.gql(query, variables);
  expect(res.errors).toBeUndefined();
  return res.statements;
}

describe('SQL statements per request', () => {
  it('customers → tickets → comments: the same count for 5 and 50 customers, at most 4', async () => {
    const ws = await createTestWorkspace();
    await world(ws, 50);
    const query = /* GraphQL */ `query ($n: Int) { customers(first: $n) { totalCount edges { node { name
      tickets(first: 10) { totalCount edges { node { subject comments(first: 5) { edges { node { body } } } } } } } } } }`;
    await ws.gql(query, { n: 1 });
    const five = await statements(ws, query, { n: 5 });
    const fifty = await statements(ws, query, { n: 50 });
    expect(fifty).toBe(five);
    // key lookup + customers page + count (+ nested relations in the same statement)
    expect(fifty).toBeLessThanOrEqual(4);
  });

  it('conversations → messages and customer: the same count for 5 and 50 conversations', async () => {
    const ws = await createTestWorkspace();
    await world(ws, 50);
    const query = /* GraphQL */ `query ($n: Int) { conversations(first: $n) { edges { node { subject
      customer { name } messages(first: 10) { totalCount edges { node { body } } } } } } }`;
    await ws.gql(query, { n: 1 });
    expect(await statements(ws, query, { n: 50 })).toBe(await statements(ws, query, { n: 5 }));
    expect(await statements(ws, query, { n: 50 })).toBeLessThanOrEqual(4);
  });

  it('the agent inbox operation stays flat as the page grows', async () => {
    const ws = await createTestWorkspace();
    await world(ws, 30);
    const query = /* GraphQL */ `query ($n: Int) { conversations(first: $n, filter: { status: [OPEN] }) { totalCount edges { node {
      subject channel status waitingSince customer { name email organization { name } }
      assignee { name } team { name } messages(first: 1) { edges { node { body createdAt } } } } } } }`;
    await ws.gql(query, { n: 1 });
    expect(await statements(ws, query, { n: 30 })).toBe(await statements(ws, query, { n: 3 }));
  });

  it('reads only the columns a selection needs, in nested connections too', async () => {
    const ws = await createTestWorkspace();
    await world(ws, 3);
    const ticketSql = async (query: string) => {
      const res = await ws.gql(query);
      expect(res.errors).toBeUndefined();
      const sql = res.tally.sql.filter((s) => /FROM "public"\."Ticket"/.test(s));
      expect(sql.length).toBeGreaterThan(0);
      return sql.join('\n');
    };
    await ws.gql(/* GraphQL */ `{ viewer { scopes } }`);
    const narrow = await ticketSql(/* GraphQL */ `{ tickets(first: 5) { edges { node { id subject } } } }`);
    expect(narrow).toMatch(/"subject"/);
    expect(narrow).not.toMatch(/"description"|"customFields"/);
    const nested = await ticketSql(/* GraphQL */ `{ customers(first: 3) { edges { node { name tickets(first: 10) { edges { node { id subject } } } } } } }`);
    expect(nested).not.toMatch(/"description"|"customFields"/);
    // The same query asking for them reads them: the test can fail.
    expect(await ticketSql(/* GraphQL */ `{ tickets(first: 5) { edges { node { id description customFields } } } }`)).toMatch(/"description"[\s\S]*"customFields"|"customFields"[\s\S]*"description"/);
  });
});
