import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { DEFAULT_INPUT_CONFIG, loadConfig, StartupError } from '../src/config.ts';
import { requestedCost } from '../src/guards/cost.ts';
import { DEFAULT_LIMITS } from '../src/guards/limits.ts';
import { measureDocument } from '../src/guards/shape.ts';
import { createLogger } from '../src/logger.ts';
import { getSchema } from '../src/schema/index.ts';
import { graphql } from './helpers/app.ts';
import type { App } from '../src/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';

/** `customers { edges { node { organization { customers { … } } } } }`, `levels` relations deep. */
function nestedRelations(levels: number): string {
  let inner = 'id';
  for (let i = 0; i < levels; i++) inner = (levels - 1 - i) % 2 === 0 ? `organization { ${inner} }` : `customers(first: 2) { edges { node { ${inner} } } }`;
  return `{ customers(first: 2) { edges { node { ${inner} } } } }`;
}

function expectRefused(res: Awaited<ReturnType<typeof graphql>>, measure: string, figure: number | ((n: number) => boolean), limit: number) {
  expect(res.status).toBe(400);
  expect(res.data ?? null).toBeNull();
  expect(res.errors).toHaveLength(1);
  const extensions = res.errors![0]!.extensions!;
  expect(extensions.code).toBe('QUERY_TOO_COMPLEX');
  expect(extensions.limit).toBe(limit);
  if (typeof figure === 'number') expect(extensions[measure]).toBe(figure);
  else expect(figure(extensions[measure])).toBe(true);
  expect(res.errors![0]!.message).toContain(String(limit));
  // Refused before the context factory: not even the API key was looked up.
  expect(res.statements).toBe(0);
  expect(res.extensions?.cost?.actualQueryCost).toBe(0);
}

let defaults: Promise<App> | undefined;

/** An app with the production limits and bucket (the suite's shared app allows a larger cost). */
async function send(ws: TestWorkspace, query: string, variables: Record<string, unknown> = {}) {
  defaults ??= testDatabase().then((db) => createApp({ db, logger: createLogger('silent') }));
  return graphql(query, variables, { apiKey: ws.apiKey, app: await defaults });
}

afterAll(async () => {
  await (await defaults)?.dispose();
});

describe('limits before execution (defaults)', () => {
  it('refuses an operation over the cost limit, with its cost', async () => {
    const ws = await createTestWorkspace();
    // 1 (customers) + 1 (totalCount) + 100 × (1 node + 1 tickets + 100 × 1 ticket) = 10,202
    const res = await send(ws, /* GraphQL */ `{ customers(first: 100) { totalCount edges { node { tickets(first: 100) { edges { node { id } } } } } } }`);
    expectRefused(res, 'cost', 10_202, 1000);
    expect(res.extensions?.cost?.requestedQueryCost).toBe(10_202);
  });

  it('takes variables into account: the same document is cheap with a small page', async () => {
    const ws = await createTestWorkspace();
    const query = /* GraphQL */ `query ($n: Int) { customers(first: $n) { edges { node { tickets(first: $n) { edges { node { id } } } } } } }`;
    // 1 + 5 × (1 + 1 + 5) = 36
    const cheap = await send(ws, query, { n: 5 });
    expect(cheap.errors).toBeUndefined();
    expect(cheap.extensions?.cost?.requestedQueryCost).toBe(36);
    // 1 + 40 × (1 + 1 + 40) = 1,681: the validation result of this document is cached, its cost is not.
    expectRefused(await send(ws, query, { n: 40 }), 'cost', 1_681, 1000);
  });

  it('leaves an out-of-range page size to argument validation: BAD_USER_INPUT, not QUERY_TOO_COMPLEX', async () => {
    const ws = await createTestWorkspace();
    // Counted as 100 (the most `first` can be): 1 + 100 × (1 + 1 + 25 × 1) = 2,701 would be refused, so only 1 level here.
    const res = await send(ws, `{ customers(first: 100000) { edges { node { id } } } }`);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'first' });
  });

  it('refuses relations nested 20 deep by depth, counting edges and node', async () => {
    const ws = await createTestWorkspace();
    const query = nestedRelations(20);
    const depth = measureDocument(parse(query)).depth;
    // customers/edges/node, then 10 × organization and 10 × customers/edges/node, then id.
    expect(depth).toBe(3 + 10 + 30 + 1);
    expectRefused(await send(ws, query), 'depth', depth, 12);
  });

  it('refuses 31 aliases', async () => {
    const ws = await createTestWorkspace();
    const fields = Array.from({ length: 31 }, (_, i) => `a${i}: viewer { scopes }`).join(' ');
    expectRefused(await send(ws, `{ ${fields} }`), 'aliases', 31, 30);
  });

  it('refuses hundreds of aliases of metric before computing any', async () => {
    const ws = await createTestWorkspace();
    // `mN: metric(input: $input) { value }` is 12 tokens: 500 of them (and 10 of frame) pass the token limit first.
    const aliases = (n: number) => `query ($input: MetricInput!) { ${Array.from({ length: n }, (_, i) => `m${i}: metric(input: $input) { value }`).join(' ')} }`;
    const input = { key: 'csat', from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' };
    expectRefused(await send(ws, aliases(500), { input }), 'tokens', 6_010, 5_000);
    expectRefused(await send(ws, aliases(400), { input }), 'aliases', 400, 30);
  });

  it('refuses more than 5,000 tokens while parsing, with the real count', async () => {
    const ws = await createTestWorkspace();
    // 6,000 × `id` plus 11 tokens of frame (`{ customers { edges { node {` and `} } } }`): under 100 kB, no alias, shallow.
    const query = `{ customers { edges { node { ${'id '.repeat(6_000)}} } } }`;
    expectRefused(await send(ws, query), 'tokens', 6_011, 5_000);
  });

  it('refuses a document over 100 kB before parsing it', async () => {
    const ws = await createTestWorkspace();
    const query = `{ viewer { scopes } }\n# ${'x'.repeat(120_000)}`;
    expectRefused(await send(ws, query), 'documentBytes', Buffer.byteLength(query), 100_000);
  });

  it('refuses more than 50 directives', async () => {
    const ws = await createTestWorkspace();
    const query = `{ viewer { ${'scopes @include(if: true) '.repeat(51)}} }`;
    expectRefused(await send(ws, query), 'directives', 51, 50);
  });

  it('stops parsing a 2 MB document of 110,000 aliases at the token limit, even with no size limit', async () => {
    const db = await testDatabase();
    const app = createApp({
      db,
      logger: createLogger('silent'),
      limits: { maxDocumentBytes: 10_000_000 },
      input: { ...DEFAULT_INPUT_CONFIG, maxBodyBytes: 10_000_000 },
    });
    const ws = await createTestWorkspace();
    const query = `{ ${Array.from({ length: 110_000 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    expect(query.length).toBeGreaterThan(2_000_000);
    const res = await graphql(query, {}, { apiKey: ws.apiKey, app });
    // Had the parser built the AST, the alias limit (checked after parsing) would have answered.
    expectRefused(res, 'tokens', (n) => n > 300_000, 5_000);
    await app.dispose();
  });
});

describe('cost of an accepted operation', () => {
  it('reports requested and actual cost and the bucket on every response', async () => {
    const ws = await createTestWorkspace();
    await insertCustomers(ws.workspaceId, 3);
    const res = await send(ws, /* GraphQL */ `{
      customers(first: 10) { totalCount edges { node { id name tickets(first: 5) { edges { node { id subject } } } } } }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.customers.edges).toHaveLength(3);
    // Requested: customers 1 + totalCount 1 + 10 × (edge 0 + node 1 + tickets 1 + 5 × (edge 0 + ticket 1)) = 2 + 10 × 7 = 72.
    // Actual: 1 + 1 + 3 customers × (1 + tickets 1 + 0 tickets) = 8.
    expect(res.extensions?.cost).toMatchObject({ requestedQueryCost: 72, actualQueryCost: 8 });
    const throttle = res.extensions!.cost.throttleStatus;
    expect(throttle.currentlyAvailable).toBeLessThanOrEqual(throttle.maximumAvailable);
    expect(throttle.restoreRate).toBeGreaterThan(0);
  });

  it('weighs a metric by its statement and search by its hits, and charges nothing for introspection', async () => {
    const ws = await createTestWorkspace();
    const metric = await send(ws, `{ metric(input: { key: "csat", from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" }) { value } }`);
    expect(metric.errors).toBeUndefined();
    // 50 (the aggregate statement, declared on the field) + 1 (the result object).
    expect(metric.extensions?.cost).toMatchObject({ requestedQueryCost: 51, actualQueryCost: 51 });
    const search = await send(ws, `{ search(query: "nothing matches this", first: 20) { kind customer { id } } }`);
    expect(search.errors).toBeUndefined();
    // 10 + 20 × (hit 1 + customer 1) requested; 10 + no hits actual.
    expect(search.extensions?.cost).toMatchObject({ requestedQueryCost: 50, actualQueryCost: 10 });
    const introspection = await send(ws, `{ __schema { types { name fields { name type { name ofType { name ofType { name } } } } } } }`);
    expect(introspection.extensions?.cost).toMatchObject({ requestedQueryCost: 0 });
  });

  it('takes the most expensive type of an interface selection', async () => {
    const schema = getSchema();
    const query = `query ($id: ID!) { node(id: $id) { id ... on Customer { tickets(first: 10) { edges { node { id } } } } ... on Ticket { subject } } }`;
    // Customer: node 1 + tickets 1 + 10 × 1 = 12; Ticket: 1.
    expect(requestedCost(schema, parse(query), null, { id: 'x' })).toBe(12);
  });

  it('counts `nodes` by the ids given', () => {
    const query = `query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`;
    expect(requestedCost(getSchema(), parse(query), null, { ids: ['a', 'b', 'c'] })).toBe(3);
  });
});

describe('documented operations stay within the default limits', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const fromReadme = [
    ...[...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!),
    // Operations inside the JavaScript examples: `query: \`…\`` and `query: '…'`.
    ...[...readme.matchAll(/query: `([^`]*)`/g)].map((m) => m[1]!),
    ...[...readme.matchAll(/query: '([^']*)'/g)].map((m) => m[1]!),
  ];
  const dir = new URL('../schema/operations/', import.meta.url);
  const operations = readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .map((f) => readFileSync(new URL(f, dir), 'utf8'));

  it.each([...fromReadme.map((q, i) => [`README #${i + 1}`, q]), ...operations.map((q, i) => [`operations #${i + 1}`, q])])('%s', (_name, text) => {
    const document = parse(text as string);
    const shape = measureDocument(document);
    expect(shape.depth).toBeLessThanOrEqual(DEFAULT_LIMITS.maxDepth);
    expect(shape.aliases).toBeLessThanOrEqual(DEFAULT_LIMITS.maxAliases);
    expect(shape.directives).toBeLessThanOrEqual(DEFAULT_LIMITS.maxDirectives);
    for (const definition of document.definitions) {
      if (definition.kind !== 'OperationDefinition') continue;
      expect(requestedCost(getSchema(), document, definition.name?.value, {})).toBeLessThanOrEqual(DEFAULT_LIMITS.maxCost);
    }
  });

  it('found the README examples', () => {
    expect(fromReadme.length).toBeGreaterThanOrEqual(8);
    expect(operations.length).toBeGreaterThanOrEqual(7);
  });
});

describe('configuration', () => {
  it('defaults to the documented limits and reads each from the environment', () => {
    const defaults = loadConfig({}, '/srv');
    expect(defaults.limits).toEqual({ maxCost: 1000, maxDepth: 12, maxAliases: 30, maxTokens: 5000, maxDocumentBytes: 100_000, maxDirectives: 50 });
    expect(defaults.rateLimit).toEqual({ bucketSize: 2000, restorePerSecond: 100 });
    const set = loadConfig({ CXGRAPH_MAX_COST: '500', CXGRAPH_MAX_DEPTH: '8', CXGRAPH_RATE_LIMIT_POINTS: '300', CXGRAPH_RATE_LIMIT_RESTORE_PER_SECOND: '5' }, '/srv');
    expect(set.limits).toMatchObject({ maxCost: 500, maxDepth: 8 });
    expect(set.rateLimit).toEqual({ bucketSize: 300, restorePerSecond: 5 });
    expect(() => loadConfig({ CXGRAPH_MAX_DEPTH: 'deep' }, '/srv')).toThrow(StartupError);
    expect(() => loadConfig({ CXGRAPH_RATE_LIMIT_RESTORE_PER_SECOND: '0' }, '/srv')).toThrow(/CXGRAPH_RATE_LIMIT_RESTORE_PER_SECOND/);
  });
});
