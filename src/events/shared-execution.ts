import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { isAsyncIterable, mapAsyncIterator, type Plugin } from 'graphql-yoga';
import type { Context } from '../context.ts';
import type { Event } from '../generated/prisma/client.ts';
import { deliveryFailureOf, deliveryUnavailable, jittered, RETRY_DELAYS_MS, sleep } from './delivery.ts';
import { eventOfItem, resumeCursorOf } from './stream.ts';

/**
 * Executes a subscription's selection once per event for every subscriber that would get the
 * same answer, instead of once per subscriber: the same document and operation, the same
 * variables, and the same API key (so the same workspace, scopes and agent — everything a
 * resolver may look at). A broadcast to N identical subscriptions then costs one execution and
 * N sends. Anything else (other keys, other variables, items that are not events) executes per
 * subscriber as before. The source stream, authorization at subscribe, and every plugin's
 * handling of results (error masking, codes) are unchanged: only the per-event execution is
 * shared, through `LiveEvents.shared` (a few seconds' memory). A failed delivery is never shared
 * or remembered: each subscriber retries it (src/events/delivery.ts).
 */

const documentIds = new WeakMap<DocumentNode, number>();
let lastDocumentId = 0;

function groupOf(args: ExecutionArgs, ctx: Context): string | null {
  if (!ctx.viewer) return null;
  let document = documentIds.get(args.document);
  if (document === undefined) documentIds.set(args.document, (document = ++lastDocumentId));
  return `${document}:${args.operationName ?? ''}:${ctx.viewer.apiKeyId}:${JSON.stringify(args.variableValues ?? {})}`;
}

/** Carries a result whose delivery failed out of `LiveEvents.shared`, so the failure is not remembered and shared. */
class FailedDelivery extends Error {
  constructor(readonly result: ExecutionResult) {
    super('delivery failed');
  }
}

async function sharedSubscribe(args: ExecutionArgs): Promise<AsyncIterable<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!isAsyncIterable(source)) return source;
  const ctx = args.contextValue as Context;
  const group = groupOf(args, ctx);
  const run = async (payload: unknown) => execute({ ...args, rootValue: payload });
  const runChecked = async (payload: unknown) => {
    const result = await run(payload);
    if (deliveryFailureOf(result)) throw new FailedDelivery(result);
    return result;
  };
  let ended = false;
  /**
   * A durable event is delivered or the stream ends in front of it (src/events/delivery.ts):
   * its execution is retried while its payload cannot be loaded, then the stream ends with
   * SERVICE_UNAVAILABLE and the cursor to resume with.
   */
  const deliver = async (payload: unknown, event: Event): Promise<ExecutionResult> => {
    const key = group ? `execution:${group}:${event.workspaceId}:${event.id}` : null;
    for (let attempt = 0; ; attempt++) {
      try {
        return await (key ? ctx.events.shared(key, () => runChecked(payload)) : runChecked(payload));
      } catch (error) {
        if (!(error instanceof FailedDelivery)) throw error;
        const delay = RETRY_DELAYS_MS[attempt];
        if (delay === undefined || ended || ctx.events.ending) {
          ctx.log.warn(
            { err: deliveryFailureOf(error.result), eventId: event.id.toString(), attempts: attempt + 1 },
            'could not deliver an event to a subscriber; ending its stream with SERVICE_UNAVAILABLE',
          );
          ended = true;
          return { errors: [deliveryUnavailable(resumeCursorOf(payload))] };
        }
        await sleep(jittered(delay));
      }
    }
  };
  // envelop's mapper passes `return` to the source at once, even while a pull is pending.
  const mapped = mapAsyncIterator(source, (payload: unknown) => {
    const event = eventOfItem(payload);
    return event ? deliver(payload, event) : run(payload);
  });
  // After the closing error nothing more is pulled: the stream ends in front of the failed event.
  const stream: AsyncIterableIterator<ExecutionResult> = {
    [Symbol.asyncIterator]: () => stream,
    async next() {
      if (!ended) return mapped.next();
      await mapped.return?.();
      return { value: undefined, done: true };
    },
    return: () => mapped.return?.() ?? Promise.resolve({ value: undefined, done: true }),
    throw: (error?: unknown) => mapped.throw?.(error) ?? Promise.reject(error),
  };
  return stream;
}

export function useSharedSubscriptionExecution(): Plugin<Record<string, unknown>> {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(sharedSubscribe as never);
    },
  };
}
