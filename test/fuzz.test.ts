import { buildClientSchema, getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import { expect, test } from 'vitest';
import { graphql, type GraphQLResponse } from './helpers/app.ts';
import { buildFuzzWorkspace } from './fuzz/fixtures.ts';
import { OperationGenerator, type FuzzOperation } from './fuzz/generate.ts';
import { brokenInvariants, footprint } from './fuzz/invariants.ts';
import { Prng } from './fuzz/prng.ts';

/**
 * Issue 13: 2,000 generated operations (fixed seed) over every query and mutation, with a
 * `*` key of a workspace that has data, arguments drawn from boundary and hostile values (and
 * ids of this workspace, of another one, and of nothing). Nothing may answer
 * INTERNAL_SERVER_ERROR or HTTP 500, nothing may be half-written, and the other workspace
 * must be untouched.
 */
const SEED = 0x13c0ffee;
const OPERATIONS = 2_000;
const CONCURRENCY = 2;

/** Long strings cut short, so a failing operation prints readably. */
function shorten(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_k, v) => (typeof v === 'string' && v.length > 80 ? `${v.slice(0, 40)}…(${v.length} chars)` : v)),
  );
}

function outcome(op: FuzzOperation, res: GraphQLResponse): string {
  const code = res.errors?.[0]?.extensions?.code;
  if (code) return `${res.status} ${code}`;
  const payload = res.data?.[op.field];
  const typename = payload && typeof payload === 'object' && !Array.isArray(payload) ? payload.__typename : undefined;
  return typeof typename === 'string' && typename.endsWith('Error') ? `${res.status} typed ${typename}` : `${res.status} OK`;
}

test(`fuzz: ${OPERATIONS} generated operations, no INTERNAL_SERVER_ERROR, nothing half-written`, { timeout: 240_000 }, async () => {
  const [mine, other] = await Promise.all([buildFuzzWorkspace('mine'), buildFuzzWorkspace('other')]);
  const otherBefore = await footprint(other.ws.workspaceId);

  const introspection = await mine.ws.gql<IntrospectionQuery>(getIntrospectionQuery());
  expect(introspection.errors).toBeUndefined();
  const generator = new OperationGenerator(buildClientSchema(introspection.data!), new Prng(SEED), {
    own: mine.ids,
    other: other.ids,
    cursors: [...mine.cursors, ...other.cursors],
  });
  // All generated first, so the operations depend on the seed only, not on answers or timing.
  const generated = Array.from({ length: OPERATIONS }, () => generator.next());
  // FUZZ_ONLY=98,412: replay just those operations (same seed, same workspace data), to debug one.
  const only = process.env.FUZZ_ONLY?.split(',').map(Number);
  const operations = only ? generated.filter((_op, i) => only.includes(i)) : generated;

  const tally = new Map<string, number>();
  // FUZZ_VERBOSE=1: where the time goes, and what the refusals say.
  const verbose = process.env.FUZZ_VERBOSE === '1';
  const timeByField = new Map<string, number>();
  const messages = new Map<string, number>();
  const failures: string[] = [];
  const started = performance.now();
  let nextIndex = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (nextIndex < operations.length) {
        const index = nextIndex++;
        const op = operations[index]!;
        const t0 = performance.now();
        const res = await graphql(op.query, op.variables, { apiKey: mine.ws.apiKey });
        const key = outcome(op, res);
        if (verbose) {
          const ms = performance.now() - t0;
          timeByField.set(op.field, (timeByField.get(op.field) ?? 0) + ms);
          if (ms > 3_000 || only) console.log(`slow #${index} ${Math.round(ms)} ms ${res.statements} statements ${key} ${op.query.slice(0, only ? 5_000 : 300)} ${JSON.stringify(shorten(op.variables)).slice(0, 300)}`);
          const m = `${key}: ${(res.errors?.[0]?.message ?? '').replace(/"[^"]*"/g, '"…"').slice(0, 90)}`;
          messages.set(m, (messages.get(m) ?? 0) + 1);
        }
        tally.set(key, (tally.get(key) ?? 0) + 1);
        if (res.status >= 500 || res.errors?.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR')) {
          failures.push(`#${index} ${key}\n  ${op.query}\n  variables: ${JSON.stringify(shorten(op.variables))}`);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;

  const byRoot = { query: operations.filter((o) => o.root === 'query').length, mutation: operations.filter((o) => o.root === 'mutation').length };
  const rows = [...tally.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${String(n).padStart(5)}  ${k}`);
  console.log(
    `fuzz: ${OPERATIONS} operations (${byRoot.query} queries, ${byRoot.mutation} mutations, ${new Set(operations.map((o) => o.field)).size} root fields) in ${seconds.toFixed(1)} s, seed ${SEED.toString(16)}\n  count  HTTP status and extensions.code (or mutation result)\n${rows.join('\n')}`,
  );

  if (verbose) {
    console.log([...timeByField].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([f, ms]) => `${f} ${(ms / 1000).toFixed(1)} s`).join('\n'));
    console.log([...messages].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([m, n]) => `${n} ${m}`).join('\n'));
  }
  expect(failures, failures.slice(0, 10).join('\n\n')).toEqual([]);
  expect(await brokenInvariants(mine.ws.workspaceId)).toEqual({});
  expect(await footprint(other.ws.workspaceId)).toEqual(otherBefore);
});
