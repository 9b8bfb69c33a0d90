import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../src/auth/api-keys.ts';
import { loadConfig } from '../src/config.ts';
import { ApiKeyWatch, type KeyVerdict } from '../src/events/key-watch.ts';
import { createLogger } from '../src/logger.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { startServer } from '../src/server.ts';
import { testDatabase } from './helpers/database.ts';
import { connectWs, MESSAGE_ADDED, settle, subscribe, useLiveServer, type WsConnection } from './helpers/ws.ts';

/**
 * Open WebSocket connections whose API key stops working (revoked, deleted, expired) are closed
 * with 4401 by the periodic key re-check, and deliver nothing more; a key that loses a scope is
 * closed with 4403 (the client reconnects and is re-authorized). Keys cannot be revoked, expired
 * or re-scoped through the API, so the tests change the row as an operator would.
 *
 * The re-check runs every 200 ms here; the tests wait for the outcome with a generous bound and
 * never assert a duration.
 */

const live = useLiveServer({ CXGRAPH_WS_KEY_RECHECK_MS: '200' });

/** Far longer than the re-check interval, for a busy machine. */
const BOUND_MS = 20_000;

function within<T>(promise: Promise<T>, what: string, ms = BOUND_MS): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms).unref())]);
}

async function keyRow(key: string) {
  const { prisma } = await testDatabase();
  return prisma.apiKey.findUniqueOrThrow({ where: { hashedKey: hashApiKey(key) } });
}

/** Two keys of one workspace, each with a live `messageAdded` subscription that has received one message. */
async function twoLiveSubscribers(affectedScopes: string[] = ['conversations:read']) {
  const { ws, prisma, fx, customer } = await live.setup();
  const conversation = await fx.conversation(customer.id);
  const id = encodeGlobalId('Conversation', conversation.id);
  const affectedKey = await ws.createKey(affectedScopes);
  const otherKey = await ws.createKey(['conversations:read']);
  const affected = live.connect(affectedKey);
  const other = live.connect(otherKey);
  const after = await fx.mark();
  const affectedSub = subscribe(affected.client, MESSAGE_ADDED, { id, after });
  const otherSub = subscribe(other.client, MESSAGE_ADDED, { id, after });
  await fx.message(conversation.id, customer.id, 'before');
  await Promise.all([affectedSub.waitFor(1, BOUND_MS), otherSub.waitFor(1, BOUND_MS)]);
  expect(affectedSub.items.map((i) => i.messageAdded.message.body)).toEqual(['before']);
  expect(otherSub.items.map((i) => i.messageAdded.message.body)).toEqual(['before']);
  return {
    prisma,
    id,
    send: (body: string) => fx.message(conversation.id, customer.id, body),
    affectedKey,
    affected,
    affectedSub,
    otherSub,
    other,
    /** Commits another message and shows the unaffected subscriber gets it while the affected one does not. */
    async proveCutOff() {
      await fx.message(conversation.id, customer.id, 'after');
      await otherSub.waitFor(2, BOUND_MS);
      expect(otherSub.items.map((i) => i.messageAdded.message.body)).toEqual(['before', 'after']);
      expect(otherSub.completed).toBe(false);
      await settle(300);
      expect(affectedSub.items.map((i) => i.messageAdded.message.body)).toEqual(['before']);
    },
  };
}

async function expectClosed(connection: WsConnection, code: number, reason: RegExp) {
  const closed = await within(connection.closed, `close ${code}`);
  expect(closed.code).toBe(code);
  expect(closed.reason).toMatch(reason);
}

describe('open WebSocket connections of a key that stops working', () => {
  it('closes a revoked key\'s connection with 4401 and delivers nothing more; another key of the workspace keeps receiving', async () => {
    const t = await twoLiveSubscribers();
    await t.prisma.apiKey.update({ where: { hashedKey: hashApiKey(t.affectedKey) }, data: { revokedAt: new Date() } });
    await expectClosed(t.affected, 4401, /^Unauthorized: API key is invalid, revoked or expired$/);
    // The client's subscription ends with the close (graphql-ws does not retry a 4401).
    await t.affectedSub.ended(BOUND_MS);
    expect(t.affectedSub.errors[0]?.message).toMatch(/revoked/);
    await t.proveCutOff();
  });

  it('closes an expired key\'s connection with 4401', async () => {
    const t = await twoLiveSubscribers();
    await t.prisma.apiKey.update({ where: { hashedKey: hashApiKey(t.affectedKey) }, data: { expiresAt: new Date(Date.now() - 1_000) } });
    await expectClosed(t.affected, 4401, /revoked or expired/);
    await t.proveCutOff();
  });

  it('closes a deleted key\'s connection with 4401', async () => {
    const t = await twoLiveSubscribers();
    await t.prisma.apiKey.delete({ where: { hashedKey: hashApiKey(t.affectedKey) } });
    await expectClosed(t.affected, 4401, /revoked or expired/);
    await t.proveCutOff();
  });

  it('closes with 4403 when the key loses a scope it had, and a reconnect is authorized by the current scopes', async () => {
    const t = await twoLiveSubscribers(['conversations:read', 'tickets:read']);
    await t.prisma.apiKey.update({ where: { hashedKey: hashApiKey(t.affectedKey) }, data: { scopes: ['tickets:read'] } });
    await expectClosed(t.affected, 4403, /scopes changed/);
    await t.proveCutOff();
    const again = live.connect(t.affectedKey);
    const denied = subscribe(again.client, MESSAGE_ADDED, { id: t.id });
    await denied.ended(BOUND_MS);
    expect(denied.errors[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('leaves connections open when a key gains a scope or nothing changes', async () => {
    const t = await twoLiveSubscribers();
    await t.prisma.apiKey.update({ where: { hashedKey: hashApiKey(t.affectedKey) }, data: { scopes: ['conversations:read', 'tickets:read'] } });
    // Several re-checks pass; both connections stay open and keep receiving.
    await settle(1_000);
    await t.send('later');
    await Promise.all([t.affectedSub.waitFor(2, BOUND_MS), t.otherSub.waitFor(2, BOUND_MS)]);
    expect(t.affectedSub.items.map((i) => i.messageAdded.message.body)).toEqual(['before', 'later']);
    expect(t.affectedSub.completed).toBe(false);
    expect(t.otherSub.completed).toBe(false);
  });

  it('closes with 4401 at once when a revoked key subscribes before the re-check has run', async () => {
    const { ws, fx, customer } = await live.setup();
    const conversation = await fx.conversation(customer.id);
    const key = await ws.createKey(['conversations:read']);
    const config = loadConfig({ PORT: '0', CXGRAPH_SEED_DEMO: 'false', CXGRAPH_WS_KEY_RECHECK_MS: '60000' });
    const slowCheck = await startServer(config, createLogger('silent'), { db: await testDatabase() });
    try {
      const conn = connectWs(slowCheck.url.replace(/^http/, 'ws'), key);
      await within(new Promise<void>((resolve) => conn.client.on('connected', () => resolve())), 'connected');
      const { prisma } = await testDatabase();
      await prisma.apiKey.update({ where: { hashedKey: hashApiKey(key) }, data: { revokedAt: new Date() } });
      const sub = subscribe(conn.client, MESSAGE_ADDED, { id: encodeGlobalId('Conversation', conversation.id) });
      await expectClosed(conn, 4401, /revoked or expired/);
      await sub.ended(BOUND_MS);
      await conn.dispose();
    } finally {
      await slowCheck.stop();
    }
  });
});

describe('CXGRAPH_WS_KEY_RECHECK_MS', () => {
  it('defaults to 5 s and names the variable on a value out of range', () => {
    expect(loadConfig({}).events.keyRecheckMs).toBe(5_000);
    expect(loadConfig({ CXGRAPH_WS_KEY_RECHECK_MS: '1000' }).events.keyRecheckMs).toBe(1_000);
    expect(() => loadConfig({ CXGRAPH_WS_KEY_RECHECK_MS: '10' })).toThrow(/CXGRAPH_WS_KEY_RECHECK_MS must be between 100 and 60000/);
    expect(() => loadConfig({ CXGRAPH_WS_KEY_RECHECK_MS: 'soon' })).toThrow(/CXGRAPH_WS_KEY_RECHECK_MS must be a whole number/);
  });
});

describe('ApiKeyWatch', () => {
  it('re-checks every watched key in one pass and tells only the connections whose key changed, once', async () => {
    const { ws, prisma } = await live.setup();
    const keys = {
      valid: await ws.createKey(['conversations:read']),
      revoked: await ws.createKey(['conversations:read']),
      expired: await ws.createKey(['conversations:read']),
      deleted: await ws.createKey(['conversations:read']),
      narrowed: await ws.createKey(['conversations:read', 'tickets:read']),
    };
    const rows = Object.fromEntries(await Promise.all(Object.entries(keys).map(async ([name, key]) => [name, await keyRow(key)] as const)));
    const watch = new ApiKeyWatch(prisma, 60_000, createLogger('silent'));
    const verdicts: Array<[string, KeyVerdict]> = [];
    const unwatch: Record<string, () => void> = {};
    for (const [name, row] of Object.entries(rows)) unwatch[name] = watch.watch(row.id, row.scopes, (v) => verdicts.push([name, v]));
    // A second connection of the valid key, closed before the check.
    watch.watch(rows.valid!.id, rows.valid!.scopes, (v) => verdicts.push(['valid (closed)', v]))();
    expect(watch.size).toBe(5);

    await watch.check();
    expect(verdicts).toEqual([]);

    await prisma.apiKey.update({ where: { id: rows.revoked!.id }, data: { revokedAt: new Date() } });
    await prisma.apiKey.update({ where: { id: rows.expired!.id }, data: { expiresAt: new Date(Date.now() - 1) } });
    await prisma.apiKey.delete({ where: { id: rows.deleted!.id } });
    await prisma.apiKey.update({ where: { id: rows.narrowed!.id }, data: { scopes: ['tickets:read'] } });
    await Promise.all([watch.check(), watch.check()]);
    await watch.check();
    expect(verdicts.sort()).toEqual([
      ['deleted', 'invalid'],
      ['expired', 'invalid'],
      ['narrowed', 'scopes-reduced'],
      ['revoked', 'invalid'],
    ]);
    // Told once, then no longer watched; the valid key still is, until its connection closes.
    expect(watch.size).toBe(1);
    unwatch.valid!();
    unwatch.revoked!();
    expect(watch.size).toBe(0);
    watch.close();
  });
});
