import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import type { PgConnectionFields } from './adapters.ts';

/**
 * Cancels the SQL statements of a request whose client went away. Without this, a statement
 * keeps running in PostgreSQL after the client disconnected (one ran 12 minutes), holding a
 * pooled connection and a backend.
 *
 * A request runs inside a scope (AsyncLocalStorage, entered by src/guards/request-scope.ts
 * around the whole request) holding its abort signal. The pool is wrapped so that a connection
 * checked out for the request — by `pool.query` for a lone statement, or `pool.connect` for a
 * transaction — is recorded in the scope until it is released. When the signal aborts, every
 * recorded backend gets `pg_cancel_backend(pid)` from a connection of its own (the pool may be
 * the thing that is exhausted), and the request's later statements fail without being sent.
 *
 * The embedded PGlite runs statements on this process's own thread: nothing can interrupt one,
 * so there is nothing to cancel there.
 */

export interface RequestScope {
  signal: AbortSignal;
  /** Pooled connections checked out for this request right now. */
  clients: Set<pg.PoolClient>;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** Runs `fn` (a whole request) in a scope whose statements are cancelled when `signal` aborts. */
export function runInRequestScope<T>(signal: AbortSignal, fn: () => T): T {
  return storage.run({ signal, clients: new Set() }, fn);
}

export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}

/** The error a request's statement fails with once its client has gone. */
export class RequestAbortedError extends Error {
  override name = 'RequestAbortedError';
  readonly code = 'REQUEST_ABORTED';
  constructor() {
    super('the client disconnected; the request was cancelled');
  }
}

type Queryable = { query: (...args: any[]) => any };

/**
 * Wraps `pool` in place (adapter-pg calls `pool.query` and `pool.connect` on the pool it is
 * given). Outside a request scope (background jobs, start-up) the pool behaves as before.
 */
export function cancelOnAbort(pool: pg.Pool, fields: PgConnectionFields, onCancelError: (error: unknown) => void): pg.Pool {
  const owner = new WeakMap<pg.PoolClient, RequestScope>();
  const listening = new WeakSet<RequestScope>();
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  const query = pool.query.bind(pool) as Queryable['query'];

  pool.on('release', (_error: Error | undefined, client: pg.PoolClient) => {
    const scope = owner.get(client);
    if (!scope) return;
    owner.delete(client);
    scope.clients.delete(client);
  });

  const cancel = async (pids: number[]) => {
    const client = new pg.Client({ ...fields, application_name: 'cxgraph-cancel', connectionTimeoutMillis: 2_000 });
    // A connection cut while it is open must not become an unhandled 'error' event.
    client.on('error', onCancelError);
    try {
      await client.connect();
      await client.query('SELECT pg_cancel_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
    } catch (error) {
      onCancelError(error);
    } finally {
      await client.end().catch(() => undefined);
    }
  };

  const acquire = async (scope: RequestScope): Promise<pg.PoolClient> => {
    if (scope.signal.aborted) throw new RequestAbortedError();
    const client = await connect();
    if (scope.signal.aborted) {
      client.release();
      throw new RequestAbortedError();
    }
    owner.set(client, scope);
    scope.clients.add(client);
    if (!listening.has(scope)) {
      listening.add(scope);
      scope.signal.addEventListener(
        'abort',
        () => {
          const pids = [...scope.clients].map((c) => (c as unknown as { processID: number | null }).processID).filter((p): p is number => typeof p === 'number');
          if (pids.length) void cancel(pids);
        },
        { once: true },
      );
    }
    return client;
  };

  const patched = pool as unknown as { connect: (...args: any[]) => any; query: Queryable['query'] };
  patched.connect = (...args: any[]) => {
    const scope = storage.getStore();
    if (!scope || args.length > 0) return connect(...(args as []));
    return acquire(scope);
  };
  patched.query = (...args: any[]) => {
    const scope = storage.getStore();
    // Callback style is pg-pool's own internal path; adapter-pg uses promises.
    if (!scope || typeof args[args.length - 1] === 'function') return query(...args);
    return (async () => {
      const client = await acquire(scope);
      try {
        const result = await client.query(...(args as [string]));
        client.release();
        return result;
      } catch (error) {
        // As pg-pool's own `query`: a connection whose statement failed is not reused.
        client.release(error as Error);
        throw error;
      }
    })();
  };
  return pool;
}
