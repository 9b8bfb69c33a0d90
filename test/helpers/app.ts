import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createApp, type App } from '../../src/app.ts';
import { createLogger } from '../../src/logger.ts';
import { countQueries, type QueryTally } from '../../src/db/query-counter.ts';
import { testDatabase } from './database.ts';

let app: Promise<App> | undefined;

/** A bucket no test of the shared app drains (the default, 2,000 points, is tested on apps of its own). */
export const TEST_RATE_LIMIT = { bucketSize: 100_000_000, restorePerSecond: 1_000_000 };

/** The application under test, over the worker's database, called in memory (no port). */
export function testApp(): Promise<App> {
  app ??= (async () =>
    createApp({
      db: await testDatabase(),
      logger: createLogger((process.env.CXGRAPH_TEST_LOG_LEVEL as never) ?? 'silent'),
      // The suite sends thousands of requests with few keys, and its statement-count tests ask
      // for deliberately large pages; test/guards-*.test.ts prove the production limits and buckets.
      rateLimit: TEST_RATE_LIMIT,
      limits: { maxCost: 1_000_000 },
    }))();
  return app;
}

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  headers: Headers;
  extensions?: Record<string, any>;
  data?: T | null;
  errors?: Array<{ message: string; path?: (string | number)[]; extensions?: Record<string, any> }>;
  /** SQL statements the request sent. */
  statements: number;
  tally: QueryTally;
}

/** Sends one GraphQL operation over HTTP semantics (POST /graphql) through `app.fetch`. */
export async function graphql<T = Record<string, any>>(
  query: string,
  variables: Record<string, unknown> = {},
  options: { apiKey?: string | null; headers?: Record<string, string>; app?: App } = {},
): Promise<GraphQLResponse<T>> {
  const yoga = options.app ?? (await testApp());
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', ...options.headers };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  const { result: response, tally } = await countQueries(async () => {
    const res = await yoga.fetch('http://cxgraph.test/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    // Reading the body inside the counted block: execution may stream until it is consumed.
    return { status: res.status, headers: res.headers, body: (await res.json()) as { data?: T; errors?: GraphQLResponse['errors']; extensions?: Record<string, any> } };
  });
  const { body } = response;
  return { status: response.status, headers: response.headers, extensions: body.extensions, data: body.data, errors: body.errors, statements: tally.statements, tally };
}

/** Runs a generated typed document (schema/operations → src/generated/graphql). */
export async function execute<TData, TVariables extends Record<string, unknown>>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  apiKey: string | null,
): Promise<GraphQLResponse<TData>> {
  return graphql<TData>(print(document), variables, { apiKey });
}
