import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import { connectionOptions, edgeOptions, pageSize } from '../connections.ts';
import { inWorkspace } from '../tenancy.ts';

// Newest first; the id breaks ties, so pages never skip or repeat (new keys join at the front).
const newestFirst = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];

function keysWhere(ctx: Context, active: boolean | null | undefined, now: Date): Prisma.ApiKeyWhereInput {
  if (active == null) return inWorkspace(ctx);
  const usable: Prisma.ApiKeyWhereInput = { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
  return { ...inWorkspace(ctx), ...(active ? usable : { NOT: usable }) };
}

builder.queryField('apiKeys', (t) =>
  t.prismaConnection(
    {
      type: 'ApiKey',
      cursor: 'id',
      ...pageSize,
      description: "The workspace's API keys, newest first, revoked and expired ones included unless `active` says otherwise. Secrets are never readable. Needs `workspace:read`.",
      authScopes: { scope: 'workspace:read' },
      args: {
        active: t.arg.boolean({
          required: false,
          description: 'True: only keys that still authenticate (neither revoked nor expired); false: only revoked or expired ones; omitted: all.',
        }),
      },
      totalCount: (_parent, args, ctx) => ctx.prisma.apiKey.count({ where: keysWhere(ctx, args.active, new Date()) }),
      resolve: (query, _root, args, ctx) =>
        ctx.prisma.apiKey.findMany({ ...query, where: keysWhere(ctx, args.active, new Date()), orderBy: newestFirst }),
    },
    connectionOptions('ApiKey', 'A page of API keys.'),
    edgeOptions('ApiKey'),
  ),
);
