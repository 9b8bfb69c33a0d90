import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { parseDatabaseUrl } from '../src/config.ts';
import { classifyDatabaseError } from '../src/db/outage.ts';
import { openDatabase, type Database } from '../src/db/index.ts';
import { createLogger } from '../src/logger.ts';
import { createWorkspaceIn, privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from './helpers/private-postgres.ts';

/**
 * A database outage is retryable for the client: SERVICE_UNAVAILABLE with HTTP 503 and
 * Retry-After, within 2 s, and /readyz names the database. Runs against a private PostgreSQL
 * server that the test stops and starts (never the shared one).
 */

const unavailable = privatePostgresUnavailable();
if (unavailable) console.warn(`skipping database-outage tests: ${unavailable}`);

const CUSTOMERS = /* GraphQL */ `{ customers(first: 1) { totalCount } }`;

async function post(app: App, apiKey: string, query: string) {
  const res = await app.fetch('http://cxgraph.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> } };
}

describe.skipIf(unavailable)('a database outage', () => {
  let server: PrivatePostgres;
  let db: Database;
  let app: App;
  let apiKey: string;

  beforeAll(async () => {
    server = await startPrivatePostgres();
    await server.migrate();
    db = await openDatabase(parseDatabaseUrl(server.url, 4));
    app = createApp({ db, logger: createLogger('silent') });
    ({ apiKey } = await createWorkspaceIn(db.prisma));
  });

  afterAll(async () => {
    await db?.close().catch(() => undefined);
    await server?.destroy();
  });

  it('answers SERVICE_UNAVAILABLE (503, Retry-After) within 2 s, /readyz names the database, and requests recover', async () => {
    expect((await post(app, apiKey, CUSTOMERS)).body.data.customers.totalCount).toBe(0);
    await server.stop();
    try {
      // Both kinds of requests: one whose pooled connection the shutdown terminated, then one
      // that must open a new connection to a server that is not there.
      for (let i = 0; i < 2; i++) {
        const started = Date.now();
        const res = await post(app, apiKey, CUSTOMERS);
        expect(Date.now() - started).toBeLessThan(2_000);
        expect(res.status).toBe(503);
        expect(res.retryAfter).toBe('2');
        expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
      }
      const readyz = await app.fetch('http://cxgraph.test/readyz');
      expect(readyz.status).toBe(503);
      const readiness = (await readyz.json()) as { ready: boolean; checks: Record<string, { ok: boolean; detail?: string }> };
      expect(readiness.ready).toBe(false);
      expect(readiness.checks.database).toMatchObject({ ok: false, detail: expect.stringMatching(/^database unreachable: connection refused/) });
      expect(readiness.checks.migrations).toBeUndefined();
    } finally {
      await server.start();
    }
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await post(app, apiKey, CUSTOMERS);
      if (res.body.data?.customers) {
        expect(res.status).toBe(200);
        expect(res.body.data.customers.totalCount).toBe(0);
        break;
      }
      expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
      if (Date.now() > deadline) throw new Error('requests did not recover after the database came back');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(((await (await app.fetch('http://cxgraph.test/readyz')).json()) as { ready: boolean }).ready).toBe(true);
  });
});

describe('database failures are told apart in one place', () => {
  it('classifies timeouts and connection failures through wrapped causes, and nothing else', () => {
    const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });
    expect(classifyDatabaseError(pgError('57014', 'canceling statement due to statement timeout'))).toBe('timeout');
    expect(classifyDatabaseError(Object.assign(new Error('Transaction API error'), { code: 'P2028' }))).toBe('timeout');
    for (const code of ['57P01', '57P03', '08006', '08001', 'ECONNREFUSED', 'ECONNRESET', 'P1001', 'P1017']) {
      expect(classifyDatabaseError(new Error('wrapped', { cause: pgError(code) })), code).toBe('unavailable');
    }
    expect(classifyDatabaseError({ meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable' } } } })).toBe('unavailable');
    expect(classifyDatabaseError(new Error('timeout exceeded when trying to connect'))).toBe('unavailable');
    expect(classifyDatabaseError(new Error('PGlite is closed'))).toBe('unavailable');
    expect(classifyDatabaseError(pgError('23505', 'duplicate key'))).toBeNull();
    expect(classifyDatabaseError(new TypeError('cannot read properties of undefined'))).toBeNull();
  });
});
