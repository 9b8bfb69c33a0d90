import type { PrismaClient } from '../src/generated/prisma/client.ts';
import { seedBulkWorkspace } from './seed/bulk.ts';
import { DEMO_NAME, DEMO_SLUG, seedDemo } from './seed/demo.ts';

/**
 * Seed data for cxgraph: the demo workspace every new installation gets, and large generated
 * workspaces for benchmarks. Both are deterministic: the same seed and `now` produce the same
 * rows (ids included), except for a generated API key.
 */

export { DEMO_NAME, DEMO_SEED, DEMO_SLUG, DemoWorkspaceExistsError } from './seed/demo.ts';

export interface DemoSeedOptions {
  /** The demo API key; generated when omitted. */
  apiKey?: string;
  /** The seed's "now": all activity lies in the 90 days before it. Defaults to the current time. */
  now?: Date;
}

export interface DemoSeedResult {
  workspaceId: string;
  workspaceName: string;
  apiKey: string;
  /** Rows written per table. */
  counts: Record<string, number>;
}

/**
 * Seeds one demo workspace (slug "demo") unless a workspace with slug "demo" exists (then throws
 * a DemoWorkspaceExistsError).
 */
export async function seedDemoWorkspace(prisma: PrismaClient, options: DemoSeedOptions = {}): Promise<DemoSeedResult> {
  return seedDemo(prisma, { slug: DEMO_SLUG, name: DEMO_NAME, ...options });
}

export interface BulkSeedOptions {
  customers: number;
  ticketsPerCustomer: number;
  /** Data seed (default 1): the same seed and `now` give the same data. */
  seed?: number;
  now?: Date;
  workspaceName?: string;
  /** Called as tickets are written: `done` of `total` tickets. */
  onProgress?: (done: number, total: number) => void;
}

/** Generates a large workspace for benchmarks (its own new workspace each call, slug unique). */
export async function seedBulk(
  prisma: PrismaClient,
  options: BulkSeedOptions,
): Promise<{ workspaceId: string; apiKey: string; counts: Record<string, number> }> {
  return seedBulkWorkspace(prisma, options);
}
