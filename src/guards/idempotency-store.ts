import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../generated/prisma/client.ts';

/**
 * The `IdempotencyKey` table, one row per (API key, header value). Every step is one statement,
 * so two requests — on one instance or on several — can never both hold a key:
 *   reserve   INSERT … ON CONFLICT DO UPDATE … WHERE <the row may be taken> RETURNING: the row is
 *             new, expired (not deleted yet), or its holder crashed (lease passed) with the same
 *             request; anything else is left alone and read by `lookup`.
 *   complete  stores the response, only while this reservation still holds the row.
 *   release   deletes the row, only while this reservation still holds it.
 */

/** A holder that dies without completing or releasing (a crash) blocks its key for this long. */
export const LEASE_MS = 5 * 60_000;

export interface StoredResponse {
  status: number;
  contentType: string | null;
  body: string;
}

export type KeyState =
  | { kind: 'absent' }
  | { kind: 'running'; requestHash: string }
  | { kind: 'done'; requestHash: string; response: StoredResponse };

export interface Reservation {
  apiKeyId: string;
  key: string;
  token: string;
}

export async function reserveKey(
  prisma: PrismaClient,
  apiKeyId: string,
  key: string,
  requestHash: string,
  ttlMs: number,
): Promise<Reservation | null> {
  const token = randomUUID();
  const rows = await prisma.$queryRaw<Array<{ lockToken: string }>>`
    INSERT INTO "IdempotencyKey" ("apiKeyId", key, "requestHash", "lockToken", "lockedUntil", "expiresAt")
    VALUES (${apiKeyId}::uuid, ${key}, ${requestHash}, ${token}::uuid,
            now() + make_interval(secs => ${LEASE_MS / 1000}), now() + make_interval(secs => ${ttlMs / 1000}))
    ON CONFLICT ("apiKeyId", key) DO UPDATE SET
      "requestHash" = EXCLUDED."requestHash", "lockToken" = EXCLUDED."lockToken", "lockedUntil" = EXCLUDED."lockedUntil",
      "expiresAt" = EXCLUDED."expiresAt", "createdAt" = now(),
      "responseStatus" = NULL, "responseContentType" = NULL, "responseBody" = NULL
    WHERE "IdempotencyKey"."expiresAt" <= now()
       OR ("IdempotencyKey"."lockToken" IS NOT NULL AND "IdempotencyKey"."lockedUntil" <= now()
           AND "IdempotencyKey"."requestHash" = EXCLUDED."requestHash")
    RETURNING "lockToken"::text AS "lockToken"`;
  return rows.length > 0 ? { apiKeyId, key, token } : null;
}

export async function lookupKey(prisma: PrismaClient, apiKeyId: string, key: string): Promise<KeyState> {
  const rows = await prisma.$queryRaw<
    Array<{ requestHash: string; running: boolean; status: number | null; contentType: string | null; body: string | null }>
  >`
    SELECT "requestHash", "lockToken" IS NOT NULL AS running, "responseStatus" AS status,
           "responseContentType" AS "contentType", "responseBody" AS body
    FROM "IdempotencyKey"
    WHERE "apiKeyId" = ${apiKeyId}::uuid AND key = ${key} AND "expiresAt" > now()`;
  const row = rows[0];
  if (!row) return { kind: 'absent' };
  if (row.running || row.status === null || row.body === null) return { kind: 'running', requestHash: row.requestHash };
  return { kind: 'done', requestHash: row.requestHash, response: { status: row.status, contentType: row.contentType, body: row.body } };
}

/** Stores the first response; false when the reservation was lost (its lease passed and another request took it over). */
export async function completeKey(prisma: PrismaClient, reservation: Reservation, response: StoredResponse): Promise<boolean> {
  const updated = await prisma.$executeRaw`
    UPDATE "IdempotencyKey"
    SET "lockToken" = NULL, "lockedUntil" = NULL,
        "responseStatus" = ${response.status}, "responseContentType" = ${response.contentType}, "responseBody" = ${response.body}
    WHERE "apiKeyId" = ${reservation.apiKeyId}::uuid AND key = ${reservation.key} AND "lockToken" = ${reservation.token}::uuid`;
  return updated > 0;
}

/** Frees the key so that a retry runs again (the outcome was not one to replay). */
export async function releaseKey(prisma: PrismaClient, reservation: Reservation): Promise<void> {
  await prisma.$executeRaw`
    DELETE FROM "IdempotencyKey"
    WHERE "apiKeyId" = ${reservation.apiKeyId}::uuid AND key = ${reservation.key} AND "lockToken" = ${reservation.token}::uuid`;
}
