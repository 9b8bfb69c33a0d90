import type { Database } from './db/index.ts';
import type { WakeupBus } from './events/bus.ts';
import { classifyDatabaseError, describeDatabaseFailure } from './db/outage.ts';
import { localMigrationNames, pendingMigrations, type AppliedMigration } from './db/migrations.ts';

export interface Readiness {
  ready: boolean;
  /** True when an optional dependency (the events bus) is down: the instance serves, live updates arrive by polling. */
  degraded?: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/**
 * Ready means: the database answers and has applied exactly the migrations this build ships.
 * A pending or failed migration (someone rolled the database back, or an older build migrated
 * it) makes the instance unready instead of serving a schema the code does not expect.
 */
export function createReadinessCheck(db: Database, bus?: WakeupBus): () => Promise<Readiness> {
  let local: Promise<string[]> | undefined;
  return async () => {
    local ??= localMigrationNames();
    const checks: Readiness['checks'] = {};
    try {
      await db.ping();
      checks.database = { ok: true };
    } catch (error) {
      checks.database = { ok: false, detail: describeDatabaseFailure(error) };
      return { ready: false, checks };
    }
    try {
      const rows = await db.prisma.$queryRawUnsafe<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }[]>(
        'SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations',
      );
      const applied: AppliedMigration[] = rows.map((r) => ({ name: r.migration_name, finished: r.finished_at !== null, rolledBack: r.rolled_back_at !== null }));
      const { pending, failed } = pendingMigrations(await local, applied);
      checks.migrations =
        pending.length === 0 && failed.length === 0
          ? { ok: true }
          : { ok: false, detail: [pending.length ? `pending: ${pending.join(', ')}` : '', failed.length ? `failed: ${failed.join(', ')}` : ''].filter(Boolean).join('; ') };
    } catch (error) {
      // The database failing between the two checks is an outage, not a migration problem.
      if (classifyDatabaseError(error)) checks.database = { ok: false, detail: describeDatabaseFailure(error) };
      else checks.migrations = { ok: false, detail: `cannot read migration history: ${(error as Error).message}` };
    }
    const ready = Object.values(checks).every((c) => c.ok);
    if (!bus) return { ready, checks };
    // Redis down is not "unready": queries, mutations and subscriptions (by polling) still work,
    // and pulling every instance out of the load balancer would turn a slowdown into an outage.
    checks.events = bus.health();
    return checks.events.ok ? { ready, checks } : { ready, degraded: true, checks };
  };
}
