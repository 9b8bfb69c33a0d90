import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localMigrationNames } from '../src/db/migrations.ts';
import { onPostgres } from './helpers/database.ts';
import { runServerToExit, startServerProcess, type RunningChild } from './helpers/process.ts';
import { scratchDatabase, type ScratchDatabase } from './helpers/scratch.ts';

const DEMO_KEY = 'cxg_test_demo_key_0123456789abcdef';
const DONE_WHEN_QUERY = /* GraphQL */ `{ viewer { workspace { name } } customers(first: 5) { totalCount edges { node { id name email } } } }`;

async function post(server: RunningChild, query: string, key = DEMO_KEY) {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: any[] } };
}

const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** Where a server process keeps its data in this run: a PGlite folder, or a scratch PostgreSQL database. */
async function serverStorage(): Promise<{ env: Record<string, string>; scratch?: ScratchDatabase }> {
  if (onPostgres()) {
    const scratch = await scratchDatabase();
    cleanup.push(() => scratch.dispose());
    return { env: { DATABASE_URL: scratch.url! }, scratch };
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cxgraph-data-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return { env: { CXGRAPH_DATA_DIR: dir } };
}

describe('the server process', () => {
  it('migrates, seeds the demo workspace, serves it, shuts down cleanly, and restarts without reseeding', async () => {
    const { env } = await serverStorage();
    const first = await startServerProcess({ ...env, CXGRAPH_DEMO_API_KEY: DEMO_KEY });
    cleanup.push(() => first.stop('SIGKILL'));
    expect(first.stdout()).toMatch(/seeded the demo workspace/);
    expect(first.stderr()).toContain(`demo API key: ${DEMO_KEY}`);

    const health = await fetch(`${first.origin}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${first.origin}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { database: { ok: true }, migrations: { ok: true } } });

    const answer = await post(first, DONE_WHEN_QUERY);
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    const total = answer.body.data.customers.totalCount as number;
    expect(total).toBeGreaterThanOrEqual(150);
    expect(answer.body.data.customers.edges).toHaveLength(5);

    const unauthenticated = await post(first, DONE_WHEN_QUERY, 'cxg_wrong_key_wrong_key_wrong_key_00');
    expect(unauthenticated.status).toBe(401);

    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.stdout()).toMatch(/"msg":"stopped"/);

    const second = await startServerProcess({ ...env, CXGRAPH_DEMO_API_KEY: DEMO_KEY });
    cleanup.push(() => second.stop('SIGKILL'));
    expect(second.stdout()).not.toMatch(/seeded the demo workspace/);
    expect(second.stdout()).toMatch(/database schema is up to date/);
    const again = await post(second, DONE_WHEN_QUERY);
    expect(again.body.data.customers.totalCount).toBe(total);
    expect(await second.stop('SIGINT')).toBe(0);
  }, 240_000);

  it('finishes an in-flight request before shutting down', async () => {
    const { env } = await serverStorage();
    const server = await startServerProcess({ ...env, CXGRAPH_DEMO_API_KEY: DEMO_KEY });
    cleanup.push(() => server.stop('SIGKILL'));
    // Start a request and hold back the end of its body, so it is certainly in flight (not an
    // idle connection) when the signal arrives; then finish it and expect a full answer.
    const body = JSON.stringify({ query: DONE_WHEN_QUERY });
    const { port } = new URL(server.url);
    let exit: Promise<number | null> | undefined;
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${DEMO_KEY}` } },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        exit = server.stop('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 500);
      }, 300);
    });
    const { status, text } = await answer;
    expect(status).toBe(200);
    expect(JSON.parse(text).data.viewer.workspace.name).toBeTruthy();
    expect(await exit).toBe(0);
    expect(server.stdout()).toMatch(/shutting down/);
  }, 180_000);

  it.skipIf(!onPostgres())('comes up twice at the same moment on one empty PostgreSQL database, applying each migration once', async () => {
    const { env, scratch } = await serverStorage();
    const [a, b] = await Promise.all([
      startServerProcess({ ...env, CXGRAPH_DEMO_API_KEY: DEMO_KEY }),
      startServerProcess({ ...env, CXGRAPH_DEMO_API_KEY: DEMO_KEY }),
    ]);
    cleanup.push(() => a.stop('SIGKILL'), () => b.stop('SIGKILL'));
    for (const server of [a, b]) {
      expect((await fetch(`${server.origin}/readyz`)).status).toBe(200);
      expect((await post(server, DONE_WHEN_QUERY)).body.errors).toBeUndefined();
    }
    const rows = await scratch!.query<{ migration_name: string; n: string }>(
      'SELECT migration_name, count(*) AS n FROM _prisma_migrations GROUP BY migration_name ORDER BY migration_name',
    );
    expect(rows.map((r) => [r.migration_name, Number(r.n)])).toEqual((await localMigrationNames()).map((n) => [n, 1]));
    const demo = await scratch!.query<{ n: string }>(`SELECT count(*) AS n FROM "Workspace" WHERE slug = 'demo'`);
    expect(Number(demo[0]!.n)).toBe(1);
    // Exactly one of the two applied the migrations; the other found them applied.
    const appliedBy = [a, b].filter((s) => /"msg":"applied migrations"/.test(s.stdout()));
    expect(appliedBy).toHaveLength(1);
    await Promise.all([a.stop(), b.stop()]);
  }, 240_000);

  it.skipIf(onPostgres())('refuses to open an embedded data folder another process is using', async () => {
    const { env } = await serverStorage();
    const first = await startServerProcess({ ...env, CXGRAPH_SEED_DEMO: 'false' });
    cleanup.push(() => first.stop('SIGKILL'));
    const second = await runServerToExit({ ...env, CXGRAPH_SEED_DEMO: 'false', PORT: '0' });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/is in use by process \d+/);
    await first.stop();
  }, 180_000);
});
