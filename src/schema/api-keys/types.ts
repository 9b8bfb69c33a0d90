import { builder } from '../../builder.ts';
import { keyIsUsable, viewerCan } from '../../auth/viewer.ts';
import { byIdInWorkspace } from '../tenancy.ts';

/**
 * An API key as the API shows it: never the secret, never its hash. A key may always read itself
 * (`viewer.apiKey`); the workspace's other keys need `workspace:read`.
 */
export const ApiKeyRef = builder.prismaNode('ApiKey', {
  // The type's authScopes read the id.
  select: { id: true },
  id: { field: 'id' },
  // `node(id:)` answers null for an id outside the caller's workspace.
  nullable: true,
  description:
    'An API credential of the workspace. The secret itself is never readable: `createApiKey` returns it once; `prefix` tells keys apart. Reading keys other than your own needs `workspace:read`.',
  authScopes: (key, ctx) => (ctx.viewer !== null && key.id === ctx.viewer.apiKeyId) || viewerCan(ctx.viewer, 'workspace:read'),
  findUnique: byIdInWorkspace,
  fields: (t) => ({
    name: t.exposeString('name', { description: 'What the key is for.' }),
    prefix: t.exposeString('prefix', { description: 'First characters of the key, safe to display.' }),
    scopes: t.exposeStringList('scopes', { description: 'Granted scopes, e.g. "tickets:write"; "*" grants everything.' }),
    agent: t.relation('agent', {
      nullable: true,
      description: 'The agent the key acts as (changes made with it are attributed to them); null for an integration key.',
    }),
    active: t.boolean({
      description: 'True while the key authenticates: neither revoked nor expired.',
      select: { revokedAt: true, expiresAt: true },
      resolve: (key) => keyIsUsable(key, new Date()),
    }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true, description: 'Last use, to the minute.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'When the key stops working, if ever.' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true, description: 'When the key was revoked (`revokeApiKey`); null while it is not.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the key was created.' }),
  }),
});
