import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../src/db/migrations.ts';
import pkg from '../package.json' with { type: 'json' };

/**
 * `npm start` serves compiled JavaScript (no TypeScript loader in production). This builds the
 * bundle with the same options as `npm run build` into a folder of its own and starts it with
 * plain node, from another working directory, on an in-memory database.
 */
const outDir = path.join(projectRoot, 'dist', `test-${process.pid}`);
afterAll(() => rm(outDir, { recursive: true, force: true }));

/** `npm run build`'s esbuild flags, read from package.json so the test follows the script. */
function buildOptions(): Record<string, unknown> {
  const script = pkg.scripts.build;
  expect(script).toMatch(/^esbuild src\/server\.ts /);
  const options: Record<string, unknown> = {};
  for (const flag of script.split(/\s+/).slice(2)) {
    const [name, value] = flag.replace(/^--/, '').split('=');
    if (name === 'outfile' || name === 'log-level') continue;
    const key = name!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    options[key] = value ?? true;
  }
  return options;
}

describe('the production build', () => {
  it('bundles the server into one JavaScript file that starts with plain node and answers', async () => {
    expect(pkg.scripts.start).toMatch(/npm run build .*&& node (--enable-source-maps )?dist\/server\.js$/);
    const outfile = path.join(outDir, 'server.js');
    await build({ entryPoints: [path.join(projectRoot, 'src/server.ts')], outfile, logLevel: 'silent', ...buildOptions() });

    const child = spawn(process.execPath, ['--enable-source-maps', outfile], {
      cwd: outDir,
      detached: true,
      env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', CXGRAPH_DATA_DIR: 'memory', CXGRAPH_SEED_DEMO: 'false', CXGRAPH_SLA_SWEEP_MS: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
    };
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (d) => {
          output += d;
          const line = output.split('\n').find((l) => l.includes('cxgraph is serving'));
          if (line) resolve((JSON.parse(line) as { url: string }).url);
        });
        child.stderr!.on('data', (d) => (output += d));
        child.on('exit', (code) => reject(new Error(`the built server exited with ${code}\n${output}`)));
      });
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
      const body = (await res.json()) as { data?: unknown; errors?: unknown };
      expect(body.data).toEqual({ __typename: 'Query' });
      expect(body.errors).toBeUndefined();
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      killGroup('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      killGroup('SIGKILL');
    }
  });
});
