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
export const LAST_USED_RESOLUTION_MS = 60_000;

/** What a key lookup reads: enough to authenticate and to keep `lastUsedAt`. */
export const KEY_RECORD_SELECT = {
  id: true,
  workspaceId: true,
  agentId: true,
  scopes: true,
  revokedAt: true,
  expiresAt: true,
  lastUsedAt: true,
} as const;

export interface KeyRecord extends KeyValidity {
  id: string;
  workspaceId: string;
  agentId: string | null;
  scopes: string[];
  lastUsedAt: Date | null;
}

const INVALID_KEY = 'API key is invalid, revoked or expired';

/** The `Authorization` value of an HTTP request, or of a graphql-ws `connection_init` payload. */
export function authorizationOf(request: Request | undefined, connectionParams: Record<string, unknown> | undefined): string | null {
  const fromInit = connectionParams?.authorization ?? connectionParams?.Authorization;
  if (typeof fromInit === 'string') return fromInit;
  // WebSocket operations carry no fetch Request: their key is in connectionParams only.
  return typeof request?.headers?.get === 'function' ? request.headers.get('authorization') : null;
}

/**
 * The key of an `Authorization` value: null for no header (the request may still run
 * introspection); a 401 UNAUTHENTICATED error for anything but "Bearer <key>" of a sane length.
 */
export function bearerKey(authorization: string | null | undefined): string | null {
  if (authorization === null || authorization === undefined || authorization.trim() === '') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
  if (!match) {
    throw requestError(ErrorCode.UNAUTHENTICATED, 'Authorization must be "Bearer <api key>"');
  }
  const key = match[1]!;
  if (key.length > 200) throw requestError(ErrorCode.UNAUTHENTICATED, INVALID_KEY);
  return key;
}

export function findKeyRecord(prisma: PrismaClient, hashedKey: string): Promise<KeyRecord | null> {
  return prisma.apiKey.findUnique({ where: { hashedKey }, select: KEY_RECORD_SELECT });
}

/** The viewer of a usable key record; a 401 for a missing, revoked or expired one. */
export function viewerOf(record: KeyRecord | null | undefined, now: Date): Viewer {
  if (!keyIsUsable(record, now)) throw requestError(ErrorCode.UNAUTHENTICATED, INVALID_KEY);
  return { workspaceId: record.workspaceId, apiKeyId: record.id, agentId: record.agentId, scopes: record.scopes };
}

/** Records a use of the key, off the request path; a failure here must never fail the caller's request. */
export function recordKeyUse(prisma: PrismaClient, apiKeyId: string, now: Date): void {
  uncounted(() => prisma.apiKey.update({ where: { id: apiKeyId }, data: { lastUsedAt: now } }).catch(() => undefined));
}

/**
 * Turns an `Authorization` value into a viewer with a database read. HTTP requests go through
 * the cache in src/auth/key-cache.ts instead; WebSocket connections and their operations read
 * the key every time (they are long-lived, and a revoked key must not subscribe).
 */
export async function resolveViewer(prisma: PrismaClient, authorization: string | null | undefined, now = new Date()): Promise<Viewer | null> {
  const key = bearerKey(authorization);
  if (key === null) return null;
  const record = await findKeyRecord(prisma, hashApiKey(key));
  const viewer = viewerOf(record, now);
  if (!record!.lastUsedAt || now.getTime() - record!.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) recordKeyUse(prisma, record!.id, now);
  return viewer;
}
