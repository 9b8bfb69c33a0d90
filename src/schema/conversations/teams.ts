import { getRefFromModel, prismaConnectionHelpers } from '@pothos/plugin-prisma';
import { builder } from '../../builder.ts';
import { connectionOptions, edgeOptions, pageSize } from '../connections.ts';

/**
 * Team ↔ agent membership, exposed as connections of the *other* side (a team's members are
 * Agents, an agent's teams are Teams). Pages follow the membership rows, so the join data
 * (`isLead`, `joinedAt`) sits on the edge, where it belongs.
 */

// Membership ids are UUIDv7 (time-ordered): sorting by id alone is join order and a total order.
const membershipOrder = { orderBy: { id: 'asc' as const } };

const memberHelpers = prismaConnectionHelpers(builder, 'TeamMembership', {
  cursor: 'id',
  ...pageSize,
  query: membershipOrder,
  select: (nodeSelection) => ({ isLead: true, createdAt: true, agent: nodeSelection({ select: { id: true } }) }),
  resolveNode: (membership) => membership.agent,
});

const teamHelpers = prismaConnectionHelpers(builder, 'TeamMembership', {
  cursor: 'id',
  ...pageSize,
  query: membershipOrder,
  select: (nodeSelection) => ({ isLead: true, createdAt: true, team: nodeSelection({ select: { id: true } }) }),
  resolveNode: (membership) => membership.team,
});

// Refs looked up by model (the Agent type belongs to the workspace domain): their shape is the
// selection made for them, which is what the helpers load.
const AgentObject = getRefFromModel('Agent', builder);
const TeamObject = getRefFromModel('Team', builder);

interface MembershipEdge {
  isLead: boolean;
  createdAt: Date;
}

const membershipEdgeFields = (t: any) => ({
  isLead: t.boolean({ description: 'Team leads may reassign the team\'s work.', resolve: (edge: MembershipEdge) => edge.isLead }),
  joinedAt: t.field({ type: 'DateTime', description: 'When the agent joined the team.', resolve: (edge: MembershipEdge) => edge.createdAt }),
});

builder.prismaObjectField('Team', 'members', (t) =>
  t.connection(
    {
      type: AgentObject,
      description: 'The team\'s agents, in the order they joined.',
      select: (args, ctx, nestedSelection) => ({
        _count: { select: { memberships: true } },
        memberships: memberHelpers.getQuery(args, ctx, nestedSelection),
      }),
      resolve: (team, args, ctx) => ({
        ...memberHelpers.resolve(team.memberships, args, ctx),
        totalCount: team._count.memberships,
      }),
    },
    connectionOptions('TeamMember', 'A page of a team\'s members.'),
    { ...edgeOptions('TeamMember'), fields: membershipEdgeFields },
  ),
);

builder.prismaObjectField('Agent', 'teams', (t) =>
  t.connection(
    {
      type: TeamObject,
      description: 'The teams the agent belongs to, in the order they joined. Needs the agents:read scope.',
      authScopes: { scope: 'agents:read' },
      select: (args, ctx, nestedSelection) => ({
        _count: { select: { memberships: true } },
        memberships: teamHelpers.getQuery(args, ctx, nestedSelection),
      }),
      resolve: (agent, args, ctx) => ({
        ...teamHelpers.resolve(agent.memberships, args, ctx),
        totalCount: agent._count.memberships,
      }),
    },
    connectionOptions('AgentTeam', 'A page of an agent\'s teams.'),
    { ...edgeOptions('AgentTeam'), fields: membershipEdgeFields },
  ),
);
