import { GraphQLError, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { keyIsUsable, type Viewer } from '../auth/viewer.ts';
import type { Context } from '../context.ts';
import { uncounted } from '../db/query-counter.ts';
import { ErrorCode } from '../errors.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Logger } from '../logger.ts';

/**
 * Keeps long-lived connections honest about their API key. A WebSocket authenticates once, at
 * `connection_init`, and a subscription over HTTP (server-sent events) once, when its request
 * arrives; afterwards the key may be revoked, deleted, expire, or lose scopes. Every
 * `intervalMs` this instance reads the distinct keys of its open connections and streams in one
 * query (by primary key) and tells each one whose key no longer works, or lost a scope it had
 * when it connected. Nothing happens per event: the subscription fan-out never looks at keys. The
 * timer runs only while something is watched, and a slow query is never stacked. A key revoked
 * through the API is checked at once (`checkKeys`), so this instance cuts it off without waiting
 * for the timer; other instances notice on their next tick.
 *
 * A database error leaves connections open (logged; retried on the next tick): a blip must not
 * disconnect every subscriber of the instance. While the database is down no new connection can
 * authenticate either.
 */

/** `invalid`: revoked, deleted or expired. `scopes-reduced`: still valid, but a scope held at connect is gone. */
export type KeyVerdict = 'invalid' | 'scopes-reduced';

interface Watcher {
  readonly scopes: readonly string[];
  readonly onVerdict: (verdict: KeyVerdict) => void;
}

/** Bind parameters per query stay far below PostgreSQL's 65,535. */
const IDS_PER_QUERY = 5_000;

export class ApiKeyWatch {
  private readonly keys = new Map<string, Set<Watcher>>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private closed = false;
  private readonly changeListeners = new Set<(apiKeyId: string) => void>();

  constructor(
    private readonly prisma: PrismaClient,
    readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  /** Distinct keys being watched. */
  get size(): number {
    return this.keys.size;
  }

  /**
   * Watches one connection of `apiKeyId`, which held `scopes` when it authenticated. `onVerdict`
   * is called at most once; the watch then ends by itself. Returns the unwatch function (idempotent).
   */
  watch(apiKeyId: string, scopes: readonly string[], onVerdict: (verdict: KeyVerdict) => void): () => void {
    if (this.closed) return () => undefined;
    const watcher: Watcher = { scopes: [...scopes], onVerdict };
    let set = this.keys.get(apiKeyId);
    if (!set) this.keys.set(apiKeyId, (set = new Set()));
    set.add(watcher);
    if (!this.timer) {
      this.timer = setInterval(() => void this.check(), this.intervalMs);
      this.timer.unref();
    }
    return () => this.unwatch(apiKeyId, watcher);
  }

  private unwatch(apiKeyId: string, watcher: Watcher): void {
    const set = this.keys.get(apiKeyId);
    if (!set?.delete(watcher) || set.size > 0) return;
    this.keys.delete(apiKeyId);
    if (this.keys.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /**
   * Called once per check with each key found revoked, expired, deleted or narrowed (the key
   * cache forgets it, so the next request reads what the database says now).
   */
  onKeyChange(listener: (apiKeyId: string) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Re-checks every watched key now (the timer calls this; a check already running is joined, not repeated). */
  check(): Promise<void> {
    this.running ??= this.run([...this.keys.keys()]).finally(() => (this.running = null));
    return this.running;
  }

  /**
   * Checks these keys now, with a read that starts after the call: for a change this instance just
   * committed (a revocation), which a periodic check already under way may have read too early.
   * Keys nobody here watches cost nothing. Never throws (a database error is logged).
   */
  checkKeys(apiKeyIds: readonly string[]): Promise<void> {
    return this.run(apiKeyIds.filter((id) => this.keys.has(id)));
  }

  private async run(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const rows: Array<{ id: string; scopes: string[]; revokedAt: Date | null; expiresAt: Date | null }> = [];
    try {
      for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
        const chunk = ids.slice(i, i + IDS_PER_QUERY);
        // Bookkeeping of the instance, not of whatever request happened to start the timer.
        rows.push(
          ...(await uncounted(() =>
            this.prisma.apiKey.findMany({ where: { id: { in: chunk } }, select: { id: true, scopes: true, revokedAt: true, expiresAt: true } }),
          )),
        );
      }
    } catch (error) {
      this.log.warn({ err: error, keys: ids.length }, 'could not re-check the API keys of open connections; retrying on the next tick');
      return;
    }
    if (this.closed) return;
    // Taken after the read: a key that expired while the query ran counts as expired.
    const now = new Date();
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const id of ids) {
      const set = this.keys.get(id);
      if (!set) continue;
      const row = byId.get(id);
      let changed = false;
      for (const watcher of [...set]) {
        const verdict: KeyVerdict | null = !keyIsUsable(row, now)
          ? 'invalid'
          : watcher.scopes.some((scope) => !row.scopes.includes(scope))
            ? 'scopes-reduced'
            : null;
        if (!verdict) continue;
        changed = true;
        this.unwatch(id, watcher);
        this.notify(watcher, verdict);
      }
      if (changed) for (const listener of this.changeListeners) listener(id);
    }
  }

  private notify(watcher: Watcher, verdict: KeyVerdict): void {
    try {
      watcher.onVerdict(verdict);
    } catch (error) {
      // One faulty connection must not keep the others open.
      this.log.error({ err: error }, 'closing a connection after an API key check failed');
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.keys.clear();
  }
}

/**
 * The error that ends a subscription over HTTP whose key stopped working: UNAUTHENTICATED with the
 * words of an HTTP 401 and of the WebSocket close 4401 for a revoked, deleted or expired key;
 * FORBIDDEN (like the WebSocket close 4403) for a key that lost a scope it had when the stream
 * started — subscribing again is authorized with the key's current scopes.
 */
export function keyStoppedError(verdict: KeyVerdict): GraphQLError {
  return verdict === 'invalid'
    ? new GraphQLError('API key is invalid, revoked or expired', { extensions: { code: ErrorCode.UNAUTHENTICATED } })
    : new GraphQLError("The API key's scopes changed; subscribe again to be authorized with its current scopes", {
        extensions: { code: ErrorCode.FORBIDDEN },
      });
}

const INTERRUPTED = Symbol('interrupted');

/**
 * Passes a subscription's results through until its key's verdict arrives; then delivers the
 * closing error as the last result and completes, and returns the source (which ends its feed).
 * A pull waiting for the next event is answered at once: a quiet stream ends as promptly as a
 * busy one.
 */
function untilKeyStops(source: AsyncIterable<ExecutionResult>, watch: ApiKeyWatch, viewer: Viewer): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  let done = false;
  let closing: ExecutionResult | null = null;
  // Answers the pull in progress. One per pull, dropped after it: a promise shared by every pull
  // would collect a reaction per event for the stream's lifetime.
  let interrupt: (() => void) | null = null;
  const closeSource = () => {
    try {
      void Promise.resolve(iterator.return?.()).catch(() => undefined);
    } catch {
      // The source ended already.
    }
  };
  const unwatch = watch.watch(viewer.apiKeyId, viewer.scopes, (verdict) => {
    if (done) return;
    closing = { errors: [keyStoppedError(verdict)] };
    closeSource();
    interrupt?.();
  });
  const end = () => {
    if (done) return false;
    done = true;
    closing = null;
    unwatch();
    return true;
  };
  const wrapper: AsyncIterableIterator<ExecutionResult> = {
    [Symbol.asyncIterator]: () => wrapper,
    async next() {
      if (closing) {
        const value = closing;
        end();
        return { value, done: false };
      }
      if (done) return { value: undefined, done: true };
      let result: IteratorResult<ExecutionResult> | typeof INTERRUPTED;
      try {
        const interrupted = new Promise<typeof INTERRUPTED>((resolve) => (interrupt = () => resolve(INTERRUPTED)));
        result = await Promise.race([iterator.next(), interrupted]);
      } catch (error) {
        end();
        throw error;
      } finally {
        interrupt = null;
      }
      if (result === INTERRUPTED) return wrapper.next();
      if (result.done) end();
      return result;
    },
    async return() {
      if (end()) closeSource();
      return { value: undefined, done: true };
    },
    async throw(error?: unknown) {
      if (end()) closeSource();
      throw error;
    },
  };
  return wrapper;
}

/**
 * Subscriptions over HTTP (server-sent events; multipart too) are watched like WebSocket
 * connections: when the key is revoked, deleted or expires — or loses a scope it had when the
 * stream started — the stream delivers `keyStoppedError` and completes, within the watch's
 * interval (at once on this instance for a revocation through the API). Operations over a
 * WebSocket are left to their connection's watch (src/events/websocket.ts), which closes the
 * whole connection with 4401 or 4403.
 */
export function useHttpSubscriptionKeyWatch(): Plugin<Record<string, unknown>> {
  return {
    onSubscribe({ args }) {
      const ctx = args.contextValue as unknown as Partial<Context> & { connectionParams?: unknown };
      const { viewer, keyWatch } = ctx;
      // graphql-ws operations carry the connection_init payload; HTTP requests never do.
      if (!viewer || !keyWatch || ctx.connectionParams !== undefined) return;
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result)) setResult(untilKeyStops(result, keyWatch, viewer));
        },
      };
    },
  };
}
