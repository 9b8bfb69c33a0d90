import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sleep } from './stats.ts';

/**
 * The servers bench:api measures, each its own process group (spawned detached, so stopping it
 * with `process.kill(-pid)` also ends `npm`'s children: the build, node).
 */

export interface Server {
  /** `cxgraph`, `baseline`, `floor`, `pglite`. */
  side: string;
  port: number;
  /** URL requests of a shape go to. */
  urlOf(shape: string): string;
  logFile: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function launch(side: string, command: string, args: string[], cwd: string, env: Record<string, string>, port: number, path: (shape: string) => string): Server {
  const logFile = `/tmp/bench-api-${side}-${port}.log`;
  const out = createWriteStream(logFile);
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  let exited = false;
  child.once('exit', () => (exited = true));
  return {
    side,
    port,
    logFile,
    child,
    urlOf: (shape) => `http://127.0.0.1:${port}${path(shape)}`,
    async stop() {
      if (exited || child.pid === undefined) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 15_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** Polls GET /healthz until 200; fails early when the process exits, or after `timeoutMs`. */
export async function waitReady(server: Server, timeoutMs: number): Promise<number> {
  const started = Date.now();
  let exitCode: number | null = null;
  server.child.once('exit', (code) => (exitCode = code ?? -1));
  while (Date.now() - started < timeoutMs) {
    if (exitCode !== null) throw new Error(`${server.side} exited (code ${exitCode}) before it was ready; see ${server.logFile}`);
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/healthz`);
      if (res.ok) return Date.now() - started;
    } catch {
      /* not listening yet */
    }
    await sleep(250);
  }
  throw new Error(`${server.side} not ready after ${timeoutMs / 1000} s; see ${server.logFile}`);
}

/**
 * cxgraph as production runs it: `npm start` in the checkout `dir`. The bench's one key sends far
 * more than the default rate limit allows (2,000 points, 100/s; the 50×10 read costs 602), so the
 * bucket is made as large as the configuration accepts, as an operator would for a trusted
 * internal client: the limiter still does its work on every request, it just never refuses.
 * Checkouts from before the rate limit ignore these variables.
 */
export function startCxgraph(side: string, dir: string, port: number, env: Record<string, string>): Server {
  return launch(
    side,
    'npm',
    ['start'],
    dir,
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      CXGRAPH_SLA_SWEEP_MS: '0',
      NODE_ENV: 'production',
      CXGRAPH_RATE_LIMIT_POINTS: '100000000',
      CXGRAPH_RATE_LIMIT_RESTORE_PER_SECOND: '10000000',
      ...env,
    },
    port,
    () => '/graphql',
  );
}

export function startFloorProcess(port: number, databaseUrl: string, workspaceId: string): Server {
  return launch(
    'floor',
    process.execPath,
    ['--import', 'tsx', 'bench/api-floor.ts'],
    ROOT,
    { PORT: String(port), DATABASE_URL: databaseUrl, FLOOR_WORKSPACE_ID: workspaceId, NODE_ENV: 'production' },
    port,
    (shape) => `/${shape}`,
  );
}
