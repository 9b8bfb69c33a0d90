import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { graphql } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers } from './helpers/factories.ts';
import { FEED, gid, readFeed, run } from './events-helpers.ts';

/** The change feed: order, paging, filters, subjects, isolation and scopes. */

const WITH_SUBJECT = /* GraphQL */ `
  query ($types: [String!]) {
    events(types: $types) {
      edges { node { type subjectId payload subject { __typename id ... on Customer { name } ... on Ticket { subject } } } }
    }
  }
`;

describe('events feed', () => {
  it('20 concurrent mutations: ids strictly increase and paging by 3 returns each event exactly once', async () => {
    const ws = await createTestWorkspace();
    const customers = await insertCustomers(ws.workspaceId, 5);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? run(ws, 'updateCustomer', { id: gid('Customer', customers[i % 5]!.id), name: `Name ${i}` })
          : run(ws, 'createTicket', { subject: `Concurrent ${i}`, requesterId: gid('Customer', customers[i % 5]!.id) }),
      ),
    );
    const all = await readFeed(ws);
    expect(all.events).toHaveLength(20);
    const ids = all.events.map((e) => BigInt(/^Event:(\d+)$/.exec(Buffer.from(e.cursor, 'base64url').toString('utf8'))![1]!));
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    expect(all.events.filter((e) => e.type === 'ticket.created')).toHaveLength(10);

    const paged = await readFeed(ws, null, 3);
    expect(paged.events.map((e) => e.cursor)).toEqual(all.events.map((e) => e.cursor));
    expect(new Set(paged.events.map((e) => e.cursor)).size).toBe(20);
    // Reading from the end: an empty page that keeps the position.
    const tail = await ws.gql(FEED, { after: all.cursor, first: 3 });
    expect(tail.data!.events).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: all.cursor } });
    // The edge cursor and the event's own cursor agree.
    const first = await ws.gql(FEED, { first: 1 });
    expect(first.data!.events.edges[0].cursor).toBe(first.data!.events.edges[0].node.cursor);
    expect(first.data!.events.pageInfo).toEqual({ hasNextPage: true, endCursor: first.data!.events.edges[0].cursor });
  });

  it('filters by type, and rejects unknown types, malformed cursors and page sizes out of range', async () => {
    const ws = await createTestWorkspace();
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    await run(ws, 'updateCustomer', { id: gid('Customer', customer!.id), name: 'X' });
    await run(ws, 'createTicket', { subject: 'One', requesterId: gid('Customer', customer!.id) });
    const onlyTickets = await readFeed(ws, null, 100, ['ticket.created', 'ticket.updated']);
    expect(onlyTickets.events.map((e) => e.type)).toEqual(['ticket.created']);

    const unknown = await ws.gql(FEED, { types: ['ticket.created', 'ticket.exploded'] });
    expect(unknown.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(unknown.errors![0]!.message).toContain('"ticket.exploded"');
    expect(unknown.errors![0]!.message).toContain('customer.merged');
    for (const after of ['nope', Buffer.from('Event:abc').toString('base64url'), Buffer.from('GPC:S:1').toString('base64')]) {
      const bad = await ws.gql(FEED, { after });
      expect(bad.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    }
    for (const first of [0, 501]) expect((await ws.gql(FEED, { first })).errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect((await ws.gql(FEED, { first: 500 })).errors).toBeUndefined();
  });

  it('resolves subjects (batched per type), null when gone; merges are tombstones with a global mergedIntoId', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const [primary, duplicate] = await insertCustomers(ws.workspaceId, 2);
    for (let i = 0; i < 5; i++) await run(ws, 'createTicket', { subject: `S${i}`, requesterId: gid('Customer', primary!.id) });
    await run(ws, 'mergeCustomers', { primaryId: gid('Customer', primary!.id), duplicateId: gid('Customer', duplicate!.id) });
    // An event whose subject no longer exists (written directly: there are no deletes yet).
    await prisma.event.create({
      data: { workspaceId: ws.workspaceId, type: 'ticket.updated', subjectType: 'Ticket', subjectId: randomUUID(), actorKind: 'API_KEY' },
    });
    const res = await ws.gql(WITH_SUBJECT);
    expect(res.errors).toBeUndefined();
    const nodes = res.data!.events.edges.map((e: any) => e.node);
    expect(nodes.slice(0, 5).map((n: any) => n.subject)).toEqual([0, 1, 2, 3, 4].map((i) => expect.objectContaining({ __typename: 'Ticket', subject: `S${i}` })));
    const merged = nodes.find((n: any) => n.type === 'customer.merged');
    expect(merged).toMatchObject({
      subjectId: gid('Customer', duplicate!.id),
      payload: { mergedIntoId: gid('Customer', primary!.id) },
      // The tombstone keeps resolving.
      subject: { __typename: 'Customer', id: gid('Customer', duplicate!.id) },
    });
    expect(nodes.at(-1)).toMatchObject({ type: 'ticket.updated', subject: null });
    // One statement per subject type, not per event.
    const counted = await ws.gql(WITH_SUBJECT, { types: ['ticket.created'] });
    const plain = await ws.gql(FEED, { types: ['ticket.created'] });
    expect(counted.statements - plain.statements).toBeLessThanOrEqual(1);
  });

  it('is isolated per workspace and needs the events:read scope', async () => {
    const a = await createTestWorkspace();
    const b = await createTestWorkspace();
    const [customer] = await insertCustomers(a.workspaceId, 1);
    await run(a, 'updateCustomer', { id: gid('Customer', customer!.id), name: 'Mine' });
    const mine = await readFeed(a);
    expect(mine.events).toHaveLength(1);
    expect((await readFeed(b)).events).toEqual([]);
    // Another workspace's cursor only positions; it reveals nothing.
    expect((await readFeed(b, mine.events[0]!.cursor)).events).toEqual([]);

    const reader = await a.createKey(['events:read']);
    const ok = await graphql(FEED, {}, { apiKey: reader });
    expect(ok.data!.events.edges).toHaveLength(1);
    // The feed does not widen access: the subject needs its own domain's read scope.
    const subject = await graphql(/* GraphQL */ `{ events { edges { node { type subject { id } } } } }`, {}, { apiKey: reader });
    expect(subject.data!.events.edges[0].node).toEqual({ type: 'customer.updated', subject: null });
    expect(subject.errors![0]).toMatchObject({ path: ['events', 'edges', 0, 'node', 'subject', 'id'], extensions: { code: 'FORBIDDEN' } });
    for (const scopes of [['customers:write'], ['tickets:read', 'customers:read']]) {
      const denied = await graphql(FEED, {}, { apiKey: await a.createKey(scopes) });
      expect(denied.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    }
    expect((await graphql(FEED, {}, { apiKey: null })).errors![0]!.extensions!.code).toMatch(/UNAUTHENTICATED|FORBIDDEN/);
    // An events:read key cannot write: the outbox gains nothing.
    const write = await graphql(
      /* GraphQL */ `mutation ($input: UpdateCustomerInput!) { updateCustomer(input: $input) { __typename } }`,
      { input: { id: gid('Customer', customer!.id), name: 'Hijack' } },
      { apiKey: reader },
    );
    expect(write.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect((await readFeed(a)).events).toHaveLength(1);
  });
});
