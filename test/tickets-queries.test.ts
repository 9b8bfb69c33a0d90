import { describe, expect, it } from 'vitest';
import { decodeGlobalId, encodeGlobalId } from '../src/schema/global-id.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';

const gid = encodeGlobalId;
const dbId = (id: string) => decodeGlobalId(id).id;

const CREATE = /* GraphQL */ `
  mutation ($input: CreateTicketInput!) { createTicket(input: $input) { ... on TicketPayload { ticket { id number } } ... on Error { code field } } }
`;
const LIST = /* GraphQL */ `
  query ($filter: TicketFilter, $orderBy: TicketOrderBy, $first: Int, $after: String) {
    tickets(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      edges { node { number priority } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

async function create(ws: TestWorkspace, requesterId: string, input: Record<string, unknown> = {}) {
  const res = await ws.gql(CREATE, { input: { subject: 'Help', requesterId: gid('Customer', requesterId), ...input } });
  expect(res.data!.createTicket.ticket, JSON.stringify(res)).toBeTruthy();
  return res.data!.createTicket.ticket as { id: string; number: number };
}

async function numbers(ws: TestWorkspace, variables: Record<string, unknown>) {
  const res = await ws.gql(LIST, { first: 100, ...variables });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.tickets.edges.map((e: any) => e.node.number);
}

describe('tickets query', () => {
  it('filters by status, priority, type, function, assignee, team, requester, organization, tag and time ranges', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const org = await prisma.organization.create({ data: { workspaceId: ws.workspaceId, name: 'Globex', domains: [] } });
    const team = await prisma.team.create({ data: { workspaceId: ws.workspaceId, name: 'Tier 1', function: 'SUPPORT' } });
    const [alice, bob] = await insertCustomers(ws.workspaceId, 2);
    await prisma.customer.update({ where: { id: bob!.id }, data: { organizationId: org.id } });
    const agent = gid('Agent', ws.agentId);
    await create(ws, alice!.id, { priority: 'LOW', tags: ['billing'] }); // #1
    await create(ws, alice!.id, { priority: 'URGENT', type: 'INCIDENT', assigneeId: agent }); // #2
    await create(ws, bob!.id, { function: 'SERVICE', teamId: gid('Team', team.id), tags: ['billing', 'vip'] }); // #3
    const t4 = await create(ws, bob!.id, { priority: 'HIGH', assigneeId: agent, teamId: gid('Team', team.id) }); // #4
    await ws.gql(/* GraphQL */ `mutation ($id: ID!) { updateTicket(input: { id: $id, status: PENDING }) { __typename } }`, { id: t4.id });
    // Spread creation and update times out so ranges can tell them apart.
    const base = Date.UTC(2026, 0, 1);
    for (let n = 1; n <= 4; n++) {
      await prisma.ticket.update({
        where: { workspaceId_number: { workspaceId: ws.workspaceId, number: n } },
        data: { createdAt: new Date(base + n * 86_400_000), updatedAt: new Date(base + (10 - n) * 86_400_000) },
      });
    }

    expect(await numbers(ws, {})).toEqual([1, 2, 3, 4]);
    expect(await numbers(ws, { filter: { status: ['PENDING'] } })).toEqual([4]);
    expect(await numbers(ws, { filter: { status: ['NEW', 'PENDING'] } })).toEqual([1, 2, 3, 4]);
    expect(await numbers(ws, { filter: { priority: ['HIGH', 'URGENT'] } })).toEqual([2, 4]);
    expect(await numbers(ws, { filter: { type: 'INCIDENT' } })).toEqual([2]);
    expect(await numbers(ws, { filter: { function: 'SERVICE' } })).toEqual([3]);
    expect(await numbers(ws, { filter: { assigneeId: agent } })).toEqual([2, 4]);
    expect(await numbers(ws, { filter: { unassigned: true } })).toEqual([1, 3]);
    expect(await numbers(ws, { filter: { unassigned: false, teamId: gid('Team', team.id) } })).toEqual([4]);
    expect(await numbers(ws, { filter: { requesterId: gid('Customer', alice!.id) } })).toEqual([1, 2]);
    expect(await numbers(ws, { filter: { organizationId: gid('Organization', org.id) } })).toEqual([3, 4]);
    expect(await numbers(ws, { filter: { tag: 'billing' } })).toEqual([1, 3]);
    expect(await numbers(ws, { filter: { tag: 'vip', priority: ['NORMAL'] } })).toEqual([3]);
    const day = (n: number) => new Date(base + n * 86_400_000).toISOString();
    expect(await numbers(ws, { filter: { createdAt: { from: day(2), to: day(4) } } })).toEqual([2, 3]);
    expect(await numbers(ws, { filter: { updatedAt: { from: day(7) } } })).toEqual([1, 2, 3]);
    expect(await numbers(ws, { orderBy: { field: 'UPDATED_AT', direction: 'ASC' } })).toEqual([4, 3, 2, 1]);
    expect(await numbers(ws, { orderBy: { field: 'NUMBER', direction: 'DESC' } })).toEqual([4, 3, 2, 1]);
    expect(await numbers(ws, { orderBy: { field: 'PRIORITY', direction: 'DESC' } })).toEqual([2, 4, 3, 1]);
    const counted = await ws.gql(LIST, { filter: { tag: 'billing' }, first: 1 });
    expect(counted.data!.tickets).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
  });

  it.each([
    [{ filter: { assigneeId: gid('Agent', '0190a0a0-0000-7000-8000-000000000000'), unassigned: true } }, /contradict/],
    [{ filter: { status: [] } }, /at least one status/],
    [{ filter: { tag: 'x'.repeat(65) } }, /at most 64/],
    [{ filter: { requesterId: gid('Organization', '0190a0a0-0000-7000-8000-000000000000') } }, /Customer/],
    [{ filter: { createdAt: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } } }, /before/],
    [{ first: 101 }, /between 1 and 100/],
  ])('rejects bad arguments %j with BAD_USER_INPUT', async (variables, message) => {
    const ws = await createTestWorkspace();
    const res = await ws.gql(LIST, variables);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(message);
  });

  it.each(['ASC', 'DESC'])('pages through priority order %s with many equal priorities, never skipping or repeating', async (direction) => {
    const ws = await createTestWorkspace();
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const priorities = ['HIGH', 'LOW', 'URGENT', 'NORMAL', 'LOW', 'HIGH', 'NORMAL', 'LOW', 'URGENT', 'NORMAL', 'LOW', 'HIGH', 'NORMAL'];
    const created: Array<{ id: string; number: number; priority: string }> = [];
    for (const priority of priorities) created.push({ ...(await create(ws, customer!.id, { priority })), priority });
    const rank = { LOW: 0, NORMAL: 1, HIGH: 2, URGENT: 3 } as Record<string, number>;
    const sign = direction === 'ASC' ? 1 : -1;
    const expected = [...created]
      .sort((a, b) => sign * (rank[a.priority]! - rank[b.priority]!) || sign * (dbId(a.id) < dbId(b.id) ? -1 : 1))
      .map((t) => t.number);

    const seen: number[] = [];
    const seenPriorities: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const res: any = await ws.gql(LIST, { orderBy: { field: 'PRIORITY', direction }, first: 3, after });
      expect(res.errors).toBeUndefined();
      seen.push(...res.data.tickets.edges.map((e: any) => e.node.number));
      seenPriorities.push(...res.data.tickets.edges.map((e: any) => e.node.priority));
      if (!res.data.tickets.pageInfo.hasNextPage) break;
      after = res.data.tickets.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(priorities.length);
    const ranks = seenPriorities.map((p) => rank[p]!);
    expect(ranks).toEqual([...ranks].sort((a, b) => sign * (a - b)));
  });

  it('finds one ticket by id or number, and refuses ambiguous lookups', async () => {
    const ws = await createTestWorkspace();
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const t1 = await create(ws, customer!.id);
    const t2 = await create(ws, customer!.id, { subject: 'Second' });
    const res = await ws.gql(/* GraphQL */ `query ($id: ID!) { a: ticket(id: $id) { number } b: ticket(number: 2) { id subject } c: ticket(number: 99) { id } }`, { id: t1.id });
    expect(res.data).toEqual({ a: { number: 1 }, b: { id: t2.id, subject: 'Second' }, c: null });
    for (const query of [/* GraphQL */ `{ ticket { id } }`, /* GraphQL */ `query ($id: ID!) { ticket(id: $id, number: 1) { id } }`]) {
      const bad = await ws.gql(query, { id: t1.id });
      expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const negative = await ws.gql(/* GraphQL */ `{ ticket(number: -1) { id } }`);
    expect(negative.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('lists tickets on their customer and organization, newest first', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const org = await prisma.organization.create({ data: { workspaceId: ws.workspaceId, name: 'Acme', domains: [] } });
    const [a, b] = await insertCustomers(ws.workspaceId, 2, { organizationId: org.id });
    await create(ws, a!.id);
    await create(ws, b!.id);
    await create(ws, a!.id);
    const res = await ws.gql(
      /* GraphQL */ `query ($c: ID!, $o: ID!) {
        customer(id: $c) { tickets(first: 10) { totalCount edges { node { number } } } }
        organization(id: $o) { tickets(first: 2) { totalCount edges { node { number } } } } }`,
      { c: gid('Customer', a!.id), o: gid('Organization', org.id) },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.customer.tickets).toEqual({ totalCount: 2, edges: [{ node: { number: 3 } }, { node: { number: 1 } }] });
    expect(res.data!.organization.tickets).toEqual({ totalCount: 3, edges: [{ node: { number: 3 } }, { node: { number: 2 } }] });
  });

  it('loads nested comments, history and requesters without a query per ticket', async () => {
    const ws = await createTestWorkspace();
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const NESTED = /* GraphQL */ `{ tickets(first: 50) { edges { node { number requester { name } comments(first: 5) { totalCount edges { node { body } } } history(first: 5) { totalCount } } } } }`;
    const make = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const t = await create(ws, customer!.id);
        await ws.gql(/* GraphQL */ `mutation ($id: ID!) { addTicketComment(input: { ticketId: $id, body: "hi" }) { __typename } }`, { id: t.id });
      }
    };
    await make(2);
    const small = await ws.gql(NESTED);
    await make(8);
    const large = await ws.gql(NESTED);
    expect(large.errors).toBeUndefined();
    expect(large.data!.tickets.edges).toHaveLength(10);
    expect(large.data!.tickets.edges[9].node).toMatchObject({ comments: { totalCount: 1 }, history: { totalCount: 3 } });
    expect(large.statements).toBe(small.statements);
  });
});

describe('ticket isolation', () => {
  it('never shows or changes another workspace\'s tickets, and cannot create one for another workspace\'s customer', async () => {
    const [a, b] = await Promise.all([createTestWorkspace(), createTestWorkspace()]);
    const { prisma } = await testDatabase();
    const [aCustomer] = await insertCustomers(a.workspaceId, 1);
    const [bCustomer] = await insertCustomers(b.workspaceId, 1);
    const mine = await create(a, aCustomer!.id, { subject: 'Mine' });
    const theirs = await create(b, bCustomer!.id, { subject: 'Theirs', tags: ['secret'] });
    await b.gql(/* GraphQL */ `mutation ($id: ID!) { addTicketComment(input: { ticketId: $id, body: "private" }) { __typename } }`, { id: theirs.id });

    const list = await a.gql(/* GraphQL */ `{ tickets(first: 100) { totalCount edges { node { id } } } }`);
    expect(list.data!.tickets).toEqual({ totalCount: 1, edges: [{ node: { id: mine.id } }] });
    const lookups = await a.gql(
      /* GraphQL */ `query ($id: ID!) { byId: ticket(id: $id) { id } node(id: $id) { id } byNumber: ticket(number: 1) { subject } tagged: tickets(filter: { tag: "secret" }) { totalCount } }`,
      { id: theirs.id },
    );
    expect(lookups.errors).toBeUndefined();
    expect(lookups.data).toEqual({ byId: null, node: null, byNumber: { subject: 'Mine' }, tagged: { totalCount: 0 } });
    const [comment] = await prisma.ticketComment.findMany({ where: { ticketId: dbId(theirs.id) } });
    const [event] = await prisma.ticketEvent.findMany({ where: { ticketId: dbId(theirs.id) } });
    const nodes = await a.gql(/* GraphQL */ `query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, {
      ids: [gid('TicketComment', comment!.id), gid('TicketEvent', event!.id)],
    });
    expect(nodes.data!.nodes).toEqual([null, null]);

    const mutations: Array<[string, Record<string, unknown>, string, string]> = [
      [/* GraphQL */ `mutation ($input: UpdateTicketInput!) { r: updateTicket(input: $input) { __typename ... on Error { field } } }`, { id: theirs.id, subject: 'Hijacked' }, 'NotFoundError', 'input.id'],
      [/* GraphQL */ `mutation ($input: AddTicketCommentInput!) { r: addTicketComment(input: $input) { __typename ... on Error { field } } }`, { ticketId: theirs.id, body: 'x' }, 'NotFoundError', 'input.ticketId'],
      [/* GraphQL */ `mutation ($input: AddTicketCommentInput!) { r: addTicketComment(input: $input) { __typename ... on Error { field } } }`, { ticketId: mine.id, body: 'x', authorCustomerId: gid('Customer', bCustomer!.id) }, 'NotFoundError', 'input.authorCustomerId'],
      [/* GraphQL */ `mutation ($input: CreateTicketInput!) { r: createTicket(input: $input) { __typename ... on Error { field } } }`, { subject: 'x', requesterId: gid('Customer', bCustomer!.id) }, 'NotFoundError', 'input.requesterId'],
      [/* GraphQL */ `mutation ($input: BulkUpdateTicketsInput!) { r: bulkUpdateTickets(input: $input) { __typename ... on Error { field } } }`, { ids: [theirs.id], changes: { subject: 'Hijacked' } }, 'BulkUpdateError', 'input.ids'],
    ];
    for (const [query, input, typename, field] of mutations) {
      const res = await a.gql(query, { input });
      expect(res.data!.r, query).toEqual({ __typename: typename, field });
    }
    const untouched = await prisma.ticket.findUniqueOrThrow({ where: { id: dbId(theirs.id) } });
    expect(untouched).toMatchObject({ subject: 'Theirs', version: 2 });
    expect(await prisma.ticket.count({ where: { requesterId: bCustomer!.id } })).toBe(1);
  });
});

describe('ticket history', () => {
  it('tells the whole story of a ticket, oldest first, with who did what', async () => {
    const ws = await createTestWorkspace();
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const customerId = gid('Customer', customer!.id);
    const integration = await ws.createKey(['tickets:write'], { agentId: null });
    const { graphql } = await import('./helpers/app.ts');
    const ticket = await create(ws, customer!.id);
    const run = (query: string, input: Record<string, unknown>, apiKey = ws.apiKey) => graphql(query, { input }, { apiKey });
    const UPDATE = /* GraphQL */ `mutation ($input: UpdateTicketInput!) { updateTicket(input: $input) { __typename } }`;
    const COMMENT = /* GraphQL */ `mutation ($input: AddTicketCommentInput!) { addTicketComment(input: $input) { __typename } }`;
    await run(UPDATE, { id: ticket.id, priority: 'HIGH', assigneeId: gid('Agent', ws.agentId) });
    await run(COMMENT, { ticketId: ticket.id, body: 'On it' });
    await run(UPDATE, { id: ticket.id, status: 'SOLVED' }, integration);
    await run(COMMENT, { ticketId: ticket.id, body: 'Not fixed', authorCustomerId: customerId }, integration);

    const res = await ws.gql(/* GraphQL */ `query ($id: ID!) { ticket(id: $id) { history(first: 3) { totalCount edges { node { kind field oldValue newValue actorKind actorAgent { id } createdAt } } pageInfo { endCursor } } } }`, { id: ticket.id });
    const more = await ws.gql(/* GraphQL */ `query ($id: ID!, $after: String) { ticket(id: $id) { history(first: 50, after: $after) { edges { node { kind field oldValue newValue actorKind actorAgent { id } createdAt } } } } }`, {
      id: ticket.id,
      after: res.data!.ticket.history.pageInfo.endCursor,
    });
    const entries = [...res.data!.ticket.history.edges, ...more.data!.ticket.history.edges].map((e: any) => e.node);
    expect(res.data!.ticket.history.totalCount).toBe(entries.length);
    const agent = { id: gid('Agent', ws.agentId) };
    expect(entries.map(({ createdAt: _c, newValue, ...e }: any) => ({ ...e, newValue: e.kind === 'CREATED' || e.kind === 'COMMENT_ADDED' ? typeof newValue : newValue }))).toEqual([
      { kind: 'CREATED', field: null, oldValue: null, newValue: 'object', actorKind: 'AGENT', actorAgent: agent },
      { kind: 'FIELD_CHANGED', field: 'priority', oldValue: 'NORMAL', newValue: 'HIGH', actorKind: 'AGENT', actorAgent: agent },
      { kind: 'FIELD_CHANGED', field: 'assigneeId', oldValue: null, newValue: agent.id, actorKind: 'AGENT', actorAgent: agent },
      { kind: 'COMMENT_ADDED', field: null, oldValue: null, newValue: 'object', actorKind: 'AGENT', actorAgent: agent },
      { kind: 'FIELD_CHANGED', field: 'status', oldValue: 'NEW', newValue: 'OPEN', actorKind: 'AGENT', actorAgent: agent },
      { kind: 'FIELD_CHANGED', field: 'status', oldValue: 'OPEN', newValue: 'SOLVED', actorKind: 'API_KEY', actorAgent: null },
      { kind: 'COMMENT_ADDED', field: null, oldValue: null, newValue: 'object', actorKind: 'CUSTOMER', actorAgent: null },
      { kind: 'FIELD_CHANGED', field: 'status', oldValue: 'SOLVED', newValue: 'OPEN', actorKind: 'CUSTOMER', actorAgent: null },
      { kind: 'REOPENED', field: null, oldValue: 'SOLVED', newValue: 'OPEN', actorKind: 'CUSTOMER', actorAgent: null },
    ]);
    const times = entries.map((e: any) => new Date(e.createdAt).getTime());
    expect(times).toEqual([...times].sort((x, y) => x - y));

    // The trail is append-only, enforced by the database itself.
    const { prisma } = await testDatabase();
    await expect(prisma.ticketEvent.updateMany({ where: { ticketId: dbId(ticket.id) }, data: { field: 'tampered' } })).rejects.toThrow(/append-only/);
  });
});
