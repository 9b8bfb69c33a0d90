import type { WakeupBus } from './bus.ts';

/** Settings and bookkeeping of live updates, shared by every request of one instance (`ctx.events`). */
export interface LiveEvents {
  bus: WakeupBus;
  pollMs: number;
  maxBuffered: number;
  retentionMs: number;
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
}

export function createLiveEvents(bus: WakeupBus, options: LiveEventsOptions = {}): LiveEvents {
  const open = new Set<{ end(): void }>();
  let ending = false;
  return {
    bus,
    pollMs: options.pollMs ?? 5_000,
    maxBuffered: options.maxBuffered ?? 1_000,
    retentionMs: (options.retentionDays ?? 7) * 86_400_000,
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
    },
    get ending() {
      return ending;
    },
  };
}
