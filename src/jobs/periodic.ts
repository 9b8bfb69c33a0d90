import { uncounted } from '../db/query-counter.ts';
import type { Logger } from '../logger.ts';

/**
 * The one shape of background work on an instance: a sweep that runs at start and then
 * `intervalMs` after the previous one ended (never two at once; a caller asking for a sweep while
 * one runs joins it), stopped before the database closes. What makes a sweep safe across
 * instances — `FOR UPDATE SKIP LOCKED`, an advisory lock — is the sweep's own business.
 */
export interface PeriodicJob<T> {
  /** Runs a sweep now, or joins the one running. */
  sweep(): Promise<T>;
  /** Sweeps at once, then every `intervalMs`. */
  start(): void;
  /** No further sweeps; resolves once a sweep in progress has finished. */
  stop(): Promise<void>;
}

export interface PeriodicJobOptions<T> {
  /** For the log line of a failed sweep, e.g. "SLA breach sweep". */
  name: string;
  /** Pause between the end of one sweep and the start of the next. */
  intervalMs: number;
  log: Logger;
  /** One sweep; `stopped()` turns true once `stop()` was called, so a long sweep can end early. */
  run(stopped: () => boolean): Promise<T>;
}

export function createPeriodicJob<T>({ name, intervalMs, log, run }: PeriodicJobOptions<T>): PeriodicJob<T> {
  let running: Promise<T> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let started = false;
  let stopped = false;

  function sweep(): Promise<T> {
    // Bookkeeping of the instance, not of whatever request or test block triggered it.
    running ??= uncounted(() => run(() => stopped)).finally(() => (running = null));
    return running;
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      sweep()
        .catch((error: unknown) => log.warn({ err: error }, `${name} failed; retrying on the next tick`))
        .finally(() => schedule(intervalMs));
    }, delayMs);
    timer.unref();
  }

  return {
    sweep,
    start() {
      if (started || stopped) return;
      started = true;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
  };
}
