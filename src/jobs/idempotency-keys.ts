import { uncounted } from '../db/query-counter.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Logger } from '../logger.ts';

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

export interface IdempotencyKeySweeper {
  /** Deletes what expired now (joins a sweep already running); resolves with the rows deleted. */
  sweep(): Promise<number>;
  /** Sweeps at once, then every `intervalMs`. */
  start(): void;
  /** No further sweeps; resolves once a sweep in progress has finished. */
  stop(): Promise<void>;
}

export function createIdempotencyKeySweeper(options: { prisma: PrismaClient; log: Logger; intervalMs: number }): IdempotencyKeySweeper {
  const { prisma, log } = options;
  let running: Promise<number> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let started = false;
  let stopped = false;

  async function run(): Promise<number> {
    let deleted = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_SWEEP && !stopped; batch += 1) {
      const count = await deleteExpiredIdempotencyKeys(prisma);
      deleted += count;
      if (count < BATCH) break;
    }
    if (deleted > 0) log.info({ deleted }, 'deleted expired idempotency keys');
    return deleted;
  }

  function sweep(): Promise<number> {
    // Bookkeeping of the instance, not of whatever request or test block triggered it.
    running ??= uncounted(() => run()).finally(() => (running = null));
    return running;
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      sweep()
        .catch((error: unknown) => log.warn({ err: error }, 'idempotency key sweep failed; retrying on the next tick'))
        .finally(() => schedule(options.intervalMs));
    }, delayMs);
    timer.unref();
  }

  return {
    sweep,
    start() {
      if (started || stopped) return;
      started = true;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
  };
}
