import { describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { createTestWorkspace, insertCustomers } from './helpers/factories.ts';

describe('workspace isolation', () => {
  it('never shows one workspace\'s customers to another workspace\'s key', async () => {
    const [a, b] = await Promise.all([createTestWorkspace(), createTestWorkspace()]);
    const [aCustomers, bCustomers] = await Promise.all([insertCustomers(a.workspaceId, 3), insertCustomers(b.workspaceId, 4)]);

    const listA = await a.gql(/* GraphQL */ `{ customers(first: 100) { totalCount edges { node { id email } } } }`);
    expect(listA.data!.customers.totalCount).toBe(3);
    expect(listA.data!.customers.edges.map((e: any) => e.node.email).sort()).toEqual(aCustomers.map((c) => c.email).sort());

    const bIds = bCustomers.map((c) => encodeGlobalId('Customer', c.id));
    const viaNode = await a.gql(/* GraphQL */ `query ($id: ID!) { node(id: $id) { id } }`, { id: bIds[0] });
    expect(viaNode.errors).toBeUndefined();
    expect(viaNode.data!.node).toBeNull();

    const viaNodes = await a.gql(/* GraphQL */ `query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [bIds[1], encodeGlobalId('Customer', aCustomers[0]!.id)] });
    expect(viaNodes.data!.nodes).toEqual([null, { id: encodeGlobalId('Customer', aCustomers[0]!.id) }]);

    const otherWorkspace = await a.gql(/* GraphQL */ `query ($id: ID!) { node(id: $id) { id } }`, { id: encodeGlobalId('Workspace', b.workspaceId) });
    expect(otherWorkspace.data!.node).toBeNull();
  });

  it('resolves the caller\'s own objects through node, with type-specific fields', async () => {
    const a = await createTestWorkspace();
    const [customer] = await insertCustomers(a.workspaceId, 1);
    const id = encodeGlobalId('Customer', customer!.id);
    const res = await a.gql(/* GraphQL */ `query ($id: ID!, $ws: ID!) { node(id: $id) { id ... on Customer { email } } ws: node(id: $ws) { ... on Workspace { name } } }`, {
      id,
      ws: encodeGlobalId('Workspace', a.workspaceId),
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.node).toEqual({ id, email: customer!.email });
    expect(res.data!.ws).toEqual({ name: a.name });
  });

  it('checks scopes on node lookups too', async () => {
    const a = await createTestWorkspace({ scopes: ['tickets:read'] });
    const [customer] = await insertCustomers(a.workspaceId, 1);
    const res = await a.gql(/* GraphQL */ `query ($id: ID!) { node(id: $id) { id } }`, { id: encodeGlobalId('Customer', customer!.id) });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it.each([['not base64 at all!'], [Buffer.from('Customer:42').toString('base64url')], [Buffer.from('nope').toString('base64url')]])(
    'answers a malformed ID (%s) with BAD_USER_INPUT',
    async (id) => {
      const a = await createTestWorkspace();
      const res = await a.gql(/* GraphQL */ `query ($id: ID!) { node(id: $id) { id } }`, { id });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    },
  );
});

describe('nodes', () => {
  it('refuses more than 100 ids with BAD_USER_INPUT', async () => {
    const a = await createTestWorkspace();
    const ids = Array.from({ length: 101 }, () => encodeGlobalId('Customer', crypto.randomUUID()));
    const res = await a.gql(/* GraphQL */ `query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/at most 100/);
  });
});
