import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { inject } from 'vitest';
import { parseDatabaseUrl } from '../../src/config.ts';
import { openDatabase, wrapPglite, type Database } from '../../src/db/index.ts';

let opening: Promise<Database> | undefined;

/**
 * The worker's migrated database (see test/global-setup.ts). Opened once per worker and kept
 * for every test file the worker runs; closed when the worker exits.
 */
export function testDatabase(): Promise<Database> {
  opening ??= (async () => {
    const url = inject('testDatabaseUrl');
    if (url) return openDatabase(parseDatabaseUrl(url, 5));
    const snapshot = inject('pgliteSnapshot');
    if (!snapshot) throw new Error('global setup provided no database');
    const blob = new Blob([await readFile(snapshot)]);
    const db = await PGlite.create({ loadDataDir: blob });
    return wrapPglite(db, 'memory (test snapshot)');
  })();
  return opening;
}

/** True when the suite runs against a real PostgreSQL server. */
export function onPostgres(): boolean {
  return inject('testDatabaseUrl') !== null;
}
