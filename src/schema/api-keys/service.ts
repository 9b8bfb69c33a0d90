import { z } from 'zod';
import { apiKeyPrefix, generateApiKey, hashApiKey } from '../../auth/api-keys.ts';
import { assertMayGrant, assertMayRevoke } from '../../auth/key-grants.ts';
import type { ApiKeyCache } from '../../auth/key-cache.ts';
import { isScope, type Scope } from '../../auth/scopes.ts';
import { keyIsUsable, type Viewer } from '../../auth/viewer.ts';
import { uuidv7 } from '../../db/ids.ts';
import { ErrorCode, InvalidStateError, NotFoundError, requestError, ValidationError } from '../../errors.ts';
import type { ApiKeyWatch } from '../../events/key-watch.ts';
import type { ApiKey, PrismaClient } from '../../generated/prisma/client.ts';
import { parseInput } from '../service-kit.ts';

/**
 * API keys through the API. Only the SHA-256 of a secret is stored (src/auth/api-keys.ts): the
 * secret exists once, in the response that created it. Keys are revoked, never deleted, so the
 * history that names them (ticket events, work entries) keeps its actor and a revoked key stays
 * listed with its `revokedAt`.
 */

const TX_OPTIONS = { maxWait: 10_000, timeout: 20_000 } as const;

export const CreateApiKeySchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  scopes: z
    .array(z.string().refine(isScope, 'is not a scope: use "*" or "<domain>:read" / "<domain>:write" (see the API conventions)'))
    .min(1, 'give at least one scope')
    .max(50, 'at most 50 scopes')
    // A repeated scope grants nothing more: kept once, in the order given.
    .transform((list) => [...new Set(list)] as Scope[]),
  expiresAt: z.date().nullish(),
  agentId: z.string().uuid().nullish(),
});

/**
 * Creates a key of the caller's workspace, no stronger than the caller's own key (see
 * src/auth/key-grants.ts), and returns it with its secret.
 *
 * The caller's key row is read under a share lock, in the transaction that inserts the new key:
 * a revocation of the caller's key waits for this insert, or this insert sees the revocation. So
 * once `revokeApiKey` has answered, every key the revoked key created is listed and can be
 * revoked too; none appears later.
 */
export async function createApiKey(prisma: PrismaClient, viewer: Viewer, raw: unknown, now = new Date()): Promise<{ apiKey: ApiKey; secret: string }> {
  const input = parseInput(CreateApiKeySchema, raw);
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt && expiresAt <= now) throw new ValidationError('input.expiresAt: must be in the future', 'input.expiresAt');
  const agentId = input.agentId ?? null;
  const secret = generateApiKey();
  const apiKey = await prisma.$transaction(async (tx) => {
    const [caller] = await tx.$queryRaw<Array<{ scopes: string[]; agentId: string | null; revokedAt: Date | null; expiresAt: Date | null }>>`
      SELECT scopes, "agentId"::text AS "agentId", "revokedAt", "expiresAt" FROM "ApiKey" WHERE id = ${viewer.apiKeyId}::uuid FOR SHARE`;
    // Revoked (or deleted) while this request ran.
    if (!keyIsUsable(caller, new Date())) throw requestError(ErrorCode.UNAUTHENTICATED, 'API key is invalid, revoked or expired');
    // The key as it is now: scopes taken away since the request arrived cannot be handed out.
    assertMayGrant(caller, { scopes: input.scopes, agentId, expiresAt });
    if (agentId) {
      const agent = await tx.agent.findFirst({ where: { id: agentId, workspaceId: viewer.workspaceId }, select: { active: true } });
      if (!agent) throw new NotFoundError('Agent', 'input.agentId');
      if (!agent.active) throw new InvalidStateError('input.agentId: the agent is inactive; activate them first, or create the key for another agent', 'input.agentId');
    }
    return tx.apiKey.create({
      data: {
        id: uuidv7(now),
        workspaceId: viewer.workspaceId,
        name: input.name,
        prefix: apiKeyPrefix(secret),
        hashedKey: hashApiKey(secret),
        scopes: input.scopes,
        agentId,
        expiresAt,
        createdAt: now,
      },
    });
  }, TX_OPTIONS);
  return { apiKey, secret };
}

const RevokeApiKeySchema = z.object({ id: z.string().uuid() });

/**
 * Revokes a key of the caller's workspace (a key may revoke itself). Idempotent: a revoked key
 * keeps its first `revokedAt`. A key of another workspace is "not found", exactly like an id that
 * does not exist. After the commit, this instance's open WebSocket connections and SSE streams of
 * the key are checked at once (and so closed); other instances notice within their re-check
 * interval. Every instance's key cache forgets the key at once (a broadcast on the event bus).
 */
export async function revokeApiKey(
  prisma: PrismaClient,
  keys: { watch: ApiKeyWatch; cache: ApiKeyCache },
  viewer: Viewer,
  raw: unknown,
  now = new Date(),
): Promise<ApiKey> {
  const { id } = parseInput(RevokeApiKeySchema, raw);
  const target = await prisma.apiKey.findFirst({ where: { id, workspaceId: viewer.workspaceId }, select: { id: true, scopes: true } });
  if (!target) throw new NotFoundError('ApiKey', 'input.id');
  // Scopes are fixed at creation (there is no mutation to change them), so the check cannot go stale.
  assertMayRevoke({ id: viewer.apiKeyId, scopes: viewer.scopes }, target);
  await prisma.apiKey.updateMany({ where: { id, workspaceId: viewer.workspaceId, revokedAt: null }, data: { revokedAt: now } });
  const apiKey = await prisma.apiKey.findFirst({ where: { id, workspaceId: viewer.workspaceId } });
  if (!apiKey) throw new NotFoundError('ApiKey', 'input.id');
  await keys.cache.invalidate(apiKey.id);
  await keys.watch.checkKeys([apiKey.id]);
  return apiKey;
}
