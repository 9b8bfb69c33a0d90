import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MigrationList } from '@prisma/schema-engine-wasm';
import { StartupError } from '../config.ts';
import type { TrackedFactory } from './adapters.ts';
import { engineErrorMessage, openSchemaEngine } from './schema-engine.ts';

/**
 * The migration runner. Migrations are ordinary Prisma migration folders under
 * `prisma/migrations` (so `prisma migrate deploy` can apply them wherever the native engine is
 * available), applied by Prisma's own schema engine running as WebAssembly. The engine records
 * them in `_prisma_migrations` and serializes concurrent runs with a PostgreSQL advisory lock,
 * so several instances starting together apply each migration exactly once.
 */

/**
 * The folder holding prisma/schema.prisma, found upwards from this module: under tsx it is two
 * levels up from src/db/, in the compiled bundle (dist/server.js) one level up.
 */
function findProjectRoot(moduleUrl: string): string {
  let dir = path.dirname(fileURLToPath(moduleUrl));
  while (!existsSync(path.join(dir, 'prisma', 'schema.prisma'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new StartupError(`cannot find prisma/schema.prisma above ${fileURLToPath(moduleUrl)}`);
    dir = parent;
  }
  return dir;
}

export const projectRoot = findProjectRoot(import.meta.url);
export const prismaSchemaPath = path.join(projectRoot, 'prisma', 'schema.prisma');
export const migrationsDir = path.join(projectRoot, 'prisma', 'migrations');

const NO_FILTER = { externalTables: [], externalEnums: [] };

async function readSchema() {
  return { path: prismaSchemaPath, content: await readFile(prismaSchemaPath, 'utf8') };
}

/** Names of the committed migrations, in the order they apply. */
export async function localMigrationNames(dir = migrationsDir): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort();
}

export async function loadMigrationList(dir = migrationsDir): Promise<MigrationList> {
  const names = await localMigrationNames(dir);
  const lockPath = path.join(dir, 'migration_lock.toml');
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lockPath) ? await readFile(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      names.map(async (name) => ({
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: { tag: 'ok' as const, value: await readFile(path.join(dir, name, 'migration.sql'), 'utf8') },
        },
      })),
    ),
  };
}

/** Applies every committed migration that the database has not applied yet. */
export async function applyMigrations(factory: TrackedFactory, dir = migrationsDir): Promise<string[]> {
  const handle = await openSchemaEngine(factory, await readSchema());
  try {
    const { appliedMigrationNames } = await handle.engine.applyMigrations({
      migrationsList: await loadMigrationList(dir),
      filters: NO_FILTER,
    });
    return appliedMigrationNames;
  } catch (error) {
    throw new StartupError(`database migration failed: ${engineErrorMessage(error).split('\n').slice(0, 6).join(' ').trim()}`);
  } finally {
    await handle.close();
  }
}

export interface CreatedMigration {
  name: string;
  file: string;
  sql: string;
}

/**
 * Diffs the committed migrations against `prisma/schema.prisma` and writes a new migration
 * folder (not applied). `factory` should point at a scratch database: the engine replays the
 * history in a shadow database to know where it stands. Returns null when nothing changed.
 */
export async function createMigration(factory: TrackedFactory, name: string, dir = migrationsDir): Promise<CreatedMigration | null> {
  if (!/^[a-z0-9_]{1,60}$/.test(name)) {
    throw new StartupError('migration name must be 1-60 characters of a-z, 0-9 and _ (e.g. add_ticket_tags)');
  }
  const schema = await readSchema();
  const handle = await openSchemaEngine(factory, schema);
  try {
    const migrationsList = await loadMigrationList(dir);
    // devDiagnostic replays the history in a shadow database and caches it on this engine
    // instance; the WASM build's createMigration cannot create a shadow database by itself.
    await handle.engine.devDiagnostic({ migrationsList, filters: NO_FILTER });
    const out = await handle.engine.createMigration({
      draft: false,
      migrationName: name,
      migrationsList,
      schema: { files: [schema] },
      filters: NO_FILTER,
    });
    if (out.migrationScript === null) return null;
    const folder = path.join(dir, out.generatedMigrationName);
    await mkdir(folder, { recursive: true });
    const file = path.join(folder, `migration.${out.extension}`);
    await writeFile(file, out.migrationScript);
    const lockPath = path.join(dir, 'migration_lock.toml');
    if (!existsSync(lockPath)) {
      await writeFile(
        lockPath,
        '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n',
      );
    }
    return { name: out.generatedMigrationName, file, sql: out.migrationScript };
  } catch (error) {
    if (error instanceof StartupError) throw error;
    throw new StartupError(`creating the migration failed: ${engineErrorMessage(error)}`);
  } finally {
    await handle.close();
  }
}

/** Drops everything in the database (data and schema). Callers re-apply migrations after. */
export async function resetDatabase(factory: TrackedFactory): Promise<void> {
  const handle = await openSchemaEngine(factory, await readSchema());
  try {
    await handle.engine.reset({ filter: NO_FILTER });
  } catch (error) {
    throw new StartupError(`database reset failed: ${engineErrorMessage(error)}`);
  } finally {
    await handle.close();
  }
}

export interface AppliedMigration {
  name: string;
  finished: boolean;
  rolledBack: boolean;
}

/** Compares what the database recorded with what this build ships. */
export function pendingMigrations(local: string[], applied: AppliedMigration[]): { pending: string[]; failed: string[] } {
  const done = new Set(applied.filter((m) => m.finished && !m.rolledBack).map((m) => m.name));
  const failed = applied.filter((m) => !m.finished && !m.rolledBack).map((m) => m.name);
  return { pending: local.filter((n) => !done.has(n)), failed };
}
