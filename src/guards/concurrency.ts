import { GraphQLError } from 'graphql';
import { currentRequestScope, RequestAbortedError } from '../db/cancel.ts';
import { ErrorCode } from '../errors.ts';

/**
 * Bounds the expensive operations (metric computations, searches) one workspace runs at once on
 * this instance, so one tenant's dashboards or abuse cannot hold every pooled connection
 * (DATABASE_POOL_MAX, 10 by default) while another tenant's simple query waits for one.
 *
 * Per workspace: at most `perWorkspace` run (CXGRAPH_EXPENSIVE_CONCURRENCY, default 2); the next
 * `queue` wait their turn in arrival order (CXGRAPH_EXPENSIVE_QUEUE, default 30 — the alias
 * limit, so one legitimate dashboard query never overflows it); any beyond that fail at once with
 * RATE_LIMITED (HTTP 429, Retry-After: 1) rather than wait unboundedly. A waiter whose client
 * disconnects leaves the queue. Other workspaces are never held up by this workspace's queue.
 * The bound is per instance; several instances multiply it (size the pool accordingly).
 */
export interface ConcurrencyLimits {
  perWorkspace: number;
  queue: number;
}

export const DEFAULT_CONCURRENCY_LIMITS: ConcurrencyLimits = { perWorkspace: 2, queue: 30 };

interface Lane {
  running: number;
  waiting: Array<{ start: () => void }>;
}

function tooManyError(limits: ConcurrencyLimits): GraphQLError {
  return new GraphQLError(
    `Too many expensive operations (metrics, searches) at once for this workspace: ${limits.perWorkspace} run and ${limits.queue} wait at most; retry shortly.`,
    {
      extensions: {
        code: ErrorCode.RATE_LIMITED,
        limit: limits.perWorkspace,
        queue: limits.queue,
        http: { status: 429, headers: { 'Retry-After': '1' } },
      },
    },
  );
}

export class WorkspaceConcurrency {
  private readonly lanes = new Map<string, Lane>();
  constructor(readonly limits: ConcurrencyLimits = DEFAULT_CONCURRENCY_LIMITS) {}

  /** Operations running and waiting for one workspace (for tests and diagnostics). */
  load(workspaceId: string): { running: number; waiting: number } {
    const lane = this.lanes.get(workspaceId);
    return { running: lane?.running ?? 0, waiting: lane?.waiting.length ?? 0 };
  }

  /** Runs `work` once one of the workspace's slots is free. */
  async run<T>(workspaceId: string, work: () => Promise<T>): Promise<T> {
    await this.acquire(workspaceId);
    try {
      return await work();
    } finally {
      this.release(workspaceId);
    }
  }

  private acquire(workspaceId: string): Promise<void> | void {
    let lane = this.lanes.get(workspaceId);
    if (!lane) this.lanes.set(workspaceId, (lane = { running: 0, waiting: [] }));
    if (lane.running < this.limits.perWorkspace) {
      lane.running += 1;
      return;
    }
    if (lane.waiting.length >= this.limits.queue) throw tooManyError(this.limits);
    const signal = currentRequestScope()?.signal;
    const current = lane;
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = current.waiting.indexOf(waiter);
        if (i >= 0) current.waiting.splice(i, 1);
        reject(new RequestAbortedError());
      };
      const waiter = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      current.waiting.push(waiter);
    });
  }

  private release(workspaceId: string): void {
    const lane = this.lanes.get(workspaceId);
    if (!lane) return;
    const next = lane.waiting.shift();
    // The slot passes straight to the next waiter: `running` stays the same.
    if (next) return next.start();
    lane.running -= 1;
    if (lane.running <= 0) this.lanes.delete(workspaceId);
  }
}
