import { describe, expect, it } from 'vitest';
import { loadConfig, StartupError } from '../src/config.ts';
import { InMemoryBus } from '../src/events/bus.ts';
import { createSlaBreachSweeper, sweepSlaBreaches, type SlaBreach } from '../src/events/sla-breaches.ts';
import { createLogger } from '../src/logger.ts';
import { startServer } from '../src/server.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, type TestWorkspace } from './helpers/factories.ts';
import { createPolicy, gid, insertTickets, metric } from './sla-helpers.ts';
import { settle, subscribe, useLiveServer } from './helpers/ws.ts';

/**
 * ticket.sla_breached: the sweeper claims the SLA target instances that breached (due time passed
 * while they ran, or achieved after it) and records one event each. Sweeps are triggered
 * directly (the server's own sweeper, with its timer off), so nothing here waits on a timer;
 * fixtures are inserted with chosen times.
 */

// The timer is off: the tests sweep when they mean to.
const live = useLiveServer({ CXGRAPH_SLA_SWEEP_MS: '0' });
const log = createLogger('silent');
const MIN = 60_000;
const SWEEP = { batchSize: 500, lookbackMs: 24 * 60 * MIN };

/** Every target in calendar time: first and next response 5 minutes, resolution 10 hours. */
const TARGETS = [
  { priority: 'NORMAL', kind: 'FIRST_RESPONSE', minutes: 5, businessHours: false },
  { priority: 'NORMAL', kind: 'NEXT_RESPONSE', minutes: 5, businessHours: false },
  { priority: 'NORMAL', kind: 'RESOLUTION', minutes: 600, businessHours: false },
];

const iso = (ms: number) => new Date(ms).toISOString();

const TICKET_UPDATED = /* GraphQL */ `
  subscription ($id: ID, $filter: TicketSubscriptionFilter, $after: String) {
    ticketUpdated(ticketId: $id, filter: $filter, after: $after) {
      type cursor occurredAt changedFields slaBreach { kind startedAt dueAt achievedAt } ticket { id subject }
    }
  }
`;

const FEED = /* GraphQL */ `
  query ($types: [String!]) { events(types: $types, first: 100) { edges { node { type subjectId payload actorKind occurredAt } } } }
`;

async function breachEvents(ws: TestWorkspace) {
  const res = await ws.gql(FEED, { types: ['ticket.sla_breached'] });
  expect(res.errors).toBeUndefined();
  return res.data!.events.edges.map((e: any) => e.node);
}

/** Puts a ticket in a team and with an assignee (neither is an SLA input: its clocks stay as they are). */
async function route(ticketId: string, teamId: string | null, assigneeId: string | null) {
  const { prisma } = await testDatabase();
  await prisma.ticket.update({ where: { id: ticketId }, data: { teamId, assigneeId } });
}

const mine = (breaches: SlaBreach[], ws: TestWorkspace) => breaches.filter((b) => b.workspaceId === ws.workspaceId);

const COMMENT = /* GraphQL */ `
  mutation ($input: AddTicketCommentInput!) { addTicketComment(input: $input) { __typename ... on Error { message } } }
`;

const SLA_STATUS = /* GraphQL */ `
  query ($id: ID!) { ticket(id: $id) { metrics { slaStatus { kind status dueAt achievedAt } } } }
`;

const COMPLIANCE = ['sla_first_response_compliance', 'sla_next_response_compliance', 'sla_resolution_compliance'];

/** Targets the compliance metrics count as BREACHED: MET or BREACHED ones (sampleSize) less the MET share. */
async function breachedCount(ws: TestWorkspace, range: { from: string; to: string }) {
  let breached = 0;
  for (const key of COMPLIANCE) {
    const { value, sampleSize } = await metric(ws, { key, ...range });
    breached += Math.round(sampleSize * (1 - (value ?? 0) / 100));
  }
  return breached;
}

/** The feed's breaches as [ticket, kind, dueAt, achievedAt], in one order. */
const breachRows = (feed: any[]) =>
  feed.map((e: any) => [e.subjectId, e.payload.kind, e.payload.dueAt, e.payload.achievedAt]).sort((a, b) => `${a[0]}${a[1]}`.localeCompare(`${b[0]}${b[1]}`));

describe('ticket.sla_breached', () => {
  it('is delivered once per breached target to the team inbox, never for targets met, cancelled or not due, never across workspaces', async () => {
    const { ws, fx } = await live.setup();
    const team = await fx.team('Tier 1');
    const otherTeam = await fx.team('Tier 2');
    const policy = await createPolicy(ws, { name: 'Standard', targets: TARGETS });
    const now = Date.now();
    const at = (minutesAgo: number) => iso(now - minutesAgo * MIN);
    const [breached, answered, solved, notDue, elsewhere, waiting] = await insertTickets(ws, [
      // First response due 5 minutes ago, no reply: BREACHED.
      { slaPolicyId: policy, createdAt: at(10) },
      // Replied within 2 minutes: MET.
      { slaPolicyId: policy, createdAt: at(10), firstResponseAt: at(8), comments: [[at(8), 'AGENT']] },
      // Solved after 3 minutes without a reply: the first response is CANCELLED, the resolution MET.
      { slaPolicyId: policy, createdAt: at(10), solvedAt: at(7) },
      // Due in 4 minutes: PENDING.
      { slaPolicyId: policy, createdAt: at(1) },
      // Breached, in another team.
      { slaPolicyId: policy, createdAt: at(10) },
      // First response met; the customer answered 10 minutes ago and waits: NEXT_RESPONSE BREACHED.
      { slaPolicyId: policy, createdAt: at(30), firstResponseAt: at(27), comments: [[at(27), 'AGENT'], [at(10), 'CUSTOMER']] },
    ]);
    for (const id of [breached!, answered!, solved!, notDue!, waiting!]) await route(id, team.id, ws.agentId);
    await route(elsewhere!, otherTeam.id, null);

    // Another workspace, with a breach of its own and a subscriber that follows every ticket.
    const stranger = await live.setup();
    const strangerPolicy = await createPolicy(stranger.ws, { name: 'Standard', targets: TARGETS });
    const [strangersTicket] = await insertTickets(stranger.ws, [{ slaPolicyId: strangerPolicy, createdAt: at(10) }]);

    const inbox = subscribe(live.connect(ws.apiKey).client, TICKET_UPDATED, { filter: { teamId: gid('Team', team.id) }, after: await fx.mark() });
    // Once the inbox is live, the workspace's feed exists at or before this update; the second
    // subscriber starts after it, so it never starts behind the feed (a stream that starts behind
    // it with nothing to replay in between does not join; see the report of this change).
    await fx.event('ticket.updated', 'Ticket', breached!, { teamId: team.id, changedFields: ['tags'] });
    const [probe] = await inbox.waitFor(1);
    const oneTicket = subscribe(live.connect(ws.apiKey).client, TICKET_UPDATED, { id: gid('Ticket', breached!), after: probe.ticketUpdated.cursor });
    const foreign = subscribe(live.connect(stranger.ws.apiKey).client, TICKET_UPDATED, { after: await stranger.fx.mark() });

    const swept = mine(await live.running.slaBreaches.sweep(), ws);
    // On a shared PostgreSQL another file's server may sweep first: the events are the truth.
    expect(swept.length).toBeLessThanOrEqual(3);

    const items = (await inbox.waitFor(3)).slice(1);
    await oneTicket.waitFor(1);
    await foreign.waitFor(1);
    // Sweeping again, here and on a second instance at the same time, announces nothing more.
    const second = createSlaBreachSweeper({ prisma: (await testDatabase()).prisma, bus: new InMemoryBus(), log, intervalMs: 60_000, ...SWEEP });
    const again = await Promise.all([live.running.slaBreaches.sweep(), second.sweep(), sweepSlaBreaches((await testDatabase()).prisma, SWEEP)]);
    expect(again.flatMap((b) => mine(b, ws))).toEqual([]);
    await settle(500);

    expect(inbox.errors).toEqual([]);
    const byTicket = new Map(items.map((i: any) => [i.ticketUpdated.ticket.id, i.ticketUpdated]));
    expect(inbox.items).toHaveLength(3);
    expect(byTicket.get(gid('Ticket', breached!))).toMatchObject({
      type: 'ticket.sla_breached',
      changedFields: [],
      slaBreach: { kind: 'FIRST_RESPONSE', startedAt: at(10), dueAt: at(5), achievedAt: null },
    });
    expect(byTicket.get(gid('Ticket', waiting!))).toMatchObject({
      type: 'ticket.sla_breached',
      slaBreach: { kind: 'NEXT_RESPONSE', startedAt: at(10), dueAt: at(5), achievedAt: null },
    });
    expect(oneTicket.items.map((i: any) => [i.ticketUpdated.type, i.ticketUpdated.slaBreach.kind])).toEqual([['ticket.sla_breached', 'FIRST_RESPONSE']]);
    expect(foreign.items.map((i: any) => i.ticketUpdated.ticket.id)).toEqual([gid('Ticket', strangersTicket!)]);

    // The change feed: exactly the three breaches, with small routing data as global IDs.
    const feed = await breachEvents(ws);
    expect(feed).toHaveLength(3);
    const payloads = new Map(feed.map((e: any) => [e.subjectId, e]));
    expect(payloads.get(gid('Ticket', breached!))).toMatchObject({
      actorKind: 'SYSTEM',
      payload: {
        ticketId: gid('Ticket', breached!),
        kind: 'FIRST_RESPONSE',
        startedAt: at(10),
        dueAt: at(5),
        achievedAt: null,
        teamId: gid('Team', team.id),
        assigneeId: gid('Agent', ws.agentId),
      },
    });
    expect(payloads.get(gid('Ticket', elsewhere!))).toMatchObject({ payload: { kind: 'FIRST_RESPONSE', teamId: gid('Team', otherTeam.id), assigneeId: null } });
    expect(payloads.has(gid('Ticket', answered!))).toBe(false);
    expect(payloads.has(gid('Ticket', solved!))).toBe(false);
    expect(payloads.has(gid('Ticket', notDue!))).toBe(false);
    expect((await breachEvents(stranger.ws)).map((e: any) => e.subjectId)).toEqual([gid('Ticket', strangersTicket!)]);
  });

  it('announces targets achieved late before any sweep once, with achievedAt, never those met in time, as many as the metrics count BREACHED', async () => {
    const { ws, fx } = await live.setup();
    const policy = await createPolicy(ws, { name: 'Standard', targets: TARGETS });
    const now = Date.now();
    const at = (minutesAgo: number) => iso(now - minutesAgo * MIN);
    // Calendar time; first and next response 5 minutes, resolution 600 minutes. Minutes ago:
    const [running, lateReply, inTime, lateNext, lateSolve, cancelled, longAgo] = await insertTickets(ws, [
      // Created 10, no reply: FIRST_RESPONSE due 5, running, BREACHED. Resolution due in 590: PENDING.
      { slaPolicyId: policy, createdAt: at(10) },
      // Created 20, replied 12: FIRST_RESPONSE due 15, achieved 3 minutes late, BREACHED. Resolution PENDING.
      { slaPolicyId: policy, createdAt: at(20), firstResponseAt: at(12), comments: [[at(12), 'AGENT']] },
      // Created 20, replied 17: FIRST_RESPONSE due 15, MET. Resolution PENDING.
      { slaPolicyId: policy, createdAt: at(20), firstResponseAt: at(17), comments: [[at(17), 'AGENT']] },
      // Created 30, replied 28 (MET); the customer answered 20, the agent 12: NEXT_RESPONSE due 15, BREACHED late.
      { slaPolicyId: policy, createdAt: at(30), firstResponseAt: at(28), comments: [[at(28), 'AGENT'], [at(20), 'CUSTOMER'], [at(12), 'AGENT']] },
      // Created 660, replied 658 (MET), solved 30: RESOLUTION due 60, BREACHED late.
      { slaPolicyId: policy, createdAt: at(660), firstResponseAt: at(658), solvedAt: at(30), comments: [[at(658), 'AGENT']] },
      // Created 10, solved 7 without a reply: FIRST_RESPONSE CANCELLED, RESOLUTION MET.
      { slaPolicyId: policy, createdAt: at(10), solvedAt: at(7) },
      // Two days old, answered late and never solved: both breaches are due before the 24-hour window.
      { slaPolicyId: policy, createdAt: at(48 * 60), firstResponseAt: at(48 * 60 - 10), comments: [[at(48 * 60 - 10), 'AGENT']] },
    ]);
    const sub = subscribe(live.connect(ws.apiKey).client, TICKET_UPDATED, { id: gid('Ticket', lateReply!), after: await fx.mark() });

    await live.running.slaBreaches.sweep();
    const [item] = await sub.waitFor(1);
    expect(item.ticketUpdated).toMatchObject({
      type: 'ticket.sla_breached',
      slaBreach: { kind: 'FIRST_RESPONSE', startedAt: at(20), dueAt: at(15), achievedAt: at(12) },
      ticket: { id: gid('Ticket', lateReply!) },
    });
    const expected = breachRows([
      { subjectId: gid('Ticket', running!), payload: { kind: 'FIRST_RESPONSE', dueAt: at(5), achievedAt: null } },
      { subjectId: gid('Ticket', lateReply!), payload: { kind: 'FIRST_RESPONSE', dueAt: at(15), achievedAt: at(12) } },
      { subjectId: gid('Ticket', lateNext!), payload: { kind: 'NEXT_RESPONSE', dueAt: at(15), achievedAt: at(12) } },
      { subjectId: gid('Ticket', lateSolve!), payload: { kind: 'RESOLUTION', dueAt: at(60), achievedAt: at(30) } },
    ]);
    expect(breachRows(await breachEvents(ws))).toEqual(expected);

    // Later sweeps, here and on a second instance at the same time, announce nothing more.
    const second = createSlaBreachSweeper({ prisma: (await testDatabase()).prisma, bus: new InMemoryBus(), log, intervalMs: 60_000, ...SWEEP });
    const again = await Promise.all([live.running.slaBreaches.sweep(), second.sweep()]);
    expect(again.flatMap((b) => mine(b, ws))).toEqual([]);
    await live.running.slaBreaches.sweep();
    const feed = await breachEvents(ws);
    expect(breachRows(feed)).toEqual(expected);
    for (const id of [inTime!, cancelled!, longAgo!]) expect(feed.some((e: any) => e.subjectId === gid('Ticket', id))).toBe(false);
    await settle(300);
    expect(sub.items).toHaveLength(1);

    // Started in the last 24 hours (the long-ago ticket is not): first response MET 3 (in time,
    // late next, late solve) and BREACHED 2 (running, late reply); next response BREACHED 1;
    // resolution MET 1 (cancelled's solve) and BREACHED 1 (late solve). 4 BREACHED = 4 events.
    const range = { from: iso(now - 24 * 60 * MIN), to: iso(now + 60 * MIN) };
    expect(await metric(ws, { key: 'sla_first_response_compliance', ...range })).toEqual({ value: 60, sampleSize: 5 });
    expect(await metric(ws, { key: 'sla_next_response_compliance', ...range })).toEqual({ value: 0, sampleSize: 1 });
    expect(await metric(ws, { key: 'sla_resolution_compliance', ...range })).toEqual({ value: 50, sampleSize: 2 });
    expect(await breachedCount(ws, range)).toBe(4);
    expect(feed).toHaveLength(4);
  });

  it('announces a target breached while running once, with achievedAt null, and not again when it is answered late', async () => {
    const { ws, fx } = await live.setup();
    const policy = await createPolicy(ws, { name: 'Standard', targets: TARGETS });
    const now = Date.now();
    // First response due 5 minutes ago, no reply yet.
    const [ticket] = await insertTickets(ws, [{ slaPolicyId: policy, createdAt: iso(now - 10 * MIN) }]);
    const id = gid('Ticket', ticket!);
    const sub = subscribe(live.connect(ws.apiKey).client, TICKET_UPDATED, { id, after: await fx.mark() });

    await live.running.slaBreaches.sweep();
    const [breach] = await sub.waitFor(1);
    expect(breach.ticketUpdated).toMatchObject({
      type: 'ticket.sla_breached',
      slaBreach: { kind: 'FIRST_RESPONSE', startedAt: iso(now - 10 * MIN), dueAt: iso(now - 5 * MIN), achievedAt: null },
    });

    // The agent answers now: the same target, achieved late.
    const reply = await ws.gql(COMMENT, { input: { ticketId: id, body: 'Sorry for the wait' } });
    expect(reply.errors).toBeUndefined();
    expect(reply.data!.addTicketComment.__typename).toBe('AddTicketCommentPayload');
    const status = await ws.gql(SLA_STATUS, { id });
    expect(status.errors).toBeUndefined();
    const [firstResponse] = status.data!.ticket.metrics.slaStatus;
    expect(firstResponse).toMatchObject({ kind: 'FIRST_RESPONSE', status: 'BREACHED', dueAt: iso(now - 5 * MIN) });
    expect(new Date(firstResponse.achievedAt).getTime()).toBeGreaterThan(now - 5 * MIN);

    await live.running.slaBreaches.sweep();
    await live.running.slaBreaches.sweep();
    const feed = await breachEvents(ws);
    expect(breachRows(feed)).toEqual([[id, 'FIRST_RESPONSE', iso(now - 5 * MIN), null]]);
    // The comment is delivered; no second breach is.
    await sub.waitFor(2);
    await settle(300);
    expect(sub.errors).toEqual([]);
    expect(sub.items.filter((i: any) => i.ticketUpdated.type === 'ticket.sla_breached')).toHaveLength(1);
    // One BREACHED first response (now achieved late), one event.
    const range = { from: iso(now - 60 * MIN), to: iso(now + 60 * MIN) };
    expect(await metric(ws, { key: 'sla_first_response_compliance', ...range })).toEqual({ value: 0, sampleSize: 1 });
    expect(await breachedCount(ws, range)).toBe(feed.length);
  });

  it('follows recomputed clocks: a due time moved into the past breaches, one moved after the breach does not breach again', async () => {
    const { ws } = await live.setup();
    const policy = await createPolicy(ws, { name: 'Standard', targets: TARGETS });
    const now = Date.now();
    const [slow, late] = await insertTickets(ws, [
      // First response due in 50 minutes…
      { slaPolicyId: policy, createdAt: iso(now - 10 * MIN), priority: 'HIGH' },
      // …and one breached 5 minutes ago.
      { slaPolicyId: policy, createdAt: iso(now - 10 * MIN) },
    ]);
    const setTargets = (highMinutes: number, normalMinutes: number) =>
      ws.gql(/* GraphQL */ `mutation ($input: UpdateSlaPolicyInput!) { updateSlaPolicy(input: $input) { __typename } }`, {
        input: {
          id: policy,
          targets: [
            { priority: 'HIGH', kind: 'FIRST_RESPONSE', minutes: highMinutes, businessHours: false },
            { priority: 'NORMAL', kind: 'FIRST_RESPONSE', minutes: normalMinutes, businessHours: false },
          ],
        },
      });
    expect((await setTargets(60, 5)).data!.updateSlaPolicy.__typename).toBe('SlaPolicyPayload');
    await live.running.slaBreaches.sweep();
    expect((await breachEvents(ws)).map((e: any) => [e.subjectId, e.payload.dueAt])).toEqual([[gid('Ticket', late!), iso(now - 5 * MIN)]]);

    // Stricter for HIGH (due 2 minutes ago now); NORMAL relaxed to 8 minutes, still in the past.
    // Both clocks are re-inserted with new ids; the NORMAL target is the same instance as before.
    expect((await setTargets(8, 8)).data!.updateSlaPolicy.__typename).toBe('SlaPolicyPayload');
    await live.running.slaBreaches.sweep();
    await live.running.slaBreaches.sweep();
    const feed = await breachEvents(ws);
    expect(feed.map((e: any) => [e.subjectId, e.payload.dueAt])).toEqual([
      [gid('Ticket', late!), iso(now - 5 * MIN)],
      [gid('Ticket', slow!), iso(now - 2 * MIN)],
    ]);
  });

  it('announces at start-up what became due while no server ran (within the look-back window), and stops with the server', async () => {
    const ws = await createTestWorkspace();
    const policy = await createPolicy(ws, { name: 'Standard', targets: TARGETS });
    const now = Date.now();
    const [whileDown, longAgo] = await insertTickets(ws, [
      { slaPolicyId: policy, createdAt: iso(now - 3 * 60 * MIN) },
      // Due two days ago: outside the 24-hour window, history rather than news.
      { slaPolicyId: policy, createdAt: iso(now - 48 * 60 * MIN) },
    ]);
    const db = await testDatabase();
    const config = loadConfig({ PORT: '0', CXGRAPH_SEED_DEMO: 'false', CXGRAPH_SLA_SWEEP_MS: '60000' });
    expect(config.slaBreaches).toEqual({ sweepMs: 60_000, batchSize: 500, lookbackMs: 24 * 60 * MIN });
    const running = await startServer(config, log, { db });
    try {
      // No sweep is triggered here: the server's first one runs as it starts.
      let feed: any[] = [];
      const deadline = Date.now() + 15_000;
      while (feed.length === 0 && Date.now() < deadline) {
        feed = await breachEvents(ws);
        if (feed.length === 0) await settle(100);
      }
      expect(feed).toHaveLength(1);
      expect(feed[0]).toMatchObject({ subjectId: gid('Ticket', whileDown!), payload: { kind: 'FIRST_RESPONSE', dueAt: iso(now - 175 * MIN) } });
      // occurredAt is when it was recorded; the payload says when it breached.
      expect(new Date(feed[0].occurredAt).getTime()).toBeGreaterThan(now);
      expect(feed.some((e: any) => e.subjectId === gid('Ticket', longAgo!))).toBe(false);
    } finally {
      await running.stop();
    }
    // Stopped: no sweep runs any more, even when asked.
    await insertTickets(ws, [{ slaPolicyId: policy, createdAt: iso(now - 10 * MIN) }]);
    expect(await running.slaBreaches.sweep()).toEqual([]);
  });

  it('needs tickets:read to subscribe', async () => {
    const { ws } = await live.setup();
    const key = await ws.createKey(['customers:read']);
    const sub = subscribe(live.connect(key).client, TICKET_UPDATED, {});
    await sub.ended();
    expect(sub.errors[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('has its settings validated', () => {
    expect(loadConfig({}).slaBreaches).toEqual({ sweepMs: 15_000, batchSize: 500, lookbackMs: 24 * 60 * MIN });
    expect(loadConfig({ CXGRAPH_SLA_SWEEP_MS: '0' }).slaBreaches.sweepMs).toBe(0);
    expect(() => loadConfig({ CXGRAPH_SLA_SWEEP_MS: '50' })).toThrow(StartupError);
    expect(() => loadConfig({ CXGRAPH_SLA_SWEEP_BATCH: '0' })).toThrow(/CXGRAPH_SLA_SWEEP_BATCH must be between 1 and 10000/);
  });
});
