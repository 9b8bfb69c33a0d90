import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { apiKeyPrefix, generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { loadConfig } from '../src/config.ts';
import { encodeEventCursor } from '../src/events/stream.ts';
import { createLogger } from '../src/logger.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { startServer } from '../src/server.ts';
import type { FromClient, ToClient } from './subscriptions-client.ts';
import { runSteady } from './subscriptions-steady.ts';
import { mb, median, mergeHist, parseFlags, percentile, sleep } from './stats.ts';

/**
 * Live-subscription benchmark: ONE server instance started in this process (so its memory can
 * be read with process.memoryUsage()), subscribers in forked client processes on 127.0.0.1.
 * See bench/README.md for what each phase measures and the figures measured so far.
 */

const flags = parseFlags(process.argv.slice(2), {
  subscribers: '1000',
  rate: '1000',
  seconds: '10',
  repeat: '3',
  'steady-subscribers': '1000',
  'per-connection': '1',
  clients: '2',
  'poll-ms': '5000',
  'drain-timeout': '60',
});
const counts = flags.subscribers!.split(',').map((s) => Number(s.trim()));
const rate = Number(flags.rate);
const seconds = Number(flags.seconds);
const repeat = Number(flags.repeat);
const steadyN = Number(flags['steady-subscribers']);
const perConnection = Number(flags['per-connection']);
const clientCount = Number(flags.clients);
const drainMs = Number(flags['drain-timeout']) * 1000;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const collectGarbage = async () => {
  for (let i = 0; i < 3; i += 1) {
    gc();
    await sleep(100);
  }
};

const env: Record<string, string> = {
  PORT: '0',
  HOST: '127.0.0.1',
  CXGRAPH_SEED_DEMO: 'false',
  CXGRAPH_DATA_DIR: 'memory',
  CXGRAPH_EVENT_POLL_MS: flags['poll-ms']!,
  CXGRAPH_WS_MAX_CONNECTIONS_PER_KEY: '100000',
  CXGRAPH_WS_MAX_SUBSCRIPTIONS: String(Math.max(perConnection, 1)),
  ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  ...(process.env.DATABASE_POOL_MAX ? { DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX } : {}),
  ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
};
const running = await startServer(loadConfig(env), createLogger('warn'));
const backend = `${running.db.kind}${process.env.REDIS_URL ? ' + Redis' : ''}`;
const { prisma } = running.db;
const log = (line: string) => console.log(`[bench] ${line}`);
log(`server ${running.url} on ${backend}; node ${process.version}; flags ${JSON.stringify(flags)}`);

const workspace = await prisma.workspace.create({ data: { name: 'Subscription bench', slug: `bench-${Date.now().toString(36)}` } });
const agent = await prisma.agent.create({ data: { workspaceId: workspace.id, name: 'Bench Agent', email: 'bench@example.test', role: 'ADMIN' } });
const key = generateApiKey();
await prisma.apiKey.create({ data: { workspaceId: workspace.id, name: 'bench', prefix: apiKeyPrefix(key), hashedKey: hashApiKey(key), scopes: ['*'], agentId: agent.id } });
const customer = await prisma.customer.create({ data: { workspaceId: workspace.id, name: 'Bench Customer' } });
const conversation = await prisma.conversation.create({ data: { workspaceId: workspace.id, customerId: customer.id, channel: 'CHAT' } as never });
const conversationId = encodeGlobalId('Conversation', conversation.id);

const SEND = /* GraphQL */ `mutation ($input: SendMessageInput!) { sendMessage(input: $input) { __typename } }`;
let sequence = 0;
async function sendMessage(): Promise<boolean> {
  sequence += 1;
  const res = await fetch(running.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: SEND, variables: { input: { conversationId, authorKind: 'CUSTOMER', body: `bench ${sequence}` } } }),
  });
  const json = (await res.json()) as { data?: { sendMessage?: { __typename: string } } };
  return json.data?.sendMessage?.__typename === 'SendMessagePayload';
}

// Subscribers start `after` an event of their own workspace, so none depends on when its stream went live.
const mark = await prisma.event.create({ data: { workspaceId: workspace.id, type: 'article.created', subjectType: 'Article', subjectId: workspace.id, payload: {}, actorKind: 'SYSTEM' } });
let lastEventId = mark.id;
/** Event ids committed since the previous call: what every subscriber must receive, in this order. */
async function committedSince(): Promise<string[]> {
  const rows = await prisma.event.findMany({ where: { workspaceId: workspace.id, type: 'message.added', id: { gt: lastEventId } }, orderBy: { id: 'asc' }, select: { id: true } });
  if (rows.length) lastEventId = rows.at(-1)!.id;
  return rows.map((r) => r.id.toString());
}

class ClientPool {
  private readonly children: ChildProcess[] = [];
  private readonly pending = new Map<ChildProcess, (m: FromClient) => void>();

  constructor(n: number) {
    const script = fileURLToPath(new URL('./subscriptions-client.ts', import.meta.url));
    for (let i = 0; i < n; i += 1) {
      const child = fork(script, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child.on('message', (m: FromClient) => {
        const resolve = this.pending.get(child);
        this.pending.delete(child);
        resolve?.(m);
      });
      this.children.push(child);
    }
  }

  /** Sends one message per child and resolves with their answers. */
  ask<T extends FromClient>(message: (index: number) => ToClient): Promise<T[]> {
    return Promise.all(
      this.children.map(
        (child, i) =>
          new Promise<T>((resolve) => {
            this.pending.set(child, resolve as (m: FromClient) => void);
            child.send(message(i));
          }),
      ),
    );
  }

  async received(): Promise<{ received: number; errors: number }> {
    const answers = await this.ask<Extract<FromClient, { type: 'progress' }>>(() => ({ type: 'progress' }));
    return { received: answers.reduce((n, a) => n + a.received, 0), errors: answers.reduce((n, a) => n + a.errors, 0) };
  }

  /** Waits until `target` deliveries arrived, or nothing moved for `stallMs`, or `timeoutMs` passed. */
  async waitFor(target: number, timeoutMs: number, stallMs = 15_000): Promise<{ received: number; errors: number; at: number }> {
    const deadline = Date.now() + timeoutMs;
    let last = { received: -1, errors: 0 };
    let movedAt = Date.now();
    for (;;) {
      const now = await this.received();
      if (now.received !== last.received) movedAt = Date.now();
      last = now;
      if (now.received >= target || Date.now() > deadline || Date.now() - movedAt > stallMs) return { ...now, at: Date.now() };
      await sleep(20);
    }
  }

  async collect(expected: string[]) {
    const reports = await this.ask<Extract<FromClient, { type: 'report' }>>(() => ({ type: 'collect', expected }));
    const hist = new Map<number, number>();
    for (const r of reports) mergeHist(hist, r.hist);
    const sum = (k: 'subscribers' | 'exact' | 'missing' | 'extra' | 'outOfOrder') => reports.reduce((n, r) => n + r[k], 0);
    return { subscribers: sum('subscribers'), exact: sum('exact'), missing: sum('missing'), extra: sum('extra'), outOfOrder: sum('outOfOrder'), errors: reports.flatMap((r) => r.errors), hist };
  }

  async close(): Promise<void> {
    await Promise.race([this.ask(() => ({ type: 'close' })), sleep(30_000)]);
    for (const child of this.children) if (child.exitCode === null) child.kill('SIGKILL');
  }
}

export interface RunResult {
  subscribers: number;
  opened: number;
  openSeconds: number;
  rssPerSubscriberKB: number;
  heapPerSubscriberKB: number;
  broadcast: { p50: number | null; p99: number | null; allExact: boolean; runs: number };
  steady?: Record<string, unknown>;
}
export const results: RunResult[] = [];

for (const n of counts) {
  await collectGarbage();
  const before = process.memoryUsage();
  const pool = new ClientPool(Math.min(clientCount, n));
  const startCursor = encodeEventCursor(lastEventId);
  const openedAt = Date.now();
  const share = (i: number) => Math.floor(n / Math.min(clientCount, n)) + (i < n % Math.min(clientCount, n) ? 1 : 0);
  const opened = await pool.ask<Extract<FromClient, { type: 'opened' }>>((i) => ({ type: 'open', url: running.url.replace(/^http/, 'ws'), key, conversationId, after: startCursor, count: share(i), perConnection }));
  const failed = opened.reduce((s, o) => s + o.failed, 0);
  const openSeconds = (Date.now() - openedAt) / 1000;
  log(`N=${n}: ${n - failed * perConnection} subscribers on ${opened.reduce((s, o) => s + o.connections, 0)} connections in ${openSeconds}s (${failed} connections failed)`);

  // A warm-up event every subscriber must receive: afterwards every stream is live.
  await sendMessage();
  const warm = await pool.waitFor(n, 120_000);
  const warmCheck = await pool.collect(await committedSince());
  log(`N=${n}: warm-up delivered ${warm.received}/${n}, exact ${warmCheck.exact}, errors ${warmCheck.errors.slice(0, 2).join(' | ')}`);
  const live = warmCheck.exact;
  if (live === 0) throw new Error(`no subscriber is live: ${warmCheck.errors.slice(0, 2).join(' | ')}`);

  await collectGarbage();
  await sleep(1_000);
  await collectGarbage();
  const after = process.memoryUsage();
  // Divided by the subscriptions the server holds open, whether or not they survived the warm-up.
  const held = Math.max(n - failed * perConnection, 1);
  const rssPerSubscriberKB = Math.round(((after.rss - before.rss) / held / 1024) * 10) / 10;
  const heapPerSubscriberKB = Math.round(((after.heapUsed - before.heapUsed) / held / 1024) * 10) / 10;
  log(`N=${n}: server rss ${mb(before.rss)} → ${mb(after.rss)} MB, heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB: ${rssPerSubscriberKB} KB rss, ${heapPerSubscriberKB} KB heap per idle subscriber`);

  const p50s: number[] = [];
  const p99s: number[] = [];
  let allExact = true;
  for (let r = 0; r < repeat; r += 1) {
    await sleep(300);
    if (!(await sendMessage().catch(() => false))) {
      // An overloaded server (e.g. its database pool timing out) is a result, not a crash of the benchmark.
      log(`N=${n}: broadcast ${r + 1}/${repeat}: sendMessage failed; the server is saturated at this size`);
      allExact = false;
      break;
    }
    const expected = await committedSince();
    await pool.waitFor(live, 120_000);
    const check = await pool.collect(expected);
    allExact &&= check.exact === live;
    const p50 = percentile(check.hist, 50);
    const p99 = percentile(check.hist, 99);
    if (p50 !== null) p50s.push(p50);
    if (p99 !== null) p99s.push(p99);
    log(`N=${n}: broadcast ${r + 1}/${repeat}: p50 ${p50} ms, p99 ${p99} ms, max ${percentile(check.hist, 100)} ms, exact ${check.exact}/${live}`);
  }
  const result: RunResult = { subscribers: n, opened: live, openSeconds, rssPerSubscriberKB, heapPerSubscriberKB, broadcast: { p50: median(p50s), p99: median(p99s), allExact, runs: repeat } };

  if (n === steadyN) result.steady = await runSteady({ pool, live, rate, seconds, drainMs, sendMessage, committedSince, log });
  results.push(result);
  await pool.close();
  await sleep(1_000);
}

console.log('\n[bench] summary (medians over repeated broadcasts)');
console.log(JSON.stringify({ date: new Date().toISOString(), node: process.version, backend, pollMs: Number(flags['poll-ms']), results }, null, 2));
await running.stop();
process.exit(0);
