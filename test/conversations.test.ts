import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { graphql } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';

const CONVERSATION_FIELDS = /* GraphQL */ `
  id status channel function subject messageCount version reopenCount
  firstCustomerMessageAt firstAgentResponseAt firstBotResponseAt botHandoffAt
  lastCustomerMessageAt lastAgentMessageAt waitingSince snoozedUntil resolvedAt firstResolvedAt
`;
const START = /* GraphQL */ `
  mutation ($input: StartConversationInput!) {
    startConversation(input: $input) {
      __typename
      ... on StartConversationPayload {
        customerCreated
        conversation { ${CONVERSATION_FIELDS} customer { id email name lastSeenAt } }
        firstMessage { id authorKind direction body isInternalNote authorCustomer { id } createdAt }
      }
      ... on Error { code message field }
    }
  }
`;
const SEND = /* GraphQL */ `
  mutation ($input: SendMessageInput!) {
    sendMessage(input: $input) {
      __typename
      ... on SendMessagePayload {
        newMessage { id authorKind direction isInternalNote authorName body authorAgent { id } authorCustomer { id } createdAt }
        conversation { ${CONVERSATION_FIELDS} }
      }
      ... on Error { code message field }
      ... on ConflictError { currentVersion }
    }
  }
`;
const MESSAGES = /* GraphQL */ `
  query ($id: ID!, $includeInternal: Boolean) {
    conversation(id: $id) { messageCount messages(first: 100, includeInternal: $includeInternal) { totalCount edges { node { id body authorKind isInternalNote } } } }
  }
`;

const uuidOf = (globalId: string) => Buffer.from(globalId, 'base64url').toString('utf8').split(':')[1]!;

async function start(ws: TestWorkspace, input: Record<string, unknown> = {}) {
  const res = await ws.gql(START, {
    input: { customer: { email: `c-${randomUUID().slice(0, 8)}@example.test`, name: 'Carla' }, channel: 'CHAT', body: 'Hello?', ...input },
  });
  expect(res.errors).toBeUndefined();
  expect(res.data!.startConversation.__typename).toBe('StartConversationPayload');
  return res.data!.startConversation;
}

async function send(ws: TestWorkspace, conversationId: string, input: Record<string, unknown>) {
  const res = await ws.gql(SEND, { input: { conversationId, body: 'Some text', ...input } });
  expect(res.errors).toBeUndefined();
  return res.data!.sendMessage;
}

describe('startConversation', () => {
  it('creates the customer from contact details, starts the clocks and finds the same customer next time', async () => {
    const ws = await createTestWorkspace();
    const first = await start(ws, { customer: { email: 'Lisa@Example.com', name: 'Lisa' }, channel: 'EMAIL', subject: 'Refund', body: 'Where is my refund?' });
    const c = first.conversation;
    expect(first.customerCreated).toBe(true);
    expect(c).toMatchObject({
      status: 'OPEN',
      channel: 'EMAIL',
      function: 'SERVICE',
      subject: 'Refund',
      messageCount: 1,
      version: 1,
      reopenCount: 0,
      firstAgentResponseAt: null,
      firstBotResponseAt: null,
      resolvedAt: null,
      customer: { email: 'lisa@example.com', name: 'Lisa' },
    });
    const at = first.firstMessage.createdAt;
    expect(c).toMatchObject({ firstCustomerMessageAt: at, lastCustomerMessageAt: at, waitingSince: at });
    expect(first.firstMessage).toMatchObject({ authorKind: 'CUSTOMER', direction: 'INBOUND', body: 'Where is my refund?', isInternalNote: false, authorCustomer: { id: c.customer.id } });
    expect(c.customer.lastSeenAt).toBe(at);

    const again = await start(ws, { customer: { email: 'LISA@example.com' }, channel: 'CHAT', body: 'Hi again', function: 'SUPPORT' });
    expect(again.customerCreated).toBe(false);
    expect(again.conversation).toMatchObject({ function: 'SUPPORT', channel: 'CHAT', customer: { id: c.customer.id } });
    expect(new Date(again.conversation.customer.lastSeenAt).getTime()).toBeGreaterThanOrEqual(new Date(at).getTime());
  });

  it('matches contacts by externalId, then email, then phone, and ignores merged-away records', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const [byExternal, byEmail, byPhone, tombstone] = await insertCustomers(ws.workspaceId, 4);
    await prisma.customer.update({ where: { id: byExternal!.id }, data: { externalId: 'crm-7' } });
    await prisma.customer.update({ where: { id: byPhone!.id }, data: { phone: '+1 555 0111' } });
    await prisma.customer.update({ where: { id: tombstone!.id }, data: { phone: '+1 555 0199', mergedIntoId: byEmail!.id } });
    const customerOf = async (customer: Record<string, unknown>) => (await start(ws, { customer })).conversation.customer.id;
    expect(await customerOf({ externalId: 'crm-7', email: byEmail!.email })).toBe(encodeGlobalId('Customer', byExternal!.id));
    expect(await customerOf({ externalId: 'crm-unknown', email: byEmail!.email!.toUpperCase() })).toBe(encodeGlobalId('Customer', byEmail!.id));
    expect(await customerOf({ phone: '+1 555 0111' })).toBe(encodeGlobalId('Customer', byPhone!.id));
    const fresh = await start(ws, { customer: { phone: '+1 555 0199', name: 'New' } });
    expect(fresh.customerCreated).toBe(true);
    expect(fresh.conversation.customer.id).not.toBe(encodeGlobalId('Customer', tombstone!.id));
  });

  it('takes a known customer by id, refusing other workspaces\' customers and merged-away records', async () => {
    const [ws, other] = await Promise.all([createTestWorkspace(), createTestWorkspace()]);
    const { prisma } = await testDatabase();
    const [mine, merged] = await insertCustomers(ws.workspaceId, 2);
    const [theirs] = await insertCustomers(other.workspaceId, 1);
    await prisma.customer.update({ where: { id: merged!.id }, data: { mergedIntoId: mine!.id } });
    const ok = await start(ws, { customer: null, customerId: encodeGlobalId('Customer', mine!.id) });
    expect(ok).toMatchObject({ customerCreated: false, conversation: { customer: { id: encodeGlobalId('Customer', mine!.id) } } });
    const foreign = await ws.gql(START, { input: { customerId: encodeGlobalId('Customer', theirs!.id), channel: 'CHAT', body: 'x' } });
    expect(foreign.data!.startConversation).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND', field: 'input.customerId' });
    const tomb = await ws.gql(START, { input: { customerId: encodeGlobalId('Customer', merged!.id), channel: 'CHAT', body: 'x' } });
    expect(tomb.data!.startConversation).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE', field: 'input.customerId' });
    expect(await prisma.conversation.count({ where: { workspaceId: ws.workspaceId } })).toBe(1);
  });

  it.each([
    [{ customer: null }, 'input.customer'],
    [{ customerId: encodeGlobalId('Customer', uuidv7()) }, 'input.customer'],
    [{ customer: { name: 'Only a name' } }, 'input.customer'],
    [{ customer: { email: 'not-an-email' } }, 'input.customer.email'],
    [{ body: '   ' }, 'input.body'],
    [{ subject: 'x'.repeat(301) }, 'input.subject'],
  ])('returns a ValidationError for %j naming %s, and creates nothing', async (override, field) => {
    const ws = await createTestWorkspace();
    const input = { customer: { email: 'ok@example.test' }, channel: 'CHAT', body: 'Hi', ...override };
    const res = await ws.gql(START, { input });
    expect(res.errors).toBeUndefined();
    expect(res.data!.startConversation).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field });
    const { prisma } = await testDatabase();
    expect(await prisma.conversation.count({ where: { workspaceId: ws.workspaceId } })).toBe(0);
    expect(await prisma.customer.count({ where: { workspaceId: ws.workspaceId } })).toBe(0);
  });

  it('creates one customer when the same new contact writes in several times at once', async () => {
    const ws = await createTestWorkspace();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => ws.gql(START, { input: { customer: { email: 'burst@example.test' }, channel: 'WEB', body: `try ${i}` } })),
    );
    for (const res of results) expect(res.data!.startConversation.__typename).toBe('StartConversationPayload');
    const { prisma } = await testDatabase();
    expect(await prisma.customer.count({ where: { workspaceId: ws.workspaceId } })).toBe(1);
    expect(await prisma.conversation.count({ where: { workspaceId: ws.workspaceId } })).toBe(5);
    expect(results.filter((r) => r.data!.startConversation.customerCreated)).toHaveLength(1);
  });
});

describe('sendMessage: the conversation clocks', () => {
  it('bots and internal notes never count as the first agent response; a public agent reply ends the wait', async () => {
    const ws = await createTestWorkspace();
    const started = await start(ws);
    const id = started.conversation.id;
    const t0 = started.firstMessage.createdAt;

    const bot = await send(ws, id, { authorKind: 'BOT', authorName: 'Helpbot', body: 'Have you tried turning it off and on?' });
    expect(bot.newMessage).toMatchObject({ authorKind: 'BOT', direction: 'OUTBOUND', authorName: 'Helpbot', authorAgent: null });
    expect(bot.conversation).toMatchObject({ firstBotResponseAt: bot.newMessage.createdAt, firstAgentResponseAt: null, waitingSince: t0, botHandoffAt: null, version: 2, messageCount: 2 });

    const handoff = await send(ws, id, { authorKind: 'SYSTEM', body: 'Handing over to a human', handoff: true });
    expect(handoff.conversation).toMatchObject({ botHandoffAt: handoff.newMessage.createdAt, firstBotResponseAt: bot.newMessage.createdAt, waitingSince: t0 });

    const note = await send(ws, id, { authorKind: 'AGENT', isInternalNote: true, body: 'Looks like the known outage' });
    expect(note.newMessage).toMatchObject({ isInternalNote: true, authorAgent: { id: encodeGlobalId('Agent', ws.agentId) } });
    expect(note.conversation).toMatchObject({ firstAgentResponseAt: null, lastAgentMessageAt: null, waitingSince: t0, messageCount: 4, version: 4 });

    const reply = await send(ws, id, { authorKind: 'AGENT', body: 'Fixed, sorry!' });
    const t1 = reply.newMessage.createdAt;
    expect(reply.newMessage).toMatchObject({ authorKind: 'AGENT', direction: 'OUTBOUND', isInternalNote: false });
    expect(reply.conversation).toMatchObject({ firstAgentResponseAt: t1, lastAgentMessageAt: t1, waitingSince: null, messageCount: 5, version: 5 });

    // The customer writes twice: the wait starts at the first unanswered message.
    const c1 = await send(ws, id, { authorKind: 'CUSTOMER', body: 'Still broken' });
    expect(c1.newMessage).toMatchObject({ direction: 'INBOUND', authorCustomer: { id: started.conversation.customer.id } });
    const c2 = await send(ws, id, { authorKind: 'CUSTOMER', body: 'Hello??' });
    expect(c2.conversation).toMatchObject({ waitingSince: c1.newMessage.createdAt, lastCustomerMessageAt: c2.newMessage.createdAt, firstCustomerMessageAt: t0 });

    // A second bot handoff keeps the first; a bot reply does not end the wait for a human.
    const bot2 = await send(ws, id, { authorKind: 'BOT', authorName: 'Helpbot', body: 'An agent will be with you', handoff: true });
    expect(bot2.conversation).toMatchObject({ botHandoffAt: handoff.newMessage.createdAt, firstBotResponseAt: bot.newMessage.createdAt, waitingSince: c1.newMessage.createdAt });

    const reply2 = await send(ws, id, { authorKind: 'AGENT', body: 'On it' });
    expect(reply2.conversation).toMatchObject({ firstAgentResponseAt: t1, lastAgentMessageAt: reply2.newMessage.createdAt, waitingSince: null, messageCount: 9, version: 9 });

    const all = await ws.gql(MESSAGES, { id });
    expect(all.data!.conversation.messages.totalCount).toBe(9);
    expect(all.data!.conversation.messages.edges.map((e: any) => e.node.authorKind)).toEqual([
      'CUSTOMER', 'BOT', 'SYSTEM', 'AGENT', 'AGENT', 'CUSTOMER', 'CUSTOMER', 'BOT', 'AGENT',
    ]);
    const visible = await ws.gql(MESSAGES, { id, includeInternal: false });
    expect(visible.data!.conversation.messages.totalCount).toBe(8);
    expect(visible.data!.conversation.messages.edges.some((e: any) => e.node.isInternalNote)).toBe(false);
  });

  it('a customer message reopens a RESOLVED conversation and wakes a PENDING or SNOOZED one', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const { conversation } = await start(ws);
    const id = uuidOf(conversation.id);
    const resolvedAt = new Date(Date.now() - 60_000);
    await prisma.conversation.update({ where: { id }, data: { status: 'RESOLVED', resolvedAt, firstResolvedAt: resolvedAt, waitingSince: null } });
    const reopened = await send(ws, conversation.id, { authorKind: 'CUSTOMER', body: 'It broke again' });
    expect(reopened.conversation).toMatchObject({
      status: 'OPEN',
      resolvedAt: null,
      firstResolvedAt: resolvedAt.toISOString(),
      reopenCount: 1,
      waitingSince: reopened.newMessage.createdAt,
    });

    await prisma.conversation.update({ where: { id }, data: { status: 'SNOOZED', snoozedUntil: new Date(Date.now() + 3_600_000) } });
    const woke = await send(ws, conversation.id, { authorKind: 'CUSTOMER', body: 'Any news?' });
    expect(woke.conversation).toMatchObject({ status: 'OPEN', snoozedUntil: null, reopenCount: 1 });

    await prisma.conversation.update({ where: { id }, data: { status: 'PENDING' } });
    const answered = await send(ws, conversation.id, { authorKind: 'CUSTOMER', body: 'Here is the info you asked for' });
    expect(answered.conversation).toMatchObject({ status: 'OPEN', reopenCount: 1 });

    // Agents may still write on a RESOLVED conversation without reopening it.
    await prisma.conversation.update({ where: { id }, data: { status: 'RESOLVED', resolvedAt: new Date() } });
    const followUp = await send(ws, conversation.id, { authorKind: 'AGENT', body: 'Glad it works now' });
    expect(followUp.conversation).toMatchObject({ status: 'RESOLVED', reopenCount: 1 });
  });

  it('applies 10 parallel messages to one conversation without losing an update', async () => {
    const ws = await createTestWorkspace();
    const { conversation } = await start(ws);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => send(ws, conversation.id, { authorKind: i % 2 ? 'AGENT' : 'CUSTOMER', body: `message ${i}` })),
    );
    expect(results.map((r) => r.__typename)).toEqual(Array(10).fill('SendMessagePayload'));
    // Each message saw its own version: the row lock serialized them.
    expect(results.map((r) => r.conversation.version).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const after = await ws.gql(MESSAGES, { id: conversation.id });
    expect(after.data!.conversation.messageCount).toBe(11);
    expect(after.data!.conversation.messages.totalCount).toBe(11);
    const { prisma } = await testDatabase();
    const row = await prisma.conversation.findUniqueOrThrow({ where: { id: uuidOf(conversation.id) } });
    expect(row.version).toBe(11);
    // The last message applied decides the wait: a customer message leaves one, an agent reply none.
    const last = results.find((r) => r.conversation.version === 11)!;
    expect(row.waitingSince === null).toBe(last.newMessage.authorKind === 'AGENT');
  });

  it('keeps read-modify-write timestamps exact under parallel messages (first wait, first response)', async () => {
    const ws = await createTestWorkspace();
    const { conversation } = await start(ws);
    await send(ws, conversation.id, { authorKind: 'AGENT', body: 'Hi, how can I help?' });
    const customer = await Promise.all(Array.from({ length: 8 }, (_, i) => send(ws, conversation.id, { authorKind: 'CUSTOMER', body: `part ${i}` })));
    const times = customer.map((r) => r.newMessage.createdAt).sort();
    const { prisma } = await testDatabase();
    let row = await prisma.conversation.findUniqueOrThrow({ where: { id: uuidOf(conversation.id) } });
    expect(row.waitingSince!.toISOString()).toBe(times[0]);
    expect(row.lastCustomerMessageAt!.toISOString()).toBe(times.at(-1));

    const fresh = (await start(ws)).conversation;
    const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => send(ws, fresh.id, { authorKind: 'AGENT', body: `reply ${i}` })));
    const replyTimes = replies.map((r) => r.newMessage.createdAt).sort();
    row = await prisma.conversation.findUniqueOrThrow({ where: { id: uuidOf(fresh.id) } });
    expect(row.firstAgentResponseAt!.toISOString()).toBe(replyTimes[0]);
    expect(row.lastAgentMessageAt!.toISOString()).toBe(replyTimes.at(-1));
  });

  it.each([
    [{ authorKind: 'BOT' }, 'input.authorName'],
    [{ authorKind: 'AGENT', authorName: 'Someone else' }, 'input.authorName'],
    [{ authorKind: 'CUSTOMER', isInternalNote: true }, 'input.isInternalNote'],
    [{ authorKind: 'AGENT', handoff: true }, 'input.handoff'],
    [{ authorKind: 'AGENT', body: '' }, 'input.body'],
    [{ authorKind: 'AGENT', expectedVersion: 0 }, 'input.expectedVersion'],
  ])('returns a ValidationError for %j naming %s, and changes nothing', async (input, field) => {
    const ws = await createTestWorkspace();
    const { conversation } = await start(ws);
    const res = await send(ws, conversation.id, input);
    expect(res).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field });
    const after = await ws.gql(MESSAGES, { id: conversation.id });
    expect(after.data!.conversation.messageCount).toBe(1);
  });

  it('refuses AGENT messages from a key without an agent, or whose agent is deactivated', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const { conversation } = await start(ws);
    const integration = await ws.createKey(['conversations:write'], { agentId: null });
    const asIntegration = (input: Record<string, unknown>) => graphql(SEND, { input: { conversationId: conversation.id, body: 'x', ...input } }, { apiKey: integration });
    expect((await asIntegration({ authorKind: 'AGENT' })).data!.sendMessage).toMatchObject({ __typename: 'ValidationError', field: 'input.authorKind' });
    // The same key may relay customer and bot messages.
    expect((await asIntegration({ authorKind: 'BOT', authorName: 'Bot' })).data!.sendMessage.__typename).toBe('SendMessagePayload');

    await prisma.agent.update({ where: { id: ws.agentId }, data: { active: false } });
    const res = await send(ws, conversation.id, { authorKind: 'AGENT' });
    expect(res).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE', field: 'input.authorKind' });
    expect((await prisma.conversation.findUniqueOrThrow({ where: { id: uuidOf(conversation.id) } })).messageCount).toBe(2);
  });

  it('returns a ConflictError with the current version for a stale expectedVersion, and NotFoundError for a foreign conversation', async () => {
    const [ws, other] = await Promise.all([createTestWorkspace(), createTestWorkspace()]);
    const { conversation } = await start(ws);
    const stale = await send(ws, conversation.id, { authorKind: 'AGENT', expectedVersion: 7 });
    expect(stale).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT', field: 'input.expectedVersion', currentVersion: 1 });
    const ok = await send(ws, conversation.id, { authorKind: 'AGENT', expectedVersion: 1 });
    expect(ok.conversation.version).toBe(2);
    const foreign = await send(other, conversation.id, { authorKind: 'CUSTOMER' });
    expect(foreign).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND', field: 'input.conversationId' });
    const wrongType = await ws.gql(SEND, { input: { conversationId: encodeGlobalId('Customer', uuidv7()), authorKind: 'AGENT', body: 'x' } });
    expect(wrongType.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const after = await ws.gql(MESSAGES, { id: conversation.id });
    expect(after.data!.conversation.messageCount).toBe(2);
  });
});
