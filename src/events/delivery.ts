import { GraphQLError, type ExecutionResult } from 'graphql';
import { AppError } from '../errors.ts';

/**
 * Exactly-once delivery when the database blips. A durable event is never skipped: when its
 * delivery fails for a reason that is not the client's (its payload object cannot be loaded, the
 * replay page cannot be read), it is retried a few times with backoff; if it still fails, the
 * stream ends with SERVICE_UNAVAILABLE and `extensions.resumeAfter`, the cursor to subscribe
 * again with (`after: resumeAfter`) — the failed event is the first one the new stream delivers.
 */

/** The public code (shared with request-level outages, see src/app.ts). */
export const SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE';

/** Delays before the 2nd, 3rd... attempt: about 3 s in all, enough for a connection pool to reconnect or a failover to finish. */
export const RETRY_DELAYS_MS: readonly number[] = [100, 200, 400, 800, 1_600];

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A delay with ±20 % jitter, so the subscribers of a busy instance do not retry in lockstep. */
export function jittered(ms: number): number {
  return Math.round(ms * (0.8 + Math.random() * 0.4));
}

/** The error that ends a stream whose next event could not be delivered; `resumeAfter` is the encoded cursor, or null. */
export function deliveryUnavailable(resumeAfter: string | null): GraphQLError {
  return new GraphQLError(
    resumeAfter
      ? 'The next event could not be delivered (the database is unavailable); the stream ended. Subscribe again with `after: extensions.resumeAfter`.'
      : 'The next event could not be delivered (the database is unavailable); the stream ended. Subscribe again with `after` set to the last cursor you received.',
    { extensions: { code: SERVICE_UNAVAILABLE, resumeAfter } },
  );
}

/**
 * Is this a failure to retry (the database, the network, a bug we cannot tell from them) rather
 * than an answer (an AppError, a coded GraphQLError, an object that no longer exists)? An
 * answer is delivered as it is; a failure is retried, then ends the stream.
 */
export function isDeliveryFailure(error: unknown): boolean {
  if (error instanceof GraphQLError) {
    const original = error.originalError;
    if (!original) return false;
    // A GraphQLError a resolver threw on purpose (authorization, arguments) is an answer.
    if (original instanceof GraphQLError) return false;
    return isDeliveryFailure(original);
  }
  if (error instanceof AppError) return false;
  // Prisma's "record not found" (findFirstOrThrow after the object was deleted): an answer, not an outage.
  if ((error as { code?: unknown } | null)?.code === 'P2025') return false;
  return true;
}

/** The first delivery failure among a result's errors, if any. */
export function deliveryFailureOf(result: ExecutionResult): unknown {
  return result.errors?.find((e) => isDeliveryFailure(e));
}
