import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import type { Prisma } from '../src/generated/prisma/client.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { graphql } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, type TestWorkspace } from './helpers/factories.ts';
import { insertAgents, insertTeams, insertTickets, logWork } from './helpers/workload.ts';

/**
 * Agent.metrics and Team.metrics against hand-computed values (times UTC, range: March 2026).
 * X is the workspace's own agent ("Test Admin"), Y = "Yuki"; 18 more agents have no work.
 *
 *   ticket  assignee team  created     first reply  solved (first = latest)  work   CSAT answer
 *   K1      X        A     03-02 09:00  +600 s      +3600 s                  1200   5
 *   K2      X        A     03-03 09:00  +1800 s     +7200 s                  600    2
 *   K3      Y        B     03-04 09:00  +300 s      open                     —      4
 *   K4      X        B     03-05 09:00  —           open                     —      —
 *
 *            solved  first response (median)  full resolution (median)  CSAT            handle time (mean)  backlog at 04-01
 *   X        2       (600 + 1800) / 2 = 1200  (3600 + 7200) / 2 = 5400  1 of 2 → 50     (1200 + 600) / 2 = 900   1 (K4)
 *   Y        0       300                      null                      1 of 1 → 100    null                1 (K3)
 *   others   0       null                     null                      null            null                0
 *   team A   2       1200                     5400                      50              900                 0
 *   team B   0       300 (K4 has no reply)    null                      100             null                2 (K3, K4)
 */
async function fixture(ws: TestWorkspace) {
  const { prisma } = await testDatabase();
  const [teamA, teamB] = await insertTeams(ws, ['Tier 1', 'Tier 2']);
  const [y, ...others] = await insertAgents(ws, ['Yuki', ...Array.from({ length: 18 }, (_, i) => `Zed${String(i).padStart(2, '0')}`)]);
  const x = ws.agentId;
  const at = (iso: string, plus = 0) => new Date(Date.parse(`2026-${iso}:00Z`) + plus * 1000);
  const solved = (iso: string, reply: number, solve: number) => ({
    createdAt: at(iso),
    firstResponseAt: at(iso, reply),
    firstSolvedAt: at(iso, solve),
    solvedAt: at(iso, solve),
    status: 'SOLVED' as const,
  });
  const [k1, k2, k3, k4] = await insertTickets(ws, [
    { assigneeId: x, teamId: teamA, ...solved('03-02T09:00', 600, 3600) },
    { assigneeId: x, teamId: teamA, ...solved('03-03T09:00', 1800, 7200) },
    { assigneeId: y, teamId: teamB, createdAt: at('03-04T09:00'), firstResponseAt: at('03-04T09:00', 300), status: 'OPEN' },
    { assigneeId: x, teamId: teamB, createdAt: at('03-05T09:00'), status: 'OPEN' },
  ]);
  const events: Prisma.TicketEventCreateManyInput[] = [];
  const event = (ticketId: string, createdAt: Date, kind: 'CREATED' | 'FIELD_CHANGED', newValue: Prisma.InputJsonValue) =>
    events.push({ id: uuidv7(createdAt), workspaceId: ws.workspaceId, ticketId, kind, actorKind: 'AGENT', createdAt, newValue, field: kind === 'CREATED' ? null : 'status' });
  event(k1!, at('03-02T09:00'), 'CREATED', { status: 'NEW' });
  event(k1!, at('03-02T09:00', 3600), 'FIELD_CHANGED', 'SOLVED');
  event(k2!, at('03-03T09:00'), 'CREATED', { status: 'NEW' });
  event(k2!, at('03-03T09:00', 7200), 'FIELD_CHANGED', 'SOLVED');
  event(k3!, at('03-04T09:00'), 'CREATED', { status: 'NEW' });
  event(k3!, at('03-04T09:00', 300), 'FIELD_CHANGED', 'OPEN');
  event(k4!, at('03-05T09:00'), 'CREATED', { status: 'NEW' });
  await prisma.ticketEvent.createMany({ data: events });
  await logWork(ws, k1!, x, '2026-03-02T09:10:00Z', 1200);
  await logWork(ws, k2!, x, '2026-03-03T09:10:00Z', 600);
  const { requesterId } = await prisma.ticket.findUniqueOrThrow({ where: { id: k1! } });
  const csat = (ticketId: string, score: number, day: string) => ({
    id: uuidv7(),
    workspaceId: ws.workspaceId,
    kind: 'CSAT' as const,
    customerId: requesterId,
    ticketId,
    score,
    sentAt: at(`${day}T12:00`),
    respondedAt: at(`${day}T13:00`),
  });
  await prisma.surveyResponse.createMany({ data: [csat(k1!, 5, '03-06'), csat(k2!, 2, '03-06'), csat(k3!, 4, '03-07')] });
  return { x, y: y!, others, teamA: teamA!, teamB: teamB! };
}

const METRICS = 'ticketsSolved firstResponseTime fullResolutionTime csat averageHandleTime backlog';
const AGENTS = /* GraphQL */ `
  query ($first: Int!, $from: DateTime!, $to: DateTime!) {
    agents(first: $first) { edges { node { id name metrics(from: $from, to: $to) { ${METRICS} } } } }
  }
`;
const AGENTS_PLAIN = /* GraphQL */ `
  query ($first: Int!) { agents(first: $first) { edges { node { id name } } } }
`;
const MARCH = { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' };
const NONE = { ticketsSolved: 0, firstResponseTime: null, fullResolutionTime: null, csat: null, averageHandleTime: null, backlog: 0 };

/** The metric statements a request sent (each is one `WITH f AS (…)` statement; see src/metrics/compute.ts). */
const metricStatements = (res: { tally: { sql: string[] } }) => res.tally.sql.filter((sql) => /WITH f AS \(/.test(sql)).length;

describe('Agent.metrics', () => {
  it('gives each agent its metrics, with the same definitions as `metric`', async () => {
    const ws = await createTestWorkspace();
    const { x, y } = await fixture(ws);
    const res = await ws.gql(AGENTS, { first: 20, ...MARCH });
    expect(res.errors).toBeUndefined();
    const byId = new Map(res.data!.agents.edges.map((e: any) => [e.node.id, e.node.metrics]));
    expect(byId.size).toBe(20);
    expect(byId.get(encodeGlobalId('Agent', x))).toEqual({ ticketsSolved: 2, firstResponseTime: 1200, fullResolutionTime: 5400, csat: 50, averageHandleTime: 900, backlog: 1 });
    expect(byId.get(encodeGlobalId('Agent', y))).toEqual({ ticketsSolved: 0, firstResponseTime: 300, fullResolutionTime: null, csat: 100, averageHandleTime: null, backlog: 1 });
    const rest = [...byId.entries()].filter(([id]) => id !== encodeGlobalId('Agent', x) && id !== encodeGlobalId('Agent', y));
    expect(rest).toHaveLength(18);
    for (const [, metrics] of rest) expect(metrics).toEqual(NONE);
    // Cross-check one value against the `metric` query, grouped by agent.
    const viaMetric = await ws.gql(/* GraphQL */ `query ($input: MetricInput!) { metric(input: $input) { groups { key value } } }`, {
      input: { key: 'ticket_full_resolution_time', ...MARCH, groupBy: 'AGENT' },
    });
    expect(viaMetric.data!.metric.groups).toEqual([{ key: encodeGlobalId('Agent', x), value: 5400 }]);
  });

  it('costs one statement per selected metric, however many agents are listed', async () => {
    const ws = await createTestWorkspace();
    await fixture(ws);
    const plain20 = await ws.gql(AGENTS_PLAIN, { first: 20 });
    const with2 = await ws.gql(AGENTS, { first: 2, ...MARCH });
    const with20 = await ws.gql(AGENTS, { first: 20, ...MARCH });
    expect(with20.errors).toBeUndefined();
    expect(with20.data!.agents.edges).toHaveLength(20);
    // Six metric fields: six grouped statements, for 2 agents as for 20 (each also sends its
    // settings, and on PostgreSQL BEGIN/COMMIT: the same number for any page size).
    expect(metricStatements(with20)).toBe(6);
    expect(with2.statements).toBe(with20.statements);
    const one = await ws.gql(/* GraphQL */ `query ($from: DateTime!, $to: DateTime!) { agents(first: 20) { edges { node { metrics(from: $from, to: $to) { csat } } } } }`, MARCH);
    expect(metricStatements(one)).toBe(1);
    expect(metricStatements(plain20)).toBe(0);
  });

  it('answers an empty range with 0 counts and null values', async () => {
    const ws = await createTestWorkspace();
    const { x } = await fixture(ws);
    // February: nothing created, solved or answered yet; no ticket existed at its end either.
    const res = await ws.gql(/* GraphQL */ `query ($id: ID!, $from: DateTime!, $to: DateTime!) { node(id: $id) { ... on Agent { metrics(from: $from, to: $to) { ${METRICS} } } } }`, {
      id: encodeGlobalId('Agent', x),
      from: '2026-02-01T00:00:00Z',
      to: '2026-03-01T00:00:00Z',
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.node.metrics).toEqual(NONE);
  });

  it('rejects a bad range, needs metrics:read, and keeps other workspaces out', async () => {
    const ws = await createTestWorkspace();
    const { x } = await fixture(ws);
    const backwards = await ws.gql(AGENTS, { first: 1, from: MARCH.to, to: MARCH.from });
    expect(backwards.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'to' });
    const tooLong = await ws.gql(AGENTS, { first: 1, from: '2025-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' });
    expect(tooLong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'to' });
    const noMetrics = await graphql(AGENTS, { first: 1, ...MARCH }, { apiKey: await ws.createKey(['agents:read']) });
    expect(noMetrics.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const other = await createTestWorkspace();
    const peek = await other.gql(/* GraphQL */ `query ($id: ID!, $from: DateTime!, $to: DateTime!) { node(id: $id) { ... on Agent { metrics(from: $from, to: $to) { ticketsSolved } } } }`, {
      id: encodeGlobalId('Agent', x),
      ...MARCH,
    });
    expect(peek.errors).toBeUndefined();
    expect(peek.data!.node).toBeNull();
    // The other workspace's own agent has none of this workspace's work.
    const theirs = await other.gql(AGENTS, { first: 20, ...MARCH });
    expect(theirs.data!.agents.edges.map((e: any) => e.node.metrics)).toEqual([NONE]);
  });
});

describe('Team.metrics', () => {
  it('gives each team its metrics in one statement per metric', async () => {
    const ws = await createTestWorkspace();
    const { teamA, teamB } = await fixture(ws);
    const res = await ws.gql(/* GraphQL */ `query ($from: DateTime!, $to: DateTime!) { teams(first: 10) { edges { node { id metrics(from: $from, to: $to) { ${METRICS} } } } } }`, MARCH);
    expect(res.errors).toBeUndefined();
    const byId = new Map(res.data!.teams.edges.map((e: any) => [e.node.id, e.node.metrics]));
    expect(byId.get(encodeGlobalId('Team', teamA))).toEqual({ ticketsSolved: 2, firstResponseTime: 1200, fullResolutionTime: 5400, csat: 50, averageHandleTime: 900, backlog: 0 });
    expect(byId.get(encodeGlobalId('Team', teamB))).toEqual({ ticketsSolved: 0, firstResponseTime: 300, fullResolutionTime: null, csat: 100, averageHandleTime: null, backlog: 2 });
    expect(metricStatements(res)).toBe(6);
  });
});
