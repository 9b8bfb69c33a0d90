import { describe, expect, it } from 'vitest';
import { decodeGlobalId, encodeGlobalId } from '../src/schema/global-id.ts';
import { graphql } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';

import { COMMENT, CREATE, gid, history, HISTORY, newTicket, TICKET, UPDATE } from './helpers/tickets.ts';

/** Puts a ticket straight into a status (fixture setup for state-machine tests). */
async function forceStatus(ticketId: string, status: string) {
  const { prisma } = await testDatabase();
  await prisma.ticket.update({ where: { id: decodeGlobalId(ticketId).id }, data: { status: status as never } });
}

describe('createTicket', () => {
  it('creates a NEW ticket with defaults, the requester\'s organization, the actor as creator and a CREATED entry', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const org = await prisma.organization.create({ data: { workspaceId: ws.workspaceId, name: 'Initech', domains: [] } });
    const [customer] = await insertCustomers(ws.workspaceId, 1, { organizationId: org.id });
    const ticket = await newTicket(ws, {
      requesterId: gid('Customer', customer!.id),
      description: 'It is on fire.',
      tags: ['hardware', 'hardware', 'urgent'],
      customFields: { sku: 'PC-LOAD-LETTER' },
    });
    expect(ticket).toMatchObject({
      number: 1,
      subject: 'Printer on fire',
      description: 'It is on fire.',
      status: 'NEW',
      priority: 'NORMAL',
      type: 'QUESTION',
      function: 'SUPPORT',
      tags: ['hardware', 'urgent'],
      customFields: { sku: 'PC-LOAD-LETTER' },
      version: 1,
      reopenCount: 0,
      publicAgentReplyCount: 0,
      firstResponseAt: null,
      requester: { id: gid('Customer', customer!.id) },
      organization: { id: gid('Organization', org.id) },
    });
    const row = await prisma.ticket.findUniqueOrThrow({ where: { id: decodeGlobalId(ticket.id).id } });
    expect(row).toMatchObject({ createdByKind: 'AGENT', createdByAgentId: ws.agentId, workspaceId: ws.workspaceId });
    const trail = await history(ws, ticket.id);
    expect(trail).toHaveLength(1);
    expect(trail[0]).toMatchObject({ kind: 'CREATED', field: null, actorKind: 'AGENT', actorAgent: { id: gid('Agent', ws.agentId) } });
    expect(trail[0].newValue).toMatchObject({ number: 1, status: 'NEW', requesterId: gid('Customer', customer!.id) });
  });

  it('records an integration key (no agent) as API_KEY creator, and lets the caller choose the organization', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const org = await prisma.organization.create({ data: { workspaceId: ws.workspaceId, name: 'Other account', domains: [] } });
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const key = await ws.createKey(['tickets:write', 'customers:read'], { agentId: null });
    const res = await graphql(CREATE, { input: { subject: 'Via integration', requesterId: gid('Customer', customer!.id), organizationId: gid('Organization', org.id), priority: 'HIGH', type: 'TASK' } }, { apiKey: key });
    const ticket = res.data!.createTicket.ticket;
    expect(ticket).toMatchObject({ priority: 'HIGH', type: 'TASK', organization: { id: gid('Organization', org.id) } });
    const row = await prisma.ticket.findUniqueOrThrow({ where: { id: decodeGlobalId(ticket.id).id } });
    expect(row).toMatchObject({ createdByKind: 'API_KEY', createdByAgentId: null });
    const event = await prisma.ticketEvent.findFirstOrThrow({ where: { ticketId: row.id } });
    expect(event).toMatchObject({ kind: 'CREATED', actorKind: 'API_KEY', actorAgentId: null });
    expect(event.actorApiKeyId).not.toBeNull();
  });

  it('hands out numbers 1..20 to 20 parallel creations: no duplicates, no gaps, per workspace', async () => {
    const [ws, other] = await Promise.all([createTestWorkspace(), createTestWorkspace()]);
    const customers = await insertCustomers(ws.workspaceId, 20);
    const results = await Promise.all(
      customers.map((c, i) => ws.gql(CREATE, { input: { subject: `Parallel ${i}`, requesterId: gid('Customer', c.id) } })),
    );
    for (const r of results) expect(r.data?.createTicket.__typename, JSON.stringify(r.errors)).toBe('TicketPayload');
    const numbers = results.map((r) => r.data!.createTicket.ticket.number).sort((a: number, b: number) => a - b);
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const { prisma } = await testDatabase();
    expect((await prisma.workspace.findUniqueOrThrow({ where: { id: ws.workspaceId } })).ticketSequence).toBe(20);
    // Another workspace counts on its own.
    expect((await newTicket(other)).number).toBe(1);
  });

  it.each([
    [{ subject: '   ' }, 'ValidationError', 'input.subject'],
    [{ subject: 'x'.repeat(501) }, 'ValidationError', 'input.subject'],
    [{ customFields: ['not', 'an', 'object'] }, 'ValidationError', 'input.customFields'],
    [{ tags: [''] }, 'ValidationError', 'input.tags.0'],
    [{ assigneeId: gid('Agent', '0190a0a0-0000-7000-8000-000000000000') }, 'NotFoundError', 'input.assigneeId'],
    [{ teamId: gid('Team', '0190a0a0-0000-7000-8000-000000000000') }, 'NotFoundError', 'input.teamId'],
    [{ requesterId: gid('Customer', '0190a0a0-0000-7000-8000-000000000000') }, 'NotFoundError', 'input.requesterId'],
  ])('returns a typed error for %j and uses up no number', async (input, typename, field) => {
    const ws = await createTestWorkspace();
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const res = await ws.gql(CREATE, { input: { subject: 'ok', requesterId: gid('Customer', customer!.id), ...input } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.createTicket).toMatchObject({ __typename: typename, field });
    expect((await newTicket(ws, { requesterId: gid('Customer', customer!.id) })).number).toBe(1);
  });

  it('refuses an inactive assignee, a merged-away requester and an id of the wrong type', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const [customer, merged] = await insertCustomers(ws.workspaceId, 2);
    await prisma.customer.update({ where: { id: merged!.id }, data: { mergedIntoId: customer!.id } });
    const agent = await prisma.agent.create({ data: { workspaceId: ws.workspaceId, name: 'Gone', email: `gone-${ws.workspaceId}@x.test`, active: false } });
    const base = { subject: 'x', requesterId: gid('Customer', customer!.id) };
    const inactive = await ws.gql(CREATE, { input: { ...base, assigneeId: gid('Agent', agent.id) } });
    expect(inactive.data!.createTicket).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE', field: 'input.assigneeId' });
    const mergedAway = await ws.gql(CREATE, { input: { ...base, requesterId: gid('Customer', merged!.id) } });
    expect(mergedAway.data!.createTicket).toMatchObject({ __typename: 'InvalidStateError', field: 'input.requesterId' });
    const wrongType = await ws.gql(CREATE, { input: { ...base, requesterId: gid('Organization', customer!.id) } });
    expect(wrongType.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('updateTicket', () => {
  it('writes one FIELD_CHANGED entry per changed field with old and new values, and none for unchanged fields', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const team = await prisma.team.create({ data: { workspaceId: ws.workspaceId, name: 'Tier 2', function: 'SUPPORT' } });
    const ticket = await newTicket(ws, { tags: ['a'], customFields: { plan: 'gold', region: 'eu' } });
    const res = await ws.gql(UPDATE, {
      input: {
        id: ticket.id,
        subject: ticket.subject, // unchanged: no entry
        priority: 'URGENT',
        assigneeId: gid('Agent', ws.agentId),
        teamId: gid('Team', team.id),
        tags: ['a', 'b'],
        customFields: { plan: 'platinum', region: 'eu', legacy: null, seats: 10 },
      },
    });
    expect(res.data!.updateTicket.__typename).toBe('TicketPayload');
    expect(res.data!.updateTicket.ticket).toMatchObject({ priority: 'URGENT', tags: ['a', 'b'], customFields: { plan: 'platinum', region: 'eu', seats: 10 }, version: 2 });
    const changes = (await history(ws, ticket.id)).slice(1);
    expect(changes.map((e: any) => [e.kind, e.field, e.oldValue, e.newValue])).toEqual([
      ['FIELD_CHANGED', 'priority', 'NORMAL', 'URGENT'],
      ['FIELD_CHANGED', 'assigneeId', null, gid('Agent', ws.agentId)],
      ['FIELD_CHANGED', 'teamId', null, gid('Team', team.id)],
      ['FIELD_CHANGED', 'tags', ['a'], ['a', 'b']],
      ['FIELD_CHANGED', 'customFields.plan', 'gold', 'platinum'],
      ['FIELD_CHANGED', 'customFields.seats', null, 10],
    ]);
    expect(changes.every((e: any) => e.actorKind === 'AGENT' && e.actorAgent.id === gid('Agent', ws.agentId))).toBe(true);

    // Unassigning and removing a custom field are changes too; re-sending values is not.
    const again = await ws.gql(UPDATE, { input: { id: ticket.id, assigneeId: null, priority: 'URGENT', tags: ['b', 'a'], customFields: { region: null } } });
    expect(again.data!.updateTicket.ticket).toMatchObject({ version: 3, customFields: { plan: 'platinum', seats: 10 } });
    const latest = (await history(ws, ticket.id)).slice(7);
    expect(latest.map((e: any) => [e.field, e.oldValue, e.newValue])).toEqual([
      ['assigneeId', gid('Agent', ws.agentId), null],
      ['customFields.region', 'eu', null],
    ]);

    const noop = await ws.gql(UPDATE, { input: { id: ticket.id, priority: 'URGENT', tags: ['a', 'b'] } });
    expect(noop.data!.updateTicket.ticket.version).toBe(3);
    expect(await history(ws, ticket.id)).toHaveLength(9);
  });

  it('rejects a stale expectedVersion with a ConflictError carrying the current version, changing nothing', async () => {
    const ws = await createTestWorkspace();
    const ticket = await newTicket(ws);
    await ws.gql(UPDATE, { input: { id: ticket.id, priority: 'HIGH' } });
    const stale = await ws.gql(UPDATE, { input: { id: ticket.id, expectedVersion: 1, priority: 'LOW' } });
    expect(stale.data!.updateTicket).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT', field: 'input.expectedVersion', currentVersion: 2 });
    const fresh = await ws.gql(UPDATE, { input: { id: ticket.id, expectedVersion: 2, priority: 'LOW' } });
    expect(fresh.data!.updateTicket.ticket).toMatchObject({ priority: 'LOW', version: 3 });
    expect((await history(ws, ticket.id)).map((e: any) => e.newValue)).toEqual([expect.anything(), 'HIGH', 'LOW']);
  });

  const STATUSES = ['NEW', 'OPEN', 'PENDING', 'ON_HOLD', 'SOLVED', 'CLOSED'];
  const ALLOWED: Record<string, string[]> = {
    NEW: ['OPEN', 'PENDING', 'ON_HOLD', 'SOLVED'],
    OPEN: ['PENDING', 'ON_HOLD', 'SOLVED'],
    PENDING: ['OPEN', 'ON_HOLD', 'SOLVED'],
    ON_HOLD: ['OPEN', 'PENDING', 'SOLVED'],
    SOLVED: ['OPEN', 'CLOSED'],
    CLOSED: [],
  };

  it('follows the status state machine for every pair of statuses', async () => {
    const ws = await createTestWorkspace();
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const pairs = STATUSES.flatMap((from) => STATUSES.filter((to) => to !== from).map((to) => [from, to] as const));
    const outcomes: string[] = [];
    for (const [from, to] of pairs) {
      const ticket = await newTicket(ws, { requesterId: gid('Customer', customer!.id) });
      await forceStatus(ticket.id, from);
      const res = await ws.gql(UPDATE, { input: { id: ticket.id, status: to } });
      const result = res.data!.updateTicket;
      if (result.__typename === 'TicketPayload') expect(result.ticket.status).toBe(to);
      else expect(result).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE', field: from === 'CLOSED' ? 'input' : 'input.status' });
      outcomes.push(`${from}->${to}:${result.__typename === 'TicketPayload' ? 'ok' : 'refused'}`);
    }
    expect(outcomes).toEqual(pairs.map(([from, to]) => `${from}->${to}:${ALLOWED[from]!.includes(to) ? 'ok' : 'refused'}`));
  });

  it('stamps solve, reopen and close times: firstSolvedAt is kept, solvedAt is cleared on reopen, CLOSED is final', async () => {
    const ws = await createTestWorkspace();
    const ticket = await newTicket(ws);
    const solved = (await ws.gql(UPDATE, { input: { id: ticket.id, status: 'SOLVED' } })).data!.updateTicket.ticket;
    expect(solved.solvedAt).not.toBeNull();
    expect(solved.firstSolvedAt).toBe(solved.solvedAt);

    const reopened = (await ws.gql(UPDATE, { input: { id: ticket.id, status: 'OPEN' } })).data!.updateTicket.ticket;
    expect(reopened).toMatchObject({ status: 'OPEN', reopenCount: 1, solvedAt: null, firstSolvedAt: solved.firstSolvedAt });
    expect(reopened.lastReopenedAt).not.toBeNull();

    const solvedAgain = (await ws.gql(UPDATE, { input: { id: ticket.id, status: 'SOLVED' } })).data!.updateTicket.ticket;
    expect(solvedAgain.firstSolvedAt).toBe(solved.firstSolvedAt);
    expect(new Date(solvedAgain.solvedAt).getTime()).toBeGreaterThanOrEqual(new Date(solved.solvedAt).getTime());

    const closed = (await ws.gql(UPDATE, { input: { id: ticket.id, status: 'CLOSED' } })).data!.updateTicket.ticket;
    expect(closed).toMatchObject({ status: 'CLOSED', solvedAt: solvedAgain.solvedAt });
    expect(closed.closedAt).not.toBeNull();

    const afterClose = await ws.gql(UPDATE, { input: { id: ticket.id, priority: 'HIGH' } });
    expect(afterClose.data!.updateTicket).toMatchObject({ __typename: 'InvalidStateError', field: 'input' });
    const comment = await ws.gql(COMMENT, { input: { ticketId: ticket.id, body: 'Hello?' } });
    expect(comment.data!.addTicketComment).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE', field: 'input.ticketId' });

    const kinds = (await history(ws, ticket.id)).map((e: any) => (e.field ? `${e.kind}:${e.field}:${e.oldValue}->${e.newValue}` : e.kind));
    expect(kinds).toEqual([
      'CREATED',
      'FIELD_CHANGED:status:NEW->SOLVED',
      'FIELD_CHANGED:status:SOLVED->OPEN',
      'REOPENED',
      'FIELD_CHANGED:status:OPEN->SOLVED',
      'FIELD_CHANGED:status:SOLVED->CLOSED',
    ]);
  });

  it('returns NotFoundError for an unknown ticket and ValidationError for a null status', async () => {
    const ws = await createTestWorkspace();
    const missing = await ws.gql(UPDATE, { input: { id: gid('Ticket', '0190a0a0-0000-7000-8000-000000000000'), priority: 'LOW' } });
    expect(missing.data!.updateTicket).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND', field: 'input.id' });
    const ticket = await newTicket(ws);
    const nullStatus = await ws.gql(UPDATE, { input: { id: ticket.id, status: null } });
    expect(nullStatus.data!.updateTicket).toMatchObject({ __typename: 'ValidationError', field: 'input.status' });
  });
});
