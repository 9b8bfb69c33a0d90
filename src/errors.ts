import { GraphQLError } from 'graphql';

/**
 * Error codes are part of the public contract: clients branch on `extensions.code` (for
 * request errors) or on the `code` field of a typed mutation error. Never rename one.
 */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  INVALID_STATE: 'INVALID_STATE',
  VALIDATION: 'VALIDATION',
  /** A subscription's `after` cursor is older than the retention window (or unknown): refetch, then subscribe without it. */
  CURSOR_EXPIRED: 'CURSOR_EXPIRED',
  /** A subscriber fell further behind than its buffer allows; resume from the last cursor received. */
  SUBSCRIBER_TOO_SLOW: 'SUBSCRIBER_TOO_SLOW',
  /** An `Idempotency-Key` already used by this API key for a different request (HTTP 422): use a new key. */
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  /** The first request with this `Idempotency-Key` is still running (HTTP 409): retry a little later. */
  IDEMPOTENCY_KEY_IN_USE: 'IDEMPOTENCY_KEY_IN_USE',
  /** A statement or transaction ran past its time limit and was cancelled; retry later or ask for less. */
  TIMEOUT: 'TIMEOUT',
  /** The database cannot be reached right now; retry after the `Retry-After` seconds (HTTP 503). */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** The operation exceeds a limit (cost, depth, aliases, tokens, size, directives); extensions name the figure and the limit. */
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /**
   * Too many requests for this caller: its bucket of cost points is empty, or too many of its
   * workspace's expensive operations are waiting (HTTP 429); retry after `Retry-After`.
   */
  RATE_LIMITED: 'RATE_LIMITED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Base class of expected, user-fixable failures. Services throw these; mutations expose them
 * as typed results through the errors plugin, and queries surface them as GraphQL errors
 * with the same code. Anything that is not an AppError (or a GraphQLError built here) is
 * masked as INTERNAL_SERVER_ERROR.
 */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Dotted path of the input field at fault, e.g. "input.email". */
    readonly path?: string,
  ) {
    super(message);
  }
}

/** A request-level error (not a typed result): authentication, authorization, bad arguments. */
export function requestError(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  const http =
    code === ErrorCode.UNAUTHENTICATED ? { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="cxgraph"' } } : undefined;
  return new GraphQLError(message, { extensions: { code, ...extra, ...(http ? { http } : {}) } });
}

/** The input broke a rule (format, range, length). `path` names the field, e.g. "input.email". */
export class ValidationError extends AppError {
  override name = 'ValidationError';
  constructor(message: string, path?: string) {
    super(ErrorCode.VALIDATION, message, path);
  }
}

/** The object does not exist in the caller's workspace (or was merged away). */
export class NotFoundError extends AppError {
  override name = 'NotFoundError';
  constructor(what: string, path?: string) {
    super(ErrorCode.NOT_FOUND, `${what} was not found`, path);
  }
}

/** Someone else changed the object first (stale `expectedVersion`) or a unique value is taken. */
export class ConflictError extends AppError {
  override name = 'ConflictError';
  constructor(
    message: string,
    path?: string,
    /** The version the object has now, for optimistic-concurrency conflicts. */
    readonly currentVersion?: number,
  ) {
    super(ErrorCode.CONFLICT, message, path);
  }
}

/** The change is not allowed from the object's current state (e.g. commenting on a CLOSED ticket). */
export class InvalidStateError extends AppError {
  override name = 'InvalidStateError';
  constructor(message: string, path?: string) {
    super(ErrorCode.INVALID_STATE, message, path);
  }
}

/** Seconds a client should wait before retrying after SERVICE_UNAVAILABLE. */
export const OUTAGE_RETRY_AFTER_SECONDS = 2;

/**
 * The client-facing error of a failed dependency (src/db/outage.ts classifies it). An outage is
 * HTTP 503 with Retry-After, so a client, a proxy or a load balancer can tell it from our bug.
 */
export function dependencyError(failure: 'timeout' | 'unavailable', at: { nodes?: GraphQLError['nodes']; path?: GraphQLError['path'] } = {}): GraphQLError {
  if (failure === 'timeout') {
    return new GraphQLError('The operation took too long and was cancelled; retry later or ask for less (a narrower range, a smaller page).', {
      ...at,
      extensions: { code: ErrorCode.TIMEOUT },
    });
  }
  return new GraphQLError('The database is unavailable right now; retry shortly.', {
    ...at,
    extensions: {
      code: ErrorCode.SERVICE_UNAVAILABLE,
      retryAfter: OUTAGE_RETRY_AFTER_SECONDS,
      http: { status: 503, headers: { 'Retry-After': String(OUTAGE_RETRY_AFTER_SECONDS) } },
    },
  });
}
