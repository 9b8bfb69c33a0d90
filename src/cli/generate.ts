import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Generates Prisma Client and the Pothos Prisma types when prisma/schema.prisma (or the Prisma
 * version) changed since the last run; a no-op otherwise, so `npm start` and `npm test` can
 * always call it. Runs on install too.
 *
 * Prisma's CLI downloads a native schema engine before every command, even `generate`, which
 * never uses it. Pointing PRISMA_SCHEMA_ENGINE_BINARY at an existing file (this Node binary)
 * skips the download; nothing executes it. Telemetry and update checks are switched off so the
 * command makes no network request at all.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const schemaFile = path.join(root, 'prisma', 'schema.prisma');
const stampFile = path.join(root, 'src', 'generated', '.schema-hash');
const require = createRequire(import.meta.url);
const prismaPkg = require.resolve('prisma/package.json');
const prismaVersion = JSON.parse(readFileSync(prismaPkg, 'utf8')).version as string;

const hash = createHash('sha256').update(readFileSync(schemaFile)).update(prismaVersion).digest('hex');
const force = process.argv.includes('--force');
const upToDate =
  !force &&
  existsSync(stampFile) &&
  readFileSync(stampFile, 'utf8') === hash &&
  existsSync(path.join(root, 'src', 'generated', 'prisma', 'client.ts')) &&
  existsSync(path.join(root, 'src', 'generated', 'pothos-prisma-types.ts'));

if (!upToDate) {
  const cli = path.join(path.dirname(prismaPkg), 'build', 'index.js');
  const result = spawnSync(process.execPath, [cli, 'generate', '--schema', schemaFile], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
      CHECKPOINT_DISABLE: '1',
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      PRISMA_DISABLE_WARNINGS: '1',
    },
  });
  if (result.status !== 0) {
    process.stderr.write(`cxgraph: prisma generate failed\n${result.stdout}${result.stderr}`);
    process.exit(1);
  }
  writeFileSync(stampFile, hash);
  process.stderr.write(`cxgraph: generated Prisma Client ${prismaVersion} and Pothos types\n`);
}
