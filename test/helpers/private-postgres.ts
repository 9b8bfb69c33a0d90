import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { apiKeyPrefix, generateApiKey, hashApiKey } from '../../src/auth/api-keys.ts';
import { pgMigrationFactory } from '../../src/db/adapters.ts';
import { uuidv7 } from '../../src/db/ids.ts';
import type { PrismaClient } from '../../src/db/index.ts';
import { applyMigrations } from '../../src/db/migrations.ts';

const run = promisify(execFile);

/**
 * A PostgreSQL server of a test's own, in a temporary folder on a free port, for fault tests
 * that stop and start the database (outages, restarts mid-stream). Never touches the shared
 * server on 5432. PostgreSQL refuses to run as root, so as root every command runs as the
 * `postgres` user (runuser).
 */
export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust authentication, no password). */
  url: string;
  port: number;
  /** Applies the project's migrations to the `postgres` database. */
  migrate(): Promise<void>;
  /** Fast shutdown (`pg_ctl stop -m fast`): open sessions are terminated (57P01), new ones refused. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its folder. */
  destroy(): Promise<void>;
}

function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0]!, 'bin') : null;
}

/** Why a private server cannot be started here, or null when it can. */
export function privatePostgresUnavailable(): string | null {
  if (!postgresBinDir()) return 'no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)';
  if (process.getuid?.() === 0 && !existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser')) return 'running as root without runuser';
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const unavailable = privatePostgresUnavailable();
  if (unavailable) throw new Error(`cannot start a private PostgreSQL: ${unavailable}`);
  const bin = postgresBinDir()!;
  const asRoot = process.getuid?.() === 0;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cxgraph-pg-'));
  const data = path.join(dir, 'data');
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
    await chmod(dir, 0o700);
  }
  const exec = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]) : run(path.join(bin, tool), args);

  await exec('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  const start = async () => {
    await exec('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
  };
  const stop = async () => {
    await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
  };
  await start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let running = true;
  return {
    url,
    port,
    async migrate() {
      const factory = pgMigrationFactory(url);
      try {
        await applyMigrations(factory);
      } finally {
        await factory.disposeAll();
      }
    },
    async stop() {
      await stop();
      running = false;
    },
    async start() {
      await start();
      running = true;
    },
    async destroy() {
      if (running) await stop().catch(() => undefined);
      running = false;
      await rm(dir, { recursive: true, force: true });
    },
  };
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
