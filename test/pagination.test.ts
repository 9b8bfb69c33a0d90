import { describe, expect, it } from 'vitest';
import { CustomerListDocument } from '../src/generated/graphql/graphql.ts';
import { execute } from './helpers/app.ts';
import { createTestWorkspace, insertCustomers } from './helpers/factories.ts';

const PAGE = /* GraphQL */ `
  query Page($first: Int, $after: String, $last: Int, $before: String) {
    customers(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges { cursor node { email } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;

describe('customers connection', () => {
  it('walks every customer exactly once, forwards and backwards', async () => {
    const ws = await createTestWorkspace();
    const rows = await insertCustomers(ws.workspaceId, 23);
    const expected = rows.map((r) => r.email);

    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const res: any = await ws.gql(PAGE, { first: 5, after });
      expect(res.errors).toBeUndefined();
      seen.push(...res.data.customers.edges.map((e: any) => e.node.email));
      if (!res.data.customers.pageInfo.hasNextPage) break;
      after = res.data.customers.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);

    const back: string[] = [];
    let before: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const res: any = await ws.gql(PAGE, { last: 5, before });
      back.unshift(...res.data.customers.edges.map((e: any) => e.node.email));
      if (!res.data.customers.pageInfo.hasPreviousPage) break;
      before = res.data.customers.pageInfo.startCursor;
    }
    expect(back).toEqual(expected);
  });

  it('neither skips nor repeats when customers are added between page requests', async () => {
    const ws = await createTestWorkspace();
    const rows = await insertCustomers(ws.workspaceId, 6);
    const first: any = await ws.gql(PAGE, { first: 3 });
    // One customer sorting before the cursor, two after everything.
    const older = await insertCustomers(ws.workspaceId, 1, {}, Date.now() - 3_600_000);
    const newer = await insertCustomers(ws.workspaceId, 2, {}, Date.now() + 60_000);
    const emails: string[] = first.data.customers.edges.map((e: any) => e.node.email);
    let after = first.data.customers.pageInfo.endCursor;
    for (let guard = 0; guard < 5 && after; guard++) {
      const next: any = await ws.gql(PAGE, { first: 3, after });
      emails.push(...next.data.customers.edges.map((e: any) => e.node.email));
      after = next.data.customers.pageInfo.hasNextPage ? next.data.customers.pageInfo.endCursor : null;
    }
    expect(emails).toEqual([...rows, ...newer].map((r) => r.email));
    expect(emails).not.toContain(older[0]!.email);
    expect((await ws.gql(PAGE, { first: 1 })).data!.customers.totalCount).toBe(9);
  });

  it('defaults to 25 and returns an empty page for a workspace with no customers', async () => {
    const ws = await createTestWorkspace();
    const empty: any = await ws.gql(PAGE, {});
    expect(empty.data.customers).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } });
    await insertCustomers(ws.workspaceId, 30);
    const page: any = await ws.gql(PAGE, {});
    expect(page.data.customers.edges).toHaveLength(25);
  });

  it.each([[{ first: 0 }], [{ first: 101 }], [{ last: -1 }], [{ first: 2, last: 2 }]])('rejects page arguments %j with BAD_USER_INPUT', async (args) => {
    const ws = await createTestWorkspace();
    const res = await ws.gql(PAGE, args);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.data).toBeNull();
  });

  it.each([['bm90LWEtY3Vyc29y'], [Buffer.from('GPC:S:not-a-uuid').toString('base64')], ['%%%']])('rejects a forged cursor %s with BAD_USER_INPUT', async (after) => {
    const ws = await createTestWorkspace();
    const res = await ws.gql(PAGE, { first: 2, after });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('the CustomerList example operation (schema/operations)', () => {
  it('returns typed data for the customer list view', async () => {
    const ws = await createTestWorkspace();
    await insertCustomers(ws.workspaceId, 3, { tags: ['vip'] });
    const res = await execute(CustomerListDocument, { first: 2 }, ws.apiKey);
    expect(res.errors).toBeUndefined();
    const page = res.data!.customers;
    expect(page.totalCount).toBe(3);
    expect(page.edges.map((e) => e.node.tags)).toEqual([['vip'], ['vip']]);
    expect(page.pageInfo.hasNextPage).toBe(true);
  });
});
