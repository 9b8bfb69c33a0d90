import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import type { Prisma } from '../src/generated/prisma/client.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { graphql } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers } from './helpers/factories.ts';

const ASSIGN = /* GraphQL */ `
  mutation ($input: AssignConversationInput!) {
    assignConversation(input: $input) {
      __typename
      ... on ConversationPayload { conversation { id version assignee { id name } team { id name } } }
      ... on Error { code message field }
      ... on ConflictError { currentVersion }
    }
  }
`;
const SET_STATUS = /* GraphQL */ `
  mutation ($input: SetConversationStatusInput!) {
    setConversationStatus(input: $input) {
      __typename
      ... on ConversationPayload { conversation { id status version snoozedUntil resolvedAt firstResolvedAt reopenCount waitingSince updatedAt } }
      ... on Error { code message field }
      ... on ConflictError { currentVersion }
    }
  }
`;

/** A conversation inserted directly, in the given state. */
async function insertConversation(workspaceId: string, data: Partial<Prisma.ConversationUncheckedCreateInput> = {}) {
  const { prisma } = await testDatabase();
  const [customer] = await insertCustomers(workspaceId, 1);
  const at = new Date(Date.now() - 600_000);
  const row = await prisma.conversation.create({
    data: { id: uuidv7(at), workspaceId, customerId: customer!.id, channel: 'CHAT', createdAt: at, firstCustomerMessageAt: at, waitingSince: at, ...data },
  });
  return { row, id: encodeGlobalId('Conversation', row.id) };
}

async function insertAgent(workspaceId: string, data: Partial<Prisma.AgentUncheckedCreateInput> = {}) {
  const { prisma } = await testDatabase();
  const id = uuidv7();
  const agent = await prisma.agent.create({ data: { id, workspaceId, name: 'Agent Smith', email: `agent-${id}@example.test`, ...data } });
  return { agent, id: encodeGlobalId('Agent', agent.id) };
}

async function insertTeam(workspaceId: string, name = 'Support tier 1') {
  const { prisma } = await testDatabase();
  const team = await prisma.team.create({ data: { id: uuidv7(), workspaceId, name, function: 'SUPPORT' } });
  return { team, id: encodeGlobalId('Team', team.id) };
}

describe('assignConversation', () => {
  it('assigns an agent and a team, leaves omitted fields alone, and unassigns with null', async () => {
    const ws = await createTestWorkspace();
    const [{ id }, agent, team] = await Promise.all([insertConversation(ws.workspaceId), insertAgent(ws.workspaceId), insertTeam(ws.workspaceId)]);
    const both = await ws.gql(ASSIGN, { input: { conversationId: id, assigneeId: agent.id, teamId: team.id } });
    expect(both.data!.assignConversation).toEqual({
      __typename: 'ConversationPayload',
      conversation: { id, version: 2, assignee: { id: agent.id, name: 'Agent Smith' }, team: { id: team.id, name: 'Support tier 1' } },
    });
    const unassignAgent = await ws.gql(ASSIGN, { input: { conversationId: id, assigneeId: null, expectedVersion: 2 } });
    expect(unassignAgent.data!.assignConversation.conversation).toMatchObject({ version: 3, assignee: null, team: { id: team.id } });
    const unassignTeam = await ws.gql(ASSIGN, { input: { conversationId: id, teamId: null } });
    expect(unassignTeam.data!.assignConversation.conversation).toMatchObject({ version: 4, assignee: null, team: null });
  });

  it('returns typed errors for missing, foreign, deactivated and read-only agents, foreign teams and stale versions', async () => {
    const [ws, other] = await Promise.all([createTestWorkspace(), createTestWorkspace()]);
    const [{ id, row }, inactive, viewer, theirAgent, theirTeam] = await Promise.all([
      insertConversation(ws.workspaceId),
      insertAgent(ws.workspaceId, { active: false, name: 'Gone' }),
      insertAgent(ws.workspaceId, { role: 'VIEWER' }),
      insertAgent(other.workspaceId),
      insertTeam(other.workspaceId),
    ]);
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ conversationId: id }, 'ValidationError', 'input.assigneeId'],
      [{ conversationId: id, assigneeId: theirAgent.id }, 'NotFoundError', 'input.assigneeId'],
      [{ conversationId: id, assigneeId: encodeGlobalId('Agent', uuidv7()) }, 'NotFoundError', 'input.assigneeId'],
      [{ conversationId: id, teamId: theirTeam.id }, 'NotFoundError', 'input.teamId'],
      [{ conversationId: id, assigneeId: inactive.id }, 'InvalidStateError', 'input.assigneeId'],
      [{ conversationId: id, assigneeId: viewer.id }, 'InvalidStateError', 'input.assigneeId'],
      [{ conversationId: id, assigneeId: encodeGlobalId('Agent', ws.agentId), expectedVersion: 5 }, 'ConflictError', 'input.expectedVersion'],
    ];
    for (const [input, typename, field] of cases) {
      const res = await ws.gql(ASSIGN, { input });
      expect(res.errors).toBeUndefined();
      expect(res.data!.assignConversation, JSON.stringify(input)).toMatchObject({ __typename: typename, field });
    }
    const stale = await ws.gql(ASSIGN, { input: { conversationId: id, teamId: null, expectedVersion: 9 } });
    expect(stale.data!.assignConversation.currentVersion).toBe(1);
    const foreign = await other.gql(ASSIGN, { input: { conversationId: id, assigneeId: theirAgent.id } });
    expect(foreign.data!.assignConversation).toMatchObject({ __typename: 'NotFoundError', field: 'input.conversationId' });
    const wrongType = await ws.gql(ASSIGN, { input: { conversationId: id, assigneeId: theirTeam.id } });
    expect(wrongType.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const { prisma } = await testDatabase();
    expect(await prisma.conversation.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ version: 1, assigneeId: null, teamId: null });
  });
});

describe('setConversationStatus: the state machine', () => {
  const allowed: Record<string, string[]> = {
    OPEN: ['PENDING', 'SNOOZED', 'RESOLVED'],
    PENDING: ['OPEN', 'SNOOZED', 'RESOLVED'],
    SNOOZED: ['OPEN', 'PENDING', 'RESOLVED', 'SNOOZED'],
    RESOLVED: ['OPEN'],
  };
  const statuses = ['OPEN', 'PENDING', 'SNOOZED', 'RESOLVED'] as const;
  const pairs = statuses.flatMap((from) => statuses.map((to) => [from, to, allowed[from]!.includes(to)] as const));

  it.each(pairs)('%s → %s allowed: %s', async (from, to, ok) => {
    const ws = await createTestWorkspace();
    const soon = new Date(Date.now() + 3_600_000);
    const { id, row } = await insertConversation(ws.workspaceId, {
      status: from,
      ...(from === 'SNOOZED' ? { snoozedUntil: soon } : {}),
      ...(from === 'RESOLVED' ? { resolvedAt: new Date(), firstResolvedAt: new Date(), waitingSince: null } : {}),
    });
    const later = new Date(Date.now() + 7_200_000).toISOString();
    const res = await ws.gql(SET_STATUS, { input: { conversationId: id, status: to, ...(to === 'SNOOZED' ? { snoozedUntil: later } : {}) } });
    expect(res.errors).toBeUndefined();
    const { prisma } = await testDatabase();
    const after = await prisma.conversation.findUniqueOrThrow({ where: { id: row.id } });
    if (ok) {
      expect(res.data!.setConversationStatus.conversation).toMatchObject({ status: to, version: 2, snoozedUntil: to === 'SNOOZED' ? later : null });
      expect(after.reopenCount).toBe(from === 'RESOLVED' ? 1 : 0);
    } else {
      expect(res.data!.setConversationStatus).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE', field: 'input.status' });
      expect(after).toMatchObject({ status: from, version: 1 });
    }
  });

  it('resolving sets resolvedAt and (once) firstResolvedAt and ends the wait; reopening counts', async () => {
    const ws = await createTestWorkspace();
    const { id } = await insertConversation(ws.workspaceId);
    const set = async (status: string, extra: Record<string, unknown> = {}) => {
      const res = await ws.gql(SET_STATUS, { input: { conversationId: id, status, ...extra } });
      expect(res.data!.setConversationStatus.__typename).toBe('ConversationPayload');
      return res.data!.setConversationStatus.conversation;
    };
    const first = await set('RESOLVED');
    expect(first).toMatchObject({ resolvedAt: first.updatedAt, firstResolvedAt: first.updatedAt, waitingSince: null, reopenCount: 0, version: 2 });
    const reopened = await set('OPEN');
    expect(reopened).toMatchObject({ status: 'OPEN', resolvedAt: null, firstResolvedAt: first.updatedAt, reopenCount: 1, version: 3 });
    await set('PENDING');
    const second = await set('RESOLVED', { expectedVersion: 4 });
    expect(second).toMatchObject({ resolvedAt: second.updatedAt, firstResolvedAt: first.updatedAt, reopenCount: 1, version: 5 });
    expect(second.resolvedAt > first.resolvedAt).toBe(true);
    await set('OPEN');
    expect((await set('RESOLVED')).reopenCount).toBe(2);
  });

  it('needs a future snoozedUntil for SNOOZED, and only then', async () => {
    const ws = await createTestWorkspace();
    const { id, row } = await insertConversation(ws.workspaceId);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ status: 'SNOOZED' }, 'input.snoozedUntil'],
      [{ status: 'SNOOZED', snoozedUntil: new Date(Date.now() - 1000).toISOString() }, 'input.snoozedUntil'],
      [{ status: 'PENDING', snoozedUntil: new Date(Date.now() + 60_000).toISOString() }, 'input.snoozedUntil'],
      [{ status: 'PENDING', expectedVersion: -1 }, 'input.expectedVersion'],
    ];
    for (const [input, field] of cases) {
      const res = await ws.gql(SET_STATUS, { input: { conversationId: id, ...input } });
      expect(res.data!.setConversationStatus, JSON.stringify(input)).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field });
    }
    const stale = await ws.gql(SET_STATUS, { input: { conversationId: id, status: 'RESOLVED', expectedVersion: 3 } });
    expect(stale.data!.setConversationStatus).toMatchObject({ __typename: 'ConflictError', field: 'input.expectedVersion', currentVersion: 1 });
    const { prisma } = await testDatabase();
    expect(await prisma.conversation.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'OPEN', version: 1, snoozedUntil: null });
  });
});

describe('conversation mutations: scopes and isolation', () => {
  it('a read-only key gets FORBIDDEN on every mutation and nothing changes', async () => {
    const ws = await createTestWorkspace();
    const { id, row } = await insertConversation(ws.workspaceId);
    const readOnly = await ws.createKey(['conversations:read', 'customers:write', 'agents:read']);
    const attempts: Array<[string, Record<string, unknown>]> = [
      [ASSIGN, { conversationId: id, assigneeId: encodeGlobalId('Agent', ws.agentId) }],
      [SET_STATUS, { conversationId: id, status: 'RESOLVED' }],
      [/* GraphQL */ `mutation ($input: SendMessageInput!) { sendMessage(input: $input) { __typename } }`, { conversationId: id, authorKind: 'AGENT', body: 'x' }],
      [/* GraphQL */ `mutation ($input: StartConversationInput!) { startConversation(input: $input) { __typename } }`, { customer: { email: 'x@example.test' }, channel: 'CHAT', body: 'x' }],
    ];
    for (const [query, input] of attempts) {
      const res = await graphql(query, { input }, { apiKey: readOnly });
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const { prisma } = await testDatabase();
    expect(await prisma.conversation.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ version: 1, status: 'OPEN', messageCount: 0 });
    expect(await prisma.conversation.count({ where: { workspaceId: ws.workspaceId } })).toBe(1);
    // The same key reads conversations fine.
    const read = await graphql(/* GraphQL */ `query ($id: ID!) { conversation(id: $id) { id } }`, { id }, { apiKey: readOnly });
    expect(read.data!.conversation).toEqual({ id });
  });

  it('another workspace cannot change a conversation through any mutation', async () => {
    const [ws, other] = await Promise.all([createTestWorkspace(), createTestWorkspace()]);
    const { id, row } = await insertConversation(ws.workspaceId);
    const status = await other.gql(SET_STATUS, { input: { conversationId: id, status: 'RESOLVED' } });
    expect(status.data!.setConversationStatus).toMatchObject({ __typename: 'NotFoundError', field: 'input.conversationId' });
    const { prisma } = await testDatabase();
    expect((await prisma.conversation.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('OPEN');
  });
});
