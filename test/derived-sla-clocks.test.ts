import { describe, expect, it } from 'vitest';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, type TestWorkspace } from './helpers/factories.ts';
import { COMMENT, newTicket, UPDATE } from './helpers/tickets.ts';
import { CET, createCalendar, createPolicy, dbId, insertConversation, insertTickets, OFFICE, SET_POLICY } from './sla-helpers.ts';

/**
 * The SLA clocks and reply waits the database keeps (TicketSlaClock, ReplyWait) follow every
 * write that changes what they are made of, through the API: ticket creation, priority, policy,
 * replies, solve and reopen, merges, policy targets and calendar hours. Expected due times are
 * worked out by hand from the timestamps the API returns.
 */

const MIN = 60_000;
const UPDATE_POLICY = /* GraphQL */ `
  mutation ($input: UpdateSlaPolicyInput!) { updateSlaPolicy(input: $input) { __typename ... on Error { code message } } }
`;
const UPDATE_CALENDAR = /* GraphQL */ `
  mutation ($input: UpdateBusinessCalendarInput!) { updateBusinessCalendar(input: $input) { __typename ... on Error { code message } } }
`;
const MERGE = /* GraphQL */ `
  mutation ($input: MergeTicketsInput!) { mergeTickets(input: $input) { __typename ... on Error { code message } } }
`;

type Clock = { kind: string; startedAt: string; dueAt: string | null; achievedAt: string | null };

async function clocks(ticketDbId: string): Promise<Clock[]> {
  const { prisma } = await testDatabase();
  const rows = await prisma.ticketSlaClock.findMany({ where: { ticketId: ticketDbId }, orderBy: [{ kind: 'asc' }, { startedAt: 'asc' }] });
  return rows.map((r) => ({
    kind: r.kind,
    startedAt: r.startedAt.toISOString(),
    dueAt: r.dueAt?.toISOString() ?? null,
    achievedAt: r.achievedAt?.toISOString() ?? null,
  }));
}

const plus = (iso: string, minutes: number) => new Date(new Date(iso).getTime() + minutes * MIN).toISOString();

async function ok(ws: TestWorkspace, query: string, input: Record<string, unknown>, field: string, typename: string) {
  const res = await ws.gql(query, { input });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  expect(res.data![field].__typename, JSON.stringify(res.data)).toBe(typename);
  return res.data![field];
}

/** Calendar-time targets: NORMAL 60 / 480 / 30 minutes, URGENT 10 / 120 / 5. */
const TARGETS = [
  { priority: 'NORMAL', kind: 'FIRST_RESPONSE', minutes: 60, businessHours: false },
  { priority: 'NORMAL', kind: 'RESOLUTION', minutes: 480, businessHours: false },
  { priority: 'NORMAL', kind: 'NEXT_RESPONSE', minutes: 30, businessHours: false },
  { priority: 'URGENT', kind: 'FIRST_RESPONSE', minutes: 10, businessHours: false },
  { priority: 'URGENT', kind: 'RESOLUTION', minutes: 120, businessHours: false },
  { priority: 'URGENT', kind: 'NEXT_RESPONSE', minutes: 5, businessHours: false },
];

describe('SLA clocks kept by the database', () => {
  it('follow a ticket through policy, priority, replies, solve, reopen and a target change', async () => {
    const ws = await createTestWorkspace();
    const policy = await createPolicy(ws, { name: 'Standard', targets: TARGETS });
    const ticket = await newTicket(ws);
    const id = dbId(ticket.id);
    const created: string = ticket.createdAt;
    expect(await clocks(id)).toEqual([]); // no policy, no clocks

    await ok(ws, SET_POLICY, { ticketId: ticket.id, slaPolicyId: policy }, 'setTicketSlaPolicy', 'SetTicketSlaPolicyPayload');
    expect(await clocks(id)).toEqual([
      { kind: 'FIRST_RESPONSE', startedAt: created, dueAt: plus(created, 60), achievedAt: null },
      { kind: 'RESOLUTION', startedAt: created, dueAt: plus(created, 480), achievedAt: null },
    ]);

    await ok(ws, UPDATE, { id: ticket.id, priority: 'URGENT' }, 'updateTicket', 'TicketPayload');
    expect(await clocks(id)).toEqual([
      { kind: 'FIRST_RESPONSE', startedAt: created, dueAt: plus(created, 10), achievedAt: null },
      { kind: 'RESOLUTION', startedAt: created, dueAt: plus(created, 120), achievedAt: null },
    ]);

    const reply = await ok(ws, COMMENT, { ticketId: ticket.id, body: 'On it' }, 'addTicketComment', 'AddTicketCommentPayload');
    const firstResponse: string = reply.ticket.firstResponseAt;
    expect(firstResponse).not.toBeNull();
    const customer = await ok(ws, COMMENT, { ticketId: ticket.id, body: 'Still broken', authorCustomerId: ticket.requester.id }, 'addTicketComment', 'AddTicketCommentPayload');
    const { prisma } = await testDatabase();
    const waitStart = (await prisma.ticketComment.findUniqueOrThrow({ where: { id: dbId(customer.comment.id) } })).createdAt.toISOString();
    // An internal note neither starts nor ends a wait.
    await ok(ws, COMMENT, { ticketId: ticket.id, body: 'note', isPublic: false }, 'addTicketComment', 'AddTicketCommentPayload');
    expect(await clocks(id)).toEqual([
      { kind: 'FIRST_RESPONSE', startedAt: created, dueAt: plus(created, 10), achievedAt: firstResponse },
      { kind: 'NEXT_RESPONSE', startedAt: waitStart, dueAt: plus(waitStart, 5), achievedAt: null },
      { kind: 'RESOLUTION', startedAt: created, dueAt: plus(created, 120), achievedAt: null },
    ]);

    const answer = await ok(ws, COMMENT, { ticketId: ticket.id, body: 'Fixed' }, 'addTicketComment', 'AddTicketCommentPayload');
    const answeredAt = (await prisma.ticketComment.findUniqueOrThrow({ where: { id: dbId(answer.comment.id) } })).createdAt.toISOString();
    const solved = await ok(ws, UPDATE, { id: ticket.id, status: 'SOLVED' }, 'updateTicket', 'TicketPayload');
    expect(await clocks(id)).toEqual([
      { kind: 'FIRST_RESPONSE', startedAt: created, dueAt: plus(created, 10), achievedAt: firstResponse },
      { kind: 'NEXT_RESPONSE', startedAt: waitStart, dueAt: plus(waitStart, 5), achievedAt: answeredAt },
      { kind: 'RESOLUTION', startedAt: created, dueAt: plus(created, 120), achievedAt: solved.ticket.solvedAt },
    ]);

    // A reopen clears the solve: the resolution target runs again.
    await ok(ws, UPDATE, { id: ticket.id, status: 'OPEN' }, 'updateTicket', 'TicketPayload');
    expect((await clocks(id)).find((c) => c.kind === 'RESOLUTION')).toEqual({ kind: 'RESOLUTION', startedAt: created, dueAt: plus(created, 120), achievedAt: null });

    // New targets move the due times of targets still running; an achieved target keeps the
    // due time it was measured against (the 10-minute first response and 5-minute next reply
    // stay, the reopened resolution moves to 240), and a target removed takes its clocks with it.
    await ok(
      ws,
      UPDATE_POLICY,
      { id: policy, targets: [{ priority: 'URGENT', kind: 'FIRST_RESPONSE', minutes: 20, businessHours: false }, { priority: 'URGENT', kind: 'RESOLUTION', minutes: 240, businessHours: false }] },
      'updateSlaPolicy',
      'SlaPolicyPayload',
    );
    expect(await clocks(id)).toEqual([
      { kind: 'FIRST_RESPONSE', startedAt: created, dueAt: plus(created, 10), achievedAt: firstResponse },
      { kind: 'RESOLUTION', startedAt: created, dueAt: plus(created, 240), achievedAt: null },
    ]);
    const { targetMinutes } = await prisma.ticketSlaClock.findFirstOrThrow({ where: { ticketId: id, kind: 'FIRST_RESPONSE' } });
    expect(targetMinutes).toBe(10);

    // A different policy on the ticket starts every clock from that policy, achieved ones included.
    const strict = await createPolicy(ws, { name: 'Strict', targets: [{ priority: 'URGENT', kind: 'FIRST_RESPONSE', minutes: 1, businessHours: false }] });
    await ok(ws, SET_POLICY, { ticketId: ticket.id, slaPolicyId: strict }, 'setTicketSlaPolicy', 'SetTicketSlaPolicyPayload');
    expect(await clocks(id)).toEqual([{ kind: 'FIRST_RESPONSE', startedAt: created, dueAt: plus(created, 1), achievedAt: firstResponse }]);

    await ok(ws, SET_POLICY, { ticketId: ticket.id, slaPolicyId: null }, 'setTicketSlaPolicy', 'SetTicketSlaPolicyPayload');
    expect(await clocks(id)).toEqual([]);
  });

  it('move business-hours due times when the calendar changes, and stop on a merge', async () => {
    const ws = await createTestWorkspace();
    const calendar = await createCalendar(ws);
    const policy = await createPolicy(ws, {
      name: 'Office hours',
      calendarId: calendar,
      targets: [{ priority: 'NORMAL', kind: 'FIRST_RESPONSE', minutes: 120, businessHours: true }],
    });
    // Tue 03-10 16:00 CET + 2 business hours (office Mon–Fri 09–17): 1 h on Tuesday, 1 h from Wed 09:00 → Wed 10:00.
    // c was answered at Wed 10:30 CET, half an hour after its due time: BREACHED, and it stays so.
    const [a, b, c] = await insertTickets(ws, [
      { createdAt: CET('10T16:00:00'), slaPolicyId: policy },
      { createdAt: CET('10T16:30:00'), slaPolicyId: policy },
      { createdAt: CET('10T16:00:00'), slaPolicyId: policy, firstResponseAt: CET('11T10:30:00'), comments: [[CET('11T10:30:00'), 'AGENT']] },
    ]);
    expect(await clocks(a!)).toEqual([
      { kind: 'FIRST_RESPONSE', startedAt: '2026-03-10T15:00:00.000Z', dueAt: '2026-03-11T09:00:00.000Z', achievedAt: null },
    ]);
    const answered = [{ kind: 'FIRST_RESPONSE', startedAt: '2026-03-10T15:00:00.000Z', dueAt: '2026-03-11T09:00:00.000Z', achievedAt: '2026-03-11T09:30:00.000Z' }];
    expect(await clocks(c!)).toEqual(answered);

    // Wednesday 03-11 becomes a holiday: the second hour moves to Thu 09:00–10:00 — but Thursday
    // 03-12 is one already, so Fri 03-13 10:00 CET.
    await ok(ws, UPDATE_CALENDAR, { id: calendar, holidays: [...OFFICE.holidays, { date: '2026-03-11', name: 'Strike' }] }, 'updateBusinessCalendar', 'BusinessCalendarPayload');
    expect((await clocks(a!))[0]!.dueAt).toBe('2026-03-13T09:00:00.000Z');
    // Open 08:00 instead of 09:00: Tue 16–17 (1 h), then Fri 08:00–09:00.
    await ok(
      ws,
      UPDATE_CALENDAR,
      { id: calendar, hours: [1, 2, 3, 4, 5].map((dayOfWeek) => ({ dayOfWeek, startMinute: 480, endMinute: 1020 })) },
      'updateBusinessCalendar',
      'BusinessCalendarPayload',
    );
    expect((await clocks(a!))[0]!.dueAt).toBe('2026-03-13T08:00:00.000Z');
    // Neither edit moved the due time c's answer was measured against.
    expect(await clocks(c!)).toEqual(answered);
    // The edits were noted for their commit and done there: nothing is left pending.
    const { prisma } = await testDatabase();
    expect(await prisma.pendingSlaRefresh.count()).toBe(0);

    // b is merged into a: a duplicate has no clocks of its own.
    expect(await clocks(b!)).toHaveLength(1);
    const { encodeGlobalId } = await import('../src/schema/global-id.ts');
    await ok(ws, MERGE, { sourceId: encodeGlobalId('Ticket', b!), targetId: encodeGlobalId('Ticket', a!) }, 'mergeTickets', 'MergeTicketsPayload');
    expect(await clocks(b!)).toEqual([]);
    expect(await clocks(a!)).toHaveLength(1);
  });

  it('recompute from scratch to the rows the triggers kept, and leave other workspaces alone', async () => {
    const ws = await createTestWorkspace();
    const other = await createTestWorkspace();
    const policy = await createPolicy(ws, { name: 'Standard', targets: TARGETS });
    const otherPolicy = await createPolicy(other, { name: 'Standard', targets: TARGETS });
    await insertTickets(ws, [
      { createdAt: CET('09T09:00:00'), slaPolicyId: policy, comments: [[CET('09T10:00:00'), 'AGENT'], [CET('09T11:00:00'), 'CUSTOMER'], [CET('09T12:00:00'), 'AGENT'], [CET('09T13:00:00'), 'CUSTOMER']] },
      { createdAt: CET('09T09:30:00'), slaPolicyId: policy, priority: 'URGENT', solvedAt: CET('09T10:00:00') },
    ]);
    await insertTickets(other, [{ createdAt: CET('09T09:00:00'), slaPolicyId: otherPolicy }]);
    await insertConversation(ws, [[CET('09T09:00:00'), 'CUSTOMER'], [CET('09T09:05:00'), 'AGENT'], [CET('09T09:10:00'), 'CUSTOMER'], [CET('09T09:20:00'), 'AGENT']]);
    const { prisma } = await testDatabase();
    const snapshot = async () => ({
      clocks: (await prisma.ticketSlaClock.findMany({ where: { workspaceId: ws.workspaceId } }))
        .map(({ ticketId, kind, startedAt, dueAt, achievedAt, targetMinutes, businessHours, calendarId }) => ({ ticketId, kind, startedAt, dueAt, achievedAt, targetMinutes, businessHours, calendarId }))
        .sort((x, y) => `${x.ticketId}${x.kind}${x.startedAt.toISOString()}`.localeCompare(`${y.ticketId}${y.kind}${y.startedAt.toISOString()}`)),
      waits: (await prisma.replyWait.findMany({ where: { workspaceId: ws.workspaceId }, orderBy: { waitingSince: 'asc' } })).map(({ id: _id, ...w }) => w),
    });
    const kept = await snapshot();
    // 2 clocks per ticket + a NEXT_RESPONSE clock per wait of the first: 11:00 → 12:00, and 13:00 (unanswered, still running).
    expect(kept.clocks.map((c) => c.kind).sort()).toEqual(['FIRST_RESPONSE', 'FIRST_RESPONSE', 'NEXT_RESPONSE', 'NEXT_RESPONSE', 'RESOLUTION', 'RESOLUTION']);
    expect(kept.waits.map((w) => [w.waitingSince.toISOString(), w.repliedAt?.toISOString() ?? null, !!w.ticketId])).toEqual([
      ['2026-03-09T08:10:00.000Z', '2026-03-09T08:20:00.000Z', false],
      ['2026-03-09T10:00:00.000Z', '2026-03-09T11:00:00.000Z', true],
      ['2026-03-09T12:00:00.000Z', null, true],
    ]);
    const otherBefore = await prisma.ticketSlaClock.count({ where: { workspaceId: other.workspaceId } });

    await prisma.$transaction([
      prisma.ticketSlaClock.deleteMany({ where: { workspaceId: ws.workspaceId } }),
      prisma.replyWait.deleteMany({ where: { workspaceId: ws.workspaceId } }),
      prisma.$executeRaw`SELECT cx_refresh_conversation_waits(ARRAY(SELECT id FROM "Conversation" WHERE "workspaceId" = ${ws.workspaceId}::uuid))`,
      prisma.$executeRaw`SELECT cx_refresh_ticket_waits(ARRAY(SELECT id FROM "Ticket" WHERE "workspaceId" = ${ws.workspaceId}::uuid))`,
      prisma.$executeRaw`SELECT cx_refresh_ticket_sla(ARRAY(SELECT id FROM "Ticket" WHERE "workspaceId" = ${ws.workspaceId}::uuid))`,
    ]);
    expect(await snapshot()).toEqual(kept);
    expect(await prisma.ticketSlaClock.count({ where: { workspaceId: other.workspaceId } })).toBe(otherBefore);
  });
});
