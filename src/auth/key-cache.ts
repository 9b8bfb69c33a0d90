import type { PrismaClient } from '../generated/prisma/client.ts';
import type { WakeupBus } from '../events/bus.ts';
import type { Logger } from '../logger.ts';
import { hashApiKey } from './api-keys.ts';
import { bearerKey, findKeyRecord, LAST_USED_RESOLUTION_MS, recordKeyUse, viewerOf, type KeyRecord, type Viewer } from './viewer.ts';

/**
 * API keys of HTTP requests, verified without a database round trip on the hot path (issue 12:
 * every request read its key before doing anything else).
 *
 * A key's record is kept for `ttlMs` after it was read, keyed by the key's SHA-256. What may
 * change about a key, and how fast each instance sees it:
 * - expiry: checked against the clock on every request, cached or not;
 * - revocation through `revokeApiKey`: at once, on every instance — the revoking instance drops
 *   its entry and broadcasts the key's id on the event bus (Redis when configured);
 * - anything written to the database behind the API's back (a key deleted or its scopes edited
 *   by hand): within `ttlMs`.
 * Keys that do not exist are never cached, so a key created a moment ago works at once.
 * `lastUsedAt` is written at most once a minute per key and instance, never awaited by a request.
 */

export const KEY_CHANGED_TOPIC = 'api-keys:changed';

interface Entry {
  record: KeyRecord;
  readAt: number;
}

export interface ApiKeyCacheOptions {
  /** How long a key's record is trusted; 0 reads the key on every request. */
  ttlMs: number;
  /** Most keys kept; the least recently read is dropped first. */
  maxEntries?: number;
}

export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();
  /** Reads in flight, so a burst of requests with a cold key reads it once. */
  private readonly loading = new Map<string, Promise<KeyRecord | null>>();
  private readonly maxEntries: number;
  private readonly unlisten: () => void;
  /** Bumped by every invalidation: a read that started before one must not put its record back. */
  private generation = 0;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly bus: WakeupBus,
    private readonly options: ApiKeyCacheOptions,
    private readonly log?: Logger,
  ) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.unlisten = bus.listen(KEY_CHANGED_TOPIC, (message) => {
      const apiKeyId = (message as { apiKeyId?: unknown } | null)?.apiKeyId;
      if (typeof apiKeyId === 'string') this.drop(apiKeyId);
    });
  }

  /** Distinct keys cached now. */
  get size(): number {
    return this.entries.size;
  }

  /** The viewer of an `Authorization` value: null without one, a 401 error for a bad, unknown, revoked or expired key. */
  async viewer(authorization: string | null | undefined, now = new Date()): Promise<Viewer | null> {
    const key = bearerKey(authorization);
    if (key === null) return null;
    const hashedKey = hashApiKey(key);
    let entry = this.entries.get(hashedKey);
    if (!entry || now.getTime() - entry.readAt > this.options.ttlMs) {
      const generation = this.generation;
      const readAt = Date.now();
      const record = await this.read(hashedKey);
      entry = record ? { record, readAt } : undefined;
      if (entry && generation === this.generation) this.remember(hashedKey, entry);
    }
    const viewer = viewerOf(entry?.record, now);
    const record = entry!.record;
    if (!record.lastUsedAt || now.getTime() - record.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      record.lastUsedAt = now;
      recordKeyUse(this.prisma, record.id, now);
    }
    return viewer;
  }

  /** Forgets a key here and on every other instance (after a revocation has committed). */
  async invalidate(apiKeyId: string): Promise<void> {
    this.drop(apiKeyId);
    try {
      await this.bus.broadcast(KEY_CHANGED_TOPIC, { apiKeyId });
    } catch (error) {
      // Other instances still stop trusting the key within ttlMs.
      this.log?.warn({ err: error, apiKeyId }, 'could not tell other instances that an API key changed');
    }
  }

  close(): void {
    this.unlisten();
    this.entries.clear();
  }

  private read(hashedKey: string): Promise<KeyRecord | null> {
    let pending = this.loading.get(hashedKey);
    if (!pending) {
      pending = findKeyRecord(this.prisma, hashedKey).finally(() => this.loading.delete(hashedKey));
      this.loading.set(hashedKey, pending);
    }
    return pending;
  }

  private remember(hashedKey: string, entry: Entry): void {
    if (this.options.ttlMs <= 0) return;
    this.entries.delete(hashedKey);
    this.entries.set(hashedKey, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  private drop(apiKeyId: string): void {
    this.generation += 1;
    for (const [hashedKey, entry] of this.entries) {
      if (entry.record.id === apiKeyId) this.entries.delete(hashedKey);
    }
  }
}
