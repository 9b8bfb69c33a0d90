import { describe, expect, it } from 'vitest';
import { graphql } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';
import { subscribe, until, useLiveServer, type Subscription } from './helpers/ws.ts';
import { eventsSince, mark, readFeed, run } from './events-helpers.ts';
import { createCalendar, createPolicy, dbId, gid } from './sla-helpers.ts';

/**
 * SLA policy and business calendar edits in the change feed (`sla_policy.*`,
 * `business_calendar.*`), read back through the `events` query as a client would: one event per
 * change, none for a failed or empty change, never in another workspace; and `metricUpdated`
 * recomputing a business-hours duration after a calendar edit.
 */

const CONFIG_TYPES = [
  'sla_policy.created',
  'sla_policy.updated',
  'sla_policy.deleted',
  'business_calendar.created',
  'business_calendar.updated',
  'business_calendar.deleted',
];

const WEEKDAYS = [1, 2, 3, 4, 5];
const DESK = {
  name: 'Desk',
  timeZone: 'UTC',
  hours: WEEKDAYS.map((dayOfWeek) => ({ dayOfWeek, startMinute: 540, endMinute: 1020 })),
};

const WITH_SUBJECT = /* GraphQL */ `
  query ($types: [String!]) {
    events(types: $types) {
      edges { node { type subjectType subjectId payload subject { __typename id ... on BusinessCalendar { name } ... on SlaPolicy { name active } } } }
    }
  }
`;

/** The events since `after` as [type, subjectType, subjectId, payload]. */
async function since(ws: TestWorkspace, after: string | null) {
  const { events, cursor } = await eventsSince(ws, after);
  return { cursor, list: events.map((e) => [e.type, e.subjectType, e.subjectId, e.payload]) };
}

describe('SLA configuration events', () => {
  it('business calendar create, update and delete each record one event; failed and empty changes record none', async () => {
    const ws = await createTestWorkspace();
    let cursor = await mark(ws);

    const calendarId = await createCalendar(ws, DESK);
    let step = await since(ws, cursor);
    expect(step.list).toEqual([['business_calendar.created', 'BusinessCalendar', calendarId, {}]]);
    cursor = step.cursor;

    // The subject resolves, as the calendar is now.
    const read = await ws.gql(WITH_SUBJECT, { types: ['business_calendar.created'] });
    expect(read.errors).toBeUndefined();
    expect(read.data!.events.edges[0].node.subject).toEqual({ __typename: 'BusinessCalendar', id: calendarId, name: 'Desk' });

    // Name and holidays change; the hours are sent again unchanged, so they are not named.
    expect(
      (await run(ws, 'updateBusinessCalendar', { id: calendarId, name: 'Front desk', hours: DESK.hours, holidays: [{ date: '2026-12-25', name: 'Christmas' }] })).__typename,
    ).toBe('BusinessCalendarPayload');
    step = await since(ws, cursor);
    expect(step.list).toEqual([['business_calendar.updated', 'BusinessCalendar', calendarId, { changedFields: ['name', 'holidays'] }]]);
    cursor = step.cursor;

    // Nothing changes: no event.
    expect((await run(ws, 'updateBusinessCalendar', { id: calendarId, name: 'Front desk', timeZone: 'UTC' })).__typename).toBe('BusinessCalendarPayload');
    // Invalid or conflicting: no event.
    expect(await run(ws, 'updateBusinessCalendar', { id: calendarId, timeZone: 'Mars/Olympus' })).toMatchObject({ code: 'VALIDATION', field: 'input.timeZone' });
    expect(await run(ws, 'updateBusinessCalendar', { id: calendarId, hours: [] })).toMatchObject({ code: 'VALIDATION', field: 'input.hours' });
    expect(await run(ws, 'createBusinessCalendar', { ...DESK, name: 'Front desk' })).toMatchObject({ code: 'CONFLICT', field: 'input.name' });
    step = await since(ws, cursor);
    expect(step.list).toEqual([]);

    // A calendar a policy uses cannot be deleted: no event (the policy itself records one).
    const policyId = await createPolicy(ws, { name: 'Uses desk', calendarId, targets: [{ priority: 'NORMAL', kind: 'FIRST_RESPONSE', minutes: 60, businessHours: true }] });
    expect(await run(ws, 'deleteBusinessCalendar', { id: calendarId })).toMatchObject({ code: 'INVALID_STATE', field: 'input.id' });
    step = await since(ws, cursor);
    expect(step.list).toEqual([['sla_policy.created', 'SlaPolicy', policyId, { calendarId }]]);
    cursor = step.cursor;

    expect((await run(ws, 'deleteSlaPolicy', { id: policyId })).__typename).toBe('DeleteSlaPolicyPayload');
    expect((await run(ws, 'deleteBusinessCalendar', { id: calendarId })).__typename).toBe('DeleteBusinessCalendarPayload');
    // Deleting it again: not found, no event.
    expect(await run(ws, 'deleteBusinessCalendar', { id: calendarId })).toMatchObject({ code: 'NOT_FOUND' });
    step = await since(ws, cursor);
    expect(step.list).toEqual([
      ['sla_policy.deleted', 'SlaPolicy', policyId, { calendarId }],
      ['business_calendar.deleted', 'BusinessCalendar', calendarId, {}],
    ]);
    // The deleted calendar is no subject any more.
    const gone = await ws.gql(WITH_SUBJECT, { types: ['business_calendar.deleted'] });
    expect(gone.data!.events.edges.map((e: any) => e.node.subject)).toEqual([null]);
  });

  it('SLA policy create, update and delete each record one event with the changed fields; failed and empty changes record none', async () => {
    const ws = await createTestWorkspace();
    const calendarId = await createCalendar(ws, DESK);
    let cursor = await mark(ws);
    const targets = [{ priority: 'NORMAL', kind: 'FIRST_RESPONSE', minutes: 60, businessHours: false }];

    const policyId = await createPolicy(ws, { name: 'Basic', targets });
    let step = await since(ws, cursor);
    expect(step.list).toEqual([['sla_policy.created', 'SlaPolicy', policyId, { calendarId: null }]]);
    cursor = step.cursor;

    const businessTargets = [...targets, { priority: 'HIGH', kind: 'RESOLUTION', minutes: 240, businessHours: true }];
    expect((await run(ws, 'updateSlaPolicy', { id: policyId, calendarId, targets: businessTargets, description: 'Weekdays' })).__typename).toBe('SlaPolicyPayload');
    step = await since(ws, cursor);
    expect(step.list).toEqual([['sla_policy.updated', 'SlaPolicy', policyId, { changedFields: ['description', 'calendarId', 'targets'], calendarId }]]);
    cursor = step.cursor;

    // The same targets in another order, and the same name: nothing changed, no event.
    expect((await run(ws, 'updateSlaPolicy', { id: policyId, name: 'Basic', targets: [...businessTargets].reverse() })).__typename).toBe('SlaPolicyPayload');
    // Invalid: business-hours targets without a calendar; an unknown calendar; a taken name.
    expect(await run(ws, 'updateSlaPolicy', { id: policyId, calendarId: null })).toMatchObject({ code: 'VALIDATION', field: 'input.calendarId' });
    expect(await run(ws, 'updateSlaPolicy', { id: policyId, calendarId: gid('BusinessCalendar', '00000000-0000-7000-8000-000000000000') })).toMatchObject({
      code: 'NOT_FOUND',
      field: 'input.calendarId',
    });
    expect(await run(ws, 'createSlaPolicy', { name: 'Basic', targets })).toMatchObject({ code: 'CONFLICT', field: 'input.name' });
    expect(await run(ws, 'createSlaPolicy', { name: 'Zero minutes', targets: [{ ...targets[0], minutes: 0 }] })).toMatchObject({ code: 'VALIDATION' });
    step = await since(ws, cursor);
    expect(step.list).toEqual([]);

    expect((await run(ws, 'updateSlaPolicy', { id: policyId, active: false })).__typename).toBe('SlaPolicyPayload');
    step = await since(ws, cursor);
    expect(step.list).toEqual([['sla_policy.updated', 'SlaPolicy', policyId, { changedFields: ['active'], calendarId }]]);
    cursor = step.cursor;

    // A policy a ticket uses cannot be deleted: no event.
    const { prisma } = await testDatabase();
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const ticket = await prisma.ticket.create({ data: { workspaceId: ws.workspaceId, number: 1, subject: 'Under policy', requesterId: customer!.id, slaPolicyId: dbId(policyId) } });
    expect(await run(ws, 'deleteSlaPolicy', { id: policyId })).toMatchObject({ code: 'INVALID_STATE', field: 'input.id' });
    expect(await since(ws, cursor)).toMatchObject({ list: [] });
    await prisma.ticket.delete({ where: { id: ticket.id } });

    expect((await run(ws, 'deleteSlaPolicy', { id: policyId })).__typename).toBe('DeleteSlaPolicyPayload');
    step = await since(ws, cursor);
    expect(step.list).toEqual([['sla_policy.deleted', 'SlaPolicy', policyId, { calendarId }]]);
  });

  it('stay in their workspace; the subject needs workspace:read, the feed events:read', async () => {
    const a = await createTestWorkspace();
    const b = await createTestWorkspace();
    const bStart = await mark(b);
    const policyId = await createPolicy(a, { name: 'Private', targets: [{ priority: 'LOW', kind: 'RESOLUTION', minutes: 600, businessHours: false }] });
    expect((await run(a, 'updateSlaPolicy', { id: policyId, name: 'Still private' })).__typename).toBe('SlaPolicyPayload');
    expect((await readFeed(a, null, 100, CONFIG_TYPES)).events.map((e) => e.type)).toEqual(['sla_policy.created', 'sla_policy.updated']);
    // Another workspace sees none of them, filtered or not, and cannot load the subject.
    expect((await readFeed(b, bStart)).events).toEqual([]);
    expect((await readFeed(b, null, 100, CONFIG_TYPES)).events).toEqual([]);
    const foreign = await b.gql(/* GraphQL */ `query ($id: ID!) { node(id: $id) { id } }`, { id: policyId });
    expect(foreign.data!.node).toBeNull();

    // events:read alone: the events, but not the policy.
    const feedOnly = await graphql(WITH_SUBJECT, { types: CONFIG_TYPES }, { apiKey: await a.createKey(['events:read']) });
    expect(feedOnly.data!.events.edges.map((e: any) => [e.node.type, e.node.subject])).toEqual([
      ['sla_policy.created', null],
      ['sla_policy.updated', null],
    ]);
    expect(feedOnly.errors![0]).toMatchObject({ path: ['events', 'edges', 0, 'node', 'subject', 'id'], extensions: { code: 'FORBIDDEN' } });
    // With workspace:read as well, the policy as it is now.
    const both = await graphql(WITH_SUBJECT, { types: CONFIG_TYPES }, { apiKey: await a.createKey(['events:read', 'workspace:read']) });
    expect(both.errors).toBeUndefined();
    expect(both.data!.events.edges[1].node).toMatchObject({
      type: 'sla_policy.updated',
      subjectType: 'SlaPolicy',
      subjectId: policyId,
      payload: { changedFields: ['name'], calendarId: null },
      subject: { __typename: 'SlaPolicy', id: policyId, name: 'Still private', active: true },
    });
    // workspace:read without events:read: no feed.
    const noFeed = await graphql(WITH_SUBJECT, {}, { apiKey: await a.createKey(['workspace:read']) });
    expect(noFeed.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });
});

describe('metricUpdated after a calendar edit', () => {
  const PUSH_MS = 300;
  const live = useLiveServer({
    CXGRAPH_METRIC_PUSH_MS: String(PUSH_MS),
    // No ticket.sla_breached sweeps: every push here comes from the mutation of the test.
    CXGRAPH_SLA_SWEEP_MS: '0',
  });

  const METRIC_UPDATED = /* GraphQL */ `
    subscription ($input: MetricInput!) {
      metricUpdated(input: $input) { cursor result { value sampleSize statistic clock } }
    }
  `;
  const UPDATE_CALENDAR = /* GraphQL */ `
    mutation ($input: UpdateBusinessCalendarInput!) { updateBusinessCalendar(input: $input) { __typename ... on Error { code message } } }
  `;
  const FEED = /* GraphQL */ `query { events(types: ["business_calendar.updated"]) { edges { cursor node { subjectId payload } } } }`;

  it('pushes the recomputed business-hours first response time when the hours change', async () => {
    const { ws, prisma, customer } = await live.setup();
    // Calendar in UTC, Mon–Fri 09:00–17:00 (created through the API, as a client would).
    const calendarId = await createCalendar(ws, { ...DESK, name: 'Live desk' });
    /*
     * One ticket: created Tue 2026-03-03 16:00 UTC, first response Wed 2026-03-04 10:00 UTC.
     *   09:00–17:00: Tue 16:00–17:00 (3600 s) + Wed 09:00–10:00 (3600 s) = 7200 s.
     *   09:00–16:30: Tue 16:00–16:30 (1800 s) + Wed 09:00–10:00 (3600 s) = 5400 s.
     * (Wall-clock: 18 h = 64800 s.)
     */
    await prisma.ticket.create({
      data: {
        workspaceId: ws.workspaceId,
        number: 1,
        subject: 'After hours',
        requesterId: customer.id,
        createdAt: new Date('2026-03-03T16:00:00Z'),
        firstResponseAt: new Date('2026-03-04T10:00:00Z'),
        publicAgentReplyCount: 1,
        status: 'OPEN',
      },
    });
    const input = {
      key: 'ticket_first_response_time',
      from: '2026-03-01T00:00:00Z',
      to: '2026-03-31T00:00:00Z',
      statistic: 'MEAN',
      clock: 'BUSINESS',
      calendarId,
    };
    const sub: Subscription = subscribe(live.connect(ws.apiKey).client, METRIC_UPDATED, { input });
    await sub.waitFor(1, 15_000);
    expect(sub.errors).toEqual([]);
    expect(sub.items[0].metricUpdated).toEqual({ cursor: null, result: { value: 7200, sampleSize: 1, statistic: 'MEAN', clock: 'BUSINESS' } });

    const hours = WEEKDAYS.map((dayOfWeek) => ({ dayOfWeek, startMinute: 540, endMinute: 990 }));
    const res = await live.post(ws.apiKey, UPDATE_CALENDAR, { input: { id: calendarId, hours } });
    expect(res.data?.updateBusinessCalendar.__typename, JSON.stringify(res)).toBe('BusinessCalendarPayload');

    // Bounded wait for the first push with another value; no other change happens in this workspace.
    await until(() => sub.items.some((i) => i.metricUpdated.result.value !== 7200) || sub.completed, 15_000);
    expect(sub.errors).toEqual([]);
    const pushed = sub.items.find((i) => i.metricUpdated.result.value !== 7200)!.metricUpdated;
    expect(pushed.result).toEqual({ value: 5400, sampleSize: 1, statistic: 'MEAN', clock: 'BUSINESS' });
    // The push accounts for the calendar edit, as recorded in the change feed.
    const feed = await live.post(ws.apiKey, FEED);
    expect(feed.data!.events.edges).toEqual([{ cursor: pushed.cursor, node: { subjectId: calendarId, payload: { changedFields: ['hours'] } } }]);
  });
});
