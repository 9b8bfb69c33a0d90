import { describe, expect, it } from 'vitest';
import { encodeEventCursor } from '../src/events/stream.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { MESSAGE_ADDED, settle, subscribe, useLiveServer } from './helpers/ws.ts';

/**
 * Durable subscriptions over a real port (graphql-ws): routing, filters, cursors and resume.
 * Event rows are written directly, as a service's transaction would; subscribing `after` a
 * marker event makes each test independent of how long a subscription takes to start.
 */

const live = useLiveServer();
const connect = live.connect;
const setup = live.setup;

describe('messageAdded', () => {
  it('delivers the messages of its conversation only, never another conversation\'s or workspace\'s', async () => {
    const { ws, prisma, fx, customer } = await setup();
    const mine = await fx.conversation(customer.id);
    const other = await fx.conversation(customer.id);
    const stranger = await setup();
    const conn = connect(ws.apiKey);
    const sub = subscribe(conn.client, MESSAGE_ADDED, { id: encodeGlobalId('Conversation', mine.id), after: await fx.mark() });
    await fx.message(other.id, customer.id, 'not for you');
    // Another workspace's event naming our conversation in its payload must not cross over.
    await stranger.fx.event('message.added', 'Message', (await prisma.message.create({
      data: { workspaceId: ws.workspaceId, conversationId: mine.id, authorKind: 'CUSTOMER', direction: 'INBOUND', body: 'forged' } as never,
    })).id, { conversationId: mine.id });
    const first = await fx.message(mine.id, customer.id, 'hello');
    const second = await fx.message(mine.id, customer.id, 'again');
    const items = await sub.waitFor(2);
    await settle(400);
    expect(sub.errors).toEqual([]);
    expect(items.map((i) => i.messageAdded.message.body)).toEqual(['hello', 'again']);
    expect(items[0].messageAdded).toMatchObject({
      eventId: first.event.id.toString(),
      cursor: encodeEventCursor(first.event.id),
      type: 'message.added',
      conversation: { id: encodeGlobalId('Conversation', mine.id) },
    });
    expect(items[1].messageAdded.eventId).toBe(second.event.id.toString());
    sub.unsubscribe();
  });

  it('resumes from a cursor: exactly the missed events in order, then live ones', async () => {
    const { ws, fx, customer } = await setup();
    const conversation = await fx.conversation(customer.id);
    const id = encodeGlobalId('Conversation', conversation.id);
    const first = connect(ws.apiKey);
    const live = subscribe(first.client, MESSAGE_ADDED, { id, after: await fx.mark() });
    await fx.message(conversation.id, customer.id, 'm1');
    await fx.message(conversation.id, customer.id, 'm2');
    const received = await live.waitFor(2);
    const lastCursor = received[1].messageAdded.cursor as string;
    await first.dispose();

    for (const body of ['m3', 'm4', 'm5']) await fx.message(conversation.id, customer.id, body);
    const second = connect(ws.apiKey);
    const resumed = subscribe(second.client, MESSAGE_ADDED, { id, after: lastCursor });
    await resumed.waitFor(3);
    await fx.message(conversation.id, customer.id, 'm6');
    await resumed.waitFor(4);
    await settle(400);
    expect(resumed.items.map((i) => i.messageAdded.message.body)).toEqual(['m3', 'm4', 'm5', 'm6']);
    const ids = resumed.items.map((i) => BigInt(i.messageAdded.eventId));
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
  });

  it('rejects a malformed cursor (BAD_USER_INPUT) and an expired or foreign one (CURSOR_EXPIRED)', async () => {
    const { ws, fx, customer } = await setup();
    const conversation = await fx.conversation(customer.id);
    const id = encodeGlobalId('Conversation', conversation.id);
    const old = await fx.event('message.added', 'Message', conversation.id, { conversationId: conversation.id }, new Date(Date.now() - 8 * 86_400_000));
    const stranger = await setup();
    const foreign = await stranger.fx.event('customer.created', 'Customer', stranger.customer.id);
    const conn = connect(ws.apiKey);
    const cases = [
      ['not a cursor!', 'BAD_USER_INPUT'],
      [Buffer.from('Ticket:12').toString('base64url'), 'BAD_USER_INPUT'],
      [encodeEventCursor(old.id), 'CURSOR_EXPIRED'],
      [encodeEventCursor(foreign.id), 'CURSOR_EXPIRED'],
      [encodeEventCursor(999_999_999_999n), 'CURSOR_EXPIRED'],
    ] as const;
    for (const [after, code] of cases) {
      const sub = subscribe(conn.client, MESSAGE_ADDED, { id, after });
      await sub.ended();
      expect(sub.items).toEqual([]);
      expect(sub.errors[0]?.extensions?.code, after).toBe(code);
    }
    const wrongType = subscribe(conn.client, MESSAGE_ADDED, { id: encodeGlobalId('Ticket', conversation.id) });
    await wrongType.ended();
    expect(wrongType.errors[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('conversationUpdated, ticketCreated, ticketUpdated, customerTimelineUpdated', () => {
  it('conversationUpdated applies the filter to the conversation as it is, and reports changedFields', async () => {
    const { ws, fx, customer } = await setup();
    const team = await fx.team();
    const match = await fx.conversation(customer.id, { channel: 'EMAIL', status: 'OPEN', teamId: team.id });
    const wrongChannel = await fx.conversation(customer.id, { channel: 'SMS', status: 'OPEN', teamId: team.id });
    const wrongStatus = await fx.conversation(customer.id, { channel: 'EMAIL', status: 'RESOLVED', teamId: team.id });
    const noTeam = await fx.conversation(customer.id, { channel: 'EMAIL', status: 'OPEN' });
    const conn = connect(ws.apiKey);
    const sub = subscribe(
      conn.client,
      /* GraphQL */ `
        subscription ($filter: ConversationSubscriptionFilter, $after: String) {
          conversationUpdated(filter: $filter, after: $after) { type changedFields conversation { id status channel } }
        }
      `,
      { filter: { teamId: encodeGlobalId('Team', team.id), status: ['OPEN', 'PENDING'], channel: ['EMAIL'] }, after: await fx.mark() },
    );
    for (const c of [wrongChannel, wrongStatus, noTeam, match]) {
      await fx.event('conversation.updated', 'Conversation', c.id, { customerId: customer.id, teamId: c.teamId, changedFields: ['status'] });
    }
    const [item] = await sub.waitFor(1);
    await settle(400);
    expect(sub.items).toHaveLength(1);
    expect(item.conversationUpdated).toEqual({
      type: 'conversation.updated',
      changedFields: ['status'],
      conversation: { id: encodeGlobalId('Conversation', match.id), status: 'OPEN', channel: 'EMAIL' },
    });
  });

  it('ticketCreated filters by priority; ticketUpdated follows one ticket', async () => {
    const { ws, fx, customer } = await setup();
    const conn = connect(ws.apiKey);
    const created = subscribe(
      conn.client,
      /* GraphQL */ `subscription ($after: String) { ticketCreated(filter: { priority: [URGENT, HIGH] }, after: $after) { type ticket { subject priority } } }`,
      { after: await fx.mark() },
    );
    await fx.ticket(customer.id, { subject: 'low one', priority: 'LOW' });
    const urgent = await fx.ticket(customer.id, { subject: 'urgent one', priority: 'URGENT' });
    const other = await fx.ticket(customer.id, { subject: 'other one', priority: 'HIGH' });
    await created.waitFor(2);
    expect(created.items.map((i) => i.ticketCreated.ticket.subject)).toEqual(['urgent one', 'other one']);

    const updated = subscribe(
      conn.client,
      /* GraphQL */ `subscription ($id: ID, $after: String) { ticketUpdated(ticketId: $id, after: $after) { type changedFields ticket { subject } } }`,
      { id: encodeGlobalId('Ticket', urgent.ticket.id), after: await fx.mark() },
    );
    await fx.event('ticket.updated', 'Ticket', other.ticket.id, { changedFields: ['status'] });
    await fx.event('ticket.updated', 'Ticket', urgent.ticket.id, { changedFields: ['priority', 'assigneeId'] });
    await fx.event('ticket.commented', 'TicketComment', customer.id, { ticketId: urgent.ticket.id });
    await updated.waitFor(2);
    await settle(400);
    expect(updated.items.map((i) => [i.ticketUpdated.type, i.ticketUpdated.changedFields, i.ticketUpdated.ticket.subject])).toEqual([
      ['ticket.updated', ['priority', 'assigneeId'], 'urgent one'],
      ['ticket.commented', [], 'urgent one'],
    ]);
  });

  it('customerTimelineUpdated follows one customer across object types', async () => {
    const { ws, fx, customer } = await setup();
    const someoneElse = await fx.customer('Someone Else');
    const conversation = await fx.conversation(customer.id);
    const conn = connect(ws.apiKey);
    const sub = subscribe(
      conn.client,
      /* GraphQL */ `subscription ($id: ID!, $after: String) { customerTimelineUpdated(customerId: $id, after: $after) { type subjectType subjectId customer { name } } }`,
      { id: encodeGlobalId('Customer', customer.id), after: await fx.mark() },
    );
    await fx.event('customer.updated', 'Customer', someoneElse.id, { changedFields: ['name'] });
    await fx.event('customer.updated', 'Customer', customer.id, { changedFields: ['name'] });
    await fx.message(conversation.id, customer.id, 'hi');
    await fx.ticket(customer.id);
    await sub.waitFor(3);
    await settle(400);
    expect(sub.items.map((i) => [i.customerTimelineUpdated.type, i.customerTimelineUpdated.customer.name])).toEqual([
      ['customer.updated', 'Live Customer'],
      ['message.added', 'Live Customer'],
      ['ticket.created', 'Live Customer'],
    ]);
    expect(sub.items[0].customerTimelineUpdated.subjectId).toBe(encodeGlobalId('Customer', customer.id));
  });
});
