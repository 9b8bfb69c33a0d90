import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { pgFieldsFromUrl, pgliteMigrationFactory, pgMigrationFactory, type TrackedFactory } from '../../src/db/adapters.ts';

/**
 * A brand-new, empty database on the backend under test, for tests about migrations and
 * start-up. PostgreSQL: a new database on the test server (dropped by `dispose`).
 * Embedded: a fresh in-memory PGlite.
 */
export interface ScratchDatabase {
  kind: 'pglite' | 'postgres';
  /** PostgreSQL URL of the scratch database (null for PGlite). */
  url: string | null;
  /** A new single-session migration factory for it. */
  factory(): TrackedFactory;
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  dispose(): Promise<void>;
}

export async function scratchDatabase(): Promise<ScratchDatabase> {
  const server = inject('testServerUrl');
  if (server) {
    const fields = pgFieldsFromUrl(server);
    const name = `cxgraph_scratch_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new pg.Client(fields);
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const url = new URL(server);
    url.pathname = `/${name}`;
    const pool = new pg.Pool({ ...fields, database: name, max: 2 });
    return {
      kind: 'postgres',
      url: url.toString(),
      factory: () => pgMigrationFactory(url.toString()),
      query: async (sql) => (await pool.query(sql)).rows,
      async dispose() {
        await pool.end();
        const dropper = new pg.Client(fields);
        await dropper.connect();
        await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await dropper.end();
      },
    };
  }
  const db = await PGlite.create();
  return {
    kind: 'pglite',
    url: null,
    factory: () => pgliteMigrationFactory(db),
    query: async (sql) => (await db.query(sql)).rows as never,
    dispose: () => db.close(),
  };
}
