import { builder } from '../../builder.ts';
import { connectionOptions, edgeOptions, pageSize } from '../connections.ts';
import { inWorkspace } from '../tenancy.ts';

builder.queryField('customers', (t) =>
  t.prismaConnection(
    {
      type: 'Customer',
      cursor: 'id',
      ...pageSize,
      description: 'Customers of the workspace, oldest first. Merged-away records are left out.',
      authScopes: { scope: 'customers:read' },
      totalCount: (_parent, _args, ctx) => ctx.prisma.customer.count({ where: { ...inWorkspace(ctx), mergedIntoId: null } }),
      resolve: (query, _root, _args, ctx) =>
        ctx.prisma.customer.findMany({ ...query, where: { ...inWorkspace(ctx), mergedIntoId: null }, orderBy: { id: 'asc' } }),
    },
    connectionOptions('Customer', 'A page of customers.'),
    edgeOptions('Customer'),
  ),
);
