import { keyIsUsable } from '../auth/viewer.ts';
import { uncounted } from '../db/query-counter.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Logger } from '../logger.ts';

/**
 * Keeps long-lived connections honest about their API key. A WebSocket authenticates once, at
 * `connection_init`; afterwards its key may be revoked, deleted, expire, or lose scopes. Every
 * `intervalMs` this instance reads the distinct keys of its open connections in one query (by
 * primary key) and tells each connection whose key no longer works, or lost a scope it had when
 * it connected. Nothing happens per event: the subscription fan-out never looks at keys. The
 * timer runs only while connections are watched, and a slow query is never stacked.
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

  /** Re-checks every watched key now (the timer calls this; a check already running is joined, not repeated). */
  check(): Promise<void> {
    this.running ??= this.run().finally(() => (this.running = null));
    return this.running;
  }

  private async run(): Promise<void> {
    const ids = [...this.keys.keys()];
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
      this.log.warn({ err: error, keys: ids.length }, 'could not re-check the API keys of open WebSocket connections; retrying on the next tick');
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
      for (const watcher of [...set]) {
        const verdict: KeyVerdict | null = !keyIsUsable(row, now)
          ? 'invalid'
          : watcher.scopes.some((scope) => !row.scopes.includes(scope))
            ? 'scopes-reduced'
            : null;
        if (!verdict) continue;
        this.unwatch(id, watcher);
        this.notify(watcher, verdict);
      }
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
