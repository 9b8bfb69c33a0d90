import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../src/auth/api-keys.ts';
import { SCOPE_DOMAINS } from '../src/auth/scopes.ts';
import { uuidv7 } from '../src/db/ids.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { graphql } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';
import { MESSAGE_ADDED, subscribe, useLiveServer, type WsConnection } from './helpers/ws.ts';

/**
 * API keys through the API: create (the secret once), list (never a secret), revoke (401 at
 * once; open WebSocket connections closed with 4401 at once on this instance), and the rules
 * that keep a key from minting a stronger one.
 */

const CREATE = /* GraphQL */ `
  mutation ($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      __typename
      ... on CreateApiKeyPayload { secret apiKey { id name prefix scopes active expiresAt revokedAt agent { id } } }
      ... on Error { code field message }
    }
  }
`;

const REVOKE = /* GraphQL */ `
  mutation ($input: RevokeApiKeyInput!) {
    revokeApiKey(input: $input) {
      __typename
      ... on RevokeApiKeyPayload { apiKey { id name active revokedAt } }
      ... on Error { code field message }
    }
  }
`;

const LIST = /* GraphQL */ `
  query ($first: Int, $after: String, $active: Boolean) {
    apiKeys(first: $first, after: $after, active: $active) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id name prefix scopes active lastUsedAt expiresAt revokedAt createdAt } }
    }
  }
`;

const WHO = /* GraphQL */ `{ viewer { scopes apiKey { id name prefix } } }`;

const inOneDay = () => new Date(Date.now() + 86_400_000).toISOString();

async function create(apiKey: string, input: Record<string, unknown>) {
  return graphql(CREATE, { input }, { apiKey });
}

async function createOk(apiKey: string, input: Record<string, unknown>): Promise<{ secret: string; apiKey: Record<string, any> }> {
  const res = await create(apiKey, input);
  expect(res.errors).toBeUndefined();
  expect(res.data!.createApiKey.__typename).toBe('CreateApiKeyPayload');
  return res.data!.createApiKey;
}

async function keyCount(ws: TestWorkspace): Promise<number> {
  const res = await ws.gql(/* GraphQL */ `{ apiKeys { totalCount } }`);
  expect(res.errors).toBeUndefined();
  return res.data!.apiKeys.totalCount;
}

/** A refused createApiKey: the request error with `code` (and the input field at fault, when one is), and no key created. */
async function expectRefused(ws: TestWorkspace, callerKey: string, input: Record<string, unknown>, code: string, argument?: string) {
  const before = await keyCount(ws);
  const res = await create(callerKey, input);
  expect(res.data).toBeNull();
  expect(res.errors).toHaveLength(1);
  expect(res.errors?.[0]?.extensions?.code).toBe(code);
  if (argument) {
    expect(res.errors?.[0]?.extensions?.argument).toBe(argument);
    expect(res.errors?.[0]?.message).toContain(argument);
  }
  expect(await keyCount(ws)).toBe(before);
}

/** A typed-error result of createApiKey, and no key created. */
async function expectTypedError(ws: TestWorkspace, callerKey: string, input: Record<string, unknown>, typename: string, code: string, field: string) {
  const before = await keyCount(ws);
  const res = await create(callerKey, input);
  expect(res.errors).toBeUndefined();
  expect(res.data!.createApiKey).toMatchObject({ __typename: typename, code, field });
  expect(await keyCount(ws)).toBe(before);
}

async function addAgent(workspaceId: string, data: { active?: boolean } = {}) {
  const { prisma } = await testDatabase();
  const id = uuidv7();
  await prisma.agent.create({ data: { id, workspaceId, name: `Agent ${id.slice(-6)}`, email: `agent-${id}@example.test`, role: 'AGENT', ...data } });
  return encodeGlobalId('Agent', id);
}

describe('creating, using, listing and revoking a key', () => {
  it('returns the secret once; the key works with exactly its scopes; the list never shows a secret; a revoked key gets 401', async () => {
    const ws = await createTestWorkspace();
    const expiresAt = inOneDay();
    const created = await createOk(ws.apiKey, { name: '  CRM sync ', scopes: ['tickets:write', 'customers:read', 'tickets:write'], expiresAt });
    const { secret, apiKey } = created;
    expect(secret).toMatch(/^cxg_[0-9A-Za-z]{40}$/);
    expect(apiKey).toMatchObject({
      name: 'CRM sync',
      prefix: secret.slice(0, 12),
      scopes: ['tickets:write', 'customers:read'],
      active: true,
      expiresAt: new Date(expiresAt).toISOString(),
      revokedAt: null,
      agent: null,
    });

    // The secret authenticates, with the scopes granted and no others.
    const who = await graphql(WHO, {}, { apiKey: secret });
    expect(who.status).toBe(200);
    expect(who.data!.viewer).toEqual({ scopes: ['tickets:write', 'customers:read'], apiKey: { id: apiKey.id, name: 'CRM sync', prefix: apiKey.prefix } });
    expect((await graphql(/* GraphQL */ `{ tickets(first: 1) { totalCount } customers(first: 1) { totalCount } }`, {}, { apiKey: secret })).errors).toBeUndefined();
    const write = await graphql(/* GraphQL */ `mutation { createCustomer(input: { name: "Ada" }) { __typename } }`, {}, { apiKey: secret });
    expect(write.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // Listing keys needs workspace:read, which this key was not given.
    expect((await graphql(LIST, {}, { apiKey: secret })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const list = await ws.gql(LIST, { first: 10 });
    expect(list.errors).toBeUndefined();
    expect(list.data!.apiKeys.totalCount).toBe(2);
    expect(list.data!.apiKeys.edges.map((e: any) => e.node.id)).toEqual([apiKey.id, encodeGlobalId('ApiKey', ws.apiKeyId)]);
    const raw = JSON.stringify(list.data) + JSON.stringify(who.data);
    expect(raw).not.toContain(secret);
    expect(raw).not.toContain(secret.slice(12));
    expect(raw).not.toContain(hashApiKey(secret));
    expect(raw).not.toContain(hashApiKey(ws.apiKey));
    // Nothing in the contract could read a secret or its hash.
    const fields = await ws.gql(/* GraphQL */ `{ __type(name: "ApiKey") { fields { name } } }`);
    expect(fields.data!.__type.fields.map((f: any) => f.name).sort()).toEqual(
      ['active', 'agent', 'createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'prefix', 'revokedAt', 'scopes'],
    );

    const revoked = await ws.gql(REVOKE, { input: { id: apiKey.id } });
    expect(revoked.errors).toBeUndefined();
    expect(revoked.data!.revokeApiKey).toMatchObject({ __typename: 'RevokeApiKeyPayload', apiKey: { id: apiKey.id, active: false } });
    const revokedAt = revoked.data!.revokeApiKey.apiKey.revokedAt;
    expect(revokedAt).toEqual(expect.any(String));

    const after = await graphql(WHO, {}, { apiKey: secret });
    expect(after.status).toBe(401);
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(after.errors?.[0]?.message).toMatch(/invalid, revoked or expired/);

    // Idempotent: revoking again changes nothing, and the first revocation time stays.
    const again = await ws.gql(REVOKE, { input: { id: apiKey.id } });
    expect(again.data!.revokeApiKey).toEqual({ __typename: 'RevokeApiKeyPayload', apiKey: { id: apiKey.id, name: 'CRM sync', active: false, revokedAt } });

    // A revoked key stays listed; `active` separates it from the working ones.
    const active = await ws.gql(LIST, { active: true });
    expect(active.data!.apiKeys.edges.map((e: any) => e.node.id)).toEqual([encodeGlobalId('ApiKey', ws.apiKeyId)]);
    const inactive = await ws.gql(LIST, { active: false });
    expect(inactive.data!.apiKeys).toMatchObject({ totalCount: 1, edges: [{ node: { id: apiKey.id, revokedAt, active: false } }] });
  });

  it('lets a key revoke itself: that request completes, the next one gets 401', async () => {
    const ws = await createTestWorkspace();
    const { secret, apiKey } = await createOk(ws.apiKey, { name: 'Leaked', scopes: ['workspace:write'] });
    const self = await graphql(REVOKE, { input: { id: apiKey.id } }, { apiKey: secret });
    expect(self.errors).toBeUndefined();
    expect(self.data!.revokeApiKey).toMatchObject({ __typename: 'RevokeApiKeyPayload', apiKey: { id: apiKey.id, active: false } });
    const next = await graphql(WHO, {}, { apiKey: secret });
    expect(next.status).toBe(401);
    expect(next.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // The admin key is untouched.
    expect((await ws.gql(WHO)).errors).toBeUndefined();
  });

  it('counts an expired key as inactive', async () => {
    const ws = await createTestWorkspace();
    await ws.createKey(['tickets:read'], { expiresAt: new Date(Date.now() - 1_000) });
    const res = await ws.gql(LIST, { active: false });
    expect(res.data!.apiKeys).toMatchObject({ totalCount: 1, edges: [{ node: { active: false, revokedAt: null } }] });
  });
});

describe('no key can mint a stronger key', () => {
  it('refuses scopes the calling key does not hold, with FORBIDDEN on input.scopes', async () => {
    const ws = await createTestWorkspace();
    const caller = await ws.createKey(['workspace:write', 'tickets:read']);
    await expectRefused(ws, caller, { name: 'More', scopes: ['tickets:write'] }, 'FORBIDDEN', 'input.scopes');
    await expectRefused(ws, caller, { name: 'More', scopes: ['tickets:read', 'customers:read'] }, 'FORBIDDEN', 'input.scopes');
    await expectRefused(ws, caller, { name: 'More', scopes: ['agents:write'] }, 'FORBIDDEN', 'input.scopes');
  });

  it('grants "*" only from a "*" key, even to a key holding every other scope', async () => {
    const ws = await createTestWorkspace();
    const everything = await ws.createKey(SCOPE_DOMAINS.map((d) => `${d}:write`));
    await expectRefused(ws, everything, { name: 'Star', scopes: ['*'] }, 'FORBIDDEN', 'input.scopes');
    const fromStar = await createOk(ws.apiKey, { name: 'Star', scopes: ['*'] });
    expect(fromStar.apiKey.scopes).toEqual(['*']);
  });

  it('follows hasScope: a write scope grants its read scope, and the same scopes may be passed on', async () => {
    const ws = await createTestWorkspace();
    const caller = await ws.createKey(['workspace:write', 'tickets:write']);
    const created = await createOk(caller, { name: 'Reader', scopes: ['tickets:read', 'workspace:read', 'tickets:write', 'workspace:write'] });
    expect(created.apiKey.scopes).toEqual(['tickets:read', 'workspace:read', 'tickets:write', 'workspace:write']);
    expect((await graphql(WHO, {}, { apiKey: created.secret })).data!.viewer.scopes).toEqual(created.apiKey.scopes);
  });

  it('binds a key to the calling key agent freely, to another agent only with agents:write', async () => {
    const ws = await createTestWorkspace();
    const own = encodeGlobalId('Agent', ws.agentId);
    const colleague = await addAgent(ws.workspaceId);
    // Factory keys act as the workspace admin agent.
    const caller = await ws.createKey(['workspace:write']);
    expect((await createOk(caller, { name: 'Mine', scopes: ['workspace:read'], agentId: own })).apiKey.agent).toEqual({ id: own });
    await expectRefused(ws, caller, { name: 'Theirs', scopes: ['workspace:read'], agentId: colleague }, 'FORBIDDEN', 'input.agentId');
    // An integration key (no agent of its own) cannot pick one either.
    const integration = await ws.createKey(['workspace:write'], { agentId: null });
    await expectRefused(ws, integration, { name: 'Admin', scopes: ['workspace:read'], agentId: own }, 'FORBIDDEN', 'input.agentId');
    const manager = await ws.createKey(['workspace:write', 'agents:write']);
    expect((await createOk(manager, { name: 'Theirs', scopes: ['workspace:read'], agentId: colleague })).apiKey.agent).toEqual({ id: colleague });
  });

  it('answers an agent outside the workspace with NOT_FOUND, an inactive one with INVALID_STATE, another type of id with BAD_USER_INPUT', async () => {
    const [ws, other] = await Promise.all([createTestWorkspace(), createTestWorkspace()]);
    const input = { name: 'Bound', scopes: ['workspace:read'] };
    await expectTypedError(ws, ws.apiKey, { ...input, agentId: encodeGlobalId('Agent', other.agentId) }, 'NotFoundError', 'NOT_FOUND', 'input.agentId');
    await expectTypedError(ws, ws.apiKey, { ...input, agentId: encodeGlobalId('Agent', uuidv7()) }, 'NotFoundError', 'NOT_FOUND', 'input.agentId');
    const inactive = await addAgent(ws.workspaceId, { active: false });
    await expectTypedError(ws, ws.apiKey, { ...input, agentId: inactive }, 'InvalidStateError', 'INVALID_STATE', 'input.agentId');
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    await expectRefused(ws, ws.apiKey, { ...input, agentId: encodeGlobalId('Customer', customer!.id) }, 'BAD_USER_INPUT', 'input.agentId');
  });

  it('keeps the keys of an expiring key within its expiry', async () => {
    const ws = await createTestWorkspace();
    const expires = new Date(Date.now() + 3_600_000);
    const caller = await ws.createKey(['workspace:write'], { expiresAt: expires });
    await expectRefused(ws, caller, { name: 'Forever', scopes: ['workspace:read'] }, 'FORBIDDEN', 'input.expiresAt');
    await expectRefused(ws, caller, { name: 'Longer', scopes: ['workspace:read'], expiresAt: new Date(expires.getTime() + 1_000).toISOString() }, 'FORBIDDEN', 'input.expiresAt');
    const same = await createOk(caller, { name: 'Same', scopes: ['workspace:read'], expiresAt: expires.toISOString() });
    expect(same.apiKey.expiresAt).toBe(expires.toISOString());
  });

  it('revokes only keys no stronger than the calling key (FORBIDDEN on input.id), and always itself', async () => {
    const ws = await createTestWorkspace();
    const caller = await ws.createKey(['workspace:write', 'tickets:write']);
    const star = encodeGlobalId('ApiKey', ws.apiKeyId);
    const forbidden = await graphql(REVOKE, { input: { id: star } }, { apiKey: caller });
    expect(forbidden.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', argument: 'input.id' });
    // The "*" key was not revoked: it still works.
    expect((await graphql(WHO, {}, { apiKey: ws.apiKey })).errors).toBeUndefined();
    const customersKey = await createOk(ws.apiKey, { name: 'Customers', scopes: ['customers:read'] });
    const beyond = await graphql(REVOKE, { input: { id: customersKey.apiKey.id } }, { apiKey: caller });
    expect(beyond.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', argument: 'input.id' });
    // tickets:read is within tickets:write: allowed.
    const weaker = await createOk(caller, { name: 'Reader', scopes: ['tickets:read'] });
    const ok = await graphql(REVOKE, { input: { id: weaker.apiKey.id } }, { apiKey: caller });
    expect(ok.data!.revokeApiKey).toMatchObject({ __typename: 'RevokeApiKeyPayload', apiKey: { active: false } });
    // The "*" key may revoke anything.
    const byStar = await graphql(REVOKE, { input: { id: customersKey.apiKey.id } }, { apiKey: ws.apiKey });
    expect(byStar.data!.revokeApiKey).toMatchObject({ apiKey: { active: false } });
  });

  it('needs workspace:write to create or revoke keys, and workspace:read to list them', async () => {
    const ws = await createTestWorkspace();
    const reader = await ws.createKey(['workspace:read']);
    const listed = await graphql(LIST, {}, { apiKey: reader });
    expect(listed.errors).toBeUndefined();
    expect(listed.data!.apiKeys.totalCount).toBe(2);
    await expectRefused(ws, reader, { name: 'Mine', scopes: ['workspace:read'] }, 'FORBIDDEN');
    const revoke = await graphql(REVOKE, { input: { id: encodeGlobalId('ApiKey', ws.apiKeyId) } }, { apiKey: reader });
    expect(revoke.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await ws.gql(WHO)).errors).toBeUndefined();

    // Without workspace:read a key still reads itself, but no other key.
    const ticketsOnly = await ws.createKey(['tickets:read']);
    const own = await graphql(WHO, {}, { apiKey: ticketsOnly });
    expect(own.errors).toBeUndefined();
    const other = await graphql(/* GraphQL */ `query ($id: ID!, $own: ID!) { other: node(id: $id) { id } own: node(id: $own) { id } }`, {
      id: encodeGlobalId('ApiKey', ws.apiKeyId),
      own: own.data!.viewer.apiKey.id,
    }, { apiKey: ticketsOnly });
    expect(other.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(other.data).toEqual({ other: null, own: { id: own.data!.viewer.apiKey.id } });
  });
});

describe('input rules of createApiKey', () => {
  it.each([
    ['an unknown scope', { scopes: ['tickets:read', 'tickets:delete'] }, 'input.scopes.1'],
    ['no scope', { scopes: [] }, 'input.scopes'],
    ['an empty name', { name: '   ' }, 'input.name'],
    ['a name over 100 characters', { name: 'k'.repeat(101) }, 'input.name'],
    ['an expiry in the past', { expiresAt: new Date(Date.now() - 60_000).toISOString() }, 'input.expiresAt'],
  ])('answers %s with a ValidationError naming the field', async (_label, change, field) => {
    const ws = await createTestWorkspace();
    await expectTypedError(ws, ws.apiKey, { name: 'Valid name', scopes: ['tickets:read'], ...change }, 'ValidationError', 'VALIDATION', field);
  });
});

describe('workspace isolation of keys', () => {
  it('answers revoking another workspace key exactly like an id that does not exist, and lists only its own keys', async () => {
    const [a, b] = await Promise.all([createTestWorkspace(), createTestWorkspace()]);
    const bKey = await createOk(b.apiKey, { name: 'B integration', scopes: ['tickets:read'] });
    await createOk(a.apiKey, { name: 'A integration', scopes: ['tickets:read'] });

    const foreign = await a.gql(REVOKE, { input: { id: bKey.apiKey.id } });
    const missing = await a.gql(REVOKE, { input: { id: encodeGlobalId('ApiKey', uuidv7()) } });
    expect(foreign.errors).toBeUndefined();
    expect(foreign.data).toEqual({ revokeApiKey: { __typename: 'NotFoundError', code: 'NOT_FOUND', field: 'input.id', message: 'ApiKey was not found' } });
    expect(foreign.data).toEqual(missing.data);
    // B's key still works and is not revoked.
    expect((await graphql(WHO, {}, { apiKey: bKey.secret })).status).toBe(200);
    expect((await b.gql(LIST, { active: false })).data!.apiKeys.totalCount).toBe(0);

    const listA = await a.gql(LIST, { first: 100 });
    expect(listA.data!.apiKeys.totalCount).toBe(2);
    expect(listA.data!.apiKeys.edges.map((e: any) => e.node.name).sort()).toEqual(['A integration', 'key *']);
    expect(JSON.stringify(listA.data)).not.toContain(bKey.apiKey.id);
    const viaNode = await a.gql(/* GraphQL */ `query ($id: ID!) { node(id: $id) { id } }`, { id: bKey.apiKey.id });
    expect(viaNode.errors).toBeUndefined();
    expect(viaNode.data!.node).toBeNull();
  });
});

describe('apiKeys pagination', () => {
  it('walks more keys than a page exactly once, newest first, also while keys are added between pages', async () => {
    const ws = await createTestWorkspace();
    // Several keys share a creation time: the id decides between them.
    const sameTime = new Date(Date.now() - 60_000);
    for (let i = 0; i < 30; i++) await ws.createKey(['tickets:read'], { name: `fixture ${i}`, ...(i % 3 === 0 ? { createdAt: sameTime } : {}) });
    const { prisma } = await testDatabase();
    const rows = await prisma.apiKey.findMany({ where: { workspaceId: ws.workspaceId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
    expect(rows).toHaveLength(31);
    const expected = rows.map((r) => encodeGlobalId('ApiKey', r.id));

    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const res: any = await ws.gql(LIST, { first: 7, after });
      expect(res.errors).toBeUndefined();
      expect(res.data.apiKeys.edges.length).toBeLessThanOrEqual(7);
      seen.push(...res.data.apiKeys.edges.map((e: any) => e.node.id));
      if (page === 1) await createOk(ws.apiKey, { name: 'Added while paging', scopes: ['tickets:read'] });
      if (!res.data.apiKeys.pageInfo.hasNextPage) break;
      after = res.data.apiKeys.pageInfo.endCursor;
    }
    // The key added after page 2 is newer than everything: it sorts before the pages read, so nothing skips or repeats.
    expect(seen).toEqual(expected);
    expect((await ws.gql(LIST, { first: 1 })).data!.apiKeys).toMatchObject({ totalCount: 32, edges: [{ node: { name: 'Added while paging' } }] });
  });
});

describe('revoking a key with open WebSocket connections', () => {
  // The periodic re-check is a minute away: a close within BOUND_MS can only come from revokeApiKey.
  const live = useLiveServer({ CXGRAPH_WS_KEY_RECHECK_MS: '60000' });
  const BOUND_MS = 20_000;
  const within = <T>(promise: Promise<T>, what: string) =>
    Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), BOUND_MS).unref())]);

  it('closes the revoked key connections with 4401 at once, and leaves the other keys connections open', async () => {
    const { ws, fx, customer } = await live.setup();
    const conversation = await fx.conversation(customer.id);
    const id = encodeGlobalId('Conversation', conversation.id);
    const createVia = async (name: string) => {
      const res = await live.post(ws.apiKey, CREATE, { input: { name, scopes: ['conversations:read'] } });
      expect(res.data.createApiKey.__typename).toBe('CreateApiKeyPayload');
      return res.data.createApiKey as { secret: string; apiKey: { id: string } };
    };
    const [doomed, kept] = await Promise.all([createVia('Wallboard'), createVia('Inbox')]);
    const connections: WsConnection[] = [live.connect(doomed.secret), live.connect(doomed.secret)];
    const keptConnection = live.connect(kept.secret);
    const after = await fx.mark();
    const subs = connections.map((c) => subscribe(c.client, MESSAGE_ADDED, { id, after }));
    const keptSub = subscribe(keptConnection.client, MESSAGE_ADDED, { id, after });
    await fx.message(conversation.id, customer.id, 'before');
    await Promise.all([...subs, keptSub].map((s) => s.waitFor(1, BOUND_MS)));

    const revoked = await live.post(ws.apiKey, REVOKE, { input: { id: doomed.apiKey.id } });
    expect(revoked.data.revokeApiKey).toMatchObject({ __typename: 'RevokeApiKeyPayload', apiKey: { active: false } });
    for (const connection of connections) {
      expect(await within(connection.closed, 'close 4401')).toEqual({ code: 4401, reason: 'Unauthorized: API key is invalid, revoked or expired' });
    }
    await Promise.all(subs.map((s) => s.ended(BOUND_MS)));

    await fx.message(conversation.id, customer.id, 'after');
    await keptSub.waitFor(2, BOUND_MS);
    expect(keptSub.items.map((i) => i.messageAdded.message.body)).toEqual(['before', 'after']);
    expect(keptSub.completed).toBe(false);
    for (const sub of subs) expect(sub.items.map((i) => i.messageAdded.message.body)).toEqual(['before']);
  });
});
