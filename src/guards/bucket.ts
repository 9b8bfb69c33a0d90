import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { RateLimitConfig } from './limits.ts';

/** A bucket after a take or a refund. */
export interface BucketState {
  /** The points were taken (a refund always succeeds). */
  allowed: boolean;
  /** Points left, after the take when it was allowed. */
  available: number;
}

/**
 * Leaky buckets of cost points, one per caller: full at `bucketSize`, refilled continuously at
 * `restorePerSecond`. `take(key, n)` spends n points if the bucket holds them; a negative n
 * gives points back (Shopify refunds the difference between requested and actual cost).
 */
export interface CostBuckets {
  take(key: string, points: number): Promise<BucketState>;
  close(): Promise<void>;
}

interface Level {
  available: number;
  at: number;
}

/** One instance's buckets. Full buckets are forgotten, so idle callers take no memory. */
export class MemoryBuckets implements CostBuckets {
  private readonly levels = new Map<string, Level>();
  private lastSweep = Date.now();

  constructor(
    private readonly config: RateLimitConfig,
    private readonly now: () => number = Date.now,
  ) {}

  private level(key: string, now: number): number {
    const level = this.levels.get(key);
    if (!level) return this.config.bucketSize;
    return Math.min(this.config.bucketSize, level.available + ((now - level.at) / 1000) * this.config.restorePerSecond);
  }

  async take(key: string, points: number): Promise<BucketState> {
    const now = this.now();
    this.sweep(now);
    const before = this.level(key, now);
    const allowed = points <= before;
    const available = allowed ? Math.min(this.config.bucketSize, before - points) : before;
    if (available >= this.config.bucketSize) this.levels.delete(key);
    else this.levels.set(key, { available, at: now });
    return { allowed, available };
  }

  /** Drops buckets that have refilled, at most once per refill period. */
  private sweep(now: number): void {
    const refillMs = (this.config.bucketSize / this.config.restorePerSecond) * 1000;
    if (now - this.lastSweep < refillMs) return;
    this.lastSweep = now;
    for (const [key] of this.levels) if (this.level(key, now) >= this.config.bucketSize) this.levels.delete(key);
  }

  async close(): Promise<void> {
    this.levels.clear();
  }
}

/**
 * One atomic step on a bucket stored as a hash {a: available, t: ms}: refill for the time since
 * `t` (Redis' own clock, so instances with skewed clocks agree), then take or refund. The key
 * expires once the bucket would be full again.
 */
const TAKE_SCRIPT = `
local size = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local points = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local saved = redis.call('HMGET', KEYS[1], 'a', 't')
local available = tonumber(saved[1])
local at = tonumber(saved[2])
if available == nil or at == nil then available = size; at = now end
available = math.min(size, available + math.max(0, now - at) * rate / 1000)
local allowed = 0
if points <= available then
  available = math.min(size, available - points)
  allowed = 1
end
redis.call('HSET', KEYS[1], 'a', tostring(available), 't', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((size - available) * 1000 / rate) + 1000)
return {allowed, tostring(available)}
`;

/**
 * Buckets shared by every instance through Redis (one Lua script per take: no read-modify-write
 * race between instances). When Redis does not answer, this instance's memory buckets serve
 * instead, with a warning at most every 30 s: the limiter never fails a request.
 */
export class RedisBuckets implements CostBuckets {
  private readonly redis: Redis;
  private readonly fallback: MemoryBuckets;
  private lastWarning = 0;

  constructor(
    url: string,
    private readonly config: RateLimitConfig,
    private readonly log: Logger,
    private readonly prefix = 'cxgraph:cost:',
  ) {
    this.fallback = new MemoryBuckets(config);
    this.redis = new Redis(url, {
      lazyConnect: false,
      // A command waits for the first connection (so a fresh instance shares the bucket at once),
      // is never retried, and gives up after 500 ms: a request whose Redis is away goes on with
      // the memory bucket instead of waiting for it to come back.
      maxRetriesPerRequest: 0,
      commandTimeout: 500,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
    });
    this.redis.on('error', () => undefined);
    this.redis.defineCommand('cxgraphTakeCost', { numberOfKeys: 1, lua: TAKE_SCRIPT });
  }

  async take(key: string, points: number): Promise<BucketState> {
    try {
      const [allowed, available] = (await (this.redis as unknown as {
        cxgraphTakeCost(key: string, size: number, rate: number, points: number): Promise<[number, string]>;
      }).cxgraphTakeCost(this.prefix + key, this.config.bucketSize, this.config.restorePerSecond, points)) ?? [];
      return { allowed: allowed === 1, available: Number(available) };
    } catch (error) {
      const now = Date.now();
      if (now - this.lastWarning > 30_000) {
        this.lastWarning = now;
        this.log.warn({ err: error }, 'rate limiter: Redis did not answer; using this instance\'s in-memory buckets');
      }
      return this.fallback.take(key, points);
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    await this.fallback.close();
  }
}
