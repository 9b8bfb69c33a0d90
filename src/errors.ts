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
  /** The operation exceeds a limit (cost, depth, aliases, tokens, size, directives); extensions name the figure and the limit. */
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /** The caller's bucket of cost points is empty for now (HTTP 429, `Retry-After`); retry later. */
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
