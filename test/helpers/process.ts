import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { projectRoot } from '../../src/db/migrations.ts';

const tsx = path.join(projectRoot, 'node_modules', '.bin', 'tsx');

/** Environment for child servers: nothing inherited that would pick another database. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'info' };
  return { ...env, ...extra };
}

/** How long a stopped process group may take to exit before it is SIGKILLed. */
const STOP_GRACE_MS = 10_000;

/**
 * Process groups this test process started and that may still run. tsx is a wrapper that spawns
 * node: signalling the wrapper alone would leave the server behind (holding its port and, on the
 * embedded backend, its data folder), so every child runs in its own group and is stopped as one.
 */
const groups = new Set<number>();
let exitHook = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

function track(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined) return;
  groups.add(pid);
  if (!exitHook) {
    exitHook = true;
    // Whatever a test forgot (or a crash skipped), nothing outlives the test process.
    process.once('exit', () => {
      for (const group of groups) killGroup(group, 'SIGKILL');
    });
  }
}

/** Spawns the server entry point through tsx as the leader of a new process group. */
function spawnServer(env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(tsx, ['src/server.ts'], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  track(child);
  return child;
}

/**
 * Stops the child and resolves with the wrapper's exit code once every process of its group is
 * gone; the whole group is SIGKILLed after `graceMs` if any is still there. SIGKILL goes to the
 * group at once; a graceful signal goes to the wrapper, which relays it to node and exits with
 * node's code (signalled too, it would report the signal instead).
 */
async function stopGroup(child: ChildProcess, exited: Promise<number | null>, signal: NodeJS.Signals, graceMs = STOP_GRACE_MS): Promise<number | null> {
  const pid = child.pid;
  if (pid === undefined) return exited;
  if (signal === 'SIGKILL') killGroup(pid, signal);
  else if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  else killGroup(pid, signal);
  const deadline = Date.now() + graceMs;
  let killed = signal === 'SIGKILL';
  // The wrapper may exit before its node child: wait for the group, not for the wrapper.
  while (groupAlive(pid)) {
    if (!killed && Date.now() > deadline) {
      killGroup(pid, 'SIGKILL');
      killed = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  groups.delete(pid);
  return exited;
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A TCP port that was free a moment ago (for a server that must restart on the same port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the server entry point to completion (for start-up failures). */
export function runServerToExit(env: Record<string, string>, timeoutMs = 60_000): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawnServer(childEnv(env));
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const timer = setTimeout(() => {
      void stopGroup(child, exited, 'SIGKILL');
      reject(new Error(`server did not exit within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    void exited.then(async (code) => {
      clearTimeout(timer);
      // Anything the wrapper left behind goes with it.
      await stopGroup(child, exited, 'SIGKILL');
      resolve({ code, stdout, stderr });
    });
  });
}

export interface RunningChild {
  child: ChildProcess;
  url: string;
  origin: string;
  stdout: () => string;
  stderr: () => string;
  /**
   * Signals the whole process group (SIGTERM by default) and resolves with the exit code once all
   * of it is gone; SIGKILL after a grace period.
   */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts a server process (on a free port unless `PORT` is given) and waits until it logs that it is serving. */
export function startServerProcess(env: Record<string, string>, timeoutMs = 90_000): Promise<RunningChild> {
  return new Promise((resolve, reject) => {
    const child = spawnServer(childEnv({ PORT: '0', HOST: '127.0.0.1', ...env }));
    let stdout = '';
    let stderr = '';
    let settled = false;
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const stop = (signal: NodeJS.Signals = 'SIGTERM') => stopGroup(child, exited, signal);
    const timer = setTimeout(() => {
      settled = true;
      void stop('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdout!.on('data', (d) => {
      stdout += d;
      if (settled) return;
      // Complete lines only: a chunk may end in the middle of one.
      for (const line of stdout.split('\n').slice(0, -1)) {
        if (!line.includes('cxgraph is serving')) continue;
        const url = (JSON.parse(line) as { url: string }).url;
        settled = true;
        clearTimeout(timer);
        resolve({ child, url, origin: new URL(url).origin, stdout: () => stdout, stderr: () => stderr, stop });
        return;
      }
    });
    child.on('exit', (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop('SIGKILL');
      reject(new Error(`server exited with ${code} before serving\n${stdout}\n${stderr}`));
    });
  });
}
