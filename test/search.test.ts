import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import { graphql } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';

const SEARCH = /* GraphQL */ `
  query ($query: String!, $types: [SearchResultKind!], $first: Int) {
    search(query: $query, types: $types, first: $first) {
      kind rank title
      customer { email } organization { name } ticket { number } conversation { subject } article { slug }
    }
  }
`;

async function fixtures(ws: TestWorkspace) {
  const { prisma } = await testDatabase();
  const w = ws.workspaceId;
  const [jane] = await insertCustomers(w, 1, { name: 'Jane Refund', email: `jane.refund-${w.slice(0, 8)}@example.com` });
  await insertCustomers(w, 1, { name: 'Bob Builder' });
  await prisma.organization.create({ data: { id: uuidv7(), workspaceId: w, name: 'Refund Experts Ltd', domains: ['refund-experts.example'] } });
  await prisma.ticket.create({ data: { id: uuidv7(), workspaceId: w, number: 42, subject: 'Refund not received', description: 'The refund for order 1001 never arrived', requesterId: jane!.id } });
  await prisma.ticket.create({ data: { id: uuidv7(), workspaceId: w, number: 43, subject: 'Login problem', description: 'Asked about a refund once', requesterId: jane!.id } });
  await prisma.conversation.create({ data: { id: uuidv7(), workspaceId: w, customerId: jane!.id, channel: 'EMAIL', subject: 'Where is my refund?' } });
  await prisma.article.createMany({
    data: [
      { id: uuidv7(), workspaceId: w, slug: 'refund-policy', title: 'Refund policy', body: 'Refunds are issued within 5 days.', status: 'PUBLISHED', locale: 'en' },
      { id: uuidv7(), workspaceId: w, slug: 'draft-refunds', title: 'Refunds (draft)', body: 'Work in progress on refunds.', status: 'DRAFT', locale: 'en' },
    ],
  });
  return { jane: jane! };
}

describe('search', () => {
  it('ranks across kinds, best match first, and finds identifiers people paste', async () => {
    const ws = await createTestWorkspace();
    const { jane } = await fixtures(ws);
    const res = await ws.gql(SEARCH, { query: 'refund', first: 20 });
    expect(res.errors).toBeUndefined();
    const results = res.data!.search as any[];
    const kinds = new Set(results.map((r) => r.kind));
    expect(kinds).toEqual(new Set(['CUSTOMER', 'ORGANIZATION', 'TICKET', 'CONVERSATION', 'ARTICLE']));
    expect(results.map((r) => r.rank)).toEqual([...results.map((r) => r.rank)].sort((a, b) => b - a));
    // The ticket about refunds outranks the one that mentions a refund in passing.
    const tickets = results.filter((r) => r.kind === 'TICKET').map((r) => r.ticket.number);
    expect(tickets).toEqual([42, 43]);
    // Drafts are visible to a key that may write the knowledge base.
    expect(results.filter((r) => r.kind === 'ARTICLE').map((r) => r.article.slug).sort()).toEqual(['draft-refunds', 'refund-policy']);

    const byNumber = await ws.gql(SEARCH, { query: '#42', first: 1 });
    expect(byNumber.data!.search[0]).toMatchObject({ kind: 'TICKET', ticket: { number: 42 } });
    const byEmail = await ws.gql(SEARCH, { query: jane.email, first: 1 });
    expect(byEmail.data!.search[0]).toMatchObject({ kind: 'CUSTOMER', customer: { email: jane.email } });
  });

  it('limits kinds by argument and by the key\'s scopes, and never crosses workspaces', async () => {
    const ws = await createTestWorkspace();
    await fixtures(ws);
    const onlyOrgs = await ws.gql(SEARCH, { query: 'refund', types: ['ORGANIZATION'] });
    expect(onlyOrgs.data!.search.map((r: any) => r.kind)).toEqual(['ORGANIZATION']);

    const knowledgeReader = await ws.createKey(['knowledge:read']);
    const limited = await graphql(SEARCH, { query: 'refund' }, { apiKey: knowledgeReader });
    expect(limited.errors).toBeUndefined();
    expect(limited.data!.search.map((r: any) => r.article.slug)).toEqual(['refund-policy']);

    const other = await createTestWorkspace();
    expect((await other.gql(SEARCH, { query: 'refund' })).data!.search).toEqual([]);
  });

  it.each([[{ query: '' }], [{ query: 'x'.repeat(201) }], [{ query: 'ok', first: 51 }]])('rejects %j with BAD_USER_INPUT', async (variables) => {
    const ws = await createTestWorkspace();
    const res = await ws.gql(SEARCH, variables);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('treats search syntax and LIKE wildcards in the query as text', async () => {
    const ws = await createTestWorkspace();
    await fixtures(ws);
    for (const query of ['%', '_', '"unbalanced', 'refund OR -policy', "'; DROP TABLE \"Customer\"; --"]) {
      const res = await ws.gql(SEARCH, { query });
      expect(res.errors).toBeUndefined();
    }
    expect((await ws.gql(SEARCH, { query: '%' })).data!.search).toEqual([]);
  });
});
