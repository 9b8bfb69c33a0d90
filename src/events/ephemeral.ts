import type { WakeupBus } from './bus.ts';

/**
 * A live-only feed of one bus topic: what is broadcast while someone listens, nothing before,
 * nothing stored. A slow consumer loses the oldest messages (a stale typing indicator is worth
 * nothing) instead of growing a buffer.
 */
export function topicFeed<T>(
  bus: WakeupBus,
  topic: string,
  options: { maxBuffered: number; accept: (message: unknown) => message is T; track?: (s: { end(): void }) => () => void },
): AsyncIterableIterator<T> & { end(): void } {
  const queue: T[] = [];
  let waiter: (() => void) | null = null;
  let finished = false;
  const wakeWaiter = () => {
    const w = waiter;
    waiter = null;
    w?.();
  };
  const unlisten = bus.listen(topic, (message) => {
    if (finished || !options.accept(message)) return;
    queue.push(message);
    if (queue.length > options.maxBuffered) queue.shift();
    wakeWaiter();
  });
  let untrack: () => void = () => undefined;
  const feed = {
    [Symbol.asyncIterator]() {
      return feed;
    },
    end() {
      if (finished) return;
      finished = true;
      unlisten();
      untrack();
      wakeWaiter();
    },
    async next(): Promise<IteratorResult<T>> {
      for (;;) {
        const item = queue.shift();
        if (item !== undefined) return { value: item, done: false };
        if (finished) return { value: undefined, done: true };
        await new Promise<void>((resolve) => (waiter = resolve));
      }
    },
    async return(): Promise<IteratorResult<T>> {
      feed.end();
      return { value: undefined, done: true };
    },
    async throw(error?: unknown): Promise<IteratorResult<T>> {
      feed.end();
      throw error;
    },
  };
  untrack = options.track?.(feed) ?? untrack;
  return feed;
}
