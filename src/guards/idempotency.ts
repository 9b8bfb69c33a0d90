import { createHash } from 'node:crypto';
import { getOperationAST, GraphQLError, print, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.ts';
import { ErrorCode } from '../errors.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Logger } from '../logger.ts';
import { uncounted } from '../db/query-counter.ts';
import { completeKey, LEASE_MS, lookupKey, releaseKey, reserveKey, type Reservation, type StoredResponse } from './idempotency-store.ts';

/**
 * `Idempotency-Key` on mutations over HTTP (Stripe's rules; README "Retrying mutations safely").
 *
 * - Scope: the calling API key. Queries and subscriptions ignore the header, and so does a
 *   request without a valid API key (it fails as UNAUTHENTICATED before anything is written).
 * - The key is claimed in onExecute, after parsing, validation and the other guards (a refused
 *   request claims nothing) and before any resolver runs, with one atomic statement (see
 *   idempotency-store.ts): across instances, exactly one request runs per key.
 * - The response is stored in onResponse, once every plugin has shaped it (status, body,
 *   content-type), and replayed byte for byte to later requests with `Idempotent-Replayed: true`.
 *   Outcomes a retry could change (HTTP 5xx or 429; SERVICE_UNAVAILABLE, TIMEOUT, RATE_LIMITED,
 *   INTERNAL_SERVER_ERROR) are not stored: the key is released and the next attempt runs again.
 * - A duplicate arriving while the first runs (a double submit, a client retrying after its own
 *   timeout) waits up to `waitMs` for the first to finish and replays it; only a first request
 *   still running after that is answered IDEMPOTENCY_KEY_IN_USE (HTTP 409, Retry-After).
 */

export interface IdempotencyOptions {
  prisma: PrismaClient;
  log: Logger;
  ttlMs: number;
  waitMs: number;
}

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** Printable ASCII (what an HTTP header carries unambiguously), 1–255 characters. */
const VALID_KEY = /^[\x20-\x7e]{1,255}$/;

const RETRYABLE_CODES = new Set(['SERVICE_UNAVAILABLE', 'TIMEOUT', 'RATE_LIMITED', 'INTERNAL_SERVER_ERROR']);
const RETRYABLE_CODE_IN_TEXT = /"code"\s*:\s*"(SERVICE_UNAVAILABLE|TIMEOUT|RATE_LIMITED|INTERNAL_SERVER_ERROR)"/;

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Same operation (whitespace and comments aside), same operation name, same variables in any key order. */
export function requestHash(document: DocumentNode, operationName: string | null | undefined, variables: unknown): string {
  const text = JSON.stringify([print(document), operationName ?? null, canonical(variables ?? {})]);
  return createHash('sha256').update(text).digest('hex');
}

function isRetryable(status: number, contentType: string | null, body: string): boolean {
  if (status >= 500 || status === 429) return true;
  if (contentType && /json/i.test(contentType)) {
    try {
      const parsed = JSON.parse(body) as { errors?: Array<{ extensions?: { code?: unknown } }> };
      return (parsed.errors ?? []).some((e) => RETRYABLE_CODES.has(String(e.extensions?.code)));
    } catch {
      return true;
    }
  }
  // Event streams and multipart bodies: any retryable code anywhere in them.
  return RETRYABLE_CODE_IN_TEXT.test(body);
}

function refusal(code: ErrorCode, message: string, status: number, headers?: Record<string, string>): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status, ...(headers ? { headers } : {}) } } });
}

type Claim = { reservation: Reservation } | { replay: StoredResponse } | { refused: GraphQLError };

interface RequestState {
  reservation?: Reservation;
  replay?: StoredResponse;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function useIdempotencyKeys(options: IdempotencyOptions): Plugin<Record<string, unknown>> {
  const { prisma, log, ttlMs, waitMs } = options;
  const states = new WeakMap<Request, RequestState>();
  /** Keys held by requests running on this instance: a local duplicate wakes up as soon as they finish. */
  const running = new Map<string, { finished: Promise<void>; finish: () => void }>();

  async function claim(apiKeyId: string, key: string, hash: string): Promise<Claim> {
    const deadline = Date.now() + waitMs;
    let pause = 20;
    for (;;) {
      const reservation = await reserveKey(prisma, apiKeyId, key, hash, ttlMs);
      if (reservation) return { reservation };
      const state = await lookupKey(prisma, apiKeyId, key);
      // Released or expired between the two statements: claim it again.
      if (state.kind === 'absent') continue;
      if (state.requestHash !== hash) {
        return {
          refused: refusal(
            ErrorCode.IDEMPOTENCY_KEY_REUSED,
            'This Idempotency-Key was already used for a different request (operation or variables); send a new key for a new request',
            422,
          ),
        };
      }
      if (state.kind === 'done') return { replay: state.response };
      const left = deadline - Date.now();
      if (left <= 0) {
        return {
          refused: refusal(
            ErrorCode.IDEMPOTENCY_KEY_IN_USE,
            'The first request with this Idempotency-Key is still running; retry with the same key shortly to get its response',
            409,
            { 'Retry-After': '1' },
          ),
        };
      }
      const local = running.get(`${apiKeyId}\n${key}`)?.finished;
      await (local ? Promise.race([sleep(Math.min(pause, left)), local]) : sleep(Math.min(pause, left)));
      pause = Math.min(pause * 2, 250);
    }
  }

  /**
   * Releases a key whose outcome was not stored. When the database is what failed, the release
   * fails too: it is retried with backoff until it works or the lease ends by itself, so a
   * client retrying its request gets it run once the database is back, not IDEMPOTENCY_KEY_IN_USE
   * for the rest of the lease. Only the holder's token can release, so a late retry is harmless.
   */
  function releaseEventually(reservation: Reservation): void {
    const giveUpAt = Date.now() + LEASE_MS;
    const attempt = (delayMs: number) => {
      uncounted(() => releaseKey(prisma, reservation)).catch((error: unknown) => {
        if (Date.now() + delayMs >= giveUpAt) {
          log.warn({ err: error, key: reservation.key }, 'could not release an idempotency key; its lease ends it');
          return;
        }
        setTimeout(() => attempt(Math.min(delayMs * 2, 10_000)), delayMs).unref();
      });
    };
    attempt(250);
  }

  async function store(reservation: Reservation, response: Response): Promise<void> {
    const scope = `${reservation.apiKeyId}\n${reservation.key}`;
    try {
      const body = await response.clone().text();
      const contentType = response.headers.get('content-type');
      if (isRetryable(response.status, contentType, body)) {
        await releaseKey(prisma, reservation);
      } else if (!(await completeKey(prisma, reservation, { status: response.status, contentType, body }))) {
        log.warn({ key: reservation.key }, 'an idempotency key was taken over before its response could be stored');
      }
    } catch (error) {
      log.warn({ err: error }, 'could not store the response of an idempotency key; releasing it');
      releaseEventually(reservation);
    } finally {
      running.get(scope)?.finish();
      running.delete(scope);
    }
  }

  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue as unknown as Context & { request?: Request };
      // WebSocket operations carry no fetch Request: the header exists only over HTTP.
      const key = typeof ctx.request?.headers?.get === 'function' ? ctx.request.headers.get(IDEMPOTENCY_HEADER) : null;
      if (key === null || !ctx.request) return;
      if (getOperationAST(args.document, args.operationName ?? undefined)?.operation !== 'mutation') return;
      if (!VALID_KEY.test(key)) {
        setResultAndStopExecution({
          errors: [refusal(ErrorCode.BAD_USER_INPUT, 'The Idempotency-Key header must be 1 to 255 printable ASCII characters', 400)],
        });
        return;
      }
      if (!ctx.viewer) return;
      const outcome = await claim(ctx.viewer.apiKeyId, key, requestHash(args.document, args.operationName, args.variableValues));
      if ('refused' in outcome) {
        setResultAndStopExecution({ errors: [outcome.refused] });
      } else if ('replay' in outcome) {
        states.set(ctx.request, { replay: outcome.replay });
        // Replaced by the stored response in onResponse.
        setResultAndStopExecution({ data: null });
      } else {
        states.set(ctx.request, { reservation: outcome.reservation });
        let finish = () => undefined as void;
        const finished = new Promise<void>((resolve) => (finish = resolve));
        running.set(`${outcome.reservation.apiKeyId}\n${key}`, { finished, finish });
      }
    },
    async onResponse({ request, response, setResponse }) {
      const state = states.get(request);
      if (!state) return;
      states.delete(request);
      if (state.reservation) {
        await store(state.reservation, response);
        return;
      }
      if (state.replay) {
        // The headers of this response (CORS, rate limits) stay; status, type and body are the first one's.
        const headers = new Headers(response.headers);
        headers.delete('content-length');
        if (state.replay.contentType) headers.set('content-type', state.replay.contentType);
        else headers.delete('content-type');
        headers.set(REPLAYED_HEADER, 'true');
        setResponse(new Response(state.replay.body, { status: state.replay.status, headers }));
      }
    },
  };
}
