import path from 'node:path';
import type { DatabaseTimeouts } from './db/timeouts.ts';
import type { ConcurrencyLimits } from './guards/concurrency.ts';
import { DEFAULT_LIMITS, DEFAULT_RATE_LIMIT, type GuardLimits, type RateLimitConfig } from './guards/limits.ts';

/**
 * A configuration or start-up problem the operator can fix. Entry points print its message as
 * one line and exit non-zero; it never carries a stack trace to the terminal.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export type DatabaseConfig =
  | { kind: 'pglite'; dataDir: string | 'memory' }
  | { kind: 'postgres'; url: string; host: string; database: string; poolMax: number };

export interface Config {
  database: DatabaseConfig;
  host: string;
  port: number;
  logLevel: LogLevel;
  /** Seed the demo workspace when the database has no workspace yet. */
  seedDemo: boolean;
  /** Fixed demo API key, or undefined to generate one. */
  demoApiKey: string | undefined;
  /** Milliseconds to let in-flight requests finish on SIGTERM before closing connections. */
  shutdownGraceMs: number;
  /** Live updates (subscriptions); see src/events/. */
  events: EventsConfig;
  /** The `ticket.sla_breached` sweeper; see src/events/sla-breaches.ts. */
  slaBreaches: SlaBreachConfig;
  /** How long an HTTP request may trust a cached API key record (src/auth/key-cache.ts); 0: read it every time. */
  apiKeyCacheMs: number;
  /** What the HTTP endpoint exposes and how it answers retried mutations; see src/app.ts and src/guards/. */
  http: HttpConfig;
  /** Statement and connection time limits (src/db/timeouts.ts). */
  databaseTimeouts: DatabaseTimeouts;
  /** Concurrent metrics and searches per workspace on this instance (src/guards/concurrency.ts). */
  concurrency: ConcurrencyLimits;
  /** Input hygiene; see src/guards/input-hygiene.ts. */
  input: InputConfig;
  /** Query cost and document limits (src/guards/). */
  limits: GuardLimits;
  /** Leaky bucket of cost points per API key (shared through Redis when REDIS_URL is set). */
  rateLimit: RateLimitConfig;
}

export interface HttpConfig {
  /**
   * Origins a browser may call the API from: `['*']` any (never with credentials: keys are
   * bearer headers, not cookies), `[]` none, otherwise exact origins such as `https://inbox.example.com`.
   */
  corsOrigins: readonly string[];
  /** "Did you mean …" in validation errors; they tell a stranger the schema's names, so off in production. */
  fieldSuggestions: boolean;
  idempotency: IdempotencyConfig;
}

export interface IdempotencyConfig {
  /** How long a stored response is replayed to requests with the same `Idempotency-Key`. */
  ttlMs: number;
  /** How long a duplicate that arrives while the first request runs waits for it before answering IDEMPOTENCY_KEY_IN_USE. */
  waitMs: number;
  /** How often this instance deletes expired keys; 0: never on this instance. */
  sweepMs: number;
}

export interface InputConfig {
  /** Largest request body; a bigger one is refused with HTTP 413 before it is read whole. */
  maxBodyBytes: number;
  /** Deepest nesting of objects and arrays in one JSON argument. */
  maxJsonDepth: number;
  /** Largest JSON argument, in bytes of its serialization. */
  maxJsonBytes: number;
}

export const DEFAULT_INPUT_CONFIG: InputConfig = { maxBodyBytes: 1_048_576, maxJsonDepth: 32, maxJsonBytes: 65_536 };

export interface SlaBreachConfig {
  /** How often this instance looks for SLA targets whose due time passed; 0: this instance never sweeps. */
  sweepMs: number;
  /** Breaches claimed per statement (a backlog is worked off in several, one after the other). */
  batchSize: number;
  /** Due times further back than this are never announced (a backlog after a long outage, or the first start). */
  lookbackMs: number;
}

export interface EventsConfig {
  /** Redis for cross-instance wake-ups; null: in-memory (one instance). */
  redisUrl: string | null;
  /** How often a workspace's shared reader re-reads the event table without a wake-up (events of other instances without Redis). */
  pollMs: number;
  /** Events one subscriber may fall behind by before its stream ends (it resumes from its cursor). */
  maxBuffered: number;
  /** Resume cursors older than this are refused with CURSOR_EXPIRED. */
  retentionDays: number;
  /** graphql-ws limits, per connection and per API key on one instance. */
  maxSubscriptionsPerConnection: number;
  maxConnectionsPerKey: number;
  /**
   * How often the API keys of open WebSocket connections and server-sent-event subscriptions are
   * re-checked (one query per instance for all of them): a revoked, deleted or expired key's
   * connection is closed, and its streams ended, within about this long.
   */
  keyRecheckMs: number;
  /** `metricUpdated`: the least time between two pushes to one subscription (a subscription may ask for more). */
  metricPushMs: number;
}

type Env = Record<string, string | undefined>;

function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new StartupError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new StartupError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** 0 turns the sweeper off on this instance; otherwise at least 100 ms. */
function readSweepMs(env: Env): number {
  const value = readInt(env, 'CXGRAPH_SLA_SWEEP_MS', 15_000, 0, 3_600_000);
  if (value > 0 && value < 100) throw new StartupError(`CXGRAPH_SLA_SWEEP_MS must be 0 (off) or between 100 and 3600000, got ${value}`);
  return value;
}

function readBool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new StartupError(`${name} must be true or false, got "${raw}"`);
}

/** `*`, `none`, or a comma list of origins (scheme://host[:port], nothing after it). */
function readCorsOrigins(env: Env): string[] {
  const raw = env.CXGRAPH_CORS_ORIGINS?.trim();
  if (!raw || raw === '*') return ['*'];
  if (raw.toLowerCase() === 'none') return [];
  const origins = raw.split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of origins) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (origin === '*' || !url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== origin.replace(/\/$/, '')) {
      throw new StartupError(
        `CXGRAPH_CORS_ORIGINS must be *, none, or a comma list of origins like https://inbox.example.com (no path), got "${origin}"`,
      );
    }
  }
  return origins.map((o) => o.replace(/\/$/, ''));
}

/** The HTTP endpoint's settings (exported: createApp uses the defaults when a test passes none). */
export function readHttpConfig(env: Env = {}): HttpConfig {
  const production = env.NODE_ENV?.trim() === 'production';
  const sweepMs = readInt(env, 'CXGRAPH_IDEMPOTENCY_SWEEP_MS', 600_000, 0, 86_400_000);
  if (sweepMs > 0 && sweepMs < 1_000) throw new StartupError(`CXGRAPH_IDEMPOTENCY_SWEEP_MS must be 0 (off) or between 1000 and 86400000, got ${sweepMs}`);
  return {
    corsOrigins: readCorsOrigins(env),
    fieldSuggestions: readBool(env, 'CXGRAPH_FIELD_SUGGESTIONS', !production),
    idempotency: {
      ttlMs: readInt(env, 'CXGRAPH_IDEMPOTENCY_TTL_HOURS', 24, 1, 24 * 30) * 3_600_000,
      waitMs: readInt(env, 'CXGRAPH_IDEMPOTENCY_WAIT_MS', 5_000, 0, 60_000),
      sweepMs,
    },
  };
}

export function parseDatabaseUrl(raw: string, poolMax: number): DatabaseConfig {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new StartupError('DATABASE_URL is not a valid URL (expected postgres://user:password@host:5432/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new StartupError(
      `DATABASE_URL must start with postgres:// or postgresql://, got "${url.protocol}//" (unset it to use the embedded database)`,
    );
  }
  if (!url.hostname) throw new StartupError('DATABASE_URL has no host name');
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) throw new StartupError('DATABASE_URL names no database (add /<database> after the host)');
  return { kind: 'postgres', url: raw, host: url.port ? `${url.hostname}:${url.port}` : url.hostname, database, poolMax };
}

export function parseRedisUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new StartupError('REDIS_URL is not a valid URL (expected redis://host:6379 or rediss://host:6380)');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new StartupError(`REDIS_URL must start with redis:// or rediss://, got "${url.protocol}//" (unset it for in-memory events)`);
  }
  if (!url.hostname) throw new StartupError('REDIS_URL has no host name');
  return raw;
}

/** Reads the environment once; every value is validated so a typo fails fast with its name. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const poolMax = readInt(env, 'DATABASE_POOL_MAX', 10, 1, 1000);
  const dbUrl = env.DATABASE_URL?.trim();
  let database: DatabaseConfig;
  if (dbUrl) {
    database = parseDatabaseUrl(dbUrl, poolMax);
  } else {
    const dir = env.CXGRAPH_DATA_DIR?.trim() || '.data';
    database = { kind: 'pglite', dataDir: dir === 'memory' ? 'memory' : path.resolve(cwd, dir) };
  }

  const logLevel = (env.LOG_LEVEL?.trim().toLowerCase() || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new StartupError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }

  const demoApiKey = env.CXGRAPH_DEMO_API_KEY?.trim() || undefined;
  if (demoApiKey !== undefined && (demoApiKey.length < 16 || /\s/.test(demoApiKey))) {
    throw new StartupError('CXGRAPH_DEMO_API_KEY must be at least 16 characters with no spaces');
  }

  return {
    database,
    host: env.HOST?.trim() || '127.0.0.1',
    port: readInt(env, 'PORT', 4000, 0, 65535),
    logLevel,
    seedDemo: readBool(env, 'CXGRAPH_SEED_DEMO', true),
    demoApiKey,
    shutdownGraceMs: readInt(env, 'CXGRAPH_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    events: {
      redisUrl: env.REDIS_URL?.trim() ? parseRedisUrl(env.REDIS_URL.trim()) : null,
      pollMs: readInt(env, 'CXGRAPH_EVENT_POLL_MS', 5_000, 50, 600_000),
      maxBuffered: readInt(env, 'CXGRAPH_SUBSCRIPTION_BUFFER', 1_000, 10, 100_000),
      retentionDays: readInt(env, 'CXGRAPH_EVENT_RETENTION_DAYS', 7, 1, 3650),
      maxSubscriptionsPerConnection: readInt(env, 'CXGRAPH_WS_MAX_SUBSCRIPTIONS', 50, 1, 10_000),
      maxConnectionsPerKey: readInt(env, 'CXGRAPH_WS_MAX_CONNECTIONS_PER_KEY', 100, 1, 100_000),
      keyRecheckMs: readInt(env, 'CXGRAPH_WS_KEY_RECHECK_MS', 5_000, 100, 60_000),
      metricPushMs: readInt(env, 'CXGRAPH_METRIC_PUSH_MS', 2_000, 100, 3_600_000),
    },
    apiKeyCacheMs: readInt(env, 'CXGRAPH_API_KEY_CACHE_MS', 10_000, 0, 300_000),
    limits: {
      maxCost: readInt(env, 'CXGRAPH_MAX_COST', DEFAULT_LIMITS.maxCost, 1, 10_000_000),
      maxDepth: readInt(env, 'CXGRAPH_MAX_DEPTH', DEFAULT_LIMITS.maxDepth, 1, 1_000),
      maxAliases: readInt(env, 'CXGRAPH_MAX_ALIASES', DEFAULT_LIMITS.maxAliases, 0, 100_000),
      maxTokens: readInt(env, 'CXGRAPH_MAX_TOKENS', DEFAULT_LIMITS.maxTokens, 100, 10_000_000),
      maxDocumentBytes: readInt(env, 'CXGRAPH_MAX_DOCUMENT_BYTES', DEFAULT_LIMITS.maxDocumentBytes, 1_000, 100_000_000),
      maxDirectives: readInt(env, 'CXGRAPH_MAX_DIRECTIVES', DEFAULT_LIMITS.maxDirectives, 0, 100_000),
    },
    rateLimit: {
      bucketSize: readInt(env, 'CXGRAPH_RATE_LIMIT_POINTS', DEFAULT_RATE_LIMIT.bucketSize, 1, 100_000_000),
      restorePerSecond: readInt(env, 'CXGRAPH_RATE_LIMIT_RESTORE_PER_SECOND', DEFAULT_RATE_LIMIT.restorePerSecond, 1, 10_000_000),
    },
    slaBreaches: {
      sweepMs: readSweepMs(env),
      batchSize: readInt(env, 'CXGRAPH_SLA_SWEEP_BATCH', 500, 1, 10_000),
      lookbackMs: readInt(env, 'CXGRAPH_SLA_BREACH_LOOKBACK_HOURS', 24, 1, 24 * 366) * 3_600_000,
    },
    http: readHttpConfig(env),
    databaseTimeouts: {
      statementMs: readInt(env, 'CXGRAPH_STATEMENT_TIMEOUT_MS', 10_000, 100, 3_600_000),
      metricStatementMs: readInt(env, 'CXGRAPH_METRICS_STATEMENT_TIMEOUT_MS', 30_000, 100, 3_600_000),
      connectMs: readInt(env, 'CXGRAPH_DATABASE_CONNECT_TIMEOUT_MS', 2_000, 100, 60_000),
    },
    concurrency: {
      perWorkspace: readInt(env, 'CXGRAPH_EXPENSIVE_CONCURRENCY', 2, 1, 1_000),
      queue: readInt(env, 'CXGRAPH_EXPENSIVE_QUEUE', 30, 0, 10_000),
    },
    input: {
      maxBodyBytes: readInt(env, 'CXGRAPH_MAX_BODY_BYTES', DEFAULT_INPUT_CONFIG.maxBodyBytes, 1_024, 1_073_741_824),
      maxJsonDepth: readInt(env, 'CXGRAPH_MAX_JSON_DEPTH', DEFAULT_INPUT_CONFIG.maxJsonDepth, 1, 1_000),
      maxJsonBytes: readInt(env, 'CXGRAPH_MAX_JSON_BYTES', DEFAULT_INPUT_CONFIG.maxJsonBytes, 64, 1_073_741_824),
    },
  };
}
