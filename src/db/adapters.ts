import { createHash } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
} from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import pg from 'pg';

/**
 * Driver-adapter factories for the two backends, in two flavours:
 * - `runtime`: what Prisma Client uses to serve requests (a pool on PostgreSQL);
 * - `migration`: what the WASM schema engine uses. It must be a single session, because the
 *   engine's migration lock is a session-level advisory lock: on a pool, the lock and the
 *   unlock can land on different connections and concurrent start-ups would not be serialized.
 *
 * The upstream adapters need three repairs for the schema engine, made here by wrapping:
 * 1. `executeScript` on adapter-pg splits scripts on ";", which breaks any function or trigger
 *    body; PGlite's does not await `exec`, so a failing migration would be reported as applied.
 *    Both are replaced by one simple-protocol query (Postgres runs a multi-statement simple
 *    query as one implicit transaction, so a migration is all-or-nothing).
 * 2. adapter-pg rejects the catalog type `"char"` (OID 18) used by the engine's introspection;
 *    it is read as text and reported as `Character`, which is what the engine expects.
 * 3. adapter-pg's shadow database is dropped before its pool is closed (the drop fails and the
 *    database leaks) and, when configured from a URL, the "shadow" pool connects to the main
 *    database. The shadow here is built from discrete fields, closed first, then dropped WITH
 *    (FORCE).
 * Every adapter handed out is tracked so `dispose()` closes it: the engine's `free()` does not.
 */

export interface TrackedFactory extends SqlMigrationAwareDriverAdapterFactory {
  /** Closes every connection this factory opened (including shadow databases). */
  disposeAll(): Promise<void>;
}

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Replaces `executeScript` with a single awaited simple-protocol query. */
function withWholeScriptExecution(adapter: SqlDriverAdapter, run: (script: string) => Promise<unknown>): SqlDriverAdapter {
  const patched = adapter as Mutable<SqlDriverAdapter>;
  patched.executeScript = async (script: string) => {
    try {
      await run(script);
    } catch (error) {
      throw new Error(`migration script failed: ${(error as Error).message}`, { cause: error });
    }
  };
  return adapter;
}

/** Lets adapter-pg read `"char"` columns: relabel as text in the wire result, then report Character. */
function withCharColumns(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const inner = adapter as unknown as {
    performIO(query: SqlQuery): Promise<{ fields: { dataTypeID: number }[]; rows: unknown[][] }>;
    queryRaw: SqlDriverAdapter['queryRaw'];
  };
  const charColumns = new WeakMap<unknown[][], number[]>();
  const performIO = inner.performIO.bind(inner);
  inner.performIO = async (query) => {
    const result = await performIO(query);
    const indexes: number[] = [];
    result.fields?.forEach((field, i) => {
      if (field.dataTypeID === PG_CHAR_OID) {
        field.dataTypeID = PG_TEXT_OID;
        indexes.push(i);
      }
    });
    if (indexes.length > 0 && result.rows) charColumns.set(result.rows, indexes);
    return result;
  };
  const queryRaw = inner.queryRaw.bind(inner);
  inner.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const i of charColumns.get(result.rows as unknown[][]) ?? []) {
      (result.columnTypes as number[])[i] = ColumnTypeEnum.Character;
    }
    return result;
  };
  return adapter;
}

export interface PgConnectionFields {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  database: string;
  ssl: pg.ClientConfig['ssl'];
}

/** Splits a URL into discrete pg fields so that a different database can be targeted safely. */
export function pgFieldsFromUrl(url: string): PgConnectionFields {
  const u = new URL(url);
  const sslmode = u.searchParams.get('sslmode');
  return {
    host: decodeURIComponent(u.hostname),
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || 'postgres',
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')),
    ssl: sslmode && sslmode !== 'disable' ? { rejectUnauthorized: sslmode === 'verify-full' } : undefined,
  };
}

export interface PgPoolOptions {
  max: number;
  /** Identifies cxgraph's sessions in pg_stat_activity. */
  applicationName?: string;
  connectionTimeoutMillis?: number;
  /** Session startup parameters, e.g. `-c statement_timeout=10000` (src/db/timeouts.ts). */
  sessionOptions?: string;
}

export function createPgPool(fields: PgConnectionFields, options: PgPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    ...fields,
    max: options.max,
    application_name: options.applicationName ?? 'cxgraph',
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
    idleTimeoutMillis: 30_000,
    ...(options.sessionOptions ? { options: options.sessionOptions } : {}),
  });
  // pg-pool listens for errors only on idle clients. A checked-out client between two statements
  // (inside a transaction) whose connection dies — a database restart — emits 'error' with nobody
  // listening, and an unhandled 'error' event ends the process. The next statement on it fails
  // (SERVICE_UNAVAILABLE), and the pool drops it when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** Distinct statements prepared by name; any beyond are sent unnamed (parsed and planned each time). */
const MAX_NAMED_STATEMENTS = 2_000;
/** Statements with more parameters are mostly IN lists whose length varies: not worth a name each. */
const MAX_NAMED_PARAMETERS = 64;

/**
 * Names Prisma's statements so each pooled connection parses and plans a statement text once
 * and then only binds and executes it (issue 12: every request's statements were parsed and
 * planned anew). The name is a hash of the text, so the same text always has the same name. The
 * number of names is bounded, because PostgreSQL keeps a connection's prepared statements until
 * it closes.
 */
export function statementNames(): (query: SqlQuery) => string {
  const names = new Map<string, string>();
  return (query) => {
    let name = names.get(query.sql);
    if (name === undefined) {
      // No name: pg sends the statement unnamed (the adapter passes the value to pg as it is).
      if (names.size >= MAX_NAMED_STATEMENTS || query.args.length > MAX_NAMED_PARAMETERS) return undefined as unknown as string;
      name = `cx_${createHash('sha1').update(query.sql).digest('base64url')}`;
      names.set(query.sql, name);
    }
    return name;
  };
}

/** Runtime factory for PostgreSQL: Prisma Client over a bounded pool, with named statements. */
export function pgRuntimeAdapter(pool: pg.Pool): PrismaPg {
  return new PrismaPg(pool, { statementNameGenerator: statementNames() });
}

/** Single-session migration factory for PostgreSQL (see the module comment). */
export function pgMigrationFactory(url: string): TrackedFactory {
  const fields = pgFieldsFromUrl(url);
  const open: Array<() => Promise<void>> = [];

  const connectTo = async (target: PgConnectionFields, onDispose?: () => Promise<void>) => {
    // One connection that never idles out: the advisory lock lives as long as this session.
    const pool = new pg.Pool({ ...target, max: 1, idleTimeoutMillis: 0, application_name: 'cxgraph-migrate' });
    const adapter = await new PrismaPg(pool).connect();
    withCharColumns(adapter);
    withWholeScriptExecution(adapter, (script) => pool.query(script));
    let disposed = false;
    const dispose = async () => {
      if (disposed) return;
      disposed = true;
      await pool.end().catch(() => undefined);
      await onDispose?.();
    };
    (adapter as Mutable<SqlDriverAdapter>).dispose = dispose;
    open.push(dispose);
    return adapter;
  };

  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => connectTo(fields),
    async connectToShadowDb() {
      const name = `cxgraph_shadow_${crypto.randomUUID().replaceAll('-', '')}`;
      const admin = new pg.Client({ ...fields });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE "${name}"`);
      } finally {
        await admin.end();
      }
      return connectTo({ ...fields, database: name }, async () => {
        const dropper = new pg.Client({ ...fields });
        await dropper.connect();
        try {
          await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        } finally {
          await dropper.end();
        }
      });
    },
    async disposeAll() {
      await Promise.all(open.splice(0).map((d) => d()));
    },
  };
}

/** Runtime factory for the embedded database. */
export function pgliteRuntimeAdapter(db: PGlite): PrismaPGlite {
  return new PrismaPGlite(db);
}

/** Migration factory for the embedded database; the shadow is a throw-away in-memory PGlite. */
export function pgliteMigrationFactory(db: PGlite): TrackedFactory {
  const shadows: PGlite[] = [];
  const base = new PrismaPGlite(db);
  const wrap = async (target: PGlite) => {
    const adapter = await new PrismaPGlite(target).connect();
    return withWholeScriptExecution(adapter, (script) => target.exec(script));
  };
  return {
    provider: 'postgres',
    adapterName: base.adapterName,
    connect: () => wrap(db),
    async connectToShadowDb() {
      const shadow = new PGlite();
      shadows.push(shadow);
      return wrap(shadow);
    },
    async disposeAll() {
      await Promise.all(shadows.splice(0).map((s) => (s.closed ? undefined : s.close())));
    },
  };
}
