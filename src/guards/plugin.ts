import { GraphQLError, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { hashApiKey } from '../auth/api-keys.ts';
import { authorizationOf, bearerKey } from '../auth/viewer.ts';
import { ErrorCode } from '../errors.ts';
import { actualCost, requestedCost } from './cost.ts';
import type { CostBuckets } from './bucket.ts';
import type { GuardLimits, RateLimitConfig } from './limits.ts';
import { countTokens, tooComplex } from './refusals.ts';
import { measureDocument } from './shape.ts';

/**
 * The serving guards of one app, in the order a request meets them — all before the context
 * factory, so a refused request never reaches the database:
 *   1. onParams   document size (bytes of the query text);
 *   2. onParse    token limit inside the parser (graphql-js `maxTokens`: a 2 MB document of
 *                 110,000 aliases stops at token 5,001, no AST is built);
 *   3. onValidate depth, aliases, directives before schema validation; the requested cost after
 *                 it (it needs the variables, so it is never cached with the validation result);
 *   4. admit()    first thing in the context factory (src/app.ts): the caller's leaky bucket pays
 *                 the requested cost, or the request ends with 429 RATE_LIMITED;
 *   5. onExecuteDone  the difference between requested and actual cost goes back to the bucket,
 *                 and the result gets `extensions.cost`.
 * HTTP and graphql-ws share 1–4 (src/events/websocket.ts builds each operation with
 * `getEnveloped`); a subscription pays its operation's cost once, when it starts.
 *
 * Why not GraphQL Armor's max-depth / max-aliases / max-directives / max-tokens plugins: their
 * rules report a message only (the figure is in the text), where our contract is
 * `extensions: { code: QUERY_TOO_COMPLEX, <figure>, limit }`; the depth, aliases and directives
 * are one pass over the document here (shape.ts), and the token limit is the parser's own
 * `maxTokens` option, which is exactly what Armor's max-tokens plugin sets.
 */

export interface CostGuardOptions {
  limits: GuardLimits;
  rateLimit: RateLimitConfig;
  buckets: CostBuckets;
}

/** What one operation has been charged, kept on its context (and by its HTTP request). */
export interface CostState {
  bucket: string;
  requested: number;
  /** Points taken from the bucket so far (0 until admitted; requested − refund after execution). */
  charged: number;
  actual: number | null;
  /** Bucket level after the last take or refund; null until the bucket was asked. */
  available: number | null;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * Every operation takes at least this from its bucket, even one whose cost is 0 (introspection,
 * `__typename`) or that returned nothing: parsing, validating and answering it is work too, and
 * keyless callers, whose operations fail before returning data, are limited all the same.
 */
export const MIN_CHARGE = 1;

const STATE = Symbol.for('cxgraph.guards.cost');

interface GuardedContext {
  [STATE]?: CostState;
  request?: Request;
  req?: { socket?: { remoteAddress?: string } };
  connectionParams?: Record<string, unknown>;
  params?: { operationName?: string | null; variables?: Record<string, unknown> | null };
}

/**
 * Whose bucket pays: the API key (hashed, so no lookup is needed before admission), else the
 * client address of the connection. Behind a proxy every keyless caller shares the proxy's
 * address; keys are the unit partners are limited by.
 */
export function bucketOf(context: GuardedContext): string {
  let key: string | null = null;
  try {
    key = bearerKey(authorizationOf(context.request, context.connectionParams));
  } catch {
    // A malformed header is refused with 401 after admission; until then it pays as its address.
  }
  return key ? `key:${hashApiKey(key).slice(0, 32)}` : `ip:${context.req?.socket?.remoteAddress ?? 'unknown'}`;
}

export function costExtension(state: CostState | undefined, rateLimit: RateLimitConfig) {
  return {
    requestedQueryCost: state?.requested ?? 0,
    actualQueryCost: state?.actual ?? 0,
    throttleStatus: {
      maximumAvailable: rateLimit.bucketSize,
      currentlyAvailable: Math.floor(state?.available ?? rateLimit.bucketSize),
      restoreRate: rateLimit.restorePerSecond,
    },
  };
}

/** IETF draft-ietf-httpapi-ratelimit-headers: one policy named "cost", quota in points over a full refill. */
export function rateLimitHeaders(state: CostState | undefined, rateLimit: RateLimitConfig, retryAfter?: number): Record<string, string> {
  const window = Math.ceil(rateLimit.bucketSize / rateLimit.restorePerSecond);
  const available = Math.max(0, Math.floor(state?.available ?? rateLimit.bucketSize));
  const reset = retryAfter ?? Math.ceil((rateLimit.bucketSize - available) / rateLimit.restorePerSecond);
  return {
    'RateLimit-Policy': `"cost";q=${rateLimit.bucketSize};w=${window}`,
    RateLimit: `"cost";r=${available};t=${reset}`,
  };
}

/**
 * Yoga marks errors raised while parsing as GraphQL-over-HTTP "spec" errors, answered 200 to an
 * `application/json` client; a refusal by the token limit is a refusal like the others: 400.
 */
function withRefusalStatus(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.some((e) => e.extensions?.code === ErrorCode.QUERY_TOO_COMPLEX && (e.extensions.http as { spec?: boolean } | undefined)?.spec)) {
    return result;
  }
  const errors = result.errors.map((e) =>
    e.extensions?.code === ErrorCode.QUERY_TOO_COMPLEX
      ? new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, extensions: { ...e.extensions, http: { status: 400 } } })
      : e,
  );
  return { ...result, errors };
}

export class CostGuard {
  private readonly byRequest = new WeakMap<Request, CostState>();

  constructor(private readonly options: CostGuardOptions) {}

  /**
   * Pays for the operation the context belongs to, before anything else builds the context.
   * Throws RATE_LIMITED (HTTP 429) when the bucket cannot pay.
   */
  async admit(context: object): Promise<void> {
    const state = (context as GuardedContext)[STATE];
    if (!state || state.charged > 0) return;
    const price = Math.max(MIN_CHARGE, state.requested);
    const { allowed, available } = await this.options.buckets.take(state.bucket, price);
    state.available = available;
    if (allowed) {
      state.charged = price;
      return;
    }
    const { rateLimit } = this.options;
    const retryAfter = Math.max(1, Math.ceil((price - available) / rateLimit.restorePerSecond));
    throw new GraphQLError(
      `Rate limited: this operation needs ${price} points and ${Math.floor(available)} are available (${rateLimit.restorePerSecond} restored per second); retry in ${retryAfter} s`,
      {
        extensions: {
          code: ErrorCode.RATE_LIMITED,
          cost: state.requested,
          available: Math.floor(available),
          retryAfter,
          http: { status: 429, headers: { 'Retry-After': String(retryAfter), ...rateLimitHeaders(state, rateLimit, retryAfter) } },
        },
      },
    );
  }

  /** Settles an executed operation: refunds what it did not use, reports its cost. */
  private async settle(state: CostState, schema: GraphQLSchema, document: DocumentNode, result: ExecutionResult): Promise<void> {
    const actual = result.data ? Math.min(state.requested, actualCost(schema, document, state.operationName, state.variables, result.data)) : 0;
    state.actual = actual;
    const refund = state.charged - Math.max(MIN_CHARGE, actual);
    if (refund > 0) {
      const { available } = await this.options.buckets.take(state.bucket, -refund);
      state.available = available;
      state.charged -= refund;
    }
  }

  plugin(): Plugin {
    const { limits, rateLimit, buckets } = this.options;
    const guard = this;
    return {
      onParams({ params, setResult }) {
        // A query that is not a string is yoga's to refuse (400), not ours to measure.
        if (typeof params.query !== 'string') return;
        const bytes = Buffer.byteLength(params.query, 'utf8');
        if (bytes > limits.maxDocumentBytes) setResult({ errors: [tooComplex('documentBytes', bytes, limits.maxDocumentBytes)] });
      },
      onParse({ setParseFn, parseFn }) {
        setParseFn((source, options) => {
          try {
            return parseFn(source, { ...options, maxTokens: limits.maxTokens });
          } catch (error) {
            if (error instanceof GraphQLError && /more tha[nt] \d+ tokens/.test(error.message)) {
              const text = typeof source === 'string' ? source : source.body;
              throw tooComplex('tokens', countTokens(text), limits.maxTokens);
            }
            throw error;
          }
        });
      },
      onValidate({ params: { schema, documentAST }, context }) {
        // Shape first, before schema validation, whose overlapping-fields rule is quadratic in
        // the fields of one selection (400 aliases of `metric`: ~30 ms of validation).
        const shape = measureDocument(documentAST);
        if (shape.depth > limits.maxDepth) throw tooComplex('depth', shape.depth, limits.maxDepth);
        if (shape.aliases > limits.maxAliases) throw tooComplex('aliases', shape.aliases, limits.maxAliases);
        if (shape.directives > limits.maxDirectives) throw tooComplex('directives', shape.directives, limits.maxDirectives);
        return ({ valid }) => {
          if (!valid) return;
          const ctx = context as GuardedContext;
          const operationName = ctx.params?.operationName ?? undefined;
          const variables = ctx.params?.variables ?? undefined;
          const requested = requestedCost(schema, documentAST, operationName, variables);
          const state: CostState = { bucket: bucketOf(ctx), requested, charged: 0, actual: null, available: null, operationName, variables };
          if (ctx.request) guard.byRequest.set(ctx.request, state);
          if (requested > limits.maxCost) throw tooComplex('cost', requested, limits.maxCost);
          ctx[STATE] = state;
        };
      },
      onExecute({ args }) {
        const state = (args.contextValue as GuardedContext)[STATE];
        if (!state) return;
        return {
          async onExecuteDone({ result, setResult }) {
            if (isAsyncIterable(result)) return;
            const single = result as ExecutionResult;
            await guard.settle(state, args.schema, args.document, single);
            setResult({ ...single, extensions: { ...single.extensions, cost: costExtension(state, rateLimit) } });
          },
        };
      },
      onSubscribe({ args }) {
        const state = (args.contextValue as GuardedContext)[STATE];
        // A subscription pays its start and keeps no refund: its cost is what it asked for.
        if (state) state.actual = state.charged;
      },
      async onResultProcess({ request, result, setResult, serverContext }) {
        if (Array.isArray(result) || isAsyncIterable(result) || !result || typeof result !== 'object') return;
        const single = withRefusalStatus(result as ExecutionResult);
        if ((single.extensions as { cost?: unknown } | undefined)?.cost) return setResult(single);
        // Refused before validation (size, tokens, syntax): nothing was charged; report the bucket as it is.
        let state = guard.byRequest.get(request);
        if (!state) {
          const bucket = bucketOf({ request, req: (serverContext as GuardedContext | undefined)?.req });
          state = { bucket, requested: 0, charged: 0, actual: null, available: null, operationName: undefined, variables: undefined };
          guard.byRequest.set(request, state);
        }
        if (state.available === null) state.available = (await buckets.take(state.bucket, 0)).available;
        setResult({ ...single, extensions: { ...single.extensions, cost: costExtension(state, rateLimit) } });
      },
      onResponse({ request, response }) {
        const state = guard.byRequest.get(request);
        if (!state || response.headers.has('RateLimit')) return;
        for (const [name, value] of Object.entries(rateLimitHeaders(state, rateLimit))) response.headers.set(name, value);
      },
    };
  }
}
