import type { Prisma } from '../../generated/prisma/client.ts';
import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import { connectionOptions, edgeOptions, pageSize } from '../connections.ts';
import { inWorkspace } from '../tenancy.ts';

const byName = [{ name: 'asc' as const }, { id: 'asc' as const }];

function policyWhere(ctx: Context, active: boolean | null | undefined): Prisma.SlaPolicyWhereInput {
  return { ...inWorkspace(ctx), ...(active != null ? { active } : {}) };
}

builder.queryFields((t) => ({
  businessCalendars: t.prismaConnection(
    {
      type: 'BusinessCalendar',
      cursor: 'id',
      ...pageSize,
      description: 'The workspace\'s business calendars, by name.',
      authScopes: { scope: 'workspace:read' },
      totalCount: (_parent, _args, ctx) => ctx.prisma.businessCalendar.count({ where: inWorkspace(ctx) }),
      resolve: (query, _root, _args, ctx) => ctx.prisma.businessCalendar.findMany({ ...query, where: inWorkspace(ctx), orderBy: byName }),
    },
    connectionOptions('BusinessCalendar', 'A page of business calendars.'),
    edgeOptions('BusinessCalendar'),
  ),

  slaPolicies: t.prismaConnection(
    {
      type: 'SlaPolicy',
      cursor: 'id',
      ...pageSize,
      description: 'The workspace\'s SLA policies, by name.',
      authScopes: { scope: 'workspace:read' },
      args: { active: t.arg.boolean({ required: false, description: 'True: only active policies; false: only inactive ones; omitted: all.' }) },
      totalCount: (_parent, args, ctx) => ctx.prisma.slaPolicy.count({ where: policyWhere(ctx, args.active) }),
      resolve: (query, _root, args, ctx) => ctx.prisma.slaPolicy.findMany({ ...query, where: policyWhere(ctx, args.active), orderBy: byName }),
    },
    connectionOptions('SlaPolicy', 'A page of SLA policies.'),
    edgeOptions('SlaPolicy'),
  ),
}));
