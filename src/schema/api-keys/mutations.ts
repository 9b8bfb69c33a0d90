import { builder } from '../../builder.ts';
import { requireViewer } from '../../context.ts';
import type { ApiKey } from '../../generated/prisma/client.ts';
import { mutationErrors } from '../errors.ts';
import { idOfType, optionalIdOfType } from '../global-id.ts';
import * as service from './service.ts';
import { ApiKeyRef } from './types.ts';

/**
 * Creating and revoking API keys (`workspace:write`). One `input` argument; a union result of the
 * payload and typed errors. A key asking for more than it holds itself is refused with FORBIDDEN
 * (src/auth/key-grants.ts).
 */

const WRITE = { scope: 'workspace:write' } as const;

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  description: 'A new API key. A key can only create keys no stronger than itself: see each field.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'What the key is for, 1–100 characters (e.g. "CRM sync").' }),
    scopes: t.stringList({
      required: true,
      description:
        'Scopes to grant (1–50), e.g. ["tickets:write", "customers:read"]. Each must be held by the calling key: "tickets:read" by a key with tickets:read, tickets:write or "*"; "*" only by a "*" key.',
    }),
    expiresAt: t.field({
      type: 'DateTime',
      required: false,
      description: 'When the key stops working; in the future. Omitted: never. A calling key that expires can only create keys that expire no later than it does.',
    }),
    agentId: t.globalID({
      required: false,
      description:
        "Active Agent of the workspace the key acts as (its changes are attributed to them). The calling key's own agent needs nothing more; any other agent needs agents:write. Omitted: an integration key acting as no agent.",
    }),
  }),
});

const CreateApiKeyPayload = builder.objectRef<{ apiKey: ApiKey; secret: string }>('CreateApiKeyPayload').implement({
  description: 'The new key, and its secret: the only time the secret is ever shown.',
  fields: (t) => ({
    apiKey: t.field({ type: ApiKeyRef, description: 'The key.', resolve: (p) => p.apiKey }),
    secret: t.string({
      description: 'The API key itself, for "Authorization: Bearer <secret>". Store it now: only its hash is kept, so it can never be read again.',
      resolve: (p) => p.secret,
    }),
  }),
});

const RevokeApiKeyInput = builder.inputType('RevokeApiKeyInput', {
  description: 'The API key to revoke.',
  fields: (t) => ({ id: t.globalID({ required: true, description: 'The ApiKey (it may be the calling key itself).' }) }),
});

const RevokeApiKeyPayload = builder.objectRef<{ apiKey: ApiKey }>('RevokeApiKeyPayload').implement({
  description: 'The key after revocation.',
  fields: (t) => ({ apiKey: t.field({ type: ApiKeyRef, description: 'The key, with its `revokedAt`.', resolve: (p) => p.apiKey }) }),
});

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreateApiKeyPayload,
    description:
      'Creates an API key of the workspace and returns its secret, once. The new key cannot be stronger than the calling key: scopes, agent and expiry it does not hold itself are refused with FORBIDDEN.',
    authScopes: WRITE,
    errors: mutationErrors('createApiKey'),
    args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      service.createApiKey(ctx.prisma, requireViewer(ctx), { ...input, agentId: optionalIdOfType(input.agentId, 'Agent', 'input.agentId') }),
  }),

  revokeApiKey: t.field({
    type: RevokeApiKeyPayload,
    description:
      'Revokes an API key of the workspace, at once and for good: its next HTTP request gets 401, its open WebSocket connections are closed with 4401 and its SSE subscriptions end with UNAUTHENTICATED. Revoking a revoked key changes nothing; a key may revoke itself, and other keys only when it holds every scope they hold (FORBIDDEN otherwise).',
    authScopes: WRITE,
    errors: mutationErrors('revokeApiKey'),
    args: { input: t.arg({ type: RevokeApiKeyInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      apiKey: await service.revokeApiKey(ctx.prisma, { watch: ctx.keyWatch, cache: ctx.apiKeys }, requireViewer(ctx), { id: idOfType(input.id, 'ApiKey', 'input.id') }),
    }),
  }),
}));
