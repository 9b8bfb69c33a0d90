/**
 * How long one SQL statement may run, and how long a request waits for a connection. PostgreSQL
 * enforces `statement_timeout` per session (set on every pooled connection) and per transaction
 * (`SET LOCAL` raises it for a metric's own transaction). The embedded PGlite runs the statement
 * on this process's thread and ignores `statement_timeout` (measured: a 3 s pg_sleep and a 13 s
 * scan both ran to the end with 500 ms set); there, the cost and depth limits in src/guards/
 * keep a request from running long in the first place.
 */
export interface DatabaseTimeouts {
  /** Every statement of a request (CXGRAPH_STATEMENT_TIMEOUT_MS). */
  statementMs: number;
  /** A metric's statement (CXGRAPH_METRICS_STATEMENT_TIMEOUT_MS): one large read of up to a million samples. */
  metricStatementMs: number;
  /** Waiting for a new connection to PostgreSQL, or for a free one in the pool (CXGRAPH_DATABASE_CONNECT_TIMEOUT_MS). */
  connectMs: number;
}

export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = { statementMs: 10_000, metricStatementMs: 30_000, connectMs: 2_000 };

/**
 * For operators' own work (bulk seeding, VACUUM, benchmarks' set-up): no statement limit, and a
 * patient connection wait. Never for serving requests.
 */
export const UNLIMITED_STATEMENTS: DatabaseTimeouts = { statementMs: 0, metricStatementMs: 0, connectMs: 10_000 };

/**
 * Room left to the database's own statement timeout before Prisma gives up on the transaction,
 * so a slow metric is cancelled inside PostgreSQL (57014) rather than abandoned by the client
 * while the statement keeps running.
 */
const TRANSACTION_MARGIN_MS = 2_000;

const byClient = new WeakMap<object, DatabaseTimeouts>();

/** Records the timeouts a Prisma client's database was opened with (src/db/index.ts). */
export function registerTimeouts(prisma: object, timeouts: DatabaseTimeouts): void {
  byClient.set(prisma, timeouts);
}

export function timeoutsOf(prisma: object): DatabaseTimeouts {
  return byClient.get(prisma) ?? DEFAULT_DATABASE_TIMEOUTS;
}

/**
 * A metric's transaction: its statement may run for `metricStatementMs` (raised with SET LOCAL),
 * and Prisma's transaction timeout (5 s by default, which answered a bare "Unexpected error." to
 * any metric past 5 s) follows it.
 */
export function metricTransaction(prisma: object): { statementTimeout: string; options: { timeout: number; maxWait: number } } {
  const t = timeoutsOf(prisma);
  // 0 (no limit): statement_timeout 0 turns the session's off; a day stands in for Prisma's "never".
  const timeout = t.metricStatementMs > 0 ? t.metricStatementMs + TRANSACTION_MARGIN_MS : 86_400_000;
  return { statementTimeout: `${t.metricStatementMs}ms`, options: { timeout, maxWait: t.connectMs } };
}

/** Startup parameters for every pooled PostgreSQL session. */
export function sessionOptions(timeouts: DatabaseTimeouts): string | undefined {
  // 0: no limit of ours (PGOPTIONS or the server's setting apply).
  return timeouts.statementMs > 0 ? `-c statement_timeout=${timeouts.statementMs}` : undefined;
}
