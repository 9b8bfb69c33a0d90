import { describe, expect, it } from 'vitest';
import { decodeGlobalId, encodeGlobalId } from '../src/schema/global-id.ts';
import { graphql } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';

import { COMMENT, CREATE, gid, history, HISTORY, newTicket, TICKET, UPDATE } from './helpers/tickets.ts';

describe('addTicketComment', () => {
  it('counts a human agent\'s public replies, sets the first response once and opens a NEW ticket', async () => {
    const ws = await createTestWorkspace();
    const ticket = await newTicket(ws);
    const note = await ws.gql(COMMENT, { input: { ticketId: ticket.id, body: 'Checking logs', isPublic: false } });
    expect(note.data!.addTicketComment.ticket).toMatchObject({ status: 'NEW', publicAgentReplyCount: 0, firstResponseAt: null, version: 2 });

    const first = await ws.gql(COMMENT, { input: { ticketId: ticket.id, body: 'We are on it.' } });
    const p1 = first.data!.addTicketComment;
    expect(p1.comment).toMatchObject({ body: 'We are on it.', isPublic: true, authorKind: 'AGENT', authorAgent: { id: gid('Agent', ws.agentId) }, authorCustomer: null });
    expect(p1.ticket).toMatchObject({ status: 'OPEN', publicAgentReplyCount: 1 });
    expect(p1.ticket.firstResponseAt).not.toBeNull();

    const second = (await ws.gql(COMMENT, { input: { ticketId: ticket.id, body: 'Fixed?' } })).data!.addTicketComment.ticket;
    expect(second).toMatchObject({ publicAgentReplyCount: 2, firstResponseAt: p1.ticket.firstResponseAt, status: 'OPEN' });

    // An integration's key is not a human agent: its replies are not first responses.
    const botKey = await ws.createKey(['tickets:write', 'customers:read'], { agentId: null });
    const other = await newTicket(ws);
    const viaKey = await graphql(COMMENT, { input: { ticketId: other.id, body: 'Auto-reply' } }, { apiKey: botKey });
    expect(viaKey.data!.addTicketComment.ticket).toMatchObject({ status: 'NEW', publicAgentReplyCount: 0, firstResponseAt: null });
    expect(viaKey.data!.addTicketComment.comment).toMatchObject({ authorKind: 'API_KEY', authorAgent: null });

    const trail = (await history(ws, ticket.id)).map((e: any) => `${e.kind}${e.field ? `:${e.field}` : ''}`);
    expect(trail).toEqual(['CREATED', 'COMMENT_ADDED', 'COMMENT_ADDED', 'FIELD_CHANGED:status', 'COMMENT_ADDED']);
  });

  it('reopens a SOLVED ticket when the customer writes, and lists comments oldest first with or without internal notes', async () => {
    const ws = await createTestWorkspace();
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const customerId = gid('Customer', customer!.id);
    const ticket = await newTicket(ws, { requesterId: customerId });
    await ws.gql(COMMENT, { input: { ticketId: ticket.id, body: 'Try turning it off and on.' } });
    await ws.gql(COMMENT, { input: { ticketId: ticket.id, body: 'Probably user error', isPublic: false } });
    const solved = (await ws.gql(UPDATE, { input: { id: ticket.id, status: 'SOLVED' } })).data!.updateTicket.ticket;

    const res = await ws.gql(COMMENT, { input: { ticketId: ticket.id, body: 'Still broken!', authorCustomerId: customerId } });
    const payload = res.data!.addTicketComment;
    expect(payload.comment).toMatchObject({ authorKind: 'CUSTOMER', authorCustomer: { id: customerId }, authorAgent: null, isPublic: true });
    expect(payload.ticket).toMatchObject({ status: 'OPEN', reopenCount: 1, solvedAt: null, firstSolvedAt: solved.firstSolvedAt, publicAgentReplyCount: 1 });
    expect(payload.ticket.lastReopenedAt).not.toBeNull();
    const tail = (await history(ws, ticket.id)).slice(-3);
    expect(tail).toMatchObject([
      { kind: 'COMMENT_ADDED', actorKind: 'CUSTOMER', actorAgent: null },
      { kind: 'FIELD_CHANGED', field: 'status', oldValue: 'SOLVED', newValue: 'OPEN', actorKind: 'CUSTOMER' },
      { kind: 'REOPENED', actorKind: 'CUSTOMER' },
    ]);
    expect(tail[0].newValue).toEqual({ commentId: payload.comment.id, isPublic: true });

    const COMMENTS = /* GraphQL */ `query ($id: ID!) { ticket(id: $id) {
      all: comments(first: 10) { totalCount edges { node { body } } }
      visible: comments(first: 10, includeInternal: false) { totalCount edges { node { body } } } } }`;
    const list = (await ws.gql(COMMENTS, { id: ticket.id })).data!.ticket;
    expect(list.all.edges.map((e: any) => e.node.body)).toEqual(['Try turning it off and on.', 'Probably user error', 'Still broken!']);
    expect(list.visible).toEqual({ totalCount: 2, edges: [{ node: { body: 'Try turning it off and on.' } }, { node: { body: 'Still broken!' } }] });
  });

  it('takes a PENDING ticket back to OPEN when the customer answers, and refuses private customer comments', async () => {
    const ws = await createTestWorkspace();
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const customerId = gid('Customer', customer!.id);
    const ticket = await newTicket(ws, { requesterId: customerId });
    await ws.gql(UPDATE, { input: { id: ticket.id, status: 'PENDING' } });
    const answered = await ws.gql(COMMENT, { input: { ticketId: ticket.id, body: 'Here is the log', authorCustomerId: customerId } });
    expect(answered.data!.addTicketComment.ticket).toMatchObject({ status: 'OPEN', reopenCount: 0 });
    const privateNote = await ws.gql(COMMENT, { input: { ticketId: ticket.id, body: 'psst', authorCustomerId: customerId, isPublic: false } });
    expect(privateNote.data!.addTicketComment).toMatchObject({ __typename: 'ValidationError', field: 'input.isPublic' });
    const empty = await ws.gql(COMMENT, { input: { ticketId: ticket.id, body: '  ' } });
    expect(empty.data!.addTicketComment).toMatchObject({ __typename: 'ValidationError', field: 'input.body' });
  });
});

describe('ticket scopes', () => {
  it('gives a read-only key FORBIDDEN on every ticket mutation and changes nothing', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const ticket = await newTicket(ws);
    const readOnly = await ws.createKey(['tickets:read', 'customers:read', 'conversations:read']);
    const id = ticket.id;
    const attempts: Array<[string, Record<string, unknown>]> = [
      [CREATE, { input: { subject: 'x', requesterId: ticket.requester.id } }],
      [UPDATE, { input: { id, priority: 'URGENT' } }],
      [COMMENT, { input: { ticketId: id, body: 'x' } }],
      [/* GraphQL */ `mutation ($input: MergeTicketsInput!) { mergeTickets(input: $input) { __typename } }`, { input: { sourceId: id, targetId: id } }],
      [/* GraphQL */ `mutation ($input: LinkIncidentToProblemInput!) { linkIncidentToProblem(input: $input) { __typename } }`, { input: { incidentId: id, problemId: id } }],
      [/* GraphQL */ `mutation ($input: BulkUpdateTicketsInput!) { bulkUpdateTickets(input: $input) { __typename } }`, { input: { ids: [id], changes: { priority: 'LOW' } } }],
      [
        /* GraphQL */ `mutation ($input: EscalateConversationInput!) { escalateConversation(input: $input) { __typename } }`,
        { input: { conversationId: gid('Conversation', '0190a0a0-0000-7000-8000-000000000000'), note: 'x' } },
      ],
    ];
    for (const [query, variables] of attempts) {
      const res = await graphql(query, variables, { apiKey: readOnly });
      expect(res.errors?.[0]?.extensions?.code, query).toBe('FORBIDDEN');
    }
    const row = await prisma.ticket.findUniqueOrThrow({ where: { id: decodeGlobalId(id).id } });
    expect(row).toMatchObject({ version: 1, priority: 'NORMAL' });
    expect(await prisma.ticket.count({ where: { workspaceId: ws.workspaceId } })).toBe(1);
    expect(await prisma.ticketComment.count({ where: { workspaceId: ws.workspaceId } })).toBe(0);

    const read = await graphql(/* GraphQL */ `{ tickets { totalCount } }`, {}, { apiKey: readOnly });
    expect(read.data).toEqual({ tickets: { totalCount: 1 } });
    const customersOnly = await ws.createKey(['customers:read']);
    const denied = await graphql(/* GraphQL */ `{ tickets { totalCount } }`, {}, { apiKey: customersOnly });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const viaNode = await graphql(/* GraphQL */ `query ($id: ID!) { node(id: $id) { id } }`, { id }, { apiKey: customersOnly });
    expect(viaNode.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
