import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadConfig, StartupError } from '../src/config.ts';
import { runServerToExit } from './helpers/process.ts';

describe('loadConfig', () => {
  it('defaults to the embedded database in .data', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config.database).toEqual({ kind: 'pglite', dataDir: '/srv/app/.data' });
    expect(config.port).toBe(4000);
    expect(config.seedDemo).toBe(true);
  });

  it('uses an in-memory database for CXGRAPH_DATA_DIR=memory and PostgreSQL for DATABASE_URL', () => {
    expect(loadConfig({ CXGRAPH_DATA_DIR: 'memory' }).database).toEqual({ kind: 'pglite', dataDir: 'memory' });
    expect(loadConfig({ DATABASE_URL: 'postgresql://u:p@db.internal:6543/cx', DATABASE_POOL_MAX: '20' }).database).toMatchObject({
      kind: 'postgres',
      host: 'db.internal:6543',
      database: 'cx',
      poolMax: 20,
    });
  });

  it('reads the input limits, 1 MB bodies and JSON 32 deep and 64 kB by default', () => {
    expect(loadConfig({}).input).toEqual({ maxBodyBytes: 1_048_576, maxJsonDepth: 32, maxJsonBytes: 65_536 });
    expect(loadConfig({ CXGRAPH_MAX_BODY_BYTES: '4096', CXGRAPH_MAX_JSON_DEPTH: '8', CXGRAPH_MAX_JSON_BYTES: '1000' }).input).toEqual({
      maxBodyBytes: 4096,
      maxJsonDepth: 8,
      maxJsonBytes: 1000,
    });
  });

  it.each([
    [{ DATABASE_URL: 'not a url' }, /DATABASE_URL is not a valid URL/],
    [{ DATABASE_URL: 'mysql://localhost/cx' }, /must start with postgres:\/\//],
    [{ DATABASE_URL: 'postgres://localhost' }, /names no database/],
    [{ PORT: 'eighty' }, /PORT must be a whole number/],
    [{ PORT: '70000' }, /PORT must be between 0 and 65535/],
    [{ LOG_LEVEL: 'verbose' }, /LOG_LEVEL must be one of/],
    [{ CXGRAPH_SEED_DEMO: 'maybe' }, /CXGRAPH_SEED_DEMO must be true or false/],
    [{ CXGRAPH_DEMO_API_KEY: 'short' }, /at least 16 characters/],
    [{ DATABASE_POOL_MAX: '0' }, /DATABASE_POOL_MAX must be between 1 and 1000/],
    [{ CXGRAPH_MAX_BODY_BYTES: '1mb' }, /CXGRAPH_MAX_BODY_BYTES must be a whole number/],
    [{ CXGRAPH_MAX_JSON_DEPTH: '0' }, /CXGRAPH_MAX_JSON_DEPTH must be between 1 and 1000/],
  ])('rejects %j with a clear message', (env, message) => {
    expect(() => loadConfig(env)).toThrow(StartupError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

/** A start-up failure is one line on stderr and a non-zero exit; never a stack trace. */
function expectOneLineFailure(result: { code: number | null; stderr: string }, message: RegExp) {
  expect(result.code).toBe(1);
  const lines = result.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^cxgraph: /);
  expect(lines[0]).toMatch(message);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

describe('configuration docs', () => {
  it('documents every variable loadConfig reads in .env.example and in the README', () => {
    const read = new Set<string>();
    // The variables loadConfig asks for, whatever they are: recorded as they are read.
    const env = new Proxy({} as Record<string, string | undefined>, {
      get: (_target, key) => {
        if (typeof key === 'string') read.add(key);
        return undefined;
      },
    });
    loadConfig(env, '/srv/app');
    expect(read.size).toBeGreaterThan(10);
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const undocumented = [...read].filter((name) => !example.includes(`${name}=`) || !readme.includes(`\`${name}\``));
    expect(undocumented).toEqual([]);
  });
});

describe('server start-up failures', () => {
  it('reports a malformed DATABASE_URL', async () => {
    expectOneLineFailure(await runServerToExit({ DATABASE_URL: 'postgres//missing-colon' }), /DATABASE_URL is not a valid URL/);
  });

  it('reports an unreachable database, naming the host', async () => {
    expectOneLineFailure(
      await runServerToExit({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/cxgraph' }),
      /cannot reach PostgreSQL at 127\.0\.0\.1:1: connection refused/,
    );
  });

  it('reports an unknown environment value', async () => {
    expectOneLineFailure(await runServerToExit({ LOG_LEVEL: 'chatty' }), /LOG_LEVEL must be one of/);
  });

  it('reports an unwritable data folder', async () => {
    expectOneLineFailure(await runServerToExit({ CXGRAPH_DATA_DIR: '/dev/null/cxgraph' }), /cannot use data folder \/dev\/null\/cxgraph/);
  });

  // The embedded database migrates before the port is taken: minutes on a busy machine.
  it('reports a port in use', { timeout: 300_000 }, async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await runServerToExit({ CXGRAPH_DATA_DIR: 'memory', CXGRAPH_SEED_DEMO: 'false', PORT: String(port), HOST: '127.0.0.1' }, 280_000);
      expectOneLineFailure(result, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    } finally {
      blocker.close();
    }
  });
});
