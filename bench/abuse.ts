import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createApp } from '../src/app.ts';
import { apiKeyPrefix, generateApiKey, hashApiKey } from '../src/auth/api-keys.ts';
import { runCli } from '../src/cli/run.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/index.ts';
import { uuidv7 } from '../src/db/ids.ts';
import { applyMigrations } from '../src/db/migrations.ts';
import { createLogger } from '../src/logger.ts';
import { median, parseFlags } from './stats.ts';

/**
 * Abuse benchmark: the abusive requests of issue 13, each sent `--repeat` times to a real HTTP
 * server (createApp with the production defaults, PORT 0) over the configured database
 * (DATABASE_URL, else an in-memory embedded one), with a real API key; prints each one's answer
 * and the median time to answer it as a markdown table for bench/README.md ("Abuse").
 *
 * To add a row, append to CASES: a name, what it did before (the figure), and the
 * request. Cases run in order with one key; a case that needs a fresh bucket says so.
 */

export interface AbuseCase {
  name: string;
  before: string;
  request(): { query: string; variables?: Record<string, unknown> } | { body: string };
  /** Its own API key (its bucket untouched by earlier cases). */
  freshKey?: boolean;
}

function nestedRelations(levels: number): string {
  let inner = 'id';
  for (let i = 0; i < levels; i++) inner = (levels - 1 - i) % 2 === 0 ? `organization { ${inner} }` : `customers(first: 2) { edges { node { ${inner} } } }`;
  return `{ customers(first: 2) { edges { node { ${inner} } } } }`;
}

const METRIC_INPUT = { key: 'csat', from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' };

export const CASES: AbuseCase[] = [
  ...[20, 34, 50, 102].map((levels) => ({
    name: `relations nested ${levels} deep`,
    before: { 20: 'accepted, 1.3 s (froze the embedded instance)', 34: 'accepted, 2.6 s', 50: 'accepted, > 40 s', 102: 'accepted, ≥ 152 s' }[levels]!,
    request: () => ({ query: nestedRelations(levels) }),
  })),
  {
    name: '500 aliases of `metric` (input inline)',
    before: 'accepted; exhausted the pool, other workspaces INTERNAL',
    request: () => ({
      query: `{ ${Array.from({ length: 500 }, (_, i) => `m${i}: metric(input: { key: "csat", from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" }) { value }`).join(' ')} }`,
    }),
  },
  {
    name: '400 aliases of `metric` (input in a variable, under the token limit)',
    before: 'accepted',
    request: () => ({
      query: `query ($input: MetricInput!) { ${Array.from({ length: 400 }, (_, i) => `m${i}: metric(input: $input) { value }`).join(' ')} }`,
      variables: { input: METRIC_INPUT },
    }),
  },
  {
    name: '`first: 100` nested 3 levels (customers → tickets → comments)',
    before: 'accepted',
    request: () => ({ query: `{ customers(first: 100) { edges { node { tickets(first: 100) { edges { node { comments(first: 100) { edges { node { id } } } } } } } } } }` }),
  },
  {
    name: '`first: 100` nested 4 levels (organizations → customers → tickets → comments)',
    before: 'accepted',
    request: () => ({
      query: `{ organizations(first: 100) { edges { node { customers(first: 100) { edges { node { tickets(first: 100) { edges { node { comments(first: 100) { edges { node { id } } } } } } } } } } } } }`,
    }),
  },
  {
    name: '2 MB document of 110,000 aliases',
    before: 'accepted',
    request: () => ({ query: `{ ${Array.from({ length: 110_000 }, (_, i) => `a${i}: __typename`).join(' ')} }` }),
  },
  {
    name: 'a cheap query after the abuse (same key)',
    before: '—',
    request: () => ({ query: `{ viewer { workspace { name } } }` }),
  },
];

interface Answer {
  status: number;
  code: string;
  detail: string;
  ms: number;
}

async function send(url: string, apiKey: string, body: string, fetchFn: typeof fetch = fetch): Promise<Answer> {
  const started = performance.now();
  const res = await fetchFn(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${apiKey}` }, body });
  const json = (await res.json()) as { errors?: Array<{ extensions?: Record<string, unknown> }>; extensions?: { cost?: { requestedQueryCost: number } } };
  const ms = performance.now() - started;
  const extensions = json.errors?.[0]?.extensions ?? {};
  const code = (extensions.code as string | undefined) ?? 'OK';
  const { code: _code, ...figures } = extensions;
  const detail = json.errors ? JSON.stringify(figures) : `cost ${json.extensions?.cost?.requestedQueryCost}`;
  return { status: res.status, code, detail, ms };
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), { repeat: '5' });
  const repeat = Number(flags.repeat);
  const config = loadConfig({ ...process.env, CXGRAPH_DATA_DIR: process.env.CXGRAPH_DATA_DIR ?? 'memory' });
  const db = await openDatabase(config.database);
  const app = createApp({ db, logger: createLogger('silent'), limits: config.limits, rateLimit: config.rateLimit });
  const server = createServer(app);
  try {
    await applyMigrations(db.migrationFactory());
    const workspace = await db.prisma.workspace.create({ data: { id: uuidv7(), name: 'bench:abuse', slug: `bench-abuse-${Date.now().toString(36)}` } });
    const newKey = async () => {
      const key = generateApiKey();
      await db.prisma.apiKey.create({ data: { id: uuidv7(), workspaceId: workspace.id, name: 'bench:abuse', prefix: apiKeyPrefix(key), hashedKey: hashApiKey(key), scopes: ['*'] } });
      return key;
    };
    const sharedKey = await newKey();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    console.log(`[bench] ${db.kind} database; node ${process.version}; limits ${JSON.stringify(config.limits)}; median of ${repeat}`);
    console.log('');
    console.log('| Tried | Before (issue 13) | Answer | Figures | Median ms over HTTP | Median ms in process |');
    console.log('|---|---|---|---|---|---|');
    for (const c of CASES) {
      const apiKey = c.freshKey ? await newKey() : sharedKey;
      const request = c.request();
      const body = 'body' in request ? request.body : JSON.stringify(request);
      const answers: Answer[] = [];
      const inProcess: Answer[] = [];
      for (let i = 0; i < repeat; i++) {
        answers.push(await send(url, apiKey, body));
        // The same request through app.fetch: no socket, no HTTP parsing; what the server itself spends.
        inProcess.push(await send('http://bench/graphql', apiKey, body, app.fetch as typeof fetch));
      }
      const last = answers.at(-1)!;
      const size = body.length > 100_000 ? ` (${(body.length / 1e6).toFixed(1)} MB)` : '';
      const ms = (list: Answer[]) => median(list.map((a) => a.ms))!.toFixed(1);
      console.log(`| ${c.name}${size} | ${c.before} | ${last.status} ${last.code} | \`${last.detail}\` | ${ms(answers)} | ${ms(inProcess)} |`);
    }
  } finally {
    server.close();
    await app.dispose();
    await db.close();
  }
}

runCli(main);
