import { describe, expect, it } from 'vitest';
import { decodeGlobalId, encodeGlobalId } from '../src/schema/global-id.ts';
import { CREATE, UPDATE } from './helpers/tickets.ts';
import { CREATE_POLICY, SET_POLICY } from './sla-helpers.ts';
import { subscribe, until, useLiveServer, type Subscription } from './helpers/ws.ts';

/**
 * `metricUpdated` beyond CSAT, over a real graphql-ws connection on a real port: a COUNT
 * (ticket_volume, grouped by team), a SNAPSHOT (ticket_backlog), a duration (first response
 * time), handle time, first-contact resolution and SLA resolution compliance each push their
 * exact new value after the mutation that changes it, and a change in another workspace never
 * pushes. Every expected value is worked out here by hand from the fixtures and the timestamps
 * the mutations return.
 *
 * No assertion depends on how long anything takes: a test waits (bounded) for the first push
 * whose value differs from the one before, and asserts that push. A change that must not move
 * the metric (an internal note, work on an unsolved ticket, another workspace's ticket) is
 * followed by a change that must, so the next differing push shows whether the first one
 * leaked in.
 */

const PUSH_MS = 300;
const live = useLiveServer({
  CXGRAPH_METRIC_PUSH_MS: String(PUSH_MS),
  // No ticket.sla_breached sweeps: every push here comes from the mutations of the test.
  CXGRAPH_SLA_SWEEP_MS: '0',
});

const METRIC_UPDATED = /* GraphQL */ `
  subscription ($input: MetricInput!) {
    metricUpdated(input: $input) {
      computedAt cursor
      result { value sampleSize statistic asOf groups { key value sampleSize } }
    }
  }
`;
const COMMENT = /* GraphQL */ `
  mutation ($input: AddTicketCommentInput!) {
    addTicketComment(input: $input) {
      __typename
      ... on AddTicketCommentPayload { comment { createdAt isPublic } ticket { firstResponseAt publicAgentReplyCount status } }
      ... on Error { code message field }
    }
  }
`;
const LOG_WORK = /* GraphQL */ `
  mutation ($input: LogWorkInput!) { logWork(input: $input) { __typename ... on LogWorkPayload { workEntry { seconds } } ... on Error { message } } }
`;

const DAY = 86_400_000;
/** A range around now: every sample of these tests falls in it. */
const around = (key: string, extra: Record<string, unknown> = {}) => ({
  key,
  from: new Date(Date.now() - DAY).toISOString(),
  to: new Date(Date.now() + DAY).toISOString(),
  ...extra,
});

interface Result {
  value: number | null;
  sampleSize: number;
  statistic: string;
  asOf: string | null;
  groups: Array<{ key: string | null; value: number | null; sampleSize: number }>;
}
const resultAt = (sub: Subscription, i: number): Result => sub.items[i].metricUpdated.result;
const sameValue = (a: Result, b: Result) => JSON.stringify([a.value, a.sampleSize, a.groups]) === JSON.stringify([b.value, b.sampleSize, b.groups]);
/** Groups as { key: value }, whatever order they come in. */
const groupValues = (r: Result) => Object.fromEntries(r.groups.map((g) => [g.key, g.value]));

/**
 * The first push after push `after` whose value, sample size or groups differ from it (pushes
 * repeating the same value — a recomputation after an event that changed nothing — are
 * skipped). Bounded wait; fails with every push received so far.
 */
async function nextChange(sub: Subscription, after: number): Promise<{ index: number; result: Result }> {
  const base = resultAt(sub, after);
  const find = () => sub.items.findIndex((_, i) => i > after && !sameValue(resultAt(sub, i), base));
  try {
    await until(() => find() >= 0 || sub.completed, 15_000);
  } catch {
    throw new Error(`no push after #${after} changed ${JSON.stringify(base)}; pushes: ${JSON.stringify(sub.items.map((i) => i.metricUpdated.result))}`);
  }
  expect(sub.errors).toEqual([]);
  const index = find();
  expect(index, `stream ended: ${JSON.stringify(sub.errors)}`).toBeGreaterThan(after);
  return { index, result: resultAt(sub, index) };
}

async function first(sub: Subscription): Promise<Result> {
  await sub.waitFor(1, 15_000);
  expect(sub.errors).toEqual([]);
  expect(sub.items[0].metricUpdated.cursor).toBeNull();
  return resultAt(sub, 0);
}

/** A workspace with its key's GraphQL calls over HTTP to the live server, and the calls these tests make. */
async function workspace() {
  const { ws, prisma, fx, customer } = await live.setup();
  const customerId = encodeGlobalId('Customer', customer.id);
  const post = async (query: string, variables: Record<string, unknown>) => {
    const res = await live.post(ws.apiKey, query, variables);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return res.data!;
  };
  const api = {
    ws,
    prisma,
    fx,
    customer,
    watch: (input: Record<string, unknown>) => subscribe(live.connect(ws.apiKey).client, METRIC_UPDATED, { input }),
    async createTicket(input: Record<string, unknown> = {}) {
      const data = await post(CREATE, { input: { subject: 'Printer on fire', requesterId: customerId, ...input } });
      expect(data.createTicket.__typename, JSON.stringify(data)).toBe('TicketPayload');
      return data.createTicket.ticket as { id: string; status: string; reopenCount: number; createdAt: string; firstSolvedAt: string | null };
    },
    async setStatus(id: string, status: string) {
      const data = await post(UPDATE, { input: { id, status } });
      expect(data.updateTicket.__typename, JSON.stringify(data)).toBe('TicketPayload');
      return data.updateTicket.ticket as { status: string; reopenCount: number; solvedAt: string | null; firstSolvedAt: string | null };
    },
    async comment(ticketId: string, body: string, isPublic = true) {
      const data = await post(COMMENT, { input: { ticketId, body, isPublic } });
      expect(data.addTicketComment.__typename, JSON.stringify(data)).toBe('AddTicketCommentPayload');
      return data.addTicketComment as { comment: { createdAt: string; isPublic: boolean }; ticket: { firstResponseAt: string | null; publicAgentReplyCount: number } };
    },
    async logWork(ticketId: string, seconds: number) {
      const startedAt = new Date(Date.now() - 4 * 3_600_000).toISOString();
      const data = await post(LOG_WORK, { input: { ticketId, startedAt, seconds } });
      expect(data.logWork.__typename, JSON.stringify(data)).toBe('LogWorkPayload');
    },
    async team(name: string) {
      return encodeGlobalId('Team', (await fx.team(name)).id);
    },
    /** A ticket written straight to the table with the times a test needs (no audit trail, no event). */
    async insertTicket(number: number, data: Record<string, unknown>) {
      const ticket = await prisma.ticket.create({ data: { workspaceId: ws.workspaceId, number, subject: `Ticket ${number}`, requesterId: customer.id, ...data } as never });
      return { ...ticket, gid: encodeGlobalId('Ticket', ticket.id) };
    },
    post,
  };
  return api;
}

/** The event a push's cursor names. */
async function eventOfCursor(prisma: Awaited<ReturnType<typeof workspace>>['prisma'], cursor: string) {
  const match = /^Event:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  expect(match, cursor).not.toBeNull();
  return prisma.event.findUniqueOrThrow({ where: { id: BigInt(match![1]!) } });
}

const seconds = (from: string | Date, to: string | Date) => (new Date(to).getTime() - new Date(from).getTime()) / 1000;

describe('metricUpdated for ticket metrics', () => {
  it('ticket_volume: pushes the new count after createTicket, and moves the group of the new ticket team', async () => {
    const w = await workspace();
    const north = await w.team('North');
    const south = await w.team('South');
    await w.createTicket({ teamId: north });
    const sub = w.watch(around('ticket_volume', { groupBy: 'TEAM' }));
    const initial = await first(sub);
    expect(initial).toMatchObject({ value: 1, sampleSize: 1, statistic: 'COUNT' });
    expect(groupValues(initial)).toEqual({ [north]: 1 });

    await w.createTicket({ teamId: south });
    // North 1, South 1.
    const second = await nextChange(sub, 0);
    expect(second.result).toMatchObject({ value: 2, sampleSize: 2 });
    expect(groupValues(second.result)).toEqual({ [north]: 1, [south]: 1 });

    await w.createTicket({ teamId: north });
    // North 2, South 1: only North's group moves.
    const third = await nextChange(sub, second.index);
    expect(third.result).toMatchObject({ value: 3, sampleSize: 3 });
    expect(groupValues(third.result)).toEqual({ [north]: 2, [south]: 1 });

    await w.createTicket();
    // A ticket without a team: the null group appears, the teams stay.
    const fourth = await nextChange(sub, third.index);
    expect(fourth.result).toMatchObject({ value: 4, sampleSize: 4 });
    expect(groupValues(fourth.result)).toEqual({ [north]: 2, [south]: 1, null: 1 });
    expect(sub.items[fourth.index].metricUpdated.cursor).toEqual(expect.any(String));
  });

  it('ticket_backlog: the level drops by one when a ticket is solved through updateTicket and rises again when it is reopened', async () => {
    const w = await workspace();
    const tickets = [await w.createTicket(), await w.createTicket(), await w.createTicket()];
    const sub = w.watch(around('ticket_backlog'));
    // Three NEW tickets wait for work.
    const initial = await first(sub);
    expect(initial).toMatchObject({ value: 3, statistic: 'COUNT' });
    expect(initial.asOf).toEqual(expect.any(String));

    const solved = await w.setStatus(tickets[1]!.id, 'SOLVED');
    expect(solved.status).toBe('SOLVED');
    const afterSolve = await nextChange(sub, 0);
    expect(afterSolve.result.value).toBe(2);

    const reopened = await w.setStatus(tickets[1]!.id, 'OPEN');
    expect(reopened).toMatchObject({ status: 'OPEN', reopenCount: 1, solvedAt: null });
    const afterReopen = await nextChange(sub, afterSolve.index);
    expect(afterReopen.result.value).toBe(3);

    // Moving between unsolved statuses keeps the level; the next solve is the next change.
    await w.setStatus(tickets[0]!.id, 'PENDING');
    await w.setStatus(tickets[2]!.id, 'SOLVED');
    const afterSecondSolve = await nextChange(sub, afterReopen.index);
    expect(afterSecondSolve.result.value).toBe(2);
  });

  it('ticket_first_response_time MEAN: moves with the first public agent reply, never with an internal note or a second reply', async () => {
    const w = await workspace();
    const now = Date.now();
    // A: created 2 h ago, answered after exactly 600 s. B, C, D: unanswered.
    const aCreated = new Date(now - 2 * 3_600_000);
    await w.insertTicket(9001, { createdAt: aCreated, firstResponseAt: new Date(aCreated.getTime() + 600_000), publicAgentReplyCount: 1, status: 'OPEN' });
    const b = await w.insertTicket(9002, { createdAt: new Date(now - 3_600_000) });
    const c = await w.insertTicket(9003, { createdAt: new Date(now - 1_800_000) });
    const d = await w.insertTicket(9004, { createdAt: new Date(now - 900_000) });

    const sub = w.watch(around('ticket_first_response_time', { statistic: 'MEAN' }));
    const initial = await first(sub);
    expect(initial).toMatchObject({ value: 600, sampleSize: 1, statistic: 'MEAN' });

    // An internal note on B is not a response ...
    const note = await w.comment(b.gid, 'Checking with the warehouse', false);
    expect(note.ticket.firstResponseAt).toBeNull();
    // ... so the next change of the metric is C's reply alone: A and C.
    const replyC = await w.comment(c.gid, 'On it!');
    const frtC = seconds(c.createdAt, replyC.comment.createdAt);
    const afterC = await nextChange(sub, 0);
    expect(afterC.result.sampleSize).toBe(2);
    expect(afterC.result.value).toBeCloseTo((600 + frtC) / 2, 6);

    // B's first public reply counts from its own time, not from the note's.
    const replyB = await w.comment(b.gid, 'Found it');
    const frtB = seconds(b.createdAt, replyB.comment.createdAt);
    expect(frtB).toBeGreaterThan(seconds(b.createdAt, note.comment.createdAt));
    const afterB = await nextChange(sub, afterC.index);
    expect(afterB.result.sampleSize).toBe(3);
    expect(afterB.result.value).toBeCloseTo((600 + frtC + frtB) / 3, 6);

    // A second reply on B is not a first response: the next change is D's reply alone.
    const second = await w.comment(b.gid, 'Anything else?');
    expect(second.ticket.publicAgentReplyCount).toBe(2);
    const replyD = await w.comment(d.gid, 'Hello');
    const frtD = seconds(d.createdAt, replyD.comment.createdAt);
    const afterD = await nextChange(sub, afterB.index);
    expect(afterD.result.sampleSize).toBe(4);
    expect(afterD.result.value).toBeCloseTo((600 + frtC + frtB + frtD) / 4, 6);
  });

  it('average_handle_time: pushes the new mean after logWork, and counts an unsolved ticket only once it is solved', async () => {
    const w = await workspace();
    const x = await w.createTicket();
    const y = await w.createTicket();
    const z = await w.createTicket();
    await w.setStatus(x.id, 'SOLVED');
    await w.setStatus(y.id, 'SOLVED');
    await w.logWork(x.id, 300);
    const sub = w.watch(around('average_handle_time', { statistic: 'MEAN' }));
    // X 300 s; Y is solved without work, so it is left out.
    const initial = await first(sub);
    expect(initial).toMatchObject({ value: 300, sampleSize: 1, statistic: 'MEAN' });

    await w.logWork(x.id, 120);
    // X 300 + 120.
    const one = await nextChange(sub, 0);
    expect(one.result).toMatchObject({ value: 420, sampleSize: 1 });

    await w.logWork(y.id, 600);
    // X 420, Y 600 → 510.
    const two = await nextChange(sub, one.index);
    expect(two.result).toMatchObject({ value: 510, sampleSize: 2 });

    // Work on the unsolved Z does not count yet: the next change is X's 30 s alone (450, 600 → 525).
    await w.logWork(z.id, 90);
    await w.logWork(x.id, 30);
    const three = await nextChange(sub, two.index);
    expect(three.result).toMatchObject({ value: 525, sampleSize: 2 });

    // Solving Z brings its 90 s in: 450, 600, 90 → 380.
    await w.setStatus(z.id, 'SOLVED');
    const four = await nextChange(sub, three.index);
    expect(four.result).toMatchObject({ value: 380, sampleSize: 3 });
  });

  it('first_contact_resolution_rate: pushes after each solve, and after a reopen of a ticket solved at first contact', async () => {
    const w = await workspace();
    const p = await w.createTicket();
    const q = await w.createTicket();
    await w.comment(p.id, 'Restart the router.');
    await w.comment(q.id, 'Can you send a photo?');
    await w.comment(q.id, 'Thanks, a new one is on its way.');
    const sub = w.watch(around('first_contact_resolution_rate'));
    const initial = await first(sub);
    expect(initial).toMatchObject({ value: null, sampleSize: 0, statistic: 'RATE' });

    // P: one public reply, solved, never reopened → resolved at first contact.
    await w.setStatus(p.id, 'SOLVED');
    const one = await nextChange(sub, 0);
    expect(one.result).toMatchObject({ value: 100, sampleSize: 1 });

    // Q: two public replies → not first contact: one of two.
    await w.setStatus(q.id, 'SOLVED');
    const two = await nextChange(sub, one.index);
    expect(two.result).toMatchObject({ value: 50, sampleSize: 2 });

    // P reopened: still solved once (first solve kept), no longer first contact: none of two.
    const reopened = await w.setStatus(p.id, 'OPEN');
    expect(reopened.reopenCount).toBe(1);
    expect(reopened.firstSolvedAt).toEqual(expect.any(String));
    const three = await nextChange(sub, two.index);
    expect(three.result).toMatchObject({ value: 0, sampleSize: 2 });
  });

  it('sla_resolution_compliance: a ticket solved within its resolution target is pushed as MET', async () => {
    const w = await workspace();
    const created = await w.post(CREATE_POLICY, {
      input: { name: 'Standard', targets: [{ priority: 'NORMAL', kind: 'RESOLUTION', minutes: 60, businessHours: false }] },
    });
    expect(created.createSlaPolicy.__typename, JSON.stringify(created)).toBe('SlaPolicyPayload');
    const policyId = created.createSlaPolicy.policy.id as string;
    // L: created 2 h ago under the 60-minute target and still unsolved → BREACHED.
    await w.insertTicket(9001, { createdAt: new Date(Date.now() - 2 * 3_600_000), slaPolicyId: decodeGlobalId(policyId).id });
    // M: created now under the same target → PENDING (not counted) until solved.
    const m = await w.createTicket();
    const set = await w.post(SET_POLICY, { input: { ticketId: m.id, slaPolicyId: policyId } });
    expect(set.setTicketSlaPolicy.__typename, JSON.stringify(set)).toBe('SetTicketSlaPolicyPayload');

    const sub = w.watch(around('sla_resolution_compliance'));
    const initial = await first(sub);
    expect(initial).toMatchObject({ value: 0, sampleSize: 1, statistic: 'RATE' });

    // M solved well within 60 minutes → MET: one of two.
    await w.setStatus(m.id, 'SOLVED');
    const one = await nextChange(sub, 0);
    expect(one.result).toMatchObject({ value: 50, sampleSize: 2 });
  });
});

describe('metricUpdated across workspaces', () => {
  it('never pushes for a change in another workspace: the next push after a foreign ticket is exactly the local one', async () => {
    const local = await workspace();
    const foreign = await workspace();
    const sub = local.watch(around('ticket_volume'));
    expect(await first(sub)).toMatchObject({ value: 0, sampleSize: 0 });
    // The foreign workspace's own subscriber shows when its change has gone through the event
    // stream; by then a push leaking into the local subscription would have been computed.
    const foreignSub = foreign.watch(around('ticket_volume'));
    expect(await first(foreignSub)).toMatchObject({ value: 0, sampleSize: 0 });

    await foreign.createTicket();
    const foreignChange = await nextChange(foreignSub, 0);
    expect(foreignChange.result).toMatchObject({ value: 1, sampleSize: 1 });

    const ticket = await local.createTicket();
    const localChange = await nextChange(sub, 0);
    // Not 2 (the foreign ticket is not counted), and no push before it (not even the same value).
    expect(localChange.result).toMatchObject({ value: 1, sampleSize: 1 });
    expect(localChange.index).toBe(1);
    expect(sub.items).toHaveLength(2);
    const event = await eventOfCursor(local.prisma, sub.items[1].metricUpdated.cursor);
    expect(event).toMatchObject({ workspaceId: local.ws.workspaceId, type: 'ticket.created', subjectId: decodeGlobalId(ticket.id).id });
  });
});

