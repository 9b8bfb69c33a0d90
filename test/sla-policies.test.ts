import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import { graphql } from './helpers/app.ts';
import { onPostgres, testDatabase } from './helpers/database.ts';
import { createTestWorkspace, type TestWorkspace } from './helpers/factories.ts';
import { history, newTicket } from './helpers/tickets.ts';
import { eventsSince, mark, run } from './events-helpers.ts';
import { CALENDAR_FIELDS, createCalendar, createPolicy, dbId, gid, OFFICE, POLICY_FIELDS, SET_POLICY } from './sla-helpers.ts';

/** Business calendars, SLA policies and putting tickets under a policy, through GraphQL. */

const UPDATE_CALENDAR = /* GraphQL */ `
  mutation ($input: UpdateBusinessCalendarInput!) {
    updateBusinessCalendar(input: $input) { __typename ... on BusinessCalendarPayload { calendar { ${CALENDAR_FIELDS} } } ... on Error { code field message } }
  }
`;
const UPDATE_POLICY = /* GraphQL */ `
  mutation ($input: UpdateSlaPolicyInput!) {
    updateSlaPolicy(input: $input) { __typename ... on SlaPolicyPayload { policy { ${POLICY_FIELDS} } } ... on Error { code field message } }
  }
`;
const LISTS = /* GraphQL */ `
  query {
    businessCalendars(first: 10) { totalCount edges { node { id name } } }
    slaPolicies(first: 10) { totalCount edges { node { id name active } } }
    inactive: slaPolicies(first: 10, active: false) { totalCount }
  }
`;
const NODE = /* GraphQL */ `query ($id: ID!) { node(id: $id) { __typename id } }`;

const TARGETS = [
  { priority: 'NORMAL', kind: 'FIRST_RESPONSE', minutes: 120, businessHours: true },
  { priority: 'NORMAL', kind: 'RESOLUTION', minutes: 480, businessHours: true },
  { priority: 'HIGH', kind: 'FIRST_RESPONSE', minutes: 60, businessHours: false },
];

async function standardPolicy(ws: TestWorkspace, extra: Record<string, unknown> = {}) {
  const calendarId = await createCalendar(ws);
  const policyId = await createPolicy(ws, { name: 'Standard', calendarId, targets: TARGETS, ...extra });
  return { calendarId, policyId };
}

describe('business calendars', () => {
  it('are created with their hours and holidays, listed by name and found by node id', async () => {
    const ws = await createTestWorkspace();
    const res = await ws.gql(
      /* GraphQL */ `mutation ($input: CreateBusinessCalendarInput!) { createBusinessCalendar(input: $input) { ... on BusinessCalendarPayload { calendar { ${CALENDAR_FIELDS} } } } }`,
      {
        input: {
          name: ' Support desk ',
          timeZone: 'America/New_York',
          // Given out of order: read back by day, then opening time.
          hours: [
            { dayOfWeek: 2, startMinute: 780, endMinute: 1020 },
            { dayOfWeek: 2, startMinute: 540, endMinute: 720 },
            { dayOfWeek: 1, startMinute: 540, endMinute: 1020 },
          ],
          holidays: [{ date: '2026-12-25', name: 'Christmas' }, { date: '2026-07-04', name: 'Independence Day' }],
        },
      },
    );
    expect(res.errors).toBeUndefined();
    const calendar = res.data!.createBusinessCalendar.calendar;
    expect(calendar).toMatchObject({
      name: 'Support desk',
      timeZone: 'America/New_York',
      hours: [
        { dayOfWeek: 1, startMinute: 540, endMinute: 1020 },
        { dayOfWeek: 2, startMinute: 540, endMinute: 720 },
        { dayOfWeek: 2, startMinute: 780, endMinute: 1020 },
      ],
      holidays: [{ date: '2026-07-04', name: 'Independence Day' }, { date: '2026-12-25', name: 'Christmas' }],
    });
    await createCalendar(ws, { ...OFFICE, name: 'Berlin office' });
    const lists = await ws.gql(LISTS);
    expect(lists.data!.businessCalendars.totalCount).toBe(2);
    expect(lists.data!.businessCalendars.edges.map((e: any) => e.node.name)).toEqual(['Berlin office', 'Support desk']);
    expect((await ws.gql(NODE, { id: calendar.id })).data!.node).toEqual({ __typename: 'BusinessCalendar', id: calendar.id });
  });

  it('reject invalid hours, time zones and holidays with a ValidationError naming the field', async () => {
    const ws = await createTestWorkspace();
    const hours = OFFICE.hours;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ hours: [{ dayOfWeek: 0, startMinute: 540, endMinute: 1020 }] }, 'input.hours.0.dayOfWeek'],
      [{ hours: [{ dayOfWeek: 8, startMinute: 540, endMinute: 1020 }] }, 'input.hours.0.dayOfWeek'],
      [{ hours: [{ dayOfWeek: 1, startMinute: 600, endMinute: 600 }] }, 'input.hours.0.endMinute'],
      [{ hours: [{ dayOfWeek: 1, startMinute: -1, endMinute: 600 }] }, 'input.hours.0.startMinute'],
      [{ hours: [{ dayOfWeek: 1, startMinute: 540, endMinute: 1441 }] }, 'input.hours.0.endMinute'],
      [{ hours: [...hours, { dayOfWeek: 3, startMinute: 960, endMinute: 1080 }] }, 'input.hours.5.startMinute'],
      [{ hours: [] }, 'input.hours'],
      [{ timeZone: 'Mars/Olympus_Mons' }, 'input.timeZone'],
      [{ timeZone: '+01:00' }, 'input.timeZone'],
      [{ holidays: [{ date: '2026-02-30', name: 'No such day' }] }, 'input.holidays.0.date'],
      [{ holidays: [{ date: '25.12.2026', name: 'Wrong format' }] }, 'input.holidays.0.date'],
      [{ holidays: [{ date: '2026-12-25', name: 'A' }, { date: '2026-12-25', name: 'B' }] }, 'input.holidays.1.date'],
      [{ name: '   ' }, 'input.name'],
    ];
    for (const [change, field] of cases) {
      expect(await run(ws, 'createBusinessCalendar', { ...OFFICE, ...change }), JSON.stringify(change)).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field });
    }
    // Touching intervals (a day split in two without a gap) are fine.
    const touching = [{ dayOfWeek: 1, startMinute: 0, endMinute: 720 }, { dayOfWeek: 1, startMinute: 720, endMinute: 1440 }];
    expect((await run(ws, 'createBusinessCalendar', { ...OFFICE, name: 'Touching', hours: touching })).__typename).toBe('BusinessCalendarPayload');
    expect((await ws.gql(LISTS)).data!.businessCalendars.totalCount).toBe(1);
  });

  it('are updated by replacing hours and holidays; names stay unique', async () => {
    const ws = await createTestWorkspace();
    const id = await createCalendar(ws);
    await createCalendar(ws, { ...OFFICE, name: 'Night shift' });
    const res = await ws.gql(UPDATE_CALENDAR, {
      input: { id, timeZone: 'Europe/London', hours: [{ dayOfWeek: 6, startMinute: 600, endMinute: 840 }], holidays: [] },
    });
    expect(res.data!.updateBusinessCalendar.calendar).toMatchObject({ name: 'Office', timeZone: 'Europe/London', hours: [{ dayOfWeek: 6, startMinute: 600, endMinute: 840 }], holidays: [] });
    expect(await run(ws, 'updateBusinessCalendar', { id, name: 'Night shift' })).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT', field: 'input.name' });
    expect(await run(ws, 'createBusinessCalendar', { ...OFFICE, name: 'Office' })).toMatchObject({ __typename: 'ConflictError', field: 'input.name' });
    expect(await run(ws, 'updateBusinessCalendar', { id, hours: [{ dayOfWeek: 9, startMinute: 0, endMinute: 60 }] })).toMatchObject({
      __typename: 'ValidationError',
      field: 'input.hours.0.dayOfWeek',
    });
    // Nothing of a failed update was kept.
    const after = await ws.gql(/* GraphQL */ `query ($id: ID!) { node(id: $id) { ... on BusinessCalendar { name hours { dayOfWeek } } } }`, { id });
    expect(after.data!.node).toEqual({ name: 'Office', hours: [{ dayOfWeek: 6 }] });
  });
});

describe('SLA policies', () => {
  it('are created with targets, and read with their calendar', async () => {
    const ws = await createTestWorkspace();
    const { calendarId, policyId } = await standardPolicy(ws, { description: 'Business customers' });
    const res = await ws.gql(/* GraphQL */ `query ($id: ID!) { node(id: $id) { ... on SlaPolicy { ${POLICY_FIELDS} } } }`, { id: policyId });
    expect(res.data!.node).toMatchObject({
      name: 'Standard',
      description: 'Business customers',
      active: true,
      calendar: { id: calendarId },
      targets: [
        { priority: 'NORMAL', kind: 'FIRST_RESPONSE', minutes: 120, businessHours: true, policy: { id: policyId } },
        { priority: 'NORMAL', kind: 'RESOLUTION', minutes: 480, businessHours: true },
        { priority: 'HIGH', kind: 'FIRST_RESPONSE', minutes: 60, businessHours: false },
      ],
    });
    const targetId = res.data!.node.targets[0].id;
    expect((await ws.gql(NODE, { id: targetId })).data!.node.__typename).toBe('SlaTarget');
    // A policy measured only in calendar time needs no calendar.
    expect((await run(ws, 'createSlaPolicy', { name: '24/7', targets: [{ priority: 'URGENT', kind: 'FIRST_RESPONSE', minutes: 15, businessHours: false }] })).__typename).toBe('SlaPolicyPayload');
    const lists = await ws.gql(LISTS);
    expect(lists.data!.slaPolicies.edges.map((e: any) => e.node.name)).toEqual(['24/7', 'Standard']);
  });

  it('reject invalid targets and a missing or foreign calendar', async () => {
    const ws = await createTestWorkspace();
    const calendarId = await createCalendar(ws);
    const other = await createTestWorkspace();
    const foreignCalendar = await createCalendar(other);
    const target = TARGETS[0]!;
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ targets: [target] }, 'ValidationError', 'input.calendarId'],
      [{ calendarId, targets: [target, { ...target, minutes: 30 }] }, 'ValidationError', 'input.targets.1.kind'],
      [{ calendarId, targets: [{ ...target, minutes: 0 }] }, 'ValidationError', 'input.targets.0.minutes'],
      [{ calendarId, targets: [{ ...target, minutes: 600_000 }] }, 'ValidationError', 'input.targets.0.minutes'],
      [{ calendarId: foreignCalendar, targets: [target] }, 'NotFoundError', 'input.calendarId'],
      [{ calendarId, targets: [target], name: 'x'.repeat(101) }, 'ValidationError', 'input.name'],
    ];
    for (const [input, typename, field] of cases) {
      expect(await run(ws, 'createSlaPolicy', { name: 'P', ...input }), JSON.stringify(input)).toMatchObject({ __typename: typename, field });
    }
    // An ID of the wrong type is a request error naming the argument.
    const wrong = await ws.gql(/* GraphQL */ `mutation ($input: CreateSlaPolicyInput!) { createSlaPolicy(input: $input) { __typename } }`, {
      input: { name: 'P', calendarId: gid('Team', uuidv7()), targets: [] },
    });
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.calendarId' });
    expect((await ws.gql(LISTS)).data!.slaPolicies.totalCount).toBe(0);
  });

  it('are updated: targets replaced, calendar kept unless given, deactivated', async () => {
    const ws = await createTestWorkspace();
    const { calendarId, policyId } = await standardPolicy(ws);
    const res = await ws.gql(UPDATE_POLICY, {
      input: { id: policyId, name: 'Gold', active: false, targets: [{ priority: 'URGENT', kind: 'NEXT_RESPONSE', minutes: 30, businessHours: true }] },
    });
    expect(res.data!.updateSlaPolicy.policy).toMatchObject({
      name: 'Gold',
      active: false,
      calendar: { id: calendarId },
      targets: [{ priority: 'URGENT', kind: 'NEXT_RESPONSE', minutes: 30, businessHours: true }],
    });
    expect((await ws.gql(LISTS)).data!.inactive.totalCount).toBe(1);
    // Removing the calendar while a target counts business hours is refused.
    expect(await run(ws, 'updateSlaPolicy', { id: policyId, calendarId: null })).toMatchObject({ __typename: 'ValidationError', field: 'input.calendarId' });
    const calendarTime = [{ priority: 'URGENT', kind: 'NEXT_RESPONSE', minutes: 30, businessHours: false }];
    const cleared = await ws.gql(UPDATE_POLICY, { input: { id: policyId, calendarId: null, targets: calendarTime, description: null } });
    expect(cleared.data!.updateSlaPolicy.policy).toMatchObject({ calendar: null, description: null, targets: [{ businessHours: false }] });
    await createPolicy(ws, { name: 'Silver', targets: [] });
    expect(await run(ws, 'updateSlaPolicy', { id: policyId, name: 'Silver' })).toMatchObject({ __typename: 'ConflictError', field: 'input.name' });
  });

  // A ticket taking the policy in a transaction still open when the delete arrives: the delete
  // must wait for it and then refuse, not delete the policy and clear it from the ticket (its
  // foreign key is ON DELETE SET NULL). Needs two connections, so PostgreSQL only.
  it.skipIf(!onPostgres())('refuses to delete a policy a ticket takes while the delete runs, and the ticket keeps it', async () => {
    const ws = await createTestWorkspace();
    const policyId = await createPolicy(ws, { name: 'Race', targets: [] });
    const ticket = await newTicket(ws);
    const { prisma } = await testDatabase();
    let deletion: ReturnType<typeof run> | undefined;
    await prisma.$transaction(
      async (tx) => {
        await tx.ticket.update({ where: { id: dbId(ticket.id) }, data: { slaPolicyId: dbId(policyId) } });
        deletion = run(ws, 'deleteSlaPolicy', { id: policyId });
        // Commit only once the delete waits on the policy row this transaction holds.
        for (let i = 0; ; i++) {
          const [lockWait] = await prisma.$queryRaw<Array<{ waiting: number }>>`
            SELECT count(*)::int AS waiting FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%"SlaPolicy"%'`;
          if (lockWait!.waiting > 0) break;
          if (i > 400) throw new Error('the delete never waited for the ticket transaction');
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      },
      { timeout: 30_000 },
    );
    expect(await deletion).toMatchObject({ __typename: 'InvalidStateError', field: 'input.id' });
    expect((await prisma.ticket.findUniqueOrThrow({ where: { id: dbId(ticket.id) } })).slaPolicyId).toBe(dbId(policyId));
  });

  it('cannot be deleted while tickets use them, nor calendars while policies use them', async () => {
    const ws = await createTestWorkspace();
    const { calendarId, policyId } = await standardPolicy(ws);
    const ticket = await newTicket(ws);
    expect((await ws.gql(SET_POLICY, { input: { ticketId: ticket.id, slaPolicyId: policyId } })).data!.setTicketSlaPolicy.__typename).toBe('SetTicketSlaPolicyPayload');

    expect(await run(ws, 'deleteBusinessCalendar', { id: calendarId })).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE', field: 'input.id' });
    expect(await run(ws, 'deleteSlaPolicy', { id: policyId })).toMatchObject({ __typename: 'InvalidStateError', field: 'input.id' });

    await ws.gql(SET_POLICY, { input: { ticketId: ticket.id, slaPolicyId: null } });
    const deleted = await ws.gql(/* GraphQL */ `mutation ($input: DeleteSlaPolicyInput!) { deleteSlaPolicy(input: $input) { ... on DeleteSlaPolicyPayload { deletedId } } }`, {
      input: { id: policyId },
    });
    expect(deleted.data!.deleteSlaPolicy.deletedId).toBe(policyId);
    expect((await ws.gql(NODE, { id: policyId })).data!.node).toBeNull();
    const { prisma } = await testDatabase();
    expect(await prisma.slaTarget.count({ where: { policyId: dbId(policyId) } })).toBe(0);

    expect((await run(ws, 'deleteBusinessCalendar', { id: calendarId })).__typename).toBe('DeleteBusinessCalendarPayload');
    expect(await prisma.businessHoursInterval.count({ where: { calendarId: dbId(calendarId) } })).toBe(0);
    expect(await run(ws, 'deleteBusinessCalendar', { id: calendarId })).toMatchObject({ __typename: 'NotFoundError', field: 'input.id' });
  });
});

describe('setTicketSlaPolicy', () => {
  it('records the change in the ticket history and publishes ticket.updated; the same policy again changes nothing', async () => {
    const ws = await createTestWorkspace();
    const { policyId } = await standardPolicy(ws);
    const ticket = await newTicket(ws);
    let at = await mark(ws);

    const res = await ws.gql(SET_POLICY, { input: { ticketId: ticket.id, slaPolicyId: policyId, expectedVersion: ticket.version } });
    expect(res.data!.setTicketSlaPolicy).toEqual({
      __typename: 'SetTicketSlaPolicyPayload',
      ticket: { id: ticket.id, version: ticket.version + 1, slaPolicy: { id: policyId, name: 'Standard' } },
    });
    let step = await eventsSince(ws, at);
    expect(step.pairs).toEqual([['ticket.updated', ticket.id]]);
    expect(step.events[0]!.payload.changedFields).toEqual(['slaPolicyId']);

    const again = await ws.gql(SET_POLICY, { input: { ticketId: ticket.id, slaPolicyId: policyId } });
    expect(again.data!.setTicketSlaPolicy.ticket.version).toBe(ticket.version + 1);
    step = await eventsSince(ws, (at = step.cursor));
    expect(step.pairs).toEqual([]);

    await ws.gql(SET_POLICY, { input: { ticketId: ticket.id, slaPolicyId: null } });
    step = await eventsSince(ws, at);
    expect(step.events.map((e) => e.payload.changedFields)).toEqual([['slaPolicyId']]);

    const trail = (await history(ws, ticket.id)).filter((e: any) => e.field === 'slaPolicyId');
    expect(trail).toEqual([
      { kind: 'FIELD_CHANGED', field: 'slaPolicyId', oldValue: null, newValue: policyId, actorKind: 'AGENT', actorAgent: { id: gid('Agent', ws.agentId) } },
      { kind: 'FIELD_CHANGED', field: 'slaPolicyId', oldValue: policyId, newValue: null, actorKind: 'AGENT', actorAgent: { id: gid('Agent', ws.agentId) } },
    ]);
  });

  it('refuses inactive or foreign policies, stale versions and closed tickets', async () => {
    const ws = await createTestWorkspace();
    const { policyId } = await standardPolicy(ws);
    const inactive = await createPolicy(ws, { name: 'Old', active: false, targets: [] });
    const other = await createTestWorkspace();
    const foreign = await createPolicy(other, { name: 'Theirs', targets: [] });
    const foreignTicket = await newTicket(other);
    const ticket = await newTicket(ws);
    const set = async (input: Record<string, unknown>) => (await ws.gql(SET_POLICY, { input: { ticketId: ticket.id, ...input } })).data!.setTicketSlaPolicy;

    expect(await set({ slaPolicyId: inactive })).toMatchObject({ __typename: 'InvalidStateError', field: 'input.slaPolicyId' });
    expect(await set({ slaPolicyId: foreign })).toMatchObject({ __typename: 'NotFoundError', field: 'input.slaPolicyId' });
    expect(await set({ slaPolicyId: policyId, expectedVersion: ticket.version + 5 })).toMatchObject({
      __typename: 'ConflictError',
      field: 'input.expectedVersion',
      currentVersion: ticket.version,
    });
    const onForeignTicket = await ws.gql(SET_POLICY, { input: { ticketId: foreignTicket.id, slaPolicyId: policyId } });
    expect(onForeignTicket.data!.setTicketSlaPolicy).toMatchObject({ __typename: 'NotFoundError', field: 'input.ticketId' });

    await run(ws, 'updateTicket', { id: ticket.id, status: 'SOLVED' });
    await run(ws, 'updateTicket', { id: ticket.id, status: 'CLOSED' });
    expect(await set({ slaPolicyId: policyId })).toMatchObject({ __typename: 'InvalidStateError', field: 'input.ticketId' });
    const { prisma } = await testDatabase();
    expect((await prisma.ticket.findUniqueOrThrow({ where: { id: dbId(ticket.id) } })).slaPolicyId).toBeNull();
  });
});

describe('scopes and isolation', () => {
  it('read with workspace:read, write with workspace:write; tickets:write sets a ticket\'s policy', async () => {
    const ws = await createTestWorkspace();
    const { calendarId, policyId } = await standardPolicy(ws);
    const ticket = await newTicket(ws);
    const as = async (scopes: string[], query: string, variables: Record<string, unknown> = {}) =>
      graphql(query, variables, { apiKey: await ws.createKey(scopes) });
    const reader = await as(['workspace:read'], LISTS);
    expect(reader.errors).toBeUndefined();
    expect(reader.data!.slaPolicies.totalCount).toBe(1);

    const create = /* GraphQL */ `mutation ($input: CreateBusinessCalendarInput!) { createBusinessCalendar(input: $input) { __typename } }`;
    expect((await as(['workspace:read'], create, { input: { ...OFFICE, name: 'X' } })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await as(['workspace:write'], create, { input: { ...OFFICE, name: 'X' } })).data!.createBusinessCalendar.__typename).toBe('BusinessCalendarPayload');
    for (const query of [LISTS, `{ node(id: "${calendarId}") { id } }`]) {
      expect((await as(['tickets:read'], query)).errors?.[0]?.extensions?.code, query).toBe('FORBIDDEN');
    }
    const ticketPolicy = /* GraphQL */ `query ($id: ID!) { ticket(id: $id) { slaPolicy { id } } }`;
    expect((await as(['tickets:read'], ticketPolicy, { id: ticket.id })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await as(['workspace:write'], SET_POLICY, { input: { ticketId: ticket.id, slaPolicyId: policyId } })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // The policy itself is workspace data: a tickets-only key sets it but cannot read it back.
    expect((await as(['tickets:write'], SET_POLICY, { input: { ticketId: ticket.id, slaPolicyId: policyId } })).errors?.[0]).toMatchObject({
      extensions: { code: 'FORBIDDEN' },
      path: ['setTicketSlaPolicy', 'ticket', 'slaPolicy'],
    });
    expect((await as(['tickets:read', 'workspace:read'], ticketPolicy, { id: ticket.id })).data!.ticket.slaPolicy).toEqual({ id: policyId });
  });

  it('keeps another workspace\'s calendars and policies out of reach', async () => {
    const ws = await createTestWorkspace();
    const { calendarId, policyId } = await standardPolicy(ws);
    const other = await createTestWorkspace();
    const lists = await other.gql(LISTS);
    expect(lists.data!.businessCalendars.totalCount).toBe(0);
    expect(lists.data!.slaPolicies.totalCount).toBe(0);
    for (const id of [calendarId, policyId]) expect((await other.gql(NODE, { id })).data!.node).toBeNull();
    expect(await run(other, 'updateBusinessCalendar', { id: calendarId, name: 'Mine' })).toMatchObject({ __typename: 'NotFoundError', field: 'input.id' });
    expect(await run(other, 'updateSlaPolicy', { id: policyId, name: 'Mine' })).toMatchObject({ __typename: 'NotFoundError', field: 'input.id' });
    expect(await run(other, 'deleteSlaPolicy', { id: policyId })).toMatchObject({ __typename: 'NotFoundError' });
    expect(await run(other, 'deleteBusinessCalendar', { id: calendarId })).toMatchObject({ __typename: 'NotFoundError' });
    expect(await run(other, 'createSlaPolicy', { name: 'P', calendarId, targets: [] })).toMatchObject({ __typename: 'NotFoundError', field: 'input.calendarId' });
    expect((await ws.gql(LISTS)).data!.businessCalendars.edges[0].node.name).toBe('Office');
  });
});
