import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { graphql } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, type TestWorkspace } from './helpers/factories.ts';

/** Besides the workspace's "Test Admin": agents Bea, Cal (deactivated), Dee (viewer) and two teams. */
async function insertStaff(ws: TestWorkspace) {
  const { prisma } = await testDatabase();
  const agent = (name: string, role: 'ADMIN' | 'AGENT' | 'VIEWER', active = true) => {
    const id = uuidv7();
    return prisma.agent.create({ data: { id, workspaceId: ws.workspaceId, name, email: `${name.toLowerCase()}-${id.slice(-6)}@cx.test`, role, active } });
  };
  const bea = await agent('Bea', 'AGENT');
  const cal = await agent('Cal', 'AGENT', false);
  const dee = await agent('Dee', 'VIEWER');
  const support = await prisma.team.create({ data: { id: uuidv7(), workspaceId: ws.workspaceId, name: 'Support tier 1', function: 'SUPPORT', description: 'First line' } });
  const service = await prisma.team.create({ data: { id: uuidv7(), workspaceId: ws.workspaceId, name: 'Customer service', function: 'SERVICE' } });
  const join = (teamId: string, agentId: string, isLead = false) =>
    prisma.teamMembership.create({ data: { id: uuidv7(), workspaceId: ws.workspaceId, teamId, agentId, isLead } });
  await join(support.id, bea.id, true);
  await join(support.id, cal.id);
  await join(support.id, ws.agentId);
  await join(service.id, bea.id);
  return { bea, cal, dee, support, service };
}

const AGENTS = /* GraphQL */ `query ($filter: AgentFilter) { agents(filter: $filter, first: 100) { totalCount edges { node { name role active } } } }`;

describe('agents query', () => {
  it('lists agents by name and filters by active, role and text', async () => {
    const ws = await createTestWorkspace();
    await insertStaff(ws);
    const names = async (filter?: Record<string, unknown>) => {
      const res = await ws.gql(AGENTS, { filter });
      expect(res.errors).toBeUndefined();
      return res.data!.agents.edges.map((e: any) => e.node.name);
    };
    expect(await names()).toEqual(['Bea', 'Cal', 'Dee', 'Test Admin']);
    expect(await names({ active: false })).toEqual(['Cal']);
    expect(await names({ active: true, role: 'AGENT' })).toEqual(['Bea']);
    expect(await names({ role: 'VIEWER' })).toEqual(['Dee']);
    expect(await names({ query: 'ADMIN' })).toEqual(['Test Admin']);
    expect(await names({ query: 'cx.test' })).toEqual(['Bea', 'Cal', 'Dee']);
    const bad = await ws.gql(AGENTS, { filter: { query: '' } });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('needs agents:read for agents and teams (a key may still read its own agent)', async () => {
    const ws = await createTestWorkspace();
    const { support } = await insertStaff(ws);
    const conversationsOnly = await ws.createKey(['conversations:write']);
    for (const query of [`{ agents { totalCount } }`, `{ teams { totalCount } }`, `query ($t: ID!) { node(id: $t) { id } }`]) {
      const res = await graphql(query, { t: encodeGlobalId('Team', support.id) }, { apiKey: conversationsOnly });
      expect(res.errors?.[0]?.extensions?.code, query).toBe('FORBIDDEN');
    }
    const self = await graphql(`{ viewer { agent { name } } }`, {}, { apiKey: conversationsOnly });
    expect(self.data!.viewer.agent).toEqual({ name: 'Test Admin' });
    const reader = await ws.createKey(['agents:read']);
    const ok = await graphql(`{ agents { totalCount } teams { totalCount } }`, {}, { apiKey: reader });
    expect(ok.data).toEqual({ agents: { totalCount: 4 }, teams: { totalCount: 2 } });
  });

  it('never lists another workspace\'s agents or teams', async () => {
    const [ws, other] = await Promise.all([createTestWorkspace(), createTestWorkspace()]);
    const { bea, support } = await insertStaff(other);
    const res = await ws.gql(/* GraphQL */ `query ($a: ID!, $t: ID!) { agents { totalCount } teams { totalCount } a: node(id: $a) { id } t: node(id: $t) { id } }`, {
      a: encodeGlobalId('Agent', bea.id),
      t: encodeGlobalId('Team', support.id),
    });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ agents: { totalCount: 1 }, teams: { totalCount: 0 }, a: null, t: null });
  });
});

describe('teams and memberships', () => {
  it('lists teams by name with their members (leads marked), and each agent\'s teams', async () => {
    const ws = await createTestWorkspace();
    const { bea, support } = await insertStaff(ws);
    const res = await ws.gql(/* GraphQL */ `{
      teams { totalCount edges { node { name function description members(first: 10) { totalCount edges { isLead joinedAt node { name } } } } } }
      support: teams(function: SUPPORT) { edges { node { name } } }
    }`);
    expect(res.errors).toBeUndefined();
    const teams = res.data!.teams.edges.map((e: any) => e.node);
    expect(teams.map((t: any) => [t.name, t.function, t.description, t.members.totalCount])).toEqual([
      ['Customer service', 'SERVICE', null, 1],
      ['Support tier 1', 'SUPPORT', 'First line', 3],
    ]);
    expect(teams[1].members.edges.map((e: any) => [e.node.name, e.isLead])).toEqual([['Bea', true], ['Cal', false], ['Test Admin', false]]);
    expect(typeof teams[1].members.edges[0].joinedAt).toBe('string');
    expect(res.data!.support.edges).toEqual([{ node: { name: 'Support tier 1' } }]);

    const agent = await ws.gql(/* GraphQL */ `query ($id: ID!) { node(id: $id) { ... on Agent { name teams { totalCount edges { isLead node { name } } } } } }`, {
      id: encodeGlobalId('Agent', bea.id),
    });
    expect(agent.data!.node).toEqual({
      name: 'Bea',
      teams: { totalCount: 2, edges: [{ isLead: true, node: { name: 'Support tier 1' } }, { isLead: false, node: { name: 'Customer service' } }] },
    });

    // Members page by membership, forwards, with nothing skipped or repeated.
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 5; guard++) {
      const page: any = await ws.gql(/* GraphQL */ `query ($id: ID!, $after: String) { node(id: $id) { ... on Team { members(first: 2, after: $after) { edges { node { name } } pageInfo { hasNextPage endCursor } } } } }`, {
        id: encodeGlobalId('Team', support.id),
        after,
      });
      seen.push(...page.data.node.members.edges.map((e: any) => e.node.name));
      if (!page.data.node.members.pageInfo.hasNextPage) break;
      after = page.data.node.members.pageInfo.endCursor;
    }
    expect(seen).toEqual(['Bea', 'Cal', 'Test Admin']);
    const tooMany = await ws.gql(/* GraphQL */ `{ teams { edges { node { members(first: 101) { totalCount } } } } }`);
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
