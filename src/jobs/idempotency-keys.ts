import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Logger } from '../logger.ts';
import { createPeriodicJob, type PeriodicJob } from './periodic.ts';

/**
 * Deletes idempotency keys whose replay window passed (src/guards/idempotency.ts). An expired
 * row is already ignored by the guard (it is taken over like an absent one), so this only keeps
 * the table small. Every instance runs it; the rows of one batch are claimed with
 * `FOR UPDATE SKIP LOCKED`, so two instances sweeping together split the work instead of
 * waiting on each other, and a row never goes twice.
 */

/** Rows per statement: a backlog is deleted in short statements that hold few locks. */
const BATCH = 1_000;
/** Statements per sweep, so a huge backlog never keeps one sweep (and shutdown) busy for long. */
const MAX_BATCHES_PER_SWEEP = 50;

export async function deleteExpiredIdempotencyKeys(prisma: PrismaClient, batchSize: number = BATCH): Promise<number> {
  return prisma.$executeRaw`
    DELETE FROM "IdempotencyKey"
    WHERE ("apiKeyId", key) IN (
      SELECT "apiKeyId", key FROM "IdempotencyKey"
      WHERE "expiresAt" <= now()
      LIMIT ${batchSize}
      FOR UPDATE SKIP LOCKED
    )`;
}

/** Deletes what expired, in batches (`sweep()` resolves with the rows deleted). */
export type IdempotencyKeySweeper = PeriodicJob<number>;

export function createIdempotencyKeySweeper(options: { prisma: PrismaClient; log: Logger; intervalMs: number }): IdempotencyKeySweeper {
  const { prisma, log } = options;
  return createPeriodicJob({
    name: 'idempotency key sweep',
    intervalMs: options.intervalMs,
    log,
    async run(stopped) {
      let deleted = 0;
      for (let batch = 0; batch < MAX_BATCHES_PER_SWEEP && !stopped(); batch += 1) {
        const count = await deleteExpiredIdempotencyKeys(prisma);
        deleted += count;
        if (count < BATCH) break;
      }
      if (deleted > 0) log.info({ deleted }, 'deleted expired idempotency keys');
      return deleted;
    },
  });
}
