import { randomUUID } from 'node:crypto';
import { apiKeyPrefix, generateApiKey, hashApiKey } from '../../src/auth/api-keys.ts';
import { uuidv7 } from '../../src/db/ids.ts';
import type { Prisma } from '../../src/generated/prisma/client.ts';
import { graphql, type GraphQLResponse } from './app.ts';
import { testDatabase } from './database.ts';

/**
 * Every test builds its own workspace (with its own key), so tests run in parallel on one
 * database with no truncation and no dependence on order.
 */
export interface TestWorkspace {
  workspaceId: string;
  name: string;
  apiKey: string;
  apiKeyId: string;
  agentId: string;
  /** Runs an operation as this workspace's key. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** Issues another key for this workspace with the given scopes. */
  createKey(scopes: string[], extra?: Partial<Prisma.ApiKeyUncheckedCreateInput>): Promise<string>;
}

export async function createTestWorkspace(options: { scopes?: string[]; name?: string } = {}): Promise<TestWorkspace> {
  const { prisma } = await testDatabase();
  const suffix = randomUUID().slice(0, 8);
  const name = options.name ?? `Test workspace ${suffix}`;
  const workspace = await prisma.workspace.create({ data: { id: uuidv7(), name, slug: `test-${suffix}-${Date.now().toString(36)}` } });
  const agent = await prisma.agent.create({
    data: { id: uuidv7(), workspaceId: workspace.id, name: 'Test Admin', email: `admin-${suffix}@example.test`, role: 'ADMIN' },
  });
  const createKey = async (scopes: string[], extra: Partial<Prisma.ApiKeyUncheckedCreateInput> = {}) => {
    const key = generateApiKey();
    await prisma.apiKey.create({
      data: {
        id: uuidv7(),
        workspaceId: workspace.id,
        name: `key ${scopes.join(',')}`,
        prefix: apiKeyPrefix(key),
        hashedKey: hashApiKey(key),
        scopes,
        agentId: agent.id,
        ...extra,
      },
    });
    return key;
  };
  const apiKey = await createKey(options.scopes ?? ['*']);
  const keyRow = await prisma.apiKey.findUniqueOrThrow({ where: { hashedKey: hashApiKey(apiKey) } });
  return {
    workspaceId: workspace.id,
    name,
    apiKey,
    apiKeyId: keyRow.id,
    agentId: agent.id,
    gql: (query, variables) => graphql(query, variables, { apiKey }),
    createKey,
  };
}

/** Inserts customers directly (fast fixtures for read tests); returns them oldest first. */
export async function insertCustomers(
  workspaceId: string,
  count: number,
  base: Partial<Prisma.CustomerUncheckedCreateInput> = {},
  /** Creation time of the first one (one second apart); default: ending now. */
  startAt: number = Date.now() - count * 1000,
) {
  const { prisma } = await testDatabase();
  const start = startAt;
  const rows = Array.from({ length: count }, (_, i) => {
    const at = new Date(start + i * 1000);
    return {
      id: uuidv7(at),
      workspaceId,
      name: `Customer ${i + 1}`,
      email: `customer${i + 1}-${randomUUID().slice(0, 6)}@example.test`,
      createdAt: at,
      firstSeenAt: at,
      lastSeenAt: at,
      ...base,
    };
  });
  await prisma.customer.createMany({ data: rows });
  // Re-read so callers get real rows (Dates, not the create input's Date | string).
  const created = await prisma.customer.findMany({ where: { id: { in: rows.map((r) => r.id) } }, orderBy: { id: 'asc' } });
  return created;
}
