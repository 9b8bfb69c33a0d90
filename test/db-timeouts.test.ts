import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { loadConfig, parseDatabaseUrl } from '../src/config.ts';
import { openDatabase, type Database } from '../src/db/index.ts';
import { createLogger } from '../src/logger.ts';
import { startServer } from '../src/server.ts';
import { onPostgres, testDatabase } from './helpers/database.ts';
import { createWorkspaceIn, privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from './helpers/private-postgres.ts';

/**
 * Statement timeouts and cancellation on a private PostgreSQL server. A statement is made slow
 * the way production makes it slow: another session holds a lock on the table it reads (a
 * migration, a long write), and the statement waits. statement_timeout counts that wait.
 */

const unavailable = privatePostgresUnavailable();
if (unavailable) console.warn(`skipping statement-timeout tests: ${unavailable}`);

const METRIC = /* GraphQL */ `
  query Volume($from: DateTime!, $to: DateTime!) {
    metric(input: { key: "ticket_volume", from: $from, to: $to }) { value sampleSize }
  }
`;
const CUSTOMERS = /* GraphQL */ `{ customers(first: 1) { totalCount } }`;
const range = { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' };

/** Holds an exclusive lock on `table` from its own session until `release()`. */
async function lockTable(url: string, table: string): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url, application_name: 'test-lock-holder' });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);
  return {
    async release() {
      await client.query('COMMIT').catch(() => undefined);
      await client.end();
    },
  };
}

async function post(target: { fetch: App['fetch'] } | string, apiKey: string, query: string, variables: Record<string, unknown> = {}, signal?: AbortSignal) {
  const init = {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query, variables }),
    signal,
  };
  const res = typeof target === 'string' ? await fetch(target, init) : await target.fetch('http://cxgraph.test/graphql', init);
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> } };
}

describe.skipIf(unavailable)('statement timeouts on PostgreSQL', () => {
  let server: PrivatePostgres;
  let running: Awaited<ReturnType<typeof startServer>>;
  let apiKey: string;
  let shortDb: Database;
  let shortApp: App;
  let admin: pg.Client;

  beforeAll(async () => {
    server = await startPrivatePostgres();
    // Default limits (10 s per statement, 30 s per metric) on a real port.
    const config = loadConfig({ DATABASE_URL: server.url, PORT: '0', CXGRAPH_SEED_DEMO: 'false', CXGRAPH_SLA_SWEEP_MS: '0', DATABASE_POOL_MAX: '4' });
    running = await startServer(config, createLogger('silent'));
    ({ apiKey } = await createWorkspaceIn(running.db.prisma));
    // The same database with short limits, called in memory.
    shortDb = await openDatabase(parseDatabaseUrl(server.url, 4), { statementMs: 300, metricStatementMs: 600, connectMs: 2_000 });
    shortApp = createApp({ db: shortDb, logger: createLogger('silent') });
    admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end().catch(() => undefined);
    await shortDb?.close().catch(() => undefined);
    await running?.stop().catch(() => undefined);
    await server?.destroy();
  });

  it('sets statement_timeout on every pooled session, and the metric one inside its transaction', async () => {
    const [row] = await running.db.prisma.$queryRaw<{ statement_timeout: string }[]>`SHOW statement_timeout`;
    expect(row!.statement_timeout).toBe('10s');
    const [short] = await shortDb.prisma.$queryRaw<{ statement_timeout: string }[]>`SHOW statement_timeout`;
    expect(short!.statement_timeout).toBe('300ms');
  });

  it('answers a metric that runs past Prisma’s 5 s transaction limit (no "Unexpected error.")', async () => {
    const lock = await lockTable(server.url, 'Ticket');
    const releasing = new Promise((r) => setTimeout(r, 6_000)).then(() => lock.release());
    const started = Date.now();
    const res = await post(running.url, apiKey, METRIC, range);
    await releasing;
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.metric).toEqual({ value: 0, sampleSize: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(5_500);
  });

  it('answers TIMEOUT (never INTERNAL) when a metric or a plain query passes its statement timeout', async () => {
    const lock = await lockTable(server.url, 'Ticket');
    const customers = await lockTable(server.url, 'Customer');
    try {
      const metric = await post(shortApp, apiKey, METRIC, range);
      expect(metric.body.errors?.map((e) => e.extensions?.code)).toEqual(['TIMEOUT']);
      expect(metric.body.data).toBeNull();
      const plain = await post(shortApp, apiKey, CUSTOMERS);
      expect(plain.body.errors?.map((e) => e.extensions?.code)).toEqual(['TIMEOUT']);
      expect(plain.body.errors?.[0]?.message).not.toMatch(/Unexpected error/);
    } finally {
      await lock.release();
      await customers.release();
    }
    // Nothing was left running, and the pool serves again.
    expect((await post(shortApp, apiKey, METRIC, range)).body.data.metric.sampleSize).toBe(0);
  });

  it('cancels the running statement when the client disconnects', async () => {
    const lock = await lockTable(server.url, 'Ticket');
    const waiting = async () =>
      (
        await admin.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE application_name = 'cxgraph' AND state = 'active' AND wait_event_type = 'Lock'`,
        )
      ).rows;
    try {
      const controller = new AbortController();
      const request = post(running.url, apiKey, METRIC, range, controller.signal).catch((e: Error) => e);
      const deadline = Date.now() + 20_000;
      while ((await waiting()).length === 0) {
        if (Date.now() > deadline) throw new Error('the metric statement never reached the database');
        await new Promise((r) => setTimeout(r, 50));
      }
      controller.abort();
      expect(await request).toBeInstanceOf(Error);
      // The lock is still held: without a cancel the statement would wait 30 s (the metric timeout).
      const gone = Date.now() + 5_000;
      while ((await waiting()).length > 0) {
        if (Date.now() > gone) throw new Error('the statement kept running after the client disconnected');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await lock.release();
    }
    // The instance still answers afterwards.
    expect((await post(running.url, apiKey, METRIC, range)).body.data.metric.sampleSize).toBe(0);
  });
});

describe.skipIf(onPostgres())('statement timeouts on the embedded database', () => {
  it('are ignored by PGlite (it runs statements on this thread): cost and depth limits protect it instead', async () => {
    const { prisma } = await testDatabase();
    const started = Date.now();
    await prisma.$transaction([prisma.$executeRaw`SET LOCAL statement_timeout = 100`, prisma.$queryRaw`SELECT pg_sleep(0.5)::text`]);
    // If this fails, PGlite learned to time out: say so in src/db/timeouts.ts.
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });
});

describe('time-limit and fairness configuration', () => {
  it('has defaults and names the variable on a bad value', () => {
    const config = loadConfig({});
    expect(config.databaseTimeouts).toEqual({ statementMs: 10_000, metricStatementMs: 30_000, connectMs: 2_000 });
    expect(config.concurrency).toEqual({ perWorkspace: 2, queue: 30 });
    expect(loadConfig({ CXGRAPH_METRICS_STATEMENT_TIMEOUT_MS: '60000' }).databaseTimeouts.metricStatementMs).toBe(60_000);
    expect(loadConfig({ CXGRAPH_EXPENSIVE_QUEUE: '0' }).concurrency.queue).toBe(0);
    expect(() => loadConfig({ CXGRAPH_STATEMENT_TIMEOUT_MS: '5' })).toThrow(/CXGRAPH_STATEMENT_TIMEOUT_MS/);
    expect(() => loadConfig({ CXGRAPH_EXPENSIVE_CONCURRENCY: '0' })).toThrow(/CXGRAPH_EXPENSIVE_CONCURRENCY/);
    expect(() => loadConfig({ CXGRAPH_DATABASE_CONNECT_TIMEOUT_MS: 'soon' })).toThrow(/CXGRAPH_DATABASE_CONNECT_TIMEOUT_MS/);
  });
});
