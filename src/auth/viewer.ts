import type { PrismaClient } from '../generated/prisma/client.ts';
import { ErrorCode, requestError } from '../errors.ts';
import { uncounted } from '../db/query-counter.ts';
import { hashApiKey } from './api-keys.ts';
import { hasScope, type Scope } from './scopes.ts';

/** Who is calling: an API key of one workspace, with its scopes and (optionally) its agent. */
export interface Viewer {
  workspaceId: string;
  apiKeyId: string;
  /** The agent the key acts as; changes are attributed to them. */
  agentId: string | null;
  scopes: readonly string[];
}

export function viewerCan(viewer: Viewer | null, scope: Scope): boolean {
  return viewer !== null && hasScope(viewer.scopes, scope);
}

/** What decides whether a key still works. */
export interface KeyValidity {
  revokedAt: Date | null;
  expiresAt: Date | null;
}

/**
 * Does this key row still authenticate? Missing (deleted), revoked or expired: no. The one rule
 * for HTTP requests, graphql-ws `connection_init` and the re-check of open WebSocket connections
 * (src/events/key-watch.ts).
 */
export function keyIsUsable<K extends KeyValidity>(record: K | null | undefined, now: Date): record is K {
  return !!record && !record.revokedAt && !(record.expiresAt && record.expiresAt <= now);
}

/** Refresh `lastUsedAt` at most this often per key, so reads don't turn into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Turns an `Authorization` value into a viewer. No header: null (the request may still run
 * introspection). A header that is malformed or names an unknown, revoked or expired key: a
 * 401 UNAUTHENTICATED error for the whole request.
 */
export async function resolveViewer(prisma: PrismaClient, authorization: string | null | undefined, now = new Date()): Promise<Viewer | null> {
  if (authorization === null || authorization === undefined || authorization.trim() === '') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
  if (!match) {
    throw requestError(ErrorCode.UNAUTHENTICATED, 'Authorization must be "Bearer <api key>"');
  }
  const key = match[1]!;
  if (key.length > 200) throw requestError(ErrorCode.UNAUTHENTICATED, 'API key is invalid, revoked or expired');
  const record = await prisma.apiKey.findUnique({
    where: { hashedKey: hashApiKey(key) },
    select: { id: true, workspaceId: true, agentId: true, scopes: true, revokedAt: true, expiresAt: true, lastUsedAt: true },
  });
  if (!keyIsUsable(record, now)) {
    throw requestError(ErrorCode.UNAUTHENTICATED, 'API key is invalid, revoked or expired');
  }
  if (!record.lastUsedAt || now.getTime() - record.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    // Bookkeeping only: a failure here must never fail the caller's request.
    uncounted(() => prisma.apiKey.update({ where: { id: record.id }, data: { lastUsedAt: now } }).catch(() => undefined));
  }
  return { workspaceId: record.workspaceId, apiKeyId: record.id, agentId: record.agentId, scopes: record.scopes };
}
