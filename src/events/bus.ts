import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

/**
 * Wake-up signals, never data: "workspace W has new events". The event table is the truth, so
 * a lost wake-up only delays delivery until the subscriber's next poll; nothing is ever lost.
 *
 * Besides wake-ups the bus carries ephemeral broadcasts (typing indicators): delivered to
 * whoever listens right now, never stored, never replayed.
 */
export type Listener = () => void;
export type MessageListener = (message: unknown) => void;

export interface WakeupBus {
  notify(workspaceId: string): Promise<void>;
  subscribe(workspaceId: string, listener: Listener): () => void;
  /** Ephemeral broadcast on a topic (e.g. "typing:<workspaceId>:<conversationId>"). */
  broadcast(topic: string, message: unknown): Promise<void>;
  listen(topic: string, listener: MessageListener): () => void;
  close(): Promise<void>;
  health(): { ok: boolean; detail?: string };
}

/** Local fan-out shared by both implementations: the instance that publishes delivers to its own listeners directly. */
class LocalTopics {
  private readonly topics = new Map<string, Set<MessageListener>>();

  add(topic: string, listener: MessageListener, onFirst?: () => void, onLast?: () => void): () => void {
    let set = this.topics.get(topic);
    if (!set) {
      set = new Set();
      this.topics.set(topic, set);
      onFirst?.();
    }
    // A wrapper, so the same function subscribed twice is two subscriptions.
    const entry: MessageListener = (m) => listener(m);
    set.add(entry);
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      set.delete(entry);
      if (set.size === 0 && this.topics.get(topic) === set) {
        this.topics.delete(topic);
        onLast?.();
      }
    };
  }

  deliver(topic: string, message: unknown): void {
    const set = this.topics.get(topic);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(message);
      } catch {
        // One faulty listener must not starve the others.
      }
    }
  }

  clear(): void {
    this.topics.clear();
  }
}

const wakeupTopic = (workspaceId: string) => `wakeup:${workspaceId}`;

/** One instance: everything stays in the process. */
export class InMemoryBus implements WakeupBus {
  private readonly local = new LocalTopics();

  async notify(workspaceId: string): Promise<void> {
    this.local.deliver(wakeupTopic(workspaceId), null);
  }

  subscribe(workspaceId: string, listener: Listener): () => void {
    return this.local.add(wakeupTopic(workspaceId), () => listener());
  }

  async broadcast(topic: string, message: unknown): Promise<void> {
    this.local.deliver(topic, message);
  }

  listen(topic: string, listener: MessageListener): () => void {
    return this.local.add(topic, listener);
  }

  async close(): Promise<void> {
    this.local.clear();
  }

  health() {
    return { ok: true };
  }
}

const CHANNEL_PREFIX = 'cxgraph:';

/**
 * Several instances: plain Redis PUBLISH/SUBSCRIBE on `cxgraph:wakeup:<workspaceId>` (and
 * `cxgraph:<topic>` for ephemeral broadcasts). Local listeners are served directly, so this
 * instance's own subscribers never depend on Redis; messages carry the instance id so an
 * instance ignores its own echo. While Redis is down, publishing fails fast (no offline queue:
 * a mutation must never wait on it), `health()` says so, and subscribers rely on polling;
 * ioredis reconnects with backoff and re-subscribes by itself.
 */
export class RedisBus implements WakeupBus {
  private readonly local = new LocalTopics();
  private readonly instance = randomUUID();
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private lastError: string | undefined;
  private lastLogged = 0;

  constructor(
    url: string,
    private readonly log: Logger,
  ) {
    const retryStrategy = (times: number) => Math.min(100 * 2 ** Math.min(times, 6), 5_000);
    this.publisher = new Redis(url, { retryStrategy, enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    // The subscriber keeps its offline queue: SUBSCRIBE issued while disconnected runs on reconnect.
    this.subscriber = new Redis(url, { retryStrategy, maxRetriesPerRequest: null, lazyConnect: false });
    for (const [role, client] of [['publisher', this.publisher], ['subscriber', this.subscriber]] as const) {
      client.on('error', (error: Error) => this.failed(role, error));
      client.on('ready', () => {
        if (this.lastError) this.log.info({ role }, 'redis connection restored');
        if (this.publisher.status === 'ready' && this.subscriber.status === 'ready') this.lastError = undefined;
      });
    }
    this.subscriber.on('message', (channel: string, raw: string) => this.received(channel, raw));
  }

  private failed(role: string, error: Error): void {
    this.lastError = `redis ${role}: ${error.message || error.name}`;
    // Reconnect attempts fail every few seconds while Redis is down; one log line per minute is enough.
    if (Date.now() - this.lastLogged > 60_000) {
      this.lastLogged = Date.now();
      this.log.warn({ err: error, role }, 'redis unavailable: live updates fall back to polling');
    }
  }

  private received(channel: string, raw: string): void {
    if (!channel.startsWith(CHANNEL_PREFIX)) return;
    let parsed: { from?: string; message?: unknown };
    try {
      parsed = JSON.parse(raw) as { from?: string; message?: unknown };
    } catch {
      return;
    }
    if (parsed.from === this.instance) return;
    this.local.deliver(channel.slice(CHANNEL_PREFIX.length), parsed.message ?? null);
  }

  private async publish(topic: string, message: unknown): Promise<void> {
    this.local.deliver(topic, message);
    if (this.publisher.status !== 'ready') return;
    try {
      await this.publisher.publish(CHANNEL_PREFIX + topic, JSON.stringify({ from: this.instance, message }));
    } catch (error) {
      this.failed('publisher', error as Error);
    }
  }

  private add(topic: string, listener: MessageListener): () => void {
    const channel = CHANNEL_PREFIX + topic;
    return this.local.add(
      topic,
      listener,
      () => void this.subscriber.subscribe(channel).catch((error: Error) => this.failed('subscriber', error)),
      () => void this.subscriber.unsubscribe(channel).catch(() => undefined),
    );
  }

  notify(workspaceId: string): Promise<void> {
    return this.publish(wakeupTopic(workspaceId), null);
  }

  subscribe(workspaceId: string, listener: Listener): () => void {
    return this.add(wakeupTopic(workspaceId), () => listener());
  }

  broadcast(topic: string, message: unknown): Promise<void> {
    return this.publish(topic, message);
  }

  listen(topic: string, listener: MessageListener): () => void {
    return this.add(topic, listener);
  }

  async close(): Promise<void> {
    this.local.clear();
    // QUIT would wait for a connection that may never come back; a dead link is simply dropped.
    await Promise.all(
      [this.publisher, this.subscriber].map(async (c) => {
        if (c.status !== 'ready') return c.disconnect();
        await Promise.race([c.quit(), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]).catch(() => undefined);
        c.disconnect();
      }),
    );
  }

  health() {
    const ok = this.publisher.status === 'ready' && this.subscriber.status === 'ready';
    return ok ? { ok } : { ok, detail: this.lastError ?? `redis is ${this.publisher.status}/${this.subscriber.status}; subscribers poll the event table` };
  }
}

export function createWakeupBus(redisUrl: string | null, log: Logger): WakeupBus {
  return redisUrl ? new RedisBus(redisUrl, log) : new InMemoryBus();
}
