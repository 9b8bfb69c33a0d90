import { z } from 'zod';
import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import { ErrorCode, requestError } from '../../errors.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import { connectionOptions, edgeOptions, pageSize } from '../connections.ts';
import { AgentRoleEnum, ChannelEnum, ConversationStatusEnum, CxFunctionEnum } from '../enums.ts';
import { idOfType, type GlobalIdArg } from '../global-id.ts';
import { DateTimeRangeInput, rangeWhere, searchText, SortDirectionEnum, type DateTimeRange } from '../inputs.ts';
import { inWorkspace } from '../tenancy.ts';

// ───────────────────────────── agents and teams ─────────────────────────────

const AgentFilter = builder.inputType('AgentFilter', {
  description: 'Narrows the agent list. All given conditions must hold.',
  fields: (t) => ({
    active: t.boolean({ required: false, description: 'Only active (true) or only deactivated (false) agents.' }),
    role: t.field({ type: AgentRoleEnum, required: false, description: 'Only agents with this role.' }),
    query: t.string({ required: false, description: 'Text in the name or email (case-insensitive).', validate: searchText }),
  }),
});

interface AgentFilterShape {
  active?: boolean | null;
  role?: 'ADMIN' | 'AGENT' | 'VIEWER' | null;
  query?: string | null;
}

function agentWhere(ctx: Context, filter: AgentFilterShape | null | undefined): Prisma.AgentWhereInput {
  const where: Prisma.AgentWhereInput = { ...inWorkspace(ctx) };
  if (!filter) return where;
  if (filter.active != null) where.active = filter.active;
  if (filter.role) where.role = filter.role;
  if (filter.query) {
    where.OR = [{ name: { contains: filter.query, mode: 'insensitive' } }, { email: { contains: filter.query, mode: 'insensitive' } }];
  }
  return where;
}

// ───────────────────────────── conversations ─────────────────────────────

const ConversationFilter = builder.inputType('ConversationFilter', {
  description: 'Narrows the conversation list. All given conditions must hold.',
  fields: (t) => ({
    status: t.field({
      type: [ConversationStatusEnum],
      required: false,
      description: 'Conversations in any of these statuses.',
      validate: z.array(z.string()).min(1, 'give at least one status').max(4),
    }),
    channel: t.field({
      type: [ChannelEnum],
      required: false,
      description: 'Conversations on any of these channels.',
      validate: z.array(z.string()).min(1, 'give at least one channel').max(7),
    }),
    function: t.field({ type: CxFunctionEnum, required: false, description: 'Only service or only support conversations.' }),
    assigneeId: t.globalID({ required: false, description: 'Conversations assigned to this agent.' }),
    teamId: t.globalID({ required: false, description: 'Conversations routed to this team.' }),
    unassigned: t.boolean({ required: false, description: 'true: only conversations without an assignee; false: only assigned ones.' }),
    customerId: t.globalID({ required: false, description: 'Conversations with this customer.' }),
    createdAt: t.field({ type: DateTimeRangeInput, required: false, description: 'Started in this range.' }),
    updatedAt: t.field({ type: DateTimeRangeInput, required: false, description: 'Last changed in this range.' }),
  }),
});

const ConversationOrderField = builder.enumType('ConversationOrderField', {
  description: 'What to sort conversations by (ties are broken by id, so paging is stable).',
  values: {
    CREATED_AT: { value: 'createdAt', description: 'When the conversation started.' },
    UPDATED_AT: { value: 'updatedAt', description: 'Last change.' },
    WAITING_SINCE: {
      value: 'waitingSince',
      description:
        'How long the customer has been waiting (ASC: longest wait first). Only conversations where a customer is waiting are listed with this order: cursors cannot page over the null values of the others.',
    },
  } as const,
});

const ConversationOrderBy = builder.inputType('ConversationOrderBy', {
  description: 'Sort order for conversations.',
  fields: (t) => ({
    field: t.field({ type: ConversationOrderField, required: true, description: 'Sort key.' }),
    direction: t.field({ type: SortDirectionEnum, required: false, defaultValue: 'desc', description: 'Default DESC.' }),
  }),
});

interface ConversationFilterShape {
  status?: readonly string[] | null;
  channel?: readonly string[] | null;
  function?: string | null;
  assigneeId?: GlobalIdArg | null;
  teamId?: GlobalIdArg | null;
  unassigned?: boolean | null;
  customerId?: GlobalIdArg | null;
  createdAt?: DateTimeRange | null;
  updatedAt?: DateTimeRange | null;
}

type OrderField = 'createdAt' | 'updatedAt' | 'waitingSince';

function conversationWhere(ctx: Context, filter: ConversationFilterShape | null | undefined, orderField: OrderField): Prisma.ConversationWhereInput {
  const where: Prisma.ConversationWhereInput = { ...inWorkspace(ctx) };
  // Prisma's cursor pagination compares the sort key of the cursor row; a NULL key would make
  // rows vanish from (or repeat across) pages, so this ordering lists only waiting conversations.
  if (orderField === 'waitingSince') where.waitingSince = { not: null };
  if (!filter) return where;
  if (filter.assigneeId && filter.unassigned === true) {
    throw requestError(ErrorCode.BAD_USER_INPUT, 'Pass either `assigneeId` or `unassigned: true`, not both', { argument: 'filter.unassigned' });
  }
  if (filter.status) where.status = { in: filter.status as Prisma.EnumConversationStatusFilter['in'] };
  if (filter.channel) where.channel = { in: filter.channel as Prisma.EnumChannelFilter['in'] };
  if (filter.function) where.function = filter.function as Prisma.ConversationWhereInput['function'];
  if (filter.assigneeId) where.assigneeId = idOfType(filter.assigneeId, 'Agent', 'filter.assigneeId');
  else if (filter.unassigned != null) where.assigneeId = filter.unassigned ? null : { not: null };
  if (filter.teamId) where.teamId = idOfType(filter.teamId, 'Team', 'filter.teamId');
  if (filter.customerId) where.customerId = idOfType(filter.customerId, 'Customer', 'filter.customerId');
  if (filter.createdAt) where.createdAt = rangeWhere(filter.createdAt);
  if (filter.updatedAt) where.updatedAt = rangeWhere(filter.updatedAt);
  return where;
}

builder.queryFields((t) => ({
  agents: t.prismaConnection(
    {
      type: 'Agent',
      cursor: 'id',
      ...pageSize,
      description: 'Agents of the workspace, by name.',
      authScopes: { scope: 'agents:read' },
      args: { filter: t.arg({ type: AgentFilter, required: false, description: 'Conditions to match.' }) },
      totalCount: (_parent, args, ctx) => ctx.prisma.agent.count({ where: agentWhere(ctx, args.filter) }),
      resolve: (query, _root, args, ctx) =>
        ctx.prisma.agent.findMany({ ...query, where: agentWhere(ctx, args.filter), orderBy: [{ name: 'asc' }, { id: 'asc' }] }),
    },
    connectionOptions('Agent', 'A page of agents.'),
    edgeOptions('Agent'),
  ),

  teams: t.prismaConnection(
    {
      type: 'Team',
      cursor: 'id',
      ...pageSize,
      description: 'Teams of the workspace, by name.',
      authScopes: { scope: 'agents:read' },
      args: { function: t.arg({ type: CxFunctionEnum, required: false, description: 'Only service or only support teams.' }) },
      totalCount: (_parent, args, ctx) => ctx.prisma.team.count({ where: { ...inWorkspace(ctx), ...(args.function ? { function: args.function } : {}) } }),
      resolve: (query, _root, args, ctx) =>
        ctx.prisma.team.findMany({
          ...query,
          where: { ...inWorkspace(ctx), ...(args.function ? { function: args.function } : {}) },
          orderBy: [{ name: 'asc' }, { id: 'asc' }],
        }),
    },
    connectionOptions('Team', 'A page of teams.'),
    edgeOptions('Team'),
  ),

  conversations: t.prismaConnection(
    {
      type: 'Conversation',
      cursor: 'id',
      ...pageSize,
      description: 'Conversations of the workspace. Default order: newest first (CREATED_AT DESC).',
      authScopes: { scope: 'conversations:read' },
      args: {
        filter: t.arg({ type: ConversationFilter, required: false, description: 'Conditions to match.' }),
        orderBy: t.arg({ type: ConversationOrderBy, required: false, description: 'Sort order; default CREATED_AT DESC.' }),
      },
      totalCount: (_parent, args, ctx) =>
        ctx.prisma.conversation.count({ where: conversationWhere(ctx, args.filter, args.orderBy?.field ?? 'createdAt') }),
      resolve: (query, _root, args, ctx) => {
        const field = args.orderBy?.field ?? 'createdAt';
        const direction = args.orderBy?.direction ?? 'desc';
        return ctx.prisma.conversation.findMany({
          ...query,
          where: conversationWhere(ctx, args.filter, field),
          orderBy: [{ [field]: direction }, { id: direction }],
        });
      },
    },
    connectionOptions('Conversation', 'A page of conversations.'),
    edgeOptions('Conversation'),
  ),

  conversation: t.prismaField({
    type: 'Conversation',
    nullable: true,
    description: 'One conversation by ID; null when it is not in your workspace.',
    authScopes: { scope: 'conversations:read' },
    args: { id: t.arg.globalID({ required: true, description: 'Global ID.' }) },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.conversation.findFirst({ ...query, where: { id: idOfType(args.id, 'Conversation', 'id'), ...inWorkspace(ctx) } }),
  }),
}));
