import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { apiKeyPrefix, generateApiKey, hashApiKey } from '../../src/auth/api-keys.ts';
import { pgMigrationFactory } from '../../src/db/adapters.ts';
import { uuidv7 } from '../../src/db/ids.ts';
import type { PrismaClient } from '../../src/db/index.ts';
import { applyMigrations } from '../../src/db/migrations.ts';
import { freePort } from './process.ts';

/**
 * A PostgreSQL server of the test's own, in a temporary folder on its own port, for fault tests
 * that stop or restart the database. Never the shared server the suite runs on. Uses the
 * binaries of the newest /usr/lib/postgresql/<version>/bin; PostgreSQL refuses to run as root, so
 * as root every command runs as the `postgres` user through `runuser`.
 */

const run = promisify(execFile);

export type StopMode = 'smart' | 'fast' | 'immediate';

export interface PrivatePostgres {
  readonly port: number;
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust authentication). */
  readonly url: string;
  /** The URL of another database on this server (create it first, e.g. with `createDatabase`). */
  urlOf(database: string): string;
  createDatabase(name: string): Promise<string>;
  readonly running: boolean;
  /** Starts the server again after `stop` (same folder, same port); resolves once it accepts connections. */
  start(): Promise<void>;
  /** `immediate` is a crash (no checkpoint, connections cut); `fast` a clean shutdown that cuts connections. */
  stop(mode?: StopMode): Promise<void>;
  restart(mode?: StopMode): Promise<void>;
  /** Applies the project's migrations to the `postgres` database. */
  migrate(): Promise<void>;
  /** Stops the server (immediately) and removes its folder. */
  dispose(): Promise<void>;
  /** The same as `dispose`. */
  destroy(): Promise<void>;
}

function binDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'pg_ctl')) && existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0]!, 'bin') : null;
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Why a private server cannot run here, or null when it can. */
export function privatePostgresUnavailable(): string | null {
  const bin = binDir();
  if (!bin) return 'no PostgreSQL binaries under /usr/lib/postgresql/*/bin (initdb, pg_ctl)';
  if (asRoot) {
    if (spawnSync('runuser', ['--help'], { stdio: 'ignore' }).status !== 0) return 'running as root without `runuser` (PostgreSQL refuses to run as root)';
    if (spawnSync('id', ['-u', 'postgres'], { stdio: 'ignore' }).status !== 0) return 'running as root and there is no `postgres` user to run PostgreSQL as';
  }
  return null;
}

/** Every private server still running, stopped when the test process exits whatever happened. */
const live = new Set<() => void>();
let exitHook = false;

function command(bin: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

export async function startPrivatePostgres(port?: number): Promise<PrivatePostgres> {
  const unavailable = privatePostgresUnavailable();
  if (unavailable) throw new Error(`cannot start a private PostgreSQL: ${unavailable}`);
  const bin = binDir()!;
  const root = await mkdtemp(path.join(os.tmpdir(), 'cxgraph-pg-'));
  const data = path.join(root, 'data');
  const log = path.join(root, 'postgres.log');
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(root, Number(stdout.trim()), Number(gid.trim()));
  }
  const exec = async (tool: string, args: string[], timeoutMs = 120_000) => {
    const [file, argv] = command(path.join(bin, tool), args);
    try {
      await run(file, argv, { timeout: timeoutMs, cwd: root });
    } catch (error) {
      const tail = await readFile(log, 'utf8').catch(() => '');
      throw new Error(`${tool} ${args.join(' ')} failed: ${(error as Error).message}\n${tail.slice(-2_000)}`);
    }
  };
  await exec('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const chosen = port ?? (await freePort());
  // The socket directory is the server's own folder: nothing shared with the system's server.
  const options = `-p ${chosen} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
  let running = false;
  const stopNow = () => {
    const [file, argv] = command(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    spawnSync(file, argv, { stdio: 'ignore', timeout: 20_000 });
  };
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const stop of live) stop();
    });
  }
  const url = `postgres://postgres@127.0.0.1:${chosen}/postgres`;
  const server: PrivatePostgres = {
    port: chosen,
    url,
    urlOf: (database) => `postgres://postgres@127.0.0.1:${chosen}/${database}`,
    async createDatabase(name) {
      await exec('createdb', ['-h', '127.0.0.1', '-p', String(chosen), '-U', 'postgres', name]);
      return server.urlOf(name);
    },
    get running() {
      return running;
    },
    async start() {
      if (running) return;
      await exec('pg_ctl', ['-D', data, '-l', log, '-o', options, '-w', '-t', '120', 'start']);
      running = true;
      live.add(stopNow);
    },
    async stop(mode = 'fast') {
      if (!running) return;
      await exec('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '120', 'stop']);
      running = false;
      live.delete(stopNow);
    },
    async restart(mode = 'fast') {
      await server.stop(mode);
      await server.start();
    },
    async migrate() {
      const factory = pgMigrationFactory(url);
      try {
        await applyMigrations(factory);
      } finally {
        await factory.disposeAll();
      }
    },
    destroy: () => server.dispose(),
    async dispose() {
      if (running) {
        stopNow();
        running = false;
        live.delete(stopNow);
      }
      await rm(root, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

/**
 * A workspace with an all-scopes API key in any database (the factories in ./factories.ts write
 * to the worker's shared test database; a private server needs its own).
 */
export async function createWorkspaceIn(prisma: PrismaClient, name = 'Private workspace'): Promise<{ workspaceId: string; apiKey: string }> {
  const suffix = randomUUID().slice(0, 8);
  const workspace = await prisma.workspace.create({ data: { id: uuidv7(), name, slug: `private-${suffix}` } });
  const agent = await prisma.agent.create({
    data: { id: uuidv7(), workspaceId: workspace.id, name: 'Admin', email: `admin-${suffix}@example.test`, role: 'ADMIN' },
  });
  const apiKey = generateApiKey();
  await prisma.apiKey.create({
    data: { id: uuidv7(), workspaceId: workspace.id, name: 'all', prefix: apiKeyPrefix(apiKey), hashedKey: hashApiKey(apiKey), scopes: ['*'], agentId: agent.id },
  });
  return { workspaceId: workspace.id, apiKey };
}
