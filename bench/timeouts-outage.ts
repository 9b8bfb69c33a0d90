import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { runCli } from '../src/cli/run.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { startServer } from '../src/server.ts';
import { createWorkspaceIn, privatePostgresUnavailable, startPrivatePostgres } from '../test/helpers/private-postgres.ts';

/**
 * Re-measures the abuse rows "a metric query that takes > 5 s", "the database restarts" and
 * "the statement keeps running after the client leaves" (bench/README.md, "Abuse: timeouts and
 * outages") with the default limits, on a private PostgreSQL server this script starts and stops
 * (never the shared one). A statement is made slow by a lock another session holds on the
 * tickets table, as a long migration or write would.
 */

const log = (line: string) => console.log(`[bench] ${line}`);
const METRIC = /* GraphQL */ `query { metric(input: { key: "ticket_volume", from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" }) { value } }`;

async function main(): Promise<void> {
  const unavailable = privatePostgresUnavailable();
  if (unavailable) throw new Error(`needs a private PostgreSQL: ${unavailable}`);
  const server = await startPrivatePostgres();
  const running = await startServer(loadConfig({ DATABASE_URL: server.url, PORT: '0', CXGRAPH_SEED_DEMO: 'false', CXGRAPH_SLA_SWEEP_MS: '0' }), createLogger('silent'));
  const admin = new pg.Client({ connectionString: server.url });
  try {
    const { apiKey } = await createWorkspaceIn(running.db.prisma);
    const post = (query: string, signal?: AbortSignal) =>
      fetch(running.url, { method: 'POST', signal, headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` }, body: JSON.stringify({ query }) });
    await admin.connect();
    const locker = new pg.Client({ connectionString: server.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE "Ticket" IN ACCESS EXCLUSIVE MODE');

    // 1. A metric stuck for longer than any limit: TIMEOUT at the metric statement timeout.
    let started = performance.now();
    let res = await post(METRIC);
    const body = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
    log(`stuck metric: HTTP ${res.status}, ${body.errors?.map((e) => e.extensions?.code).join(',') ?? 'answered'} after ${((performance.now() - started) / 1000).toFixed(1)} s`);

    // 2. The client leaves: how long the statement outlives it.
    const controller = new AbortController();
    const pending = post(METRIC, controller.signal).catch(() => undefined);
    const waiting = async () =>
      (await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'cxgraph' AND wait_event_type = 'Lock'`)).rowCount ?? 0;
    while ((await waiting()) === 0) await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    started = performance.now();
    while ((await waiting()) > 0) {
      if (performance.now() - started > 60_000) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    log(`client disconnected: statement ${(await waiting()) > 0 ? 'still running after 60 s' : `gone after ${(performance.now() - started).toFixed(0)} ms`}`);
    await pending;
    await locker.query('COMMIT');
    await locker.end();

    // 3. The database goes down: time to the answer, for a request on a terminated connection and a fresh one.
    await admin.end();
    await server.stop();
    for (const which of ['first request after the shutdown', 'next request']) {
      started = performance.now();
      res = await post(`{ customers(first: 1) { totalCount } }`);
      const b = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
      log(`database down, ${which}: HTTP ${res.status} ${b.errors?.[0]?.extensions?.code} Retry-After ${res.headers.get('retry-after')} in ${(performance.now() - started).toFixed(0)} ms`);
    }
    const readyz = await fetch(new URL('/readyz', running.url));
    log(`/readyz: ${readyz.status} ${await readyz.text()}`);
    await server.start();
    started = performance.now();
    for (;;) {
      const r = (await (await post(`{ customers(first: 1) { totalCount } }`)).json()) as { data?: unknown };
      if (r.data) break;
      await new Promise((res2) => setTimeout(res2, 100));
    }
    log(`database back: first successful request ${(performance.now() - started).toFixed(0)} ms after the server accepted connections`);
  } finally {
    await admin.end().catch(() => undefined);
    await running.stop().catch(() => undefined);
    await server.destroy();
  }
}

runCli(main);
