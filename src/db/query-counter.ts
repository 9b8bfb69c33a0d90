import { AsyncLocalStorage } from 'node:async_hooks';
import type { SqlDriverAdapter, SqlDriverAdapterFactory, Transaction } from '@prisma/driver-adapter-utils';

/**
 * Counts the SQL statements Prisma sends, per unit of work (a GraphQL request, a test block).
 * The count lives in AsyncLocalStorage, so concurrent requests never mix their numbers. Tests
 * assert these counts: an N+1 regression changes the number and fails the suite.
 */

export interface QueryTally {
  statements: number;
  /** The SQL text of each statement, for diagnosing a failed assertion. */
  sql: string[];
}

const storage = new AsyncLocalStorage<QueryTally>();

/** Runs `fn` and reports how many statements it sent through Prisma. */
export async function countQueries<T>(fn: () => Promise<T>): Promise<{ result: T; tally: QueryTally }> {
  const tally: QueryTally = { statements: 0, sql: [] };
  const result = await storage.run(tally, fn);
  return { result, tally };
}

/** Runs bookkeeping that is not part of the unit of work (e.g. an API key's lastUsedAt). */
export function uncounted<T>(fn: () => T): T {
  return storage.exit(fn);
}

/** The tally of the current unit of work, if one is being counted. */
export function currentTally(): QueryTally | undefined {
  return storage.getStore();
}

function record(sql: string) {
  const tally = storage.getStore();
  if (!tally) return;
  tally.statements += 1;
  if (tally.sql.length < 200) tally.sql.push(sql);
}

function wrapQueryable<T extends SqlDriverAdapter | Transaction>(target: T): T {
  const queryRaw = target.queryRaw.bind(target);
  const executeRaw = target.executeRaw.bind(target);
  const patched = target as { -readonly [K in keyof T]: T[K] };
  patched.queryRaw = (query) => {
    record(query.sql);
    return queryRaw(query);
  };
  patched.executeRaw = (query) => {
    record(query.sql);
    return executeRaw(query);
  };
  return target;
}

export function countingAdapterFactory(factory: SqlDriverAdapterFactory): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect() {
      const adapter = wrapQueryable(await factory.connect());
      const startTransaction = adapter.startTransaction.bind(adapter);
      (adapter as { startTransaction: SqlDriverAdapter['startTransaction'] }).startTransaction = async (isolation) =>
        wrapQueryable(await startTransaction(isolation));
      return adapter;
    },
  };
}
