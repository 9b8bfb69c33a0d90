/**
 * Serving limits of src/guards/: what one operation may ask for, and the leaky bucket of cost
 * points every caller draws from. Defaults here; src/config.ts reads each from the environment.
 */
export interface GuardLimits {
  /** Static cost of one operation (src/guards/cost.ts). */
  maxCost: number;
  /** Field nesting, every field counts (a connection's `edges` and `node` too). */
  maxDepth: number;
  /** Aliased fields in the whole document. */
  maxAliases: number;
  /** Lexical tokens of the document; the parser stops at the first one over. */
  maxTokens: number;
  /** Bytes of the document text (UTF-8). */
  maxDocumentBytes: number;
  /** Directives used in the whole document. */
  maxDirectives: number;
}

export interface RateLimitConfig {
  /** Points a caller's bucket holds when full (and the most one operation may spend at once). */
  bucketSize: number;
  /** Points restored per second. */
  restorePerSecond: number;
}

export const DEFAULT_LIMITS: GuardLimits = {
  maxCost: 1000,
  maxDepth: 12,
  maxAliases: 30,
  maxTokens: 5_000,
  maxDocumentBytes: 100_000,
  maxDirectives: 50,
};

export const DEFAULT_RATE_LIMIT: RateLimitConfig = { bucketSize: 2_000, restorePerSecond: 100 };
