import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../src/db/migrations.ts';

const tsx = path.join(projectRoot, 'node_modules', '.bin', 'tsx');

/** Environment for child servers: nothing inherited that would pick another database. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'info' };
  return { ...env, ...extra };
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the server entry point to completion (for start-up failures). */
export function runServerToExit(env: Record<string, string>, timeoutMs = 60_000): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, ['src/server.ts'], { cwd: projectRoot, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not exit within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
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
  /** Sends SIGTERM and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts a server process on a free port and waits until it logs that it is serving. */
export function startServerProcess(env: Record<string, string>, timeoutMs = 90_000): Promise<RunningChild> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, ['src/server.ts'], {
      cwd: projectRoot,
      env: childEnv({ PORT: '0', HOST: '127.0.0.1', ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      stdout += d;
      if (settled) return;
      for (const line of stdout.split('\n')) {
        if (!line.includes('cxgraph is serving')) continue;
        const url = (JSON.parse(line) as { url: string }).url;
        settled = true;
        clearTimeout(timer);
        resolve({
          child,
          url,
          origin: new URL(url).origin,
          stdout: () => stdout,
          stderr: () => stderr,
          stop: async (signal = 'SIGTERM') => {
            if (child.exitCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    });
    child.on('exit', (code) => {
      if (settled) return;
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before serving\n${stdout}\n${stderr}`));
    });
  });
}
