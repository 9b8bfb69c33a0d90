import { base, en, Faker } from '@faker-js/faker';
import { generateApiKey } from '../../src/auth/api-keys.ts';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { buildActivity } from './activity.ts';
import { buildOrganizations, NameBook } from './customers.ts';
import { TableWriter } from './insert.ts';
import { planWorkspace } from './plan.ts';
import { DAY, IdFactory, Rng } from './rng.ts';
import { buildSetup } from './setup.ts';
import { emptyBag, type SeedContext } from './types.ts';
import { countsOf, writeRows } from './write.ts';

export const DEMO_SLUG = 'demo';
export const DEMO_NAME = 'Lumen Home (demo)';
/** Fixed faker and data seed: the demo workspace is the same for everybody. */
export const DEMO_SEED = 20261123;

export class DemoWorkspaceExistsError extends Error {
  override name = 'DemoWorkspaceExistsError';

  constructor(
    readonly slug: string,
    readonly workspaceId: string | null,
  ) {
    super(`a workspace with slug "${slug}" already exists${workspaceId ? ` (id ${workspaceId})` : ''}; the demo workspace is seeded only once`);
  }
}

export interface DemoBuildOptions {
  slug: string;
  name: string;
  apiKey?: string;
  now?: Date;
  seed?: number;
}

export interface DemoBuildResult {
  workspaceId: string;
  workspaceName: string;
  apiKey: string;
  counts: Record<string, number>;
}

/** Builds the context for a seeded workspace: content from `seed`, ids from `seed` and `slug`. */
export function seedContext(kind: string, seed: number, slug: string, now: number): SeedContext {
  const faker = new Faker({ locale: [en, base] });
  faker.seed(seed);
  // Ids draw from their own stream salted with the slug, so two workspaces built from the same
  // seed in one database (tests, repeated benchmarks) share content but never primary keys.
  const ids = new IdFactory(new Rng(`cxgraph-ids/${kind}/${seed}/${slug}`));
  const windowStart = now - 90 * DAY;
  return {
    rng: new Rng(`cxgraph-${kind}/${seed}`), ids, faker, workspaceId: ids.at(windowStart - 7 * DAY), now, windowStart, setupAt: windowStart - 7 * DAY,
  };
}

/**
 * The demo workspace: ~200 customers in 40 organizations, 10 agents in 3 teams, ~1,000
 * conversations, 600 tickets, a help center, surveys and customer journeys over 90 days.
 * `slug` and `name` are parameters so tests can build it next to other workspaces.
 */
export async function seedDemo(prisma: PrismaClient, options: DemoBuildOptions): Promise<DemoBuildResult> {
  const existing = await prisma.workspace.findUnique({ where: { slug: options.slug }, select: { id: true } });
  if (existing) throw new DemoWorkspaceExistsError(options.slug, existing.id);

  const now = (options.now ?? new Date()).getTime();
  const seed = options.seed ?? DEMO_SEED;
  const apiKey = options.apiKey ?? generateApiKey();
  const ctx = seedContext('demo', seed, options.slug, now);
  const plan = planWorkspace(ctx, { customers: 200, tombstones: 3, tickets: { total: 600 }, conversations: { total: 1_000 } });
  const rows = emptyBag();
  const staff = buildSetup(ctx, {
    name: options.name, slug: options.slug, agentCount: 10, apiKey, apiKeyName: 'Demo key', ticketSequence: plan.ticketCount, lastTicketAt: plan.lastTicketAt,
  }, rows);
  const orgs = buildOrganizations(ctx, 40, rows);
  const env = { ctx, staff, names: new NameBook(seed + 1), orgs, emails: new Set<string>(), compact: false, eventScale: 1 };
  buildActivity(env, plan.customers, 'all', rows);

  const counts = await prisma.$transaction(
    async (tx) => {
      const writer = new TableWriter(tx);
      // A concurrent seed may have won the race since the check above: the slug decides.
      if ((await writer.insert('Workspace', rows.Workspace, { skipConflictOn: 'slug' })) === 0) {
        throw new DemoWorkspaceExistsError(options.slug, null);
      }
      await writeRows(writer, rows, ['Workspace']);
      return countsOf(writer);
    },
    { maxWait: 10_000, timeout: 300_000 },
  );
  return { workspaceId: ctx.workspaceId, workspaceName: options.name, apiKey, counts };
}
