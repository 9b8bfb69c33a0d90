import { describe, expect, it } from 'vitest';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers } from './helpers/factories.ts';
import { eventsSince, gid, mark, run } from './events-helpers.ts';

/** The outbox in the customers and conversations services: which events each mutation writes. */

describe('customer and organization events', () => {
  it('create, update, merge and behavioural events each write exactly their events', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    let at = await mark(ws);

    expect(await run(ws, 'createOrganization', { name: 'Globex', domains: ['globex.com'] })).toMatchObject({ __typename: 'OrganizationPayload' });
    const org = await prisma.organization.findFirstOrThrow({ where: { workspaceId: ws.workspaceId } });
    let step = await eventsSince(ws, at);
    expect(step.pairs).toEqual([['organization.created', gid('Organization', org.id)]]);
    expect(step.events[0]!.actorKind).toBe('AGENT');

    expect((await run(ws, 'createCustomer', { name: 'Hank', email: 'hank@globex.com' })).__typename).toBe('CustomerPayload');
    const hank = await prisma.customer.findFirstOrThrow({ where: { workspaceId: ws.workspaceId, email: 'hank@globex.com' } });
    step = await eventsSince(ws, (at = step.cursor));
    expect(step.pairs).toEqual([['customer.created', gid('Customer', hank.id)]]);
    expect(step.events[0]!.payload).toEqual({ organizationId: gid('Organization', org.id) });

    await run(ws, 'updateCustomer', { id: gid('Customer', hank.id), name: 'Hank Scorpio', phone: '+1 555 0100', email: 'hank@globex.com' });
    step = await eventsSince(ws, (at = step.cursor));
    expect(step.pairs).toEqual([['customer.updated', gid('Customer', hank.id)]]);
    // The unchanged email is not a changed field.
    expect(step.events[0]!.payload.changedFields).toEqual(['name', 'phone']);

    await run(ws, 'updateOrganization', { id: gid('Organization', org.id), tier: 'ENTERPRISE' });
    step = await eventsSince(ws, (at = step.cursor));
    expect(step.pairs).toEqual([['organization.updated', gid('Organization', org.id)]]);
    expect(step.events[0]!.payload).toEqual({ changedFields: ['tier'] });

    expect((await run(ws, 'recordCustomerEvent', { customerId: gid('Customer', hank.id), type: 'purchase', value: 10, currency: 'EUR' })).__typename).toBe(
      'RecordCustomerEventPayload',
    );
    const purchase = await prisma.customerEvent.findFirstOrThrow({ where: { workspaceId: ws.workspaceId } });
    step = await eventsSince(ws, (at = step.cursor));
    expect(step.pairs).toEqual([['customer.event_recorded', gid('CustomerEvent', purchase.id)]]);
    expect(step.events[0]!.payload).toMatchObject({ customerId: gid('Customer', hank.id), eventType: 'purchase' });

    // Seen a day before Hank: the merge moves the primary's firstSeenAt back.
    const [dup] = await insertCustomers(ws.workspaceId, 1, { phone: '+1 555 0199' }, Date.now() - 86_400_000);
    await run(ws, 'mergeCustomers', { primaryId: gid('Customer', hank.id), duplicateId: gid('Customer', dup!.id) });
    step = await eventsSince(ws, (at = step.cursor));
    // The duplicate is a tombstone pointing at the primary.
    expect(step.pairs).toEqual([
      ['customer.merged', gid('Customer', dup!.id)],
      ['customer.updated', gid('Customer', hank.id)],
    ]);
    expect(step.events[0]!.payload).toEqual({ mergedIntoId: gid('Customer', hank.id) });
    expect(step.events[1]!.payload).toMatchObject({ mergedFromId: gid('Customer', dup!.id), changedFields: expect.arrayContaining(['firstSeenAt']) });
  });

  it('failed mutations write no event', async () => {
    const ws = await createTestWorkspace();
    await run(ws, 'createCustomer', { email: 'taken@example.com' });
    await run(ws, 'createOrganization', { name: 'Initech', domains: ['initech.com'] });
    const at = await mark(ws);
    expect(await run(ws, 'createCustomer', { email: 'TAKEN@example.com' })).toMatchObject({ __typename: 'ConflictError', field: 'input.email' });
    expect(await run(ws, 'createCustomer', { email: 'nope' })).toMatchObject({ __typename: 'ValidationError' });
    expect(await run(ws, 'createOrganization', { name: 'Other', domains: ['initech.com'] })).toMatchObject({ __typename: 'ConflictError' });
    const [a] = await insertCustomers(ws.workspaceId, 1);
    // The unique violation happens inside the transaction: it rolls back with no event.
    expect(await run(ws, 'updateCustomer', { id: gid('Customer', a!.id), email: 'taken@example.com' })).toMatchObject({ __typename: 'ConflictError' });
    expect(await run(ws, 'mergeCustomers', { primaryId: gid('Customer', a!.id), duplicateId: gid('Customer', a!.id) })).toMatchObject({
      __typename: 'ValidationError',
    });
    expect((await eventsSince(ws, at)).pairs).toEqual([]);
  });
});

describe('conversation events', () => {
  it('startConversation, sendMessage, assign and status changes', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    let at = await mark(ws);
    await run(ws, 'startConversation', { channel: 'CHAT', body: 'Hi', customer: { email: 'new@example.com', name: 'New' } });
    const conv = await prisma.conversation.findFirstOrThrow({ where: { workspaceId: ws.workspaceId } });
    const first = await prisma.message.findFirstOrThrow({ where: { conversationId: conv.id } });
    let step = await eventsSince(ws, at);
    expect(step.pairs).toEqual([
      ['customer.created', gid('Customer', conv.customerId)],
      ['conversation.created', gid('Conversation', conv.id)],
      ['message.added', gid('Message', first.id)],
    ]);
    expect(step.events[1]!.payload).toMatchObject({ customerId: gid('Customer', conv.customerId), status: 'OPEN' });
    expect(step.events[2]!.payload).toMatchObject({ conversationId: gid('Conversation', conv.id) });

    // A known customer: no customer.created.
    await run(ws, 'startConversation', { channel: 'EMAIL', body: 'Again', customer: { email: 'new@example.com' } });
    step = await eventsSince(ws, (at = step.cursor));
    expect(step.events.map((e) => e.type)).toEqual(['conversation.created', 'message.added']);

    await run(ws, 'sendMessage', { conversationId: gid('Conversation', conv.id), authorKind: 'AGENT', body: 'Hello!' });
    const reply = await prisma.message.findFirstOrThrow({ where: { conversationId: conv.id, authorKind: 'AGENT' } });
    step = await eventsSince(ws, (at = step.cursor));
    expect(step.pairs).toEqual([
      ['message.added', gid('Message', reply.id)],
      ['conversation.updated', gid('Conversation', conv.id)],
    ]);
    expect(step.events[1]!.payload.changedFields).toEqual(['messageCount', 'waitingSince', 'firstAgentResponseAt', 'lastAgentMessageAt']);

    const team = await prisma.team.create({ data: { workspaceId: ws.workspaceId, name: 'Tier 1', function: 'SERVICE' } });
    await run(ws, 'assignConversation', { conversationId: gid('Conversation', conv.id), assigneeId: gid('Agent', ws.agentId), teamId: gid('Team', team.id) });
    step = await eventsSince(ws, (at = step.cursor));
    expect(step.pairs).toEqual([['conversation.updated', gid('Conversation', conv.id)]]);
    expect(step.events[0]!.payload).toMatchObject({
      changedFields: ['assigneeId', 'teamId'],
      assigneeId: gid('Agent', ws.agentId),
      teamId: gid('Team', team.id),
      customerId: gid('Customer', conv.customerId),
    });

    await run(ws, 'setConversationStatus', { conversationId: gid('Conversation', conv.id), status: 'RESOLVED' });
    step = await eventsSince(ws, (at = step.cursor));
    expect(step.pairs).toEqual([['conversation.updated', gid('Conversation', conv.id)]]);
    expect(step.events[0]!.payload).toMatchObject({ status: 'RESOLVED', changedFields: expect.arrayContaining(['status', 'resolvedAt']) });

    // Typed failures write nothing.
    expect(await run(ws, 'setConversationStatus', { conversationId: gid('Conversation', conv.id), status: 'PENDING' })).toMatchObject({
      __typename: 'InvalidStateError',
    });
    expect(await run(ws, 'sendMessage', { conversationId: gid('Conversation', conv.id), authorKind: 'CUSTOMER', body: 'x', expectedVersion: 1 })).toMatchObject({
      __typename: 'ConflictError',
    });
    expect((await eventsSince(ws, step.cursor)).pairs).toEqual([]);
  });
});
