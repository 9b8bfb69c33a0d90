/**
 * Tells a database failure the client can retry apart from our bug, in one place: a statement
 * or transaction that ran out of time (TIMEOUT), and a database that cannot be reached or went
 * away (SERVICE_UNAVAILABLE). The errors arrive wrapped several layers deep (pg error → Prisma
 * driver-adapter error → Prisma client error), so the whole cause chain is searched.
 */

export type DatabaseFailure = 'timeout' | 'unavailable';

/** PostgreSQL SQLSTATE 57014 query_canceled: statement_timeout, or a cancel on disconnect. */
const TIMEOUT_SQLSTATES = new Set(['57014']);
/**
 * Prisma: P2028 transaction API error (an expired interactive transaction, or none could be
 * started in time).
 */
const TIMEOUT_PRISMA = new Set(['P2028']);
/** src/db/cancel.ts: a statement of a request whose client had already gone (nobody reads the answer). */
const TIMEOUT_OTHER = new Set(['REQUEST_ABORTED']);

/**
 * 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or shutting
 * down), 53300 too_many_connections; class 08 is connection exceptions.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Prisma: can't reach server, server timed out, server closed the connection, pool timeout. */
const UNAVAILABLE_PRISMA = new Set(['P1001', 'P1002', 'P1017', 'P2024']);
/** adapter-pg's driver-adapter error kinds for lost connections. */
const UNAVAILABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'terminating connection due to administrator command',
  'the database system is shutting down',
  'the database system is starting up',
  'PGlite is closed',
  'connect ECONNREFUSED',
];
const TIMEOUT_MESSAGES = ['canceling statement due to statement timeout', 'Transaction already closed', 'expired transaction'];

function* causes(error: unknown): Generator<Record<string, unknown>> {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const o = e as Record<string, unknown>;
    yield o;
    queue.push(o.cause, o.originalError);
    const meta = o.meta as Record<string, unknown> | undefined;
    if (meta && typeof meta === 'object') queue.push(meta.driverAdapterError, meta);
    if (Array.isArray(o.errors)) queue.push(...o.errors);
  }
}

export function classifyDatabaseError(error: unknown): DatabaseFailure | null {
  let unavailable = false;
  for (const e of causes(error)) {
    const codes = [e.code, e.originalCode, e.errorCode].filter((c): c is string => typeof c === 'string');
    const message = typeof e.message === 'string' ? e.message : '';
    // A timeout is the more specific answer: check it first at each level.
    if (codes.some((c) => TIMEOUT_SQLSTATES.has(c) || TIMEOUT_PRISMA.has(c) || TIMEOUT_OTHER.has(c)) || TIMEOUT_MESSAGES.some((m) => message.includes(m))) return 'timeout';
    if (
      codes.some((c) => UNAVAILABLE_SQLSTATES.has(c) || UNAVAILABLE_ERRNO.has(c) || UNAVAILABLE_PRISMA.has(c) || c.startsWith('08')) ||
      (typeof e.kind === 'string' && UNAVAILABLE_KINDS.has(e.kind)) ||
      UNAVAILABLE_MESSAGES.some((m) => message.includes(m))
    ) {
      unavailable = true;
    }
  }
  return unavailable ? 'unavailable' : null;
}

/** One line for /readyz and logs naming what failed, e.g. "connection refused (ECONNREFUSED 10.0.0.5:5432)". */
export function describeDatabaseFailure(error: unknown): string {
  for (const e of causes(error)) {
    const code = typeof e.code === 'string' ? e.code : '';
    const message = typeof e.message === 'string' ? e.message : '';
    if (code === 'ECONNREFUSED') return `database unreachable: connection refused (${message})`;
    if (code === '57P01' || code === '57P02' || code === '57P03') return `database unreachable: the server is shutting down or starting up (${code} ${message})`;
    if (message.includes('timeout exceeded when trying to connect')) {
      return 'database unreachable: no connection within the connect timeout (the server does not answer, or every pooled connection is busy)';
    }
  }
  const top = error as { message?: string };
  return `database unreachable: ${top?.message ?? String(error)}`;
}
