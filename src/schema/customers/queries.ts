import type { Prisma } from '../../generated/prisma/client.ts';
import { builder } from '../../builder.ts';
import { ErrorCode, requestError } from '../../errors.ts';
import { connectionOptions, edgeOptions, pageSize } from '../connections.ts';
import { DateTimeRangeInput, rangeWhere, searchText, SortDirectionEnum, tagList } from '../inputs.ts';
import type { Context } from '../../context.ts';
import { idOfType } from '../global-id.ts';
import { inWorkspace } from '../tenancy.ts';
import { z } from 'zod';

const CustomerFilter = builder.inputType('CustomerFilter', {
  description: 'Narrows the customer list. All given conditions must hold.',
  fields: (t) => ({
    query: t.string({ required: false, description: 'Text in the name, email or phone (case-insensitive).', validate: searchText }),
    tags: t.stringList({ required: false, description: 'Customers carrying every one of these tags.', validate: tagList }),
    organizationId: t.globalID({ required: false, description: 'Customers of this organization.' }),
    createdAt: t.field({ type: DateTimeRangeInput, required: false, description: 'Created in this range.' }),
    lastSeenAt: t.field({ type: DateTimeRangeInput, required: false, description: 'Last seen in this range.' }),
  }),
});

const CustomerOrderField = builder.enumType('CustomerOrderField', {
  description: 'What to sort customers by (ties are broken by id, so paging is stable).',
  values: {
    CREATED_AT: { value: 'createdAt', description: 'When the record was created.' },
    LAST_SEEN_AT: { value: 'lastSeenAt', description: 'Latest interaction.' },
  } as const,
});

const CustomerOrderBy = builder.inputType('CustomerOrderBy', {
  description: 'Sort order for customers.',
  fields: (t) => ({
    field: t.field({ type: CustomerOrderField, required: true, description: 'Sort key.' }),
    direction: t.field({ type: SortDirectionEnum, required: false, defaultValue: 'asc', description: 'Default ASC.' }),
  }),
});

interface CustomerFilterShape {
  query?: string | null;
  tags?: string[] | null;
  organizationId?: { typename: string; id: string } | null;
  createdAt?: { from?: Date | null; to?: Date | null } | null;
  lastSeenAt?: { from?: Date | null; to?: Date | null } | null;
}

export function customerWhere(ctx: Context, filter: CustomerFilterShape | null | undefined): Prisma.CustomerWhereInput {
  const where: Prisma.CustomerWhereInput = { ...inWorkspace(ctx), mergedIntoId: null };
  if (!filter) return where;
  if (filter.query) {
    const q = filter.query;
    where.OR = [
      { name: { contains: q, mode: 'insensitive' } },
      { email: { contains: q, mode: 'insensitive' } },
      { phone: { contains: q } },
    ];
  }
  if (filter.tags?.length) where.tags = { hasEvery: filter.tags };
  if (filter.organizationId) where.organizationId = idOfType(filter.organizationId as never, 'Organization', 'filter.organizationId');
  if (filter.createdAt) where.createdAt = rangeWhere(filter.createdAt);
  if (filter.lastSeenAt) where.lastSeenAt = rangeWhere(filter.lastSeenAt);
  return where;
}

builder.queryFields((t) => ({
  customers: t.prismaConnection(
    {
      type: 'Customer',
      cursor: 'id',
      ...pageSize,
      description: 'Customers of the workspace (merged-away records left out). Default order: oldest first.',
      authScopes: { scope: 'customers:read' },
      args: {
        filter: t.arg({ type: CustomerFilter, required: false, description: 'Conditions to match.' }),
        orderBy: t.arg({ type: CustomerOrderBy, required: false, description: 'Sort order; default CREATED_AT ASC.' }),
      },
      totalCount: (_parent, args, ctx) => ctx.prisma.customer.count({ where: customerWhere(ctx, args.filter) }),
      resolve: (query, _root, args, ctx) => {
        const direction = args.orderBy?.direction ?? 'asc';
        const field = args.orderBy?.field ?? 'createdAt';
        return ctx.prisma.customer.findMany({
          ...query,
          where: customerWhere(ctx, args.filter),
          orderBy: [{ [field]: direction }, { id: direction }],
        });
      },
    },
    connectionOptions('Customer', 'A page of customers.'),
    edgeOptions('Customer'),
  ),

  customer: t.prismaField({
    type: 'Customer',
    nullable: true,
    description:
      'One customer, by exactly one of `id`, `email` or `externalId`. A merged-away id resolves to the record it was merged into.',
    authScopes: { scope: 'customers:read' },
    args: {
      id: t.arg.globalID({ required: false, description: 'Global ID.' }),
      email: t.arg.string({ required: false, description: 'Email address (case-insensitive).', validate: z.string().max(254) }),
      externalId: t.arg.string({ required: false, description: 'The id in the company\'s own systems.', validate: z.string().max(128) }),
    },
    resolve: async (query, _root, args, ctx) => {
      const given = [args.id, args.email, args.externalId].filter((v) => v != null);
      if (given.length !== 1) throw requestError(ErrorCode.BAD_USER_INPUT, 'Pass exactly one of `id`, `email` or `externalId`');
      const where: Prisma.CustomerWhereInput = { ...inWorkspace(ctx) };
      if (args.id) where.id = idOfType(args.id, 'Customer', 'id');
      if (args.email) where.email = args.email.trim().toLowerCase();
      if (args.externalId) where.externalId = args.externalId;
      const found = await ctx.prisma.customer.findFirst({ where, select: { id: true, mergedIntoId: true } });
      if (!found) return null;
      // Follow merge tombstones (bounded, in case of a long chain).
      let id = found.id;
      let next = found.mergedIntoId;
      for (let hops = 0; next && hops < 10; hops++) {
        id = next;
        next = (await ctx.prisma.customer.findFirst({ where: { id, ...inWorkspace(ctx) }, select: { mergedIntoId: true } }))?.mergedIntoId ?? null;
      }
      return ctx.prisma.customer.findFirst({ ...query, where: { id, ...inWorkspace(ctx) } });
    },
  }),

  organizations: t.prismaConnection(
    {
      type: 'Organization',
      cursor: 'id',
      ...pageSize,
      description: 'Organizations of the workspace, by name.',
      authScopes: { scope: 'customers:read' },
      args: {
        query: t.arg.string({ required: false, description: 'Text in the name or a domain.', validate: searchText }),
      },
      totalCount: (_parent, args, ctx) => ctx.prisma.organization.count({ where: organizationWhere(ctx, args.query) }),
      resolve: (query, _root, args, ctx) =>
        ctx.prisma.organization.findMany({ ...query, where: organizationWhere(ctx, args.query), orderBy: [{ name: 'asc' }, { id: 'asc' }] }),
    },
    connectionOptions('Organization', 'A page of organizations.'),
    edgeOptions('Organization'),
  ),

  organization: t.prismaField({
    type: 'Organization',
    nullable: true,
    description: 'One organization by ID; null when it is not in your workspace.',
    authScopes: { scope: 'customers:read' },
    args: { id: t.arg.globalID({ required: true, description: 'Global ID.' }) },
    resolve: (query, _root, args, ctx) => ctx.prisma.organization.findFirst({ ...query, where: { id: idOfType(args.id, 'Organization', 'id'), ...inWorkspace(ctx) } }),
  }),
}));

function organizationWhere(ctx: Context, text: string | null | undefined): Prisma.OrganizationWhereInput {
  const where: Prisma.OrganizationWhereInput = inWorkspace(ctx);
  if (text) where.OR = [{ name: { contains: text, mode: 'insensitive' } }, { domains: { has: text.toLowerCase() } }];
  return where;
}
