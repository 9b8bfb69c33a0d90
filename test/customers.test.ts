import { describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers } from './helpers/factories.ts';

const CREATE = /* GraphQL */ `
  mutation ($input: CreateCustomerInput!) {
    createCustomer(input: $input) {
      __typename
      ... on CustomerPayload { customer { id name email tags attributes organization { name } } }
      ... on Error { code message field }
    }
  }
`;
const UPDATE = /* GraphQL */ `
  mutation ($input: UpdateCustomerInput!) {
    updateCustomer(input: $input) {
      __typename
      ... on CustomerPayload { customer { id name email phone tags attributes } }
      ... on Error { code message field }
    }
  }
`;

describe('createCustomer / updateCustomer', () => {
  it('creates a customer, lower-casing the email and joining the organization that owns its domain', async () => {
    const ws = await createTestWorkspace();
    const org = await ws.gql(/* GraphQL */ `mutation { createOrganization(input: { name: "Globex", domains: ["Globex.com"], tier: ENTERPRISE }) { ... on OrganizationPayload { organization { id domains tier } } } }`);
    expect(org.data!.createOrganization.organization).toMatchObject({ domains: ['globex.com'], tier: 'ENTERPRISE' });
    const res = await ws.gql(CREATE, { input: { name: 'Hank Scorpio', email: 'Hank@Globex.com', tags: ['vip', 'vip', 'beta'], attributes: { plan: 'gold' } } });
    expect(res.data!.createCustomer).toMatchObject({
      __typename: 'CustomerPayload',
      customer: { name: 'Hank Scorpio', email: 'hank@globex.com', tags: ['vip', 'beta'], attributes: { plan: 'gold' }, organization: { name: 'Globex' } },
    });
  });

  it.each([
    [{ email: 'not-an-email' }, 'input.email'],
    [{ name: 'A', timeZone: 'Mars/Olympus' }, 'input.timeZone'],
    [{ name: 'x'.repeat(201) }, 'input.name'],
    [{ name: 'A', locale: 'english please' }, 'input.locale'],
    [{}, 'input'],
  ])('returns a ValidationError for %j naming %s, and creates nothing', async (input, field) => {
    const ws = await createTestWorkspace();
    const res = await ws.gql(CREATE, { input });
    expect(res.errors).toBeUndefined();
    expect(res.data!.createCustomer).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field });
    const { prisma } = await testDatabase();
    expect(await prisma.customer.count({ where: { workspaceId: ws.workspaceId } })).toBe(0);
  });

  it('returns a ConflictError for an email or externalId already in use', async () => {
    const ws = await createTestWorkspace();
    await ws.gql(CREATE, { input: { email: 'dup@example.com', externalId: 'crm-1' } });
    const byEmail = await ws.gql(CREATE, { input: { email: 'DUP@example.com' } });
    expect(byEmail.data!.createCustomer).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT', field: 'input.email' });
    const byExternal = await ws.gql(CREATE, { input: { externalId: 'crm-1' } });
    expect(byExternal.data!.createCustomer).toMatchObject({ __typename: 'ConflictError', field: 'input.externalId' });
    // Another workspace may use the same email.
    const other = await createTestWorkspace();
    expect((await other.gql(CREATE, { input: { email: 'dup@example.com' } })).data!.createCustomer.__typename).toBe('CustomerPayload');
  });

  it('updates only the fields given, merges attributes key by key, and clears with null', async () => {
    const ws = await createTestWorkspace();
    const created = await ws.gql(CREATE, { input: { name: 'Marge', email: 'marge@example.com', phone: '+1 555 0100', attributes: { a: 1, b: 2 } } });
    const id = created.data!.createCustomer.customer.id;
    const res = await ws.gql(UPDATE, { input: { id, name: 'Marge Simpson', phone: null, attributes: { b: null, c: 3 } } });
    expect(res.data!.updateCustomer.customer).toEqual({
      id,
      name: 'Marge Simpson',
      email: 'marge@example.com',
      phone: null,
      tags: [],
      attributes: { a: 1, c: 3 },
    });
  });

  it('cannot update another workspace\'s customer (NotFoundError) and a read-only key cannot write at all', async () => {
    const [a, b] = await Promise.all([createTestWorkspace(), createTestWorkspace()]);
    const [theirs] = await insertCustomers(b.workspaceId, 1);
    const res = await a.gql(UPDATE, { input: { id: encodeGlobalId('Customer', theirs!.id), name: 'Hijacked' } });
    expect(res.data!.updateCustomer).toMatchObject({ __typename: 'NotFoundError', field: 'input.id' });
    const { prisma } = await testDatabase();
    expect((await prisma.customer.findUniqueOrThrow({ where: { id: theirs!.id } })).name).toBe(theirs!.name);

    const readOnly = await a.createKey(['customers:read']);
    const { graphql } = await import('./helpers/app.ts');
    const denied = await graphql(CREATE, { input: { name: 'Nope' } }, { apiKey: readOnly });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await prisma.customer.count({ where: { workspaceId: a.workspaceId } })).toBe(0);
  });

  it('rejects an ID of the wrong type with BAD_USER_INPUT', async () => {
    const ws = await createTestWorkspace();
    const res = await ws.gql(UPDATE, { input: { id: encodeGlobalId('Organization', '0190a0a0-0000-7000-8000-000000000000'), name: 'x' } });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('mergeCustomers', () => {
  it('moves everything to the primary, keeps the duplicate as a resolving tombstone, and records who merged', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const [primary, duplicate] = await insertCustomers(ws.workspaceId, 2, { tags: ['a'] });
    await prisma.customer.update({ where: { id: duplicate!.id }, data: { phone: '+49 30 123456', tags: ['b'] } });
    const now = new Date();
    await prisma.customerEvent.createMany({
      data: [1, 2, 3].map((i) => ({ id: crypto.randomUUID(), workspaceId: ws.workspaceId, customerId: duplicate!.id, type: 'login', occurredAt: new Date(now.getTime() - i * 1000) })),
    });
    const res = await ws.gql(
      /* GraphQL */ `mutation ($input: MergeCustomersInput!) { mergeCustomers(input: $input) {
        __typename ... on MergeCustomersPayload { movedEvents movedTickets mergedCustomerId customer { id phone tags events(first: 10) { totalCount } } }
        ... on Error { code field } } }`,
      { input: { primaryId: encodeGlobalId('Customer', primary!.id), duplicateId: encodeGlobalId('Customer', duplicate!.id) } },
    );
    expect(res.errors).toBeUndefined();
    const payload = res.data!.mergeCustomers;
    expect(payload).toMatchObject({ movedEvents: 3, movedTickets: 0, customer: { phone: '+49 30 123456', tags: ['a', 'b'], events: { totalCount: 3 } } });
    const tomb = await prisma.customer.findUniqueOrThrow({ where: { id: duplicate!.id } });
    expect(tomb).toMatchObject({ mergedIntoId: primary!.id, mergedById: ws.agentId, email: null });
    // The old id resolves to the survivor; lists no longer show the duplicate.
    const lookup = await ws.gql(/* GraphQL */ `query ($id: ID!) { customer(id: $id) { id } customers { totalCount } }`, { id: payload.mergedCustomerId });
    expect(lookup.data).toEqual({ customer: { id: encodeGlobalId('Customer', primary!.id) }, customers: { totalCount: 1 } });
    // Merging again is an invalid state, merging into itself a validation error.
    const again = await ws.gql(
      /* GraphQL */ `mutation ($input: MergeCustomersInput!) { mergeCustomers(input: $input) { __typename ... on Error { code field } } }`,
      { input: { primaryId: encodeGlobalId('Customer', primary!.id), duplicateId: encodeGlobalId('Customer', duplicate!.id) } },
    );
    expect(again.data!.mergeCustomers).toEqual({ __typename: 'InvalidStateError', code: 'INVALID_STATE', field: 'input.duplicateId' });
    const self = await ws.gql(
      /* GraphQL */ `mutation ($input: MergeCustomersInput!) { mergeCustomers(input: $input) { __typename ... on Error { field } } }`,
      { input: { primaryId: encodeGlobalId('Customer', primary!.id), duplicateId: encodeGlobalId('Customer', primary!.id) } },
    );
    expect(self.data!.mergeCustomers).toEqual({ __typename: 'ValidationError', field: 'input.duplicateId' });
  });
});

describe('customers query', () => {
  const LIST = /* GraphQL */ `query ($filter: CustomerFilter, $orderBy: CustomerOrderBy, $first: Int) {
    customers(filter: $filter, orderBy: $orderBy, first: $first) { totalCount edges { node { name } } } }`;

  it('filters by text, tags, organization and date ranges, and sorts by last seen', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const org = await ws.gql(/* GraphQL */ `mutation { createOrganization(input: { name: "Initech", domains: ["initech.com"] }) { ... on OrganizationPayload { organization { id } } } }`);
    const orgId = org.data!.createOrganization.organization.id;
    const base = Date.UTC(2026, 0, 10);
    await insertCustomers(ws.workspaceId, 1, { name: 'Peter Gibbons', email: 'peter@initech.com', tags: ['tps', 'vip'], lastSeenAt: new Date(base + 5e8) }, base);
    await insertCustomers(ws.workspaceId, 1, { name: 'Milton Waddams', email: 'milton@initech.com', tags: ['stapler'], lastSeenAt: new Date(base + 9e8) }, base + 86_400_000);
    await insertCustomers(ws.workspaceId, 1, { name: 'Bill Lumbergh', phone: '+1 555 0199', tags: ['tps'], lastSeenAt: new Date(base + 1e8) }, base + 2 * 86_400_000);
    await prisma.customer.updateMany({ where: { workspaceId: ws.workspaceId, email: { endsWith: '@initech.com' } }, data: { organizationId: Buffer.from(orgId, 'base64url').toString().split(':')[1] } });

    const names = async (variables: Record<string, unknown>) => {
      const res = await ws.gql(LIST, variables);
      expect(res.errors).toBeUndefined();
      return res.data!.customers.edges.map((e: any) => e.node.name);
    };
    expect(await names({ filter: { query: 'GIBBONS' } })).toEqual(['Peter Gibbons']);
    expect(await names({ filter: { query: '0199' } })).toEqual(['Bill Lumbergh']);
    expect(await names({ filter: { tags: ['tps'] } })).toEqual(['Peter Gibbons', 'Bill Lumbergh']);
    expect(await names({ filter: { tags: ['tps', 'vip'] } })).toEqual(['Peter Gibbons']);
    expect(await names({ filter: { organizationId: orgId } })).toEqual(['Peter Gibbons', 'Milton Waddams']);
    expect(await names({ filter: { createdAt: { from: new Date(base + 3_600_000).toISOString() } } })).toEqual(['Milton Waddams', 'Bill Lumbergh']);
    expect(await names({ orderBy: { field: 'LAST_SEEN_AT', direction: 'DESC' } })).toEqual(['Milton Waddams', 'Peter Gibbons', 'Bill Lumbergh']);
  });

  it.each([
    [{ filter: { createdAt: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } } }, /from.*before.*to/],
    [{ filter: { query: 'x'.repeat(201) } }, /at most 200/],
    [{ filter: { tags: [''] } }, /tags/],
    [{ orderBy: { field: 'SHOE_SIZE' } }, /SHOE_SIZE/],
  ])('rejects bad filter input %j with BAD_USER_INPUT', async (variables, message) => {
    const ws = await createTestWorkspace();
    const res = await ws.gql(LIST, variables);
    expect(res.data ?? null).toBeNull();
    expect(res.errors?.[0]?.message).toMatch(message);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('finds one customer by email or external id, and refuses ambiguous lookups', async () => {
    const ws = await createTestWorkspace();
    await ws.gql(CREATE, { input: { name: 'Ned', email: 'ned@example.com', externalId: 'crm-42' } });
    const res = await ws.gql(/* GraphQL */ `{ a: customer(email: "NED@example.com") { name } b: customer(externalId: "crm-42") { name } c: customer(email: "nobody@example.com") { name } }`);
    expect(res.data).toEqual({ a: { name: 'Ned' }, b: { name: 'Ned' }, c: null });
    const both = await ws.gql(/* GraphQL */ `{ customer(email: "ned@example.com", externalId: "crm-42") { name } }`);
    expect(both.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('organizations and customer events', () => {
  it('refuses a domain that belongs to another organization', async () => {
    const ws = await createTestWorkspace();
    await ws.gql(/* GraphQL */ `mutation { createOrganization(input: { name: "A", domains: ["a.com"] }) { __typename } }`);
    const res = await ws.gql(/* GraphQL */ `mutation { createOrganization(input: { name: "B", domains: ["b.com", "A.com"] }) { __typename ... on Error { code field message } } }`);
    expect(res.data!.createOrganization).toMatchObject({ __typename: 'ConflictError', field: 'input.domains' });
    const list = await ws.gql(/* GraphQL */ `{ organizations(query: "a") { totalCount edges { node { name customers { totalCount } } } } }`);
    expect(list.data!.organizations).toEqual({ totalCount: 1, edges: [{ node: { name: 'A', customers: { totalCount: 0 } } }] });
  });

  it('records behavioural events, requiring a currency with a value', async () => {
    const ws = await createTestWorkspace();
    const [c] = await insertCustomers(ws.workspaceId, 1);
    const customerId = encodeGlobalId('Customer', c!.id);
    const RECORD = /* GraphQL */ `mutation ($input: RecordCustomerEventInput!) { recordCustomerEvent(input: $input) {
      __typename ... on RecordCustomerEventPayload { event { type value currency customer { lastSeenAt } } } ... on Error { field } } }`;
    const bad = await ws.gql(RECORD, { input: { customerId, type: 'purchase', value: 49.9 } });
    expect(bad.data!.recordCustomerEvent).toEqual({ __typename: 'ValidationError', field: 'input.currency' });
    const badType = await ws.gql(RECORD, { input: { customerId, type: 'Big Purchase!' } });
    expect(badType.data!.recordCustomerEvent).toEqual({ __typename: 'ValidationError', field: 'input.type' });
    const ok = await ws.gql(RECORD, { input: { customerId, type: 'purchase', value: 49.9, currency: 'EUR' } });
    expect(ok.data!.recordCustomerEvent.event).toMatchObject({ type: 'purchase', value: 49.9, currency: 'EUR' });
    expect(new Date(ok.data!.recordCustomerEvent.event.customer.lastSeenAt).getTime()).toBeGreaterThan(new Date(c!.lastSeenAt).getTime());
  });
});
