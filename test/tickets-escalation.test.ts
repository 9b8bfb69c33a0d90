import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import { decodeGlobalId, encodeGlobalId } from '../src/schema/global-id.ts';
import { graphql } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';

const gid = encodeGlobalId;
const dbId = (id: string) => decodeGlobalId(id).id;

const ESCALATE = /* GraphQL */ `
  mutation ($input: EscalateConversationInput!) {
    escalateConversation(input: $input) {
      __typename
      ... on EscalateConversationPayload {
        ticket {
          id number subject description status priority type function
          requester { id } organization { id } team { id } sourceConversation { id }
          comments(first: 10) { totalCount edges { node { body isPublic authorKind authorAgent { id } } } }
          history(first: 10) { edges { node { kind newValue actorKind } } }
        }
        conversation { id messageCount version tickets(first: 10) { totalCount edges { node { number } } } }
      }
      ... on Error { code message field }
    }
  }
`;

type Line = ['CUSTOMER' | 'AGENT' | 'BOT' | 'SYSTEM', string, { internal?: boolean }?];

/** Inserts a conversation with its messages directly (the conversations API is another domain's). */
async function insertConversation(ws: TestWorkspace, customerId: string, lines: Line[], extra: Record<string, unknown> = {}) {
  const { prisma } = await testDatabase();
  const start = Date.now() - 3_600_000;
  const conversation = await prisma.conversation.create({
    data: {
      id: uuidv7(start),
      workspaceId: ws.workspaceId,
      customerId,
      channel: 'CHAT',
      function: 'SERVICE',
      subject: 'Cannot export invoices',
      messageCount: lines.length,
      createdAt: new Date(start),
      ...extra,
    },
  });
  await prisma.message.createMany({
    data: lines.map(([kind, body, options], i) => {
      const at = new Date(start + (i + 1) * 60_000);
      return {
        id: uuidv7(at),
        workspaceId: ws.workspaceId,
        conversationId: conversation.id,
        authorKind: kind,
        authorCustomerId: kind === 'CUSTOMER' ? customerId : null,
        authorAgentId: kind === 'AGENT' ? ws.agentId : null,
        authorName: kind === 'BOT' ? 'Helpbot' : kind === 'SYSTEM' ? 'cxgraph' : null,
        direction: kind === 'CUSTOMER' ? ('INBOUND' as const) : ('OUTBOUND' as const),
        body,
        isInternalNote: options?.internal ?? false,
        createdAt: at,
      };
    }),
  });
  return conversation;
}

describe('escalateConversation', () => {
  it('creates a SUPPORT ticket carrying the transcript, the customer context and the handoff note, and notes it on the conversation', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const org = await prisma.organization.create({ data: { workspaceId: ws.workspaceId, name: 'Vandelay Industries', domains: [], tier: 'ENTERPRISE', plan: 'Growth' } });
    const team = await prisma.team.create({ data: { workspaceId: ws.workspaceId, name: 'Support tier 2', function: 'SUPPORT' } });
    const [customer] = await insertCustomers(ws.workspaceId, 1, { name: 'Art Vandelay', email: 'art@vandelay.test', tags: ['vip', 'importer'], organizationId: org.id });
    const conversation = await insertConversation(ws, customer!.id, [
      ['BOT', 'Hi! How can I help?'],
      ['CUSTOMER', 'Exporting invoices fails.\nError 500 every time.'],
      ['SYSTEM', 'Assigned to Test Admin'],
      ['AGENT', 'Let me check that for you.'],
      ['AGENT', 'Looks like a bug, escalating', { internal: true }],
      ['CUSTOMER', 'Thanks'],
    ]);
    const before = await prisma.conversation.findUniqueOrThrow({ where: { id: conversation.id } });

    const res = await ws.gql(ESCALATE, {
      input: { conversationId: gid('Conversation', conversation.id), note: 'Export endpoint returns 500 for this account since Monday.', teamId: gid('Team', team.id), priority: 'HIGH' },
    });
    expect(res.errors).toBeUndefined();
    const { ticket, conversation: after } = res.data!.escalateConversation;
    expect(ticket).toMatchObject({
      number: 1,
      subject: 'Cannot export invoices',
      status: 'NEW',
      priority: 'HIGH',
      type: 'QUESTION',
      function: 'SUPPORT',
      requester: { id: gid('Customer', customer!.id) },
      organization: { id: gid('Organization', org.id) },
      team: { id: gid('Team', team.id) },
      sourceConversation: { id: gid('Conversation', conversation.id) },
    });
    const description: string = ticket.description;
    expect(description).toContain('Export endpoint returns 500 for this account since Monday.');
    expect(description).toContain('Name: Art Vandelay');
    expect(description).toContain('Email: art@vandelay.test');
    expect(description).toContain('Organization: Vandelay Industries (ENTERPRISE, Growth plan)');
    expect(description).toContain('Tags: vip, importer');
    const transcript = description.slice(description.indexOf('Transcript'));
    expect(transcript.split('\n').slice(1)).toEqual([
      'Bot: Hi! How can I help?',
      'Customer: Exporting invoices fails.',
      '  Error 500 every time.',
      'Agent: Let me check that for you.',
      'Customer: Thanks',
    ]);
    expect(description).not.toContain('Looks like a bug');
    expect(description).not.toContain('Assigned to');

    expect(ticket.comments).toEqual({
      totalCount: 1,
      edges: [{ node: { body: 'Export endpoint returns 500 for this account since Monday.', isPublic: false, authorKind: 'AGENT', authorAgent: { id: gid('Agent', ws.agentId) } } }],
    });
    const kinds = ticket.history.edges.map((e: any) => e.node.kind);
    expect(kinds).toEqual(['CREATED', 'ESCALATED_FROM_CONVERSATION']);
    expect(ticket.history.edges[1].node.newValue).toMatchObject({ conversationId: gid('Conversation', conversation.id) });

    expect(after).toEqual({
      id: gid('Conversation', conversation.id),
      messageCount: before.messageCount + 1,
      version: before.version + 1,
      tickets: { totalCount: 1, edges: [{ node: { number: 1 } }] },
    });
    const systemNote = await prisma.message.findFirstOrThrow({ where: { conversationId: conversation.id }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
    expect(systemNote).toMatchObject({ authorKind: 'SYSTEM', isInternalNote: true, workspaceId: ws.workspaceId });
    expect(systemNote.body).toContain('ticket #1');
    const convRow = await prisma.conversation.findUniqueOrThrow({ where: { id: conversation.id } });
    expect(convRow.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());
    expect(convRow.function).toBe('SERVICE');
  });

  it('uses the given subject, falls back to a readable one, and allows several escalations of one conversation', async () => {
    const ws = await createTestWorkspace();
    const [customer] = await insertCustomers(ws.workspaceId, 1, { name: 'Kramer', tags: [] });
    const conversation = await insertConversation(ws, customer!.id, [], { subject: null, channel: 'WHATSAPP' });
    const id = gid('Conversation', conversation.id);
    const first = (await ws.gql(ESCALATE, { input: { conversationId: id, note: 'Call back' } })).data!.escalateConversation;
    expect(first.ticket.subject).toBe('WHATSAPP conversation with Kramer');
    expect(first.ticket.description).toContain('(no public messages)');
    expect(first.ticket.description).toContain('Tags: (none)');
    const second = (await ws.gql(ESCALATE, { input: { conversationId: id, note: 'Another issue', subject: 'Refund request' } })).data!.escalateConversation;
    expect(second.ticket).toMatchObject({ number: 2, subject: 'Refund request' });
    expect(second.conversation.tickets).toEqual({ totalCount: 2, edges: [{ node: { number: 1 } }, { node: { number: 2 } }] });
  });

  it('refuses a SUPPORT conversation, a missing note, another workspace\'s conversation or team, changing nothing', async () => {
    const [ws, other] = await Promise.all([createTestWorkspace(), createTestWorkspace()]);
    const { prisma } = await testDatabase();
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const [theirCustomer] = await insertCustomers(other.workspaceId, 1);
    const support = await insertConversation(ws, customer!.id, [['CUSTOMER', 'hi']], { function: 'SUPPORT' });
    const service = await insertConversation(ws, customer!.id, [['CUSTOMER', 'hi']]);
    const theirs = await insertConversation(other, theirCustomer!.id, [['CUSTOMER', 'secret']]);
    const theirTeam = await prisma.team.create({ data: { workspaceId: other.workspaceId, name: 'Theirs', function: 'SUPPORT' } });
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ conversationId: gid('Conversation', support.id), note: 'x' }, 'InvalidStateError', 'input.conversationId'],
      [{ conversationId: gid('Conversation', service.id), note: '   ' }, 'ValidationError', 'input.note'],
      [{ conversationId: gid('Conversation', theirs.id), note: 'x' }, 'NotFoundError', 'input.conversationId'],
      [{ conversationId: gid('Conversation', service.id), note: 'x', teamId: gid('Team', theirTeam.id) }, 'NotFoundError', 'input.teamId'],
    ];
    for (const [input, typename, field] of cases) {
      const res = await ws.gql(ESCALATE, { input });
      expect(res.data!.escalateConversation, JSON.stringify(input)).toMatchObject({ __typename: typename, field });
    }
    expect(await prisma.ticket.count({ where: { workspaceId: { in: [ws.workspaceId, other.workspaceId] } } })).toBe(0);
    expect(await prisma.message.count({ where: { conversationId: { in: [support.id, service.id, theirs.id] } } })).toBe(3);
    const wrongType = await ws.gql(ESCALATE, { input: { conversationId: gid('Customer', customer!.id), note: 'x' } });
    expect(wrongType.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('needs tickets:write; a conversations-only key may not escalate', async () => {
    const ws = await createTestWorkspace();
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const conversation = await insertConversation(ws, customer!.id, [['CUSTOMER', 'hi']]);
    const key = await ws.createKey(['conversations:write', 'customers:read']);
    const res = await graphql(ESCALATE, { input: { conversationId: gid('Conversation', conversation.id), note: 'x' } }, { apiKey: key });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const { prisma } = await testDatabase();
    expect(await prisma.ticket.count({ where: { sourceConversationId: dbId(gid('Conversation', conversation.id)) } })).toBe(0);
  });
});
