import { builder } from '../../builder.ts';
import type { Scope } from '../../auth/scopes.ts';
import { viewerCan } from '../../auth/viewer.ts';

const AGENT_VISIBLE_WITH: Scope[] = ['agents:read', 'conversations:read', 'tickets:read', 'knowledge:read'];
import type { Viewer } from '../../auth/viewer.ts';
import { AgentRoleEnum } from '../enums.ts';
import { byIdInWorkspace, workspaceIdOf } from '../tenancy.ts';

builder.prismaNode('Workspace', {
  select: {},
  id: { field: 'id' },
  // `node(id:)` answers null for an id outside the caller's workspace.
  nullable: true,
  description: 'A tenant: one company running its customer service and support on cxgraph.',
  authScopes: { authenticated: true },
  // Only the caller's own workspace resolves; any other id is "not found".
  findUnique: (id, ctx) => ({ id, AND: [{ id: workspaceIdOf(ctx) }] }),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Display name.' }),
    slug: t.exposeString('slug', { description: 'Unique URL-safe handle.' }),
    timeZone: t.exposeString('timeZone', { description: 'Default IANA time zone for reports.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the workspace was created.' }),
  }),
});

builder.prismaNode('Agent', {
  // The type's authScopes read the id.
  select: { id: true },
  id: { field: 'id' },
  // `node(id:)` answers null for an id outside the caller's workspace.
  nullable: true,
  description: 'A person on the team who works conversations and tickets.',
  // Agents are who works a conversation or ticket: any key that reads the work may see them
  // (an inbox shows the assignee); listing the whole team needs agents:read (see `agents`).
  authScopes: (agent, ctx) =>
    (ctx.viewer !== null && agent.id === ctx.viewer.agentId) ||
    AGENT_VISIBLE_WITH.some((scope) => viewerCan(ctx.viewer, scope)),
  findUnique: byIdInWorkspace,
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Display name.' }),
    email: t.exposeString('email', { description: 'Work email, lower-cased.' }),
    role: t.expose('role', { type: AgentRoleEnum, description: 'What the agent may do.' }),
    active: t.exposeBoolean('active', { description: 'Inactive agents keep their history but receive no work.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the agent was added.' }),
  }),
});

export const ViewerRef = builder.objectRef<Viewer>('Viewer').implement({
  description: 'The caller: which workspace the API key belongs to and what it may do.',
  fields: (t) => ({
    workspace: t.prismaField({
      type: 'Workspace',
      description: 'The workspace every query and mutation of this key is scoped to.',
      resolve: (query, viewer, _args, ctx) => ctx.prisma.workspace.findUniqueOrThrow({ ...query, where: { id: viewer.workspaceId } }),
    }),
    scopes: t.stringList({ description: 'Scopes granted to the key.', resolve: (viewer) => [...viewer.scopes] }),
    apiKey: t.prismaField({
      type: 'ApiKey',
      description: 'The key used for this request.',
      resolve: (query, viewer, _args, ctx) => ctx.prisma.apiKey.findUniqueOrThrow({ ...query, where: { id: viewer.apiKeyId } }),
    }),
    agent: t.prismaField({
      type: 'Agent',
      nullable: true,
      description: 'The agent the key acts as, if any; changes made with the key are attributed to them.',
      resolve: (query, viewer, _args, ctx) =>
        viewer.agentId ? ctx.prisma.agent.findUnique({ ...query, where: { id: viewer.agentId, workspaceId: viewer.workspaceId } }) : null,
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: ViewerRef,
    description: 'Who is calling. Requires any valid API key.',
    authScopes: { authenticated: true },
    resolve: (_root, _args, ctx) => ctx.viewer!,
  }),
);
