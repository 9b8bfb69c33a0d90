import { z } from 'zod';
import type { Context } from '../../context.ts';
import { ErrorCode, requestError } from '../../errors.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import type { CxFunction, TicketPriority, TicketStatus, TicketType } from '../../generated/prisma/enums.ts';
import { builder } from '../../builder.ts';
import { connectionOptions, edgeOptions, pageSize } from '../connections.ts';
import { CxFunctionEnum, TicketPriorityEnum, TicketStatusEnum, TicketTypeEnum } from '../enums.ts';
import { idOfType, type GlobalIdArg } from '../global-id.ts';
import { DateTimeRangeInput, rangeWhere, SortDirectionEnum, type DateTimeRange } from '../inputs.ts';
import { inWorkspace } from '../tenancy.ts';

const TicketFilter = builder.inputType('TicketFilter', {
  description: 'Narrows the ticket list. All given conditions must hold.',
  fields: (t) => ({
    status: t.field({
      type: [TicketStatusEnum],
      required: false,
      description: 'Tickets in any of these statuses.',
      validate: z.array(z.string()).min(1, 'give at least one status'),
    }),
    priority: t.field({
      type: [TicketPriorityEnum],
      required: false,
      description: 'Tickets with any of these priorities.',
      validate: z.array(z.string()).min(1, 'give at least one priority'),
    }),
    type: t.field({ type: TicketTypeEnum, required: false, description: 'Tickets of this type.' }),
    function: t.field({ type: CxFunctionEnum, required: false, description: 'SERVICE or SUPPORT tickets.' }),
    assigneeId: t.globalID({ required: false, description: 'Tickets assigned to this agent.' }),
    teamId: t.globalID({ required: false, description: 'Tickets routed to this team.' }),
    unassigned: t.boolean({ required: false, description: 'true: only tickets nobody owns; false: only assigned ones.' }),
    requesterId: t.globalID({ required: false, description: 'Tickets requested by this customer.' }),
    organizationId: t.globalID({ required: false, description: 'Tickets of this organization.' }),
    tag: t.string({
      required: false,
      description: 'Tickets carrying this tag.',
      validate: z.string().trim().min(1, 'must not be empty').max(64, 'tags are at most 64 characters'),
    }),
    createdAt: t.field({ type: DateTimeRangeInput, required: false, description: 'Created in this range.' }),
    updatedAt: t.field({ type: DateTimeRangeInput, required: false, description: 'Last changed in this range.' }),
  }),
});

const TicketOrderField = builder.enumType('TicketOrderField', {
  description: 'What to sort tickets by (ties are broken by id, so paging is stable).',
  values: {
    CREATED_AT: { value: 'createdAt', description: 'When the ticket was created.' },
    UPDATED_AT: { value: 'updatedAt', description: 'Last change.' },
    PRIORITY: { value: 'priority', description: 'Urgency, in the order LOW < NORMAL < HIGH < URGENT.' },
    NUMBER: { value: 'number', description: 'Ticket number.' },
  } as const,
});

const TicketOrderBy = builder.inputType('TicketOrderBy', {
  description: 'Sort order for tickets.',
  fields: (t) => ({
    field: t.field({ type: TicketOrderField, required: true, description: 'Sort key.' }),
    direction: t.field({ type: SortDirectionEnum, required: false, defaultValue: 'asc', description: 'Default ASC.' }),
  }),
});

interface TicketFilterShape {
  status?: TicketStatus[] | null;
  priority?: TicketPriority[] | null;
  type?: TicketType | null;
  function?: CxFunction | null;
  assigneeId?: GlobalIdArg | null;
  teamId?: GlobalIdArg | null;
  unassigned?: boolean | null;
  requesterId?: GlobalIdArg | null;
  organizationId?: GlobalIdArg | null;
  tag?: string | null;
  createdAt?: DateTimeRange | null;
  updatedAt?: DateTimeRange | null;
}

export function ticketWhere(ctx: Context, filter: TicketFilterShape | null | undefined): Prisma.TicketWhereInput {
  const where: Prisma.TicketWhereInput = { ...inWorkspace(ctx) };
  if (!filter) return where;
  if (filter.assigneeId && filter.unassigned === true) {
    throw requestError(ErrorCode.BAD_USER_INPUT, '`filter.assigneeId` and `filter.unassigned: true` contradict each other', {
      argument: 'filter.unassigned',
    });
  }
  if (filter.status) where.status = { in: filter.status };
  if (filter.priority) where.priority = { in: filter.priority };
  if (filter.type) where.type = filter.type;
  if (filter.function) where.function = filter.function;
  if (filter.assigneeId) where.assigneeId = idOfType(filter.assigneeId, 'Agent', 'filter.assigneeId');
  else if (filter.unassigned != null) where.assigneeId = filter.unassigned ? null : { not: null };
  if (filter.teamId) where.teamId = idOfType(filter.teamId, 'Team', 'filter.teamId');
  if (filter.requesterId) where.requesterId = idOfType(filter.requesterId, 'Customer', 'filter.requesterId');
  if (filter.organizationId) where.organizationId = idOfType(filter.organizationId, 'Organization', 'filter.organizationId');
  if (filter.tag) where.tags = { has: filter.tag.trim() };
  if (filter.createdAt) where.createdAt = rangeWhere(filter.createdAt);
  if (filter.updatedAt) where.updatedAt = rangeWhere(filter.updatedAt);
  return where;
}

builder.queryFields((t) => ({
  tickets: t.prismaConnection(
    {
      type: 'Ticket',
      cursor: 'id',
      ...pageSize,
      description: 'Tickets of the workspace, merged tombstones included (they are CLOSED). Default order: oldest first.',
      authScopes: { scope: 'tickets:read' },
      args: {
        filter: t.arg({ type: TicketFilter, required: false, description: 'Conditions to match.' }),
        orderBy: t.arg({ type: TicketOrderBy, required: false, description: 'Sort order; default CREATED_AT ASC.' }),
      },
      totalCount: (_parent, args, ctx) => ctx.prisma.ticket.count({ where: ticketWhere(ctx, args.filter) }),
      resolve: (query, _root, args, ctx) => {
        const direction = args.orderBy?.direction ?? 'asc';
        const field = args.orderBy?.field ?? 'createdAt';
        return ctx.prisma.ticket.findMany({
          ...query,
          where: ticketWhere(ctx, args.filter),
          // Priority sorts by the enum's declared order (LOW < NORMAL < HIGH < URGENT); id breaks ties.
          orderBy: [{ [field]: direction }, { id: direction }],
        });
      },
    },
    connectionOptions('Ticket', 'A page of tickets.'),
    edgeOptions('Ticket'),
  ),

  ticket: t.prismaField({
    type: 'Ticket',
    nullable: true,
    description: 'One ticket, by exactly one of `id` or `number`; null when it is not in your workspace. A merged ticket resolves to its tombstone (see `mergedInto`).',
    authScopes: { scope: 'tickets:read' },
    args: {
      id: t.arg.globalID({ required: false, description: 'Global ID.' }),
      number: t.arg.int({ required: false, description: 'Ticket number, e.g. 42 for #42.', validate: z.number().int().positive('must be positive') }),
    },
    resolve: (query, _root, args, ctx) => {
      if ((args.id == null) === (args.number == null)) throw requestError(ErrorCode.BAD_USER_INPUT, 'Pass exactly one of `id` or `number`');
      const where: Prisma.TicketWhereInput = args.id
        ? { id: idOfType(args.id, 'Ticket', 'id'), ...inWorkspace(ctx) }
        : { number: args.number!, ...inWorkspace(ctx) };
      return ctx.prisma.ticket.findFirst({ ...query, where });
    },
  }),
}));
