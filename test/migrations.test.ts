import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StartupError } from '../src/config.ts';
import { applyMigrations, createMigration, localMigrationNames, migrationsDir } from '../src/db/migrations.ts';
import { scratchDatabase, type ScratchDatabase } from './helpers/scratch.ts';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((fn) => fn()));
});

async function scratch(): Promise<ScratchDatabase> {
  const db = await scratchDatabase();
  cleanup.push(() => db.dispose());
  return db;
}

describe('migrations', () => {
  it('apply from an empty database, record each migration once, and are idempotent', async () => {
    const db = await scratch();
    const local = await localMigrationNames();
    expect(local.length).toBeGreaterThan(0);

    expect(await applyMigrations(db.factory())).toEqual(local);
    expect(await applyMigrations(db.factory())).toEqual([]);

    const recorded = await db.query<{ migration_name: string; finished_at: Date | null }>(
      'SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(recorded.map((r) => r.migration_name)).toEqual(local);
    expect(recorded.every((r) => r.finished_at !== null)).toBe(true);

    const tables = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['Workspace', 'Agent', 'ApiKey', 'Customer', 'Organization', 'Conversation', 'Message', 'Ticket', 'TicketEvent', 'Article', 'SurveyResponse']),
    );
  });

  it('keep prisma/schema.prisma and the committed migrations in step (no drift)', async () => {
    const db = await scratch();
    await applyMigrations(db.factory());
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cxgraph-drift-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    await cp(migrationsDir, dir, { recursive: true });
    // createMigration returns null when the schema file adds nothing to the history.
    const created = await createMigration(db.factory(), 'drift_check', dir);
    expect(created?.sql ?? null).toBeNull();
  }, 180_000);

  it('enforce the hand-written invariants (check constraints, append-only audit trail, search vector)', async () => {
    const db = await scratch();
    await applyMigrations(db.factory());
    const ws = 'a0000000-0000-7000-8000-000000000001';
    const cust = 'a0000000-0000-7000-8000-000000000002';
    const ticket = 'a0000000-0000-7000-8000-000000000003';
    await db.query(`INSERT INTO "Workspace" (id, name, slug, "updatedAt") VALUES ('${ws}', 'W', 'w-${Date.now()}', now())`);
    await db.query(`INSERT INTO "Customer" (id, "workspaceId", "updatedAt") VALUES ('${cust}', '${ws}', now())`);
    await expect(
      db.query(`INSERT INTO "SurveyResponse" (id, "workspaceId", kind, "customerId", score, "respondedAt") VALUES (gen_random_uuid(), '${ws}', 'CSAT', '${cust}', 6, now())`),
    ).rejects.toThrow(/SurveyResponse_score_in_range/);
    await expect(
      db.query(`INSERT INTO "SurveyResponse" (id, "workspaceId", kind, "customerId", score) VALUES (gen_random_uuid(), '${ws}', 'NPS', '${cust}', 9)`),
    ).rejects.toThrow(/SurveyResponse_answered_together/);
    await db.query(`INSERT INTO "Ticket" (id, "workspaceId", number, subject, "requesterId", "updatedAt") VALUES ('${ticket}', '${ws}', 1, 'S', '${cust}', now())`);
    await db.query(`INSERT INTO "TicketEvent" (id, "workspaceId", "ticketId", kind, "actorKind") VALUES (gen_random_uuid(), '${ws}', '${ticket}', 'CREATED', 'SYSTEM')`);
    await expect(db.query(`UPDATE "TicketEvent" SET kind = 'REOPENED'`)).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM "TicketEvent"`)).rejects.toThrow(/append-only/);
    // Deleting the ticket cascades to its trail: allowed.
    await db.query(`DELETE FROM "Ticket" WHERE id = '${ticket}'`);
    expect(await db.query(`SELECT 1 FROM "TicketEvent"`)).toHaveLength(0);

    await db.query(
      `INSERT INTO "Article" (id, "workspaceId", slug, title, body, locale, "updatedAt") VALUES (gen_random_uuid(), '${ws}', 'reset', 'Resetting passwords', 'Open settings and choose reset.', 'en', now())`,
    );
    const hits = await db.query<{ slug: string }>(
      `SELECT slug FROM "Article" WHERE "searchVector" @@ websearch_to_tsquery(cx_text_search_config('en'), 'password reset')`,
    );
    expect(hits.map((h) => h.slug)).toEqual(['reset']); // stemming: "passwords" matches "password"
  });

  it('abort with a clear error naming the failed migration, and apply nothing of it', async () => {
    const db = await scratch();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cxgraph-broken-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    await cp(migrationsDir, dir, { recursive: true });
    const broken = path.join(dir, '99990101000000_broken');
    await mkdir(broken);
    await writeFile(path.join(broken, 'migration.sql'), 'CREATE TABLE "half_done" (id int);\nALTER TABLE "no_such_table" ADD COLUMN x int;\n');

    const error = await applyMigrations(db.factory(), dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toMatch(/database migration failed/);
    expect((error as Error).message).toMatch(/99990101000000_broken|no_such_table/);
    // The failing script ran as one transaction: its first statement left nothing behind.
    const halfDone = await db.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'`);
    expect(halfDone).toHaveLength(0);
    // Re-running refuses to continue past a failed migration until someone resolves it.
    await expect(applyMigrations(db.factory(), dir)).rejects.toThrow(/database migration failed/);
  });
});
