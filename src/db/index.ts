import { closeSync, constants, accessSync, existsSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type pg from 'pg';
import type { DatabaseConfig } from '../config.ts';
import { StartupError } from '../config.ts';
import { PrismaClient } from '../generated/prisma/client.ts';
import {
  createPgPool,
  pgFieldsFromUrl,
  pgliteMigrationFactory,
  pgliteRuntimeAdapter,
  pgMigrationFactory,
  pgRuntimeAdapter,
  type TrackedFactory,
} from './adapters.ts';
import { cancelOnAbort } from './cancel.ts';
import { countingAdapterFactory } from './query-counter.ts';
import { DEFAULT_DATABASE_TIMEOUTS, registerTimeouts, sessionOptions, type DatabaseTimeouts } from './timeouts.ts';

export type { PrismaClient };

/**
 * One open database: Prisma Client for requests, plus what the migration runner needs.
 * Embedded (PGlite, in this process) when no DATABASE_URL is set; PostgreSQL otherwise.
 */
export interface Database {
  kind: DatabaseConfig['kind'];
  /** Where the data lives, for logs: a folder, "memory", or host/database. */
  location: string;
  prisma: PrismaClient;
  /** A fresh single-session adapter factory for the schema engine. */
  migrationFactory(): TrackedFactory;
  /** Throws if the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Connection errors from pg carry a code; turn the common ones into one line naming the host. */
function describeConnectError(error: unknown, host: string, database: string): string {
  const e = error as { code?: string; message?: string };
  switch (e.code) {
    case 'ECONNREFUSED':
      return `cannot reach PostgreSQL at ${host}: connection refused (is the server running?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot reach PostgreSQL at ${host}: unknown host`;
    case 'ETIMEDOUT':
      return `cannot reach PostgreSQL at ${host}: connection timed out`;
    case '3D000':
      return `PostgreSQL at ${host} has no database "${database}" (create it first: createdb ${database})`;
    case '28P01':
    case '28000':
      return `PostgreSQL at ${host} rejected the credentials in DATABASE_URL`;
    default:
      return `cannot connect to PostgreSQL at ${host}: ${e.message ?? String(error)}`;
  }
}

async function openPostgres(config: Extract<DatabaseConfig, { kind: 'postgres' }>, timeouts: DatabaseTimeouts): Promise<Database> {
  const fields = pgFieldsFromUrl(config.url);
  const pool: pg.Pool = createPgPool(fields, {
    max: config.poolMax,
    connectionTimeoutMillis: timeouts.connectMs,
    sessionOptions: sessionOptions(timeouts),
  });
  // An idle client that dies (server restart) must not crash the process; the pool reconnects.
  pool.on('error', () => undefined);
  cancelOnAbort(pool, fields, () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new StartupError(describeConnectError(error, config.host, config.database));
  }
  const prisma = new PrismaClient({ adapter: countingAdapterFactory(pgRuntimeAdapter(pool)) });
  registerTimeouts(prisma, timeouts);
  return {
    kind: 'postgres',
    location: `${config.host}/${config.database}`,
    prisma,
    migrationFactory: () => pgMigrationFactory(config.url),
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await prisma.$disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}

/**
 * PGlite keeps the whole cluster in one process; a second process opening the same folder would
 * corrupt it. A pid file refuses that with a clear message (stale files from dead processes are
 * taken over).
 */
function lockDataDir(dir: string): () => void {
  const lockFile = path.join(dir, 'cxgraph.pid');
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    let alive = false;
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
      try {
        process.kill(pid, 0);
        alive = true;
      } catch (error) {
        alive = (error as NodeJS.ErrnoException).code === 'EPERM';
      }
    }
    if (alive) {
      throw new StartupError(
        `the embedded database in ${dir} is in use by process ${pid}; stop it, or set CXGRAPH_DATA_DIR to another folder`,
      );
    }
  }
  const fd = openSync(lockFile, 'w');
  writeSync(fd, String(process.pid));
  closeSync(fd);
  return () => {
    try {
      if (readFileSync(lockFile, 'utf8').trim() === String(process.pid)) unlinkSync(lockFile);
    } catch {
      // already gone
    }
  };
}

function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new StartupError(`cannot use data folder ${dir} (${code}); set CXGRAPH_DATA_DIR to a writable folder`);
  }
}

async function openPglite(config: Extract<DatabaseConfig, { kind: 'pglite' }>, timeouts: DatabaseTimeouts): Promise<Database> {
  const inMemory = config.dataDir === 'memory';
  let unlock = () => undefined as void;
  if (!inMemory) {
    prepareDataDir(config.dataDir);
    unlock = lockDataDir(config.dataDir);
  }
  let db: PGlite;
  try {
    db = await PGlite.create(inMemory ? undefined : config.dataDir);
  } catch (error) {
    unlock();
    throw new StartupError(`cannot open the embedded database in ${config.dataDir}: ${(error as Error).message}`);
  }
  return wrapPglite(db, inMemory ? 'memory' : config.dataDir, unlock, timeouts);
}

/** Wraps an already-open PGlite (tests load one from a migrated snapshot). */
export function wrapPglite(db: PGlite, location: string, onClose: () => void = () => undefined, timeouts = DEFAULT_DATABASE_TIMEOUTS): Database {
  const prisma = new PrismaClient({ adapter: countingAdapterFactory(pgliteRuntimeAdapter(db)) });
  registerTimeouts(prisma, timeouts);
  return {
    kind: 'pglite',
    location,
    prisma,
    migrationFactory: () => pgliteMigrationFactory(db),
    async ping() {
      await db.query('SELECT 1');
    },
    async close() {
      await prisma.$disconnect();
      if (!db.closed) await db.close();
      onClose();
    },
  };
}

export async function openDatabase(config: DatabaseConfig, timeouts: DatabaseTimeouts = DEFAULT_DATABASE_TIMEOUTS): Promise<Database> {
  return config.kind === 'postgres' ? openPostgres(config, timeouts) : openPglite(config, timeouts);
}

export type { SqlDriverAdapterFactory };
