import type { WakeupBus } from './bus.ts';
import { FeedRegistry } from './feed.ts';

/** Settings and bookkeeping of live updates, shared by every request of one instance (`ctx.events`). */
export interface LiveEvents {
  bus: WakeupBus;
  /** One shared event reader per workspace with live subscribers. */
  feeds: FeedRegistry;
  pollMs: number;
  maxBuffered: number;
  retentionMs: number;
  /** `metricUpdated`: least time between two pushes to one subscription. */
  metricPushMs: number;
  /**
   * Shares one fetch among the subscribers that resolve the same event with the same selection
   * and scopes (the key says so): a broadcast to N subscribers costs one query per distinct
   * selection, not N. Entries live for a few seconds only.
   */
  shared<T>(key: string, load: () => Promise<T>): Promise<T>;
  /** Tracks an open stream so shutdown can end it (SSE responses would otherwise hold the server open). */
  track(stream: { end(): void }): () => void;
  /** Ends every open stream; new streams end at once. */
  endAll(): void;
  readonly ending: boolean;
}

export interface LiveEventsOptions {
  pollMs?: number;
  maxBuffered?: number;
  retentionDays?: number;
  metricPushMs?: number;
}

const SHARED_TTL_MS = 10_000;
const SHARED_MAX = 20_000;

export function createLiveEvents(bus: WakeupBus, options: LiveEventsOptions = {}): LiveEvents {
  const open = new Set<{ end(): void }>();
  // Insertion order is age order: pruning drops from the front.
  const shared = new Map<string, { at: number; value: Promise<unknown> }>();
  let ending = false;
  const pollMs = options.pollMs ?? 5_000;
  return {
    bus,
    feeds: new FeedRegistry(bus, pollMs),
    pollMs,
    maxBuffered: options.maxBuffered ?? 1_000,
    retentionMs: (options.retentionDays ?? 7) * 86_400_000,
    metricPushMs: options.metricPushMs ?? 2_000,
    shared<T>(key: string, load: () => Promise<T>): Promise<T> {
      const now = Date.now();
      const hit = shared.get(key);
      if (hit && now - hit.at < SHARED_TTL_MS) return hit.value as Promise<T>;
      for (const [k, entry] of shared) {
        if (shared.size < SHARED_MAX && now - entry.at < SHARED_TTL_MS) break;
        shared.delete(k);
      }
      const value = load();
      shared.delete(key);
      shared.set(key, { at: now, value });
      // A failed fetch is not remembered: the next subscriber tries again.
      value.catch(() => shared.get(key)?.value === value && shared.delete(key));
      return value;
    },
    track(stream) {
      if (ending) {
        stream.end();
        return () => undefined;
      }
      open.add(stream);
      return () => void open.delete(stream);
    },
    endAll() {
      ending = true;
      for (const stream of [...open]) stream.end();
      open.clear();
      this.feeds.closeAll();
    },
    get ending() {
      return ending;
    },
  };
}
