import { describe, expect, it } from 'vitest';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';
import { eventsSince, gid, mark, run } from './events-helpers.ts';

/** The outbox in the tickets service: which events each ticket mutation writes. */

async function newTicket(ws: TestWorkspace, requesterId: string, input: Record<string, unknown> = {}) {
  const { prisma } = await testDatabase();
  const subject = `T ${Math.random()}`;
  expect((await run(ws, 'createTicket', { subject, requesterId: gid('Customer', requesterId), ...input })).__typename).toBe('TicketPayload');
  return prisma.ticket.findFirstOrThrow({ where: { workspaceId: ws.workspaceId, subject } });
}

describe('ticket events', () => {
  it('create, update, comment: one event per change with the changed fields of the trail', async () => {
    const ws = await createTestWorkspace();
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    let at = await mark(ws);
    const ticket = await newTicket(ws, customer!.id, { assigneeId: gid('Agent', ws.agentId) });
    let step = await eventsSince(ws, at);
    expect(step.pairs).toEqual([['ticket.created', gid('Ticket', ticket.id)]]);
    expect(step.events[0]!.payload).toMatchObject({ customerId: gid('Customer', customer!.id), assigneeId: gid('Agent', ws.agentId), status: 'NEW' });

    await run(ws, 'updateTicket', { id: gid('Ticket', ticket.id), priority: 'HIGH', tags: ['a'], subject: ticket.subject });
    step = await eventsSince(ws, (at = step.cursor));
    expect(step.pairs).toEqual([['ticket.updated', gid('Ticket', ticket.id)]]);
    expect(step.events[0]!.payload.changedFields).toEqual(['priority', 'tags']);

    // A no-op update changes nothing and records nothing.
    await run(ws, 'updateTicket', { id: gid('Ticket', ticket.id), priority: 'HIGH' });
    step = await eventsSince(ws, (at = step.cursor));
    expect(step.pairs).toEqual([]);

    // An agent's first public reply: a comment plus status and first response.
    await run(ws, 'addTicketComment', { ticketId: gid('Ticket', ticket.id), body: 'On it' });
    step = await eventsSince(ws, (at = step.cursor));
    expect(step.pairs).toEqual([
      ['ticket.commented', gid('Ticket', ticket.id)],
      ['ticket.updated', gid('Ticket', ticket.id)],
    ]);
    expect(step.events[0]!.payload.commentId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(step.events[1]!.payload).toMatchObject({ changedFields: ['firstResponseAt', 'status'], status: 'OPEN' });

    // An internal note changes nothing else.
    await run(ws, 'addTicketComment', { ticketId: gid('Ticket', ticket.id), body: 'note', isPublic: false });
    step = await eventsSince(ws, (at = step.cursor));
    expect(step.events.map((e) => e.type)).toEqual(['ticket.commented']);

    // Typed failures: nothing.
    expect(await run(ws, 'updateTicket', { id: gid('Ticket', ticket.id), status: 'CLOSED' })).toMatchObject({ __typename: 'InvalidStateError' });
    expect(await run(ws, 'updateTicket', { id: gid('Ticket', ticket.id), priority: 'LOW', expectedVersion: 1 })).toMatchObject({ __typename: 'ConflictError' });
    expect((await eventsSince(ws, step.cursor)).pairs).toEqual([]);
  });

  it('merge is a tombstone; links, problem solving and bulk updates report every changed ticket', async () => {
    const ws = await createTestWorkspace();
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const source = await newTicket(ws, customer!.id, { tags: ['dup'] });
    const target = await newTicket(ws, customer!.id);
    let at = await mark(ws);
    await run(ws, 'mergeTickets', { sourceId: gid('Ticket', source.id), targetId: gid('Ticket', target.id) });
    let step = await eventsSince(ws, at);
    expect(step.pairs).toEqual([
      ['ticket.merged', gid('Ticket', source.id)],
      ['ticket.updated', gid('Ticket', target.id)],
    ]);
    expect(step.events[0]!.payload).toMatchObject({ mergedIntoId: gid('Ticket', target.id), status: 'CLOSED' });
    expect(step.events[1]!.payload).toMatchObject({ mergedFromId: gid('Ticket', source.id), changedFields: ['tags'] });

    const problem = await newTicket(ws, customer!.id, { type: 'PROBLEM' });
    const incidents = [await newTicket(ws, customer!.id, { type: 'INCIDENT' }), await newTicket(ws, customer!.id, { type: 'INCIDENT' })];
    at = await mark(ws);
    for (const incident of incidents) {
      await run(ws, 'linkIncidentToProblem', { incidentId: gid('Ticket', incident.id), problemId: gid('Ticket', problem.id) });
    }
    step = await eventsSince(ws, at);
    expect(step.pairs).toEqual(incidents.map((i) => ['ticket.updated', gid('Ticket', i.id)]));
    expect(step.events[0]!.payload.changedFields).toEqual(['problemId']);

    // Solving the problem solves its incidents in the same transaction.
    await run(ws, 'updateTicket', { id: gid('Ticket', problem.id), status: 'SOLVED' });
    step = await eventsSince(ws, (at = step.cursor));
    expect(step.pairs).toEqual([problem, ...incidents].map((t) => ['ticket.updated', gid('Ticket', t.id)]));
    for (const e of step.events) expect(e.payload).toMatchObject({ changedFields: ['status'], status: 'SOLVED' });

    const a = await newTicket(ws, customer!.id, { priority: 'HIGH' });
    const b = await newTicket(ws, customer!.id);
    at = await mark(ws);
    const bulk = await run(ws, 'bulkUpdateTickets', { ids: [gid('Ticket', a.id), gid('Ticket', b.id)], changes: { priority: 'HIGH' } });
    expect(bulk.__typename).toBe('BulkUpdateTicketsPayload');
    // Only the ticket that changed.
    step = await eventsSince(ws, at);
    expect(step.pairs).toEqual([['ticket.updated', gid('Ticket', b.id)]]);

    // One ticket that cannot take the change rolls the whole batch back: no events at all.
    const closed = source;
    const failed = await run(ws, 'bulkUpdateTickets', { ids: [gid('Ticket', a.id), gid('Ticket', closed.id)], changes: { priority: 'LOW' } });
    expect(failed).toMatchObject({ __typename: 'BulkUpdateError' });
    const missing = await run(ws, 'bulkUpdateTickets', { ids: [gid('Ticket', a.id), gid('Ticket', '01900000-0000-7000-8000-000000000000')], changes: { priority: 'LOW' } });
    expect(missing).toMatchObject({ __typename: 'BulkUpdateError', code: 'NOT_FOUND' });
    expect((await eventsSince(ws, step.cursor)).pairs).toEqual([]);
  });

  it('escalateConversation writes ticket.created, message.added and conversation.updated together', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    await run(ws, 'startConversation', { channel: 'CHAT', body: 'Broken', customer: { email: 'esc@example.com' } });
    const conv = await prisma.conversation.findFirstOrThrow({ where: { workspaceId: ws.workspaceId } });
    const at = await mark(ws);
    expect((await run(ws, 'escalateConversation', { conversationId: gid('Conversation', conv.id), note: 'Needs support' })).__typename).toBe(
      'EscalateConversationPayload',
    );
    const ticket = await prisma.ticket.findFirstOrThrow({ where: { workspaceId: ws.workspaceId } });
    const note = await prisma.message.findFirstOrThrow({ where: { conversationId: conv.id, authorKind: 'SYSTEM' } });
    const step = await eventsSince(ws, at);
    expect(step.pairs).toEqual([
      ['ticket.created', gid('Ticket', ticket.id)],
      ['message.added', gid('Message', note.id)],
      ['conversation.updated', gid('Conversation', conv.id)],
    ]);
    expect(step.events[0]!.payload).toMatchObject({ conversationId: gid('Conversation', conv.id), customerId: gid('Customer', conv.customerId) });
    expect(step.events[2]!.payload).toMatchObject({ ticketId: gid('Ticket', ticket.id), changedFields: ['messageCount'] });
    // Escalating a SUPPORT conversation fails: nothing recorded.
    await prisma.conversation.update({ where: { id: conv.id }, data: { function: 'SUPPORT' } });
    expect(await run(ws, 'escalateConversation', { conversationId: gid('Conversation', conv.id), note: 'again' })).toMatchObject({ __typename: 'InvalidStateError' });
    expect((await eventsSince(ws, step.cursor)).pairs).toEqual([]);
  });
});

describe('knowledge and survey events', () => {
  it('articles, categories and surveys', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const at = await mark(ws);
    await run(ws, 'createArticleCategory', { name: 'Billing' });
    await run(ws, 'createArticle', { title: 'Refunds', body: 'How to' });
    const category = await prisma.articleCategory.findFirstOrThrow({ where: { workspaceId: ws.workspaceId } });
    const article = await prisma.article.findFirstOrThrow({ where: { workspaceId: ws.workspaceId } });
    const id = gid('Article', article.id);
    await run(ws, 'updateArticle', { id, body: 'How to get a refund', title: 'Refunds' });
    await run(ws, 'publishArticle', { id });
    await run(ws, 'rateArticle', { id, helpful: true });
    await run(ws, 'archiveArticle', { id });
    expect(await run(ws, 'rateArticle', { id, helpful: false })).toMatchObject({ __typename: 'InvalidStateError' });
    expect(await run(ws, 'archiveArticle', { id })).toMatchObject({ __typename: 'InvalidStateError' });
    await run(ws, 'sendSurvey', { kind: 'CSAT', customerId: gid('Customer', customer!.id) });
    const survey = await prisma.surveyResponse.findFirstOrThrow({ where: { workspaceId: ws.workspaceId } });
    await run(ws, 'submitSurveyResponse', { surveyId: gid('SurveyResponse', survey.id), score: 5 });
    expect(await run(ws, 'submitSurveyResponse', { surveyId: gid('SurveyResponse', survey.id), score: 4 })).toMatchObject({ __typename: 'InvalidStateError' });
    await run(ws, 'submitSurveyResponse', { kind: 'NPS', customerId: gid('Customer', customer!.id), score: 9 });
    const unsolicited = await prisma.surveyResponse.findFirstOrThrow({ where: { workspaceId: ws.workspaceId, kind: 'NPS' } });

    const step = await eventsSince(ws, at);
    expect(step.pairs).toEqual([
      ['article_category.created', gid('ArticleCategory', category.id)],
      ['article.created', id],
      ['article.updated', id],
      ['article.published', id],
      ['article.rated', id],
      ['article.archived', id],
      ['survey.sent', gid('SurveyResponse', survey.id)],
      ['survey.answered', gid('SurveyResponse', survey.id)],
      ['survey.answered', gid('SurveyResponse', unsolicited.id)],
    ]);
    expect(step.events[2]!.payload).toMatchObject({ changedFields: ['body'], status: 'DRAFT' });
    expect(step.events[3]!.payload).toMatchObject({ status: 'PUBLISHED' });
    expect(step.events[6]!.payload).toMatchObject({ customerId: gid('Customer', customer!.id), kind: 'CSAT' });
  });
});
