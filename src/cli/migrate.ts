import { PGlite } from '@electric-sql/pglite';
import { loadConfig, StartupError } from '../config.ts';
import { pgliteMigrationFactory } from '../db/adapters.ts';
import { openDatabase } from '../db/index.ts';
import { applyMigrations, createMigration, resetDatabase } from '../db/migrations.ts';
import { runCli } from './run.ts';

const usage = `usage:
  npm run db:migrate                      apply committed migrations to the configured database
  npm run db:migrate:create -- <name>     write a new migration from prisma/schema.prisma (not applied)
  npm run db:reset                        drop everything, re-apply migrations, seed the demo workspace`;

runCli(async () => {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'create') {
    const name = args.find((a) => !a.startsWith('-'));
    if (!name) throw new StartupError(`a migration name is required\n${usage}`);
    // Diff against a scratch database, never the user's: the result depends only on the
    // committed migrations and the schema file.
    const scratch = await PGlite.create();
    try {
      await applyMigrations(pgliteMigrationFactory(scratch));
      const created = await createMigration(pgliteMigrationFactory(scratch), name);
      if (!created) {
        console.log('prisma/schema.prisma matches the committed migrations: nothing to create.');
      } else {
        console.log(`created ${created.file}\nreview it (add hand-written SQL if needed), then run: npm run db:migrate`);
      }
    } finally {
      await scratch.close();
    }
    return 0;
  }

  const config = loadConfig();
  const db = await openDatabase(config.database);
  try {
    if (command === 'deploy') {
      const applied = await applyMigrations(db.migrationFactory());
      console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date');
      return 0;
    }
    if (command === 'reset') {
      await resetDatabase(db.migrationFactory());
      const applied = await applyMigrations(db.migrationFactory());
      console.log(`reset ${db.location}; applied ${applied.length} migration(s)`);
      const { seedDemoWorkspace } = await import("../../prisma/seed.ts");
      const seeded = await seedDemoWorkspace(db.prisma, { apiKey: config.demoApiKey });
      console.log(`seeded demo workspace "${seeded.workspaceName}"; API key: ${seeded.apiKey}`);
      return 0;
    }
    throw new StartupError(`unknown command "${command ?? ''}"\n${usage}`);
  } finally {
    await db.close();
  }
});
