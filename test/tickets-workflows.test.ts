import { describe, expect, it } from 'vitest';
import { decodeGlobalId, encodeGlobalId } from '../src/schema/global-id.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';

const gid = encodeGlobalId;
const dbId = (id: string) => decodeGlobalId(id).id;

const CREATE = /* GraphQL */ `
  mutation ($input: CreateTicketInput!) { createTicket(input: $input) { ... on TicketPayload { ticket { id number } } ... on Error { code field } } }
`;
const UPDATE = /* GraphQL */ `
  mutation ($input: UpdateTicketInput!) {
    updateTicket(input: $input) { __typename ... on TicketPayload { ticket { id status solvedAt version } } ... on Error { code field message } }
  }
`;
const COMMENT = /* GraphQL */ `
  mutation ($input: AddTicketCommentInput!) { addTicketComment(input: $input) { __typename ... on Error { code field } } }
`;
const MERGE = /* GraphQL */ `
  mutation ($input: MergeTicketsInput!) {
    mergeTickets(input: $input) {
      __typename
      ... on MergeTicketsPayload {
        movedComments
        source { id status closedAt mergedInto { id } comments { totalCount } }
        target { id status tags version comments(first: 50) { totalCount edges { node { body isPublic authorKind } } } }
      }
      ... on Error { code field message }
    }
  }
`;
const LINK = /* GraphQL */ `
  mutation ($input: LinkIncidentToProblemInput!) {
    linkIncidentToProblem(input: $input) {
      __typename
      ... on LinkIncidentToProblemPayload { incident { id problem { id } } problem { id incidents { totalCount edges { node { id } } } } }
      ... on Error { code field message }
    }
  }
`;
const BULK = /* GraphQL */ `
  mutation ($input: BulkUpdateTicketsInput!) {
    bulkUpdateTickets(input: $input) {
      __typename
      ... on BulkUpdateTicketsPayload { updatedCount tickets { id status priority } }
      ... on BulkUpdateError { code field message items { ticketId code message field } }
      ... on Error { code field message }
    }
  }
`;
const TRAIL = /* GraphQL */ `
  query ($id: ID!) { ticket(id: $id) { status version history(first: 100) { edges { node { kind field oldValue newValue actorKind } } } } }
`;

async function tickets(ws: TestWorkspace, n: number, input: Record<string, unknown> = {}) {
  const [customer] = await insertCustomers(ws.workspaceId, 1);
  const out: Array<{ id: string; number: number }> = [];
  for (let i = 0; i < n; i++) {
    const res = await ws.gql(CREATE, { input: { subject: `Ticket ${i + 1}`, requesterId: gid('Customer', customer!.id), ...input } });
    out.push(res.data!.createTicket.ticket);
  }
  return { customerId: gid('Customer', customer!.id), list: out };
}

async function trail(ws: TestWorkspace, id: string) {
  const res = await ws.gql(TRAIL, { id });
  return res.data!.ticket;
}

describe('mergeTickets', () => {
  it('moves the comments as they are, unites tags, closes the source as a tombstone and conserves counts', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const { customerId, list } = await tickets(ws, 1, { tags: ['billing', 'vip'] });
    const [target] = (await tickets(ws, 1, { tags: ['billing', 'refund'] })).list;
    const [source] = list;
    await ws.gql(COMMENT, { input: { ticketId: target!.id, body: 'target reply' } });
    await ws.gql(COMMENT, { input: { ticketId: source!.id, body: 'source reply' } });
    await ws.gql(COMMENT, { input: { ticketId: source!.id, body: 'source note', isPublic: false } });
    await ws.gql(COMMENT, { input: { ticketId: source!.id, body: 'customer says hi', authorCustomerId: customerId } });
    const before = await prisma.ticketComment.findMany({ where: { workspaceId: ws.workspaceId }, orderBy: { id: 'asc' } });
    const eventsBefore = await prisma.ticketEvent.count({ where: { workspaceId: ws.workspaceId } });

    const res = await ws.gql(MERGE, { input: { sourceId: source!.id, targetId: target!.id } });
    expect(res.errors).toBeUndefined();
    const payload = res.data!.mergeTickets;
    expect(payload.__typename).toBe('MergeTicketsPayload');
    expect(payload.movedComments).toBe(3);
    expect(payload.source).toMatchObject({ status: 'CLOSED', mergedInto: { id: target!.id }, comments: { totalCount: 0 } });
    expect(payload.source.closedAt).not.toBeNull();
    expect(payload.target.tags).toEqual(['billing', 'refund', 'vip']);
    expect(payload.target.comments.totalCount).toBe(4);
    expect(payload.target.comments.edges.map((e: any) => [e.node.body, e.node.isPublic, e.node.authorKind])).toEqual([
      ['target reply', true, 'AGENT'],
      ['source reply', true, 'AGENT'],
      ['source note', false, 'AGENT'],
      ['customer says hi', true, 'CUSTOMER'],
    ]);

    // Counts conserved: the same comment rows (ids, bodies, authors, times), only re-parented.
    const after = await prisma.ticketComment.findMany({ where: { workspaceId: ws.workspaceId }, orderBy: { id: 'asc' } });
    expect(after.map(({ ticketId: _t, ...rest }) => rest)).toEqual(before.map(({ ticketId: _t, ...rest }) => rest));
    expect(after.every((c) => c.ticketId === dbId(target!.id))).toBe(true);
    expect(await prisma.ticket.count({ where: { workspaceId: ws.workspaceId } })).toBe(2);
    expect(await prisma.ticketEvent.count({ where: { workspaceId: ws.workspaceId } })).toBe(eventsBefore + 2);

    const sourceTrail = (await trail(ws, source!.id)).history.edges.map((e: any) => e.node);
    expect(sourceTrail.at(-1)).toMatchObject({ kind: 'MERGED_INTO', oldValue: { status: 'OPEN' }, newValue: { ticketId: target!.id, number: target!.number, movedComments: 3 } });
    const targetTrail = (await trail(ws, target!.id)).history.edges.map((e: any) => e.node);
    expect(targetTrail.at(-1)).toMatchObject({
      kind: 'MERGED_FROM',
      actorKind: 'AGENT',
      newValue: { ticketId: source!.id, number: source!.number, movedComments: 3, addedTags: ['vip'] },
    });

    // The tombstone keeps resolving, by id and by number.
    const lookup = await ws.gql(/* GraphQL */ `query ($id: ID!, $n: Int!) { a: ticket(id: $id) { status mergedInto { number } } b: ticket(number: $n) { id } }`, {
      id: source!.id,
      n: source!.number,
    });
    expect(lookup.data).toEqual({ a: { status: 'CLOSED', mergedInto: { number: target!.number } }, b: { id: source!.id } });
  });

  it('refuses merging into itself, into or from a closed or merged ticket, and across workspaces', async () => {
    const [ws, other] = await Promise.all([createTestWorkspace(), createTestWorkspace()]);
    const { list } = await tickets(ws, 4);
    const [a, b, c, closed] = list;
    const [theirs] = (await tickets(other, 1)).list;
    await ws.gql(UPDATE, { input: { id: closed!.id, status: 'SOLVED' } });
    await ws.gql(UPDATE, { input: { id: closed!.id, status: 'CLOSED' } });
    await ws.gql(MERGE, { input: { sourceId: c!.id, targetId: b!.id } });

    const cases: Array<[Record<string, string>, string, string]> = [
      [{ sourceId: a!.id, targetId: a!.id }, 'ValidationError', 'input.targetId'],
      [{ sourceId: a!.id, targetId: closed!.id }, 'InvalidStateError', 'input.targetId'],
      [{ sourceId: closed!.id, targetId: a!.id }, 'InvalidStateError', 'input.sourceId'],
      [{ sourceId: a!.id, targetId: c!.id }, 'InvalidStateError', 'input.targetId'],
      [{ sourceId: c!.id, targetId: a!.id }, 'InvalidStateError', 'input.sourceId'],
      [{ sourceId: a!.id, targetId: theirs!.id }, 'NotFoundError', 'input.targetId'],
      [{ sourceId: theirs!.id, targetId: a!.id }, 'NotFoundError', 'input.sourceId'],
    ];
    for (const [input, typename, field] of cases) {
      const res = await ws.gql(MERGE, { input });
      expect(res.data!.mergeTickets, JSON.stringify(input)).toMatchObject({ __typename: typename, field });
    }
    const merged = await ws.gql(MERGE, { input: { sourceId: c!.id, targetId: a!.id } });
    expect(merged.data!.mergeTickets.message).toContain(`#${b!.number}`);
    expect((await trail(ws, a!.id)).version).toBe(1);
    expect((await trail(other, theirs!.id)).status).toBe('NEW');
  });
});

describe('problems and incidents', () => {
  it('links incidents to a problem and solves every unsolved incident with the problem, in one step, with history on each', async () => {
    const ws = await createTestWorkspace();
    const [problem] = (await tickets(ws, 1, { type: 'PROBLEM' })).list;
    const { list: incidents } = await tickets(ws, 3, { type: 'INCIDENT' });
    for (const incident of incidents) {
      const res = await ws.gql(LINK, { input: { incidentId: incident.id, problemId: problem!.id } });
      expect(res.data!.linkIncidentToProblem).toMatchObject({ __typename: 'LinkIncidentToProblemPayload', incident: { problem: { id: problem!.id } } });
    }
    const linkTrail = (await trail(ws, incidents[0]!.id)).history.edges.map((e: any) => e.node);
    expect(linkTrail.at(-1)).toEqual({ kind: 'LINKED_TO_PROBLEM', field: 'problemId', oldValue: null, newValue: problem!.id, actorKind: 'AGENT' });
    const view = await ws.gql(/* GraphQL */ `query ($id: ID!) { ticket(id: $id) { incidents(first: 10) { totalCount edges { node { id } } } } }`, { id: problem!.id });
    expect(view.data!.ticket.incidents).toEqual({ totalCount: 3, edges: incidents.map((i) => ({ node: { id: i.id } })) });

    // One incident is already on hold, one already solved (it stays as it is).
    await ws.gql(UPDATE, { input: { id: incidents[1]!.id, status: 'ON_HOLD' } });
    const solvedEarlier = (await ws.gql(UPDATE, { input: { id: incidents[2]!.id, status: 'SOLVED' } })).data!.updateTicket.ticket;

    const solved = await ws.gql(UPDATE, { input: { id: problem!.id, status: 'SOLVED' } });
    expect(solved.data!.updateTicket.ticket.status).toBe('SOLVED');
    const states = await Promise.all(incidents.map((i) => trail(ws, i.id)));
    expect(states.map((s) => s.status)).toEqual(['SOLVED', 'SOLVED', 'SOLVED']);
    const lastChange = (s: any) => s.history.edges.at(-1).node;
    expect(lastChange(states[0])).toEqual({ kind: 'FIELD_CHANGED', field: 'status', oldValue: 'NEW', newValue: 'SOLVED', actorKind: 'AGENT' });
    expect(lastChange(states[1])).toEqual({ kind: 'FIELD_CHANGED', field: 'status', oldValue: 'ON_HOLD', newValue: 'SOLVED', actorKind: 'AGENT' });
    expect(states[2]!.version).toBe(solvedEarlier.version);

    const { prisma } = await testDatabase();
    const rows = await prisma.ticket.findMany({ where: { id: { in: [problem!.id, incidents[0]!.id].map(dbId) } } });
    expect(new Set(rows.map((r) => r.solvedAt!.getTime())).size).toBe(1);
  });

  it('refuses wrong types, closed tickets, self-links and other workspaces\' tickets', async () => {
    const [ws, other] = await Promise.all([createTestWorkspace(), createTestWorkspace()]);
    const [problem] = (await tickets(ws, 1, { type: 'PROBLEM' })).list;
    const [incident, closedIncident] = (await tickets(ws, 2, { type: 'INCIDENT' })).list;
    const [question] = (await tickets(ws, 1)).list;
    const [theirs] = (await tickets(other, 1, { type: 'PROBLEM' })).list;
    await ws.gql(UPDATE, { input: { id: closedIncident!.id, status: 'SOLVED' } });
    await ws.gql(UPDATE, { input: { id: closedIncident!.id, status: 'CLOSED' } });
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ incidentId: question!.id, problemId: problem!.id }, 'InvalidStateError', 'input.incidentId'],
      [{ incidentId: incident!.id, problemId: question!.id }, 'InvalidStateError', 'input.problemId'],
      [{ incidentId: closedIncident!.id, problemId: problem!.id }, 'InvalidStateError', 'input.incidentId'],
      [{ incidentId: incident!.id, problemId: incident!.id }, 'ValidationError', 'input.problemId'],
      [{ incidentId: incident!.id, problemId: theirs!.id }, 'NotFoundError', 'input.problemId'],
    ];
    for (const [input, typename, field] of cases) {
      const res = await ws.gql(LINK, { input });
      expect(res.data!.linkIncidentToProblem, JSON.stringify(input)).toMatchObject({ __typename: typename, field });
    }
    expect((await trail(ws, incident!.id)).version).toBe(1);

    // A problem with incidents keeps its type; an incident that changes type leaves its problem.
    await ws.gql(LINK, { input: { incidentId: incident!.id, problemId: problem!.id } });
    const retype = await ws.gql(UPDATE, { input: { id: problem!.id, type: 'TASK' } });
    expect(retype.data!.updateTicket).toMatchObject({ __typename: 'InvalidStateError', field: 'input.type' });
    await ws.gql(UPDATE, { input: { id: incident!.id, type: 'QUESTION' } });
    const after = await ws.gql(/* GraphQL */ `query ($id: ID!) { ticket(id: $id) { incidents { totalCount } } }`, { id: problem!.id });
    expect(after.data!.ticket.incidents.totalCount).toBe(0);
  });
});

describe('bulkUpdateTickets', () => {
  it('changes every ticket with the same history as updateTicket', async () => {
    const ws = await createTestWorkspace();
    const { list } = await tickets(ws, 3);
    await ws.gql(UPDATE, { input: { id: list[2]!.id, priority: 'HIGH' } });
    const res = await ws.gql(BULK, { input: { ids: [list[0]!.id, list[1]!.id, list[2]!.id, list[0]!.id], changes: { priority: 'HIGH', status: 'PENDING' } } });
    expect(res.data!.bulkUpdateTickets).toEqual({
      __typename: 'BulkUpdateTicketsPayload',
      updatedCount: 3,
      tickets: list.map((t) => ({ id: t.id, status: 'PENDING', priority: 'HIGH' })),
    });
    const changes = (await trail(ws, list[2]!.id)).history.edges.map((e: any) => e.node).slice(2);
    expect(changes).toEqual([{ kind: 'FIELD_CHANGED', field: 'status', oldValue: 'NEW', newValue: 'PENDING', actorKind: 'AGENT' }]);
  });

  it('is all-or-nothing: one failing ticket leaves every ticket unchanged and each failure is reported', async () => {
    const [ws, other] = await Promise.all([createTestWorkspace(), createTestWorkspace()]);
    const { prisma } = await testDatabase();
    const { list } = await tickets(ws, 4);
    const [theirs] = (await tickets(other, 1)).list;
    await ws.gql(UPDATE, { input: { id: list[1]!.id, status: 'SOLVED' } });
    await ws.gql(UPDATE, { input: { id: list[1]!.id, status: 'CLOSED' } });
    await ws.gql(UPDATE, { input: { id: list[2]!.id, status: 'SOLVED' } });
    const snapshot = async () => prisma.ticket.findMany({ where: { workspaceId: ws.workspaceId }, orderBy: { number: 'asc' } });
    const before = await snapshot();
    const eventsBefore = await prisma.ticketEvent.count({ where: { workspaceId: ws.workspaceId } });

    const ids = [list[0]!.id, list[1]!.id, list[2]!.id, theirs!.id, list[3]!.id];
    const res = await ws.gql(BULK, { input: { ids, changes: { status: 'ON_HOLD', priority: 'URGENT' } } });
    expect(res.errors).toBeUndefined();
    const error = res.data!.bulkUpdateTickets;
    expect(error).toMatchObject({ __typename: 'BulkUpdateError', code: 'INVALID_STATE', field: 'input.ids' });
    expect(error.message).toMatch(/3 of 5/);
    expect(error.items).toEqual([
      { ticketId: list[1]!.id, code: 'INVALID_STATE', message: expect.stringMatching(/CLOSED/), field: 'input.changes' },
      { ticketId: list[2]!.id, code: 'INVALID_STATE', message: expect.stringMatching(/SOLVED ticket cannot become ON_HOLD/), field: 'input.changes.status' },
      { ticketId: theirs!.id, code: 'NOT_FOUND', message: 'Ticket was not found', field: null },
    ]);
    expect(await snapshot()).toEqual(before);
    expect(await prisma.ticketEvent.count({ where: { workspaceId: ws.workspaceId } })).toBe(eventsBefore);
  });

  it('refuses more than 100 ids, no ids and no changes with a ValidationError, and unknown assignees with a NotFoundError', async () => {
    const ws = await createTestWorkspace();
    const { list } = await tickets(ws, 1);
    const many = Array.from({ length: 101 }, () => list[0]!.id);
    const tooMany = await ws.gql(BULK, { input: { ids: many, changes: { priority: 'LOW' } } });
    expect(tooMany.data!.bulkUpdateTickets).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field: 'input.ids' });
    const none = await ws.gql(BULK, { input: { ids: [], changes: { priority: 'LOW' } } });
    expect(none.data!.bulkUpdateTickets).toMatchObject({ __typename: 'ValidationError', field: 'input.ids' });
    const noChange = await ws.gql(BULK, { input: { ids: [list[0]!.id], changes: {} } });
    expect(noChange.data!.bulkUpdateTickets).toMatchObject({ __typename: 'ValidationError', field: 'input.changes' });
    const ghost = await ws.gql(BULK, { input: { ids: [list[0]!.id], changes: { assigneeId: gid('Agent', '0190a0a0-0000-7000-8000-000000000000') } } });
    expect(ghost.data!.bulkUpdateTickets).toMatchObject({ __typename: 'NotFoundError', field: 'input.changes.assigneeId' });
    expect((await trail(ws, list[0]!.id)).version).toBe(1);
  });

  it('solves incidents through their problem without double entries when both are in the batch', async () => {
    const ws = await createTestWorkspace();
    const [problem] = (await tickets(ws, 1, { type: 'PROBLEM' })).list;
    const [incident] = (await tickets(ws, 1, { type: 'INCIDENT' })).list;
    await ws.gql(LINK, { input: { incidentId: incident!.id, problemId: problem!.id } });
    const res = await ws.gql(BULK, { input: { ids: [problem!.id, incident!.id], changes: { status: 'SOLVED' } } });
    expect(res.data!.bulkUpdateTickets).toMatchObject({ updatedCount: 1, tickets: [{ status: 'SOLVED' }, { status: 'SOLVED' }] });
    const kinds = (await trail(ws, incident!.id)).history.edges.map((e: any) => e.node.kind);
    expect(kinds).toEqual(['CREATED', 'LINKED_TO_PROBLEM', 'FIELD_CHANGED']);
  });
});
