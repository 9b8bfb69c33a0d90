import { describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { readHttpConfig } from '../src/config.ts';
import type { Database } from '../src/db/index.ts';
import { createIdempotencyKeySweeper } from '../src/jobs/idempotency-keys.ts';
import { createLogger } from '../src/logger.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';
import { CREATE, gid } from './helpers/tickets.ts';

/**
 * Idempotency keys through the HTTP API: each test sends raw requests to an app of its own (so
 * "a fresh instance" is a second createApp on the same database), with a generous wait for
 * duplicates so a busy machine cannot turn a replay into IDEMPOTENCY_KEY_IN_USE.
 */

function app(db: Database, overrides: Record<string, string> = {}): App {
  const http = readHttpConfig({ CXGRAPH_IDEMPOTENCY_WAIT_MS: '60000', ...overrides });
  return createApp({ db, logger: createLogger('silent'), http });
}

interface Raw {
  status: number;
  text: string;
  body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> };
  headers: Headers;
}

async function post(yoga: App, apiKey: string, query: string, variables: Record<string, unknown>, key?: string): Promise<Raw> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${apiKey}` };
  if (key !== undefined) headers['idempotency-key'] = key;
  const res = await yoga.fetch('http://cxgraph.test/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text), headers: res.headers };
}

async function ticketCount(ws: TestWorkspace): Promise<number> {
  const { prisma } = await testDatabase();
  return prisma.ticket.count({ where: { workspaceId: ws.workspaceId } });
}

async function fixture() {
  const db = await testDatabase();
  const ws = await createTestWorkspace();
  const requesterId = gid('Customer', (await insertCustomers(ws.workspaceId, 1))[0]!.id);
  return { db, ws, input: { subject: 'Double submit', requesterId } };
}

const key = () => `order-${Math.random().toString(36).slice(2)}`;

describe('Idempotency-Key on mutations', () => {
  it('runs 20 concurrent identical createTicket requests (over two instances) once and answers all 20 alike', async () => {
    const { db, ws, input } = await fixture();
    // Two instances on one database: duplicates on the first one's instance are woken locally, the others poll.
    const instances = [app(db), app(db)];
    const k = key();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => post(instances[i % 2]!, ws.apiKey, CREATE, { input }, k)));
    expect(await ticketCount(ws)).toBe(1);
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(answers[0]!.body.data.createTicket.__typename).toBe('TicketPayload');
    // One ran; the 19 others got its response.
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(19);
  });

  it('replays a finished request with Idempotent-Replayed: true, also from a fresh instance', async () => {
    const { db, ws, input } = await fixture();
    const k = key();
    const first = await post(app(db), ws.apiKey, CREATE, { input }, k);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await post(app(db), ws.apiKey, CREATE, { input }, k);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.status).toBe(first.status);
    expect(again.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(again.text).toBe(first.text);
    // Whitespace of the operation and key order of the variables do not make another request.
    const reordered = await post(app(db), ws.apiKey, `  ${CREATE}\n# a comment\n`, { input: { requesterId: input.requesterId, subject: input.subject } }, k);
    expect(reordered.text).toBe(first.text);
    expect(await ticketCount(ws)).toBe(1);
    // Without the header every request runs.
    await post(app(db), ws.apiKey, CREATE, { input });
    expect(await ticketCount(ws)).toBe(2);
  });

  it('refuses the same key for a different request with 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const { db, ws, input } = await fixture();
    const yoga = app(db);
    const k = key();
    await post(yoga, ws.apiKey, CREATE, { input }, k);
    const other = await post(yoga, ws.apiKey, CREATE, { input: { ...input, subject: 'Something else' } }, k);
    expect(other.status).toBe(422);
    expect(other.body.errors?.[0]?.extensions).toEqual({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(other.body.data ?? null).toBeNull();
    expect(await ticketCount(ws)).toBe(1);
  });

  it('scopes keys to the API key: another key of the same or another workspace runs its own request', async () => {
    const { db, ws, input } = await fixture();
    const yoga = app(db);
    const k = key();
    const mine = await post(yoga, ws.apiKey, CREATE, { input }, k);
    const colleague = await post(yoga, await ws.createKey(['*']), CREATE, { input }, k);
    expect(colleague.headers.get('idempotent-replayed')).toBeNull();
    expect(colleague.body.data.createTicket.ticket.id).not.toBe(mine.body.data.createTicket.ticket.id);
    expect(await ticketCount(ws)).toBe(2);

    const stranger = await createTestWorkspace();
    const theirs = await post(yoga, stranger.apiKey, CREATE, { input }, k);
    // Their request is their own: it runs (and cannot see our customer), it does not replay our ticket.
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.text).not.toContain(mine.body.data.createTicket.ticket.id);
    expect(theirs.body.data.createTicket.__typename).not.toBe('TicketPayload');
    expect(await ticketCount(ws)).toBe(2);
    // Each key still replays its own first response.
    const mineAgain = await post(yoga, ws.apiKey, CREATE, { input }, k);
    expect(mineAgain.headers.get('idempotent-replayed')).toBe('true');
    expect(mineAgain.text).toBe(mine.text);
    expect(await ticketCount(ws)).toBe(2);
  });

  it('ignores the header on queries', async () => {
    const { db, ws } = await fixture();
    const yoga = app(db);
    const k = key();
    const one = await post(yoga, ws.apiKey, '{ viewer { scopes } }', {}, k);
    const two = await post(yoga, ws.apiKey, '{ viewer { workspace { name } } }', {}, k);
    expect([one.status, two.status]).toEqual([200, 200]);
    expect(two.body.data.viewer.workspace.name).toBe(ws.name);
    expect(two.headers.get('idempotent-replayed')).toBeNull();
    // An invalid key too: the header means nothing to a query.
    expect((await post(yoga, ws.apiKey, '{ viewer { scopes } }', {}, 'x'.repeat(300))).status).toBe(200);
    const { prisma } = await testDatabase();
    expect(await prisma.idempotencyKey.count({ where: { key: k } })).toBe(0);
  });

  it('refuses a key that is empty, longer than 255 characters or not printable with 400 BAD_USER_INPUT', async () => {
    const { db, ws, input } = await fixture();
    const yoga = app(db);
    for (const bad of ['x'.repeat(256), '', 'tab\there']) {
      const res = await post(yoga, ws.apiKey, CREATE, { input }, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(await ticketCount(ws)).toBe(0);
    expect((await post(yoga, ws.apiKey, CREATE, { input }, 'k'.repeat(255))).body.data.createTicket.__typename).toBe('TicketPayload');
  });

  it('releases the key of a failure once the database is back, so the retry runs instead of waiting out the lease', async () => {
    const { db, ws, input } = await fixture();
    let failTransaction = true;
    let failedReleases = 0;
    // The database is down for the request and for the first two attempts to free its key.
    const flaky = new Proxy(db.prisma, {
      get(target, property, receiver) {
        if (property === '$transaction' && failTransaction) {
          failTransaction = false;
          return () => Promise.reject(new Error('Connection terminated unexpectedly'));
        }
        if (property === '$executeRaw') {
          return (strings: TemplateStringsArray, ...values: unknown[]) => {
            if (strings.join('?').includes('DELETE FROM "IdempotencyKey"') && failedReleases < 2) {
              failedReleases += 1;
              return Promise.reject(new Error('Connection terminated unexpectedly'));
            }
            return target.$executeRaw(strings, ...values);
          };
        }
        return Reflect.get(target, property, receiver);
      },
    });
    // A short wait for duplicates: a key still held would answer IDEMPOTENCY_KEY_IN_USE.
    const yoga = createApp({ db: { ...db, prisma: flaky }, logger: createLogger('silent'), http: readHttpConfig({ CXGRAPH_IDEMPOTENCY_WAIT_MS: '3000' }) });
    const k = key();
    const failed = await post(yoga, ws.apiKey, CREATE, { input }, k);
    expect(failed.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(failedReleases).toBeGreaterThanOrEqual(1);
    const retried = await post(yoga, ws.apiKey, CREATE, { input }, k);
    expect(retried.status).toBe(200);
    expect(retried.body.data.createTicket.__typename).toBe('TicketPayload');
    expect(await ticketCount(ws)).toBe(1);
  });

  it('does not store a retryable failure: the retry with the same key runs again', async () => {
    const { db, ws, input } = await fixture();
    let failNext = true;
    // The database "drops" the first transaction, as in an outage.
    const flaky = new Proxy(db.prisma, {
      get(target, property, receiver) {
        if (property === '$transaction' && failNext) {
          failNext = false;
          return () => Promise.reject(new Error('Connection terminated unexpectedly'));
        }
        return Reflect.get(target, property, receiver);
      },
    });
    const yoga = app({ ...db, prisma: flaky });
    const k = key();
    const failed = await post(yoga, ws.apiKey, CREATE, { input }, k);
    // A dropped connection is an outage (src/db/outage.ts): retryable, so not stored.
    expect(failed.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(await ticketCount(ws)).toBe(0);
    const retried = await post(yoga, ws.apiKey, CREATE, { input }, k);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(retried.body.data.createTicket.__typename).toBe('TicketPayload');
    // The success is stored: a third attempt replays it.
    const third = await post(yoga, ws.apiKey, CREATE, { input }, k);
    expect(third.headers.get('idempotent-replayed')).toBe('true');
    expect(third.text).toBe(retried.text);
    expect(await ticketCount(ws)).toBe(1);
  });

  it('stores and replays a deterministic failure (a typed error)', async () => {
    const { db, ws } = await fixture();
    const yoga = app(db);
    const k = key();
    const input = { subject: '', requesterId: gid('Customer', '00000000-0000-7000-8000-000000000000') };
    const first = await post(yoga, ws.apiKey, CREATE, { input }, k);
    expect(first.body.data.createTicket.code).toBeTruthy();
    const again = await post(yoga, ws.apiKey, CREATE, { input }, k);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.text).toBe(first.text);
  });

  it('answers 409 IDEMPOTENCY_KEY_IN_USE when the first request is still running after the wait', async () => {
    const { db, ws, input } = await fixture();
    const { prisma } = db;
    const k = key();
    // A first request running on another instance: its reservation, with a lease far from over.
    await prisma.idempotencyKey.create({
      data: {
        apiKeyId: ws.apiKeyId,
        key: k,
        requestHash: (await import('../src/guards/idempotency.ts')).requestHash(
          (await import('graphql')).parse(CREATE),
          undefined,
          { input },
        ),
        lockToken: '00000000-0000-4000-8000-000000000001',
        lockedUntil: new Date(Date.now() + 60_000),
        expiresAt: new Date(Date.now() + 3_600_000),
      },
    });
    const res = await post(app(db, { CXGRAPH_IDEMPOTENCY_WAIT_MS: '200' }), ws.apiKey, CREATE, { input }, k);
    expect(res.status).toBe(409);
    // The HTTP details stay out of the body.
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'IDEMPOTENCY_KEY_IN_USE' });
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await ticketCount(ws)).toBe(0);
  });

  it('removes expired keys with the sweeper job, and an expired key runs its request again', async () => {
    const { db, ws, input } = await fixture();
    const { prisma } = db;
    const yoga = app(db);
    const expired = key();
    const live = key();
    await post(yoga, ws.apiKey, CREATE, { input }, expired);
    await post(yoga, ws.apiKey, CREATE, { input: { ...input, subject: 'Still fresh' } }, live);
    await prisma.idempotencyKey.update({ where: { apiKeyId_key: { apiKeyId: ws.apiKeyId, key: expired } }, data: { expiresAt: new Date(Date.now() - 1_000) } });
    const sweeper = createIdempotencyKeySweeper({ prisma, log: createLogger('silent'), intervalMs: 60_000 });
    expect(await sweeper.sweep()).toBeGreaterThanOrEqual(1);
    await sweeper.stop();
    const left = await prisma.idempotencyKey.findMany({ where: { apiKeyId: ws.apiKeyId }, select: { key: true } });
    expect(left.map((r) => r.key)).toEqual([live]);
    const rerun = await post(yoga, ws.apiKey, CREATE, { input }, expired);
    expect(rerun.headers.get('idempotent-replayed')).toBeNull();
    expect(await ticketCount(ws)).toBe(3);
  });
});
