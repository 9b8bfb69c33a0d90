import { encodeGlobalId } from '../src/schema/global-id.ts';
import { describe, expect, it } from 'vitest';
import { graphql } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers } from './helpers/factories.ts';

const CUSTOMERS = /* GraphQL */ `{ customers(first: 1) { totalCount } }`;

describe('authentication', () => {
  it('answers a request without a key with UNAUTHENTICATED on every protected field', async () => {
    const res = await graphql(/* GraphQL */ `{ viewer { scopes } customers(first: 1) { totalCount } }`);
    expect(res.data).toBeNull();
    expect(res.errors?.map((e) => e.extensions?.code)).toContain('UNAUTHENTICATED');
    expect(res.errors?.[0]?.message).toMatch(/Authorization: Bearer/);
  });

  it('lets an anonymous client introspect the schema (GraphiQL, codegen)', async () => {
    const res = await graphql(/* GraphQL */ `{ __schema { queryType { name } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.__schema.queryType.name).toBe('Query');
  });

  it.each([
    ['an unknown key', 'Bearer cxg_notARealKey000000000000000000000000000000'],
    ['a malformed header', 'Token abc'],
    ['a Bearer with no key', 'Bearer '],
  ])('rejects %s with 401 UNAUTHENTICATED', async (_label, header) => {
    const res = await graphql(CUSTOMERS, {}, { headers: { authorization: header } });
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('rejects revoked and expired keys', async () => {
    const ws = await createTestWorkspace();
    const revoked = await ws.createKey(['*'], { revokedAt: new Date(Date.now() - 1000) });
    const expired = await ws.createKey(['*'], { expiresAt: new Date(Date.now() - 1000) });
    const future = await ws.createKey(['*'], { expiresAt: new Date(Date.now() + 3_600_000) });
    for (const key of [revoked, expired]) {
      const res = await graphql(CUSTOMERS, {}, { apiKey: key });
      expect(res.status).toBe(401);
      expect(res.errors?.[0]?.message).toMatch(/invalid, revoked or expired/);
    }
    expect((await graphql(CUSTOMERS, {}, { apiKey: future })).errors).toBeUndefined();
  });

  it('records when a key was last used', async () => {
    const ws = await createTestWorkspace();
    await ws.gql(/* GraphQL */ `{ viewer { scopes } }`);
    const { prisma } = await testDatabase();
    await expect
      .poll(async () => (await prisma.apiKey.findUniqueOrThrow({ where: { id: ws.apiKeyId } })).lastUsedAt)
      .not.toBeNull();
  });
});

describe('authorization by scope', () => {
  it('refuses fields outside the key\'s scopes with FORBIDDEN naming nothing secret', async () => {
    const ws = await createTestWorkspace({ scopes: ['tickets:read'] });
    await insertCustomers(ws.workspaceId, 2);
    const res = await ws.gql(CUSTOMERS);
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(res.data).toBeNull();
    // It names the scope the key lacks, so the developer knows which key to ask for.
    expect(res.errors?.[0]?.message).toBe('Not allowed: this API key lacks the scope customers:read');
    expect(res.errors?.[0]?.extensions?.requiredScope).toBe('customers:read');
    const write = await ws.gql(/* GraphQL */ `mutation ($id: ID!) { createTicket(input: { subject: "x", requesterId: $id }) { __typename } }`, {
      id: encodeGlobalId('Customer', ws.workspaceId),
    });
    expect(write.errors?.[0]).toMatchObject({
      message: 'Not allowed: this API key lacks the scope tickets:write',
      extensions: { code: 'FORBIDDEN', requiredScope: 'tickets:write' },
    });
  });

  it('grants reading a domain with its write scope, and reports the scopes on viewer', async () => {
    const ws = await createTestWorkspace({ scopes: ['customers:write'] });
    await insertCustomers(ws.workspaceId, 2);
    const res = await ws.gql(/* GraphQL */ `{ viewer { scopes apiKey { prefix name } agent { name role } } customers(first: 5) { totalCount } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.viewer.scopes).toEqual(['customers:write']);
    expect(ws.apiKey.startsWith(res.data!.viewer.apiKey.prefix)).toBe(true);
    expect(res.data!.viewer.agent).toEqual({ name: 'Test Admin', role: 'ADMIN' });
    expect(res.data!.customers.totalCount).toBe(2);
  });
});
