import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { parseDatabaseUrl } from '../src/config.ts';
import { pgFieldsFromUrl, pgliteMigrationFactory, pgMigrationFactory } from '../src/db/adapters.ts';
import { applyMigrations } from '../src/db/migrations.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** PostgreSQL URL of the run's own database, or null on the embedded backend. */
    testDatabaseUrl: string | null;
    /** The server the run's database lives on (for tests that create more databases). */
    testServerUrl: string | null;
    /** Tarball of a migrated PGlite cluster, loaded by each worker. */
    pgliteSnapshot: string | null;
  }
}

/**
 * Migrates one database for the whole run. With DATABASE_URL: creates (and at the end drops)
 * a fresh database on that server, so the suite never touches the named database's data.
 * Without: migrates an in-memory PGlite once and snapshots it; workers load the snapshot.
 */
export default async function setup(project: TestProject) {
  const serverUrl = process.env.DATABASE_URL?.trim();
  if (serverUrl) {
    parseDatabaseUrl(serverUrl, 10); // fails early with a clear message on a malformed URL
    const fields = pgFieldsFromUrl(serverUrl);
    const name = `cxgraph_test_${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Client(fields);
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    await applyMigrations(pgMigrationFactory(url.toString()));
    project.provide('testDatabaseUrl', url.toString());
    project.provide('testServerUrl', serverUrl);
    project.provide('pgliteSnapshot', null);
    return async () => {
      const dropper = new pg.Client(fields);
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await dropper.end();
    };
  }

  const db = await PGlite.create();
  await applyMigrations(pgliteMigrationFactory(db));
  const dump = await db.dumpDataDir('none');
  await db.close();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cxgraph-test-'));
  const file = path.join(dir, 'migrated.tar');
  await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('testDatabaseUrl', null);
  project.provide('testServerUrl', null);
  project.provide('pgliteSnapshot', file);
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
