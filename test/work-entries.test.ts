import { describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { graphql } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';
import { newTicket } from './helpers/tickets.ts';

const LOG = /* GraphQL */ `
  mutation ($input: LogWorkInput!) {
    logWork(input: $input) {
      __typename
      ... on LogWorkPayload { workEntry { id seconds source note startedAt endedAt agent { id } ticket { id } conversation { id } } }
      ... on Error { code message field }
    }
  }
`;
const MERGE = /* GraphQL */ `
  mutation ($input: MergeTicketsInput!) { mergeTickets(input: $input) { __typename } }
`;
const START = /* GraphQL */ `
  mutation ($input: StartConversationInput!) {
    startConversation(input: $input) { __typename ... on StartConversationPayload { conversation { id } } }
  }
`;

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

async function conversation(ws: TestWorkspace): Promise<string> {
  const [customer] = await insertCustomers(ws.workspaceId, 1);
  const res = await ws.gql(START, { input: { customerId: encodeGlobalId('Customer', customer!.id), channel: 'CHAT', body: 'Hello?' } });
  expect(res.errors).toBeUndefined();
  return res.data!.startConversation.conversation.id;
}

async function log(ws: TestWorkspace, input: Record<string, unknown>) {
  const res = await ws.gql(LOG, { input: { startedAt: minutesAgo(30), seconds: 600, ...input } });
  expect(res.errors).toBeUndefined();
  return res.data!.logWork;
}

describe('logWork', () => {
  it('records work on a ticket and on a conversation, lists it on each, and writes the updated events', async () => {
    const ws = await createTestWorkspace();
    const ticket = await newTicket(ws);
    const conversationId = await conversation(ws);
    const startedAt = '2026-01-05T09:00:00.000Z';
    const first = await log(ws, { ticketId: ticket.id, startedAt, seconds: 900, source: 'TIMER', note: ' Reproduced the bug ' });
    expect(first).toMatchObject({
      __typename: 'LogWorkPayload',
      workEntry: {
        seconds: 900,
        source: 'TIMER',
        note: 'Reproduced the bug',
        startedAt,
        endedAt: '2026-01-05T09:15:00.000Z', // 09:00 + 900 s
        agent: { id: encodeGlobalId('Agent', ws.agentId) }, // the key's agent by default
        ticket: { id: ticket.id },
        conversation: null,
      },
    });
    const second = await log(ws, { ticketId: ticket.id, startedAt: '2026-01-05T08:00:00.000Z', seconds: 60 });
    expect(second.workEntry.source).toBe('MANUAL');
    await log(ws, { conversationId, seconds: 120, source: 'COMPOSITION' });

    const res = await ws.gql(/* GraphQL */ `
      query ($t: ID!, $c: ID!) {
        t: node(id: $t) { ... on Ticket { workEntries(first: 10) { totalCount edges { node { seconds } } } } }
        c: node(id: $c) { ... on Conversation { workEntries { totalCount edges { node { seconds source conversation { id } } } } } }
      }`, { t: ticket.id, c: conversationId });
    expect(res.errors).toBeUndefined();
    // Oldest start first: 08:00 (60 s), then 09:00 (900 s).
    expect(res.data!.t.workEntries).toEqual({ totalCount: 2, edges: [{ node: { seconds: 60 } }, { node: { seconds: 900 } }] });
    expect(res.data!.c.workEntries).toEqual({ totalCount: 1, edges: [{ node: { seconds: 120, source: 'COMPOSITION', conversation: { id: conversationId } } }] });

    const { prisma } = await testDatabase();
    const events = await prisma.event.findMany({ where: { workspaceId: ws.workspaceId, type: { in: ['ticket.updated', 'conversation.updated'] } }, orderBy: { id: 'asc' } });
    expect(events.map((e) => [e.type, (e.payload as { changedFields: string[] }).changedFields])).toEqual([
      ['ticket.updated', ['workEntries']],
      ['ticket.updated', ['workEntries']],
      ['conversation.updated', ['workEntries']],
    ]);
  });

  it('records work for another agent of the workspace, and needs an agent for keys without one', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const ticket = await newTicket(ws);
    const colleague = await prisma.agent.create({ data: { workspaceId: ws.workspaceId, name: 'Kim', email: `kim-${Date.now()}@example.test` } });
    const forColleague = await log(ws, { ticketId: ticket.id, agentId: encodeGlobalId('Agent', colleague.id) });
    expect(forColleague.workEntry.agent.id).toBe(encodeGlobalId('Agent', colleague.id));
    const integration = await ws.createKey(['tickets:write'], { agentId: null });
    const res = await graphql(LOG, { input: { ticketId: ticket.id, startedAt: minutesAgo(30), seconds: 60 } }, { apiKey: integration });
    expect(res.data!.logWork).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field: 'input.agentId' });
  });

  it.each([
    ['no time', 'input.seconds', { seconds: 0 }],
    ['negative time', 'input.seconds', { seconds: -5 }],
    ['12 h + 1 s', 'input.seconds', { seconds: 43_201 }],
    ['work ending 55 min from now', 'input.startedAt', { startedAt: minutesAgo(5), seconds: 3600 }],
    ['a 1001-character note', 'input.note', { note: 'x'.repeat(1001) }],
    ['no target', 'input.ticketId', { ticketId: null }],
    ['two targets', 'input.ticketId', { conversationId: 'BOTH' }],
  ])('rejects %s with a ValidationError on %s, recording nothing', async (_label, field, input: Record<string, unknown>) => {
    const ws = await createTestWorkspace();
    const ticket = await newTicket(ws);
    const extra = input.conversationId === 'BOTH' ? { conversationId: await conversation(ws) } : {};
    const res = await ws.gql(LOG, { input: { ticketId: ticket.id, startedAt: minutesAgo(120), seconds: 600, ...input, ...extra } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.logWork).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field });
    const { prisma } = await testDatabase();
    expect(await prisma.workEntry.count({ where: { workspaceId: ws.workspaceId } })).toBe(0);
  });

  it('accepts the bounds: 1 second, 12 hours ending now', async () => {
    const ws = await createTestWorkspace();
    const ticket = await newTicket(ws);
    expect((await log(ws, { ticketId: ticket.id, seconds: 1 })).__typename).toBe('LogWorkPayload');
    expect((await log(ws, { ticketId: ticket.id, startedAt: minutesAgo(720), seconds: 43_200 })).__typename).toBe('LogWorkPayload');
  });

  it('refuses a merged-away ticket, and reaches nothing in another workspace', async () => {
    const ws = await createTestWorkspace();
    const other = await createTestWorkspace();
    const source = await newTicket(ws);
    const target = await newTicket(ws);
    const merged = await ws.gql(MERGE, { input: { sourceId: source.id, targetId: target.id } });
    expect(merged.data!.mergeTickets.__typename).toBe('MergeTicketsPayload');
    expect(await log(ws, { ticketId: source.id })).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE', field: 'input.ticketId' });
    expect((await log(ws, { ticketId: target.id })).__typename).toBe('LogWorkPayload');

    const theirTicket = await newTicket(other);
    const theirConversation = await conversation(other);
    expect(await log(ws, { ticketId: theirTicket.id })).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND', field: 'input.ticketId' });
    expect(await log(ws, { conversationId: theirConversation })).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND', field: 'input.conversationId' });
    expect(await log(ws, { ticketId: target.id, agentId: encodeGlobalId('Agent', other.agentId) })).toMatchObject({
      __typename: 'NotFoundError',
      field: 'input.agentId',
    });
    const mine = await log(ws, { ticketId: target.id });
    const peek = await other.gql(/* GraphQL */ `query ($id: ID!) { node(id: $id) { id } }`, { id: mine.workEntry.id });
    expect(peek.errors).toBeUndefined();
    expect(peek.data!.node).toBeNull();
  });

  it('needs tickets:write for a ticket and conversations:write for a conversation', async () => {
    const ws = await createTestWorkspace();
    const ticket = await newTicket(ws);
    const conversationId = await conversation(ws);
    const input = { startedAt: minutesAgo(30), seconds: 60 };
    const conversationsOnly = await ws.createKey(['conversations:write']);
    const denied = await graphql(LOG, { input: { ...input, ticketId: ticket.id } }, { apiKey: conversationsOnly });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const allowed = await graphql(LOG, { input: { ...input, conversationId } }, { apiKey: conversationsOnly });
    expect(allowed.data!.logWork.__typename).toBe('LogWorkPayload');
    const readOnly = await ws.createKey(['tickets:read', 'conversations:read']);
    const readDenied = await graphql(LOG, { input: { ...input, conversationId } }, { apiKey: readOnly });
    expect(readDenied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // Reading an entry needs the read scope of what was worked.
    const entry = await graphql(/* GraphQL */ `query ($id: ID!) { node(id: $id) { ... on WorkEntry { seconds } } }`, { id: allowed.data!.logWork.workEntry.id }, {
      apiKey: await ws.createKey(['tickets:read']),
    });
    expect(entry.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
