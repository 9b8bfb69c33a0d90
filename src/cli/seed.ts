import { DemoWorkspaceExistsError, seedBulk, seedDemoWorkspace } from '../../prisma/seed.ts';
import { loadConfig, StartupError } from '../config.ts';
import { openDatabase } from '../db/index.ts';
import { UNLIMITED_STATEMENTS } from '../db/timeouts.ts';
import { applyMigrations } from '../db/migrations.ts';
import { runCli } from './run.ts';

const usage = `usage:
  npm run db:seed                                    seed the demo workspace (once; prints its API key)
  npm run db:seed -- --customers N [--tickets-per-customer M] [--seed S]
                                                     add a generated benchmark workspace
                                                     (defaults: 1000 customers, 10 tickets each, seed 1)`;

interface BulkArgs {
  customers: number;
  ticketsPerCustomer: number;
  seed: number;
}

const FLAGS = { '--customers': 'customers', '--tickets-per-customer': 'ticketsPerCustomer', '--seed': 'seed' } as const;
type Flag = keyof typeof FLAGS;

/** Parses `--flag value` and `--flag=value`; returns null when no bulk flag is given (demo mode). */
function parseSeedArgs(argv: readonly string[]): BulkArgs | 'help' | null {
  const values: Partial<Record<Flag, number>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!(flag in FLAGS)) throw new StartupError(`unknown argument "${arg}" (see npm run db:seed -- --help)`);
    const name = flag as Flag;
    if (name in values) throw new StartupError(`${name} is given more than once`);
    const raw = inline ?? argv[++i];
    if (raw === undefined || raw.startsWith('--')) throw new StartupError(`${name} needs a value`);
    const value = Number(raw);
    const min = name === '--seed' ? 0 : 1;
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min) {
      throw new StartupError(`${name} must be a ${min === 0 ? 'non-negative' : 'positive'} whole number, got "${raw}"`);
    }
    values[name] = value;
  }
  if (values['--customers'] === undefined && values['--tickets-per-customer'] === undefined) {
    if (values['--seed'] !== undefined) throw new StartupError('--seed applies to benchmark workspaces: add --customers N');
    return null;
  }
  return { customers: values['--customers'] ?? 1_000, ticketsPerCustomer: values['--tickets-per-customer'] ?? 10, seed: values['--seed'] ?? 1 };
}

/** `\r[#####.....] 45% 45000/100000 tickets` on a terminal; a plain line every 10% otherwise. */
function progressReporter(stream: NodeJS.WriteStream): { update(done: number, total: number): void; finish(): void } {
  let lastDecile = -1;
  let drawn = false;
  return {
    update(done, total) {
      const ratio = total === 0 ? 1 : done / total;
      const percent = Math.floor(ratio * 100);
      if (stream.isTTY) {
        const filled = Math.round(ratio * 30);
        stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${String(percent).padStart(3)}% ${done}/${total} tickets`);
        drawn = true;
      } else if (Math.floor(percent / 10) > lastDecile) {
        lastDecile = Math.floor(percent / 10);
        stream.write(`seeding: ${percent}% (${done}/${total} tickets)\n`);
      }
    },
    finish() {
      if (drawn) stream.write('\n');
    },
  };
}

function formatCounts(counts: Record<string, number>): string {
  const width = Math.max(...Object.keys(counts).map((k) => k.length));
  return Object.entries(counts)
    .map(([table, n]) => `  ${table.padEnd(width)}  ${n.toLocaleString('en-US')}`)
    .join('\n');
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

async function main(): Promise<number> {
  const args = parseSeedArgs(process.argv.slice(2));
  if (args === 'help') {
    console.log(usage);
    return 0;
  }
  const config = loadConfig();
  const db = await openDatabase(config.database, UNLIMITED_STATEMENTS);
  try {
    const applied = await applyMigrations(db.migrationFactory());
    if (applied.length > 0) console.log(`applied ${applied.length} migration(s) to ${db.location}`);
    const started = Date.now();
    if (args === null) {
      try {
        const demo = await seedDemoWorkspace(db.prisma, { apiKey: config.demoApiKey });
        console.log(`seeded demo workspace "${demo.workspaceName}" (${demo.workspaceId}) in ${db.location} in ${seconds(started)}`);
        console.log(`API key: ${demo.apiKey}`);
        console.log(`rows:\n${formatCounts(demo.counts)}`);
      } catch (error) {
        if (!(error instanceof DemoWorkspaceExistsError)) throw error;
        console.log(`the demo workspace already exists in ${db.location}${error.workspaceId ? ` (${error.workspaceId})` : ''}; nothing to do`);
      }
      return 0;
    }
    const progress = progressReporter(process.stderr);
    let bulk;
    try {
      bulk = await seedBulk(db.prisma, { ...args, onProgress: (done, total) => progress.update(done, total) });
    } finally {
      progress.finish();
    }
    console.log(
      `seeded benchmark workspace ${bulk.workspaceId} (${args.customers} customers × ${args.ticketsPerCustomer} tickets, seed ${args.seed}) in ${db.location} in ${seconds(started)}`,
    );
    console.log(`API key: ${bulk.apiKey}`);
    console.log(`rows:\n${formatCounts(bulk.counts)}`);
    return 0;
  } finally {
    await db.close();
  }
}

runCli(main);
