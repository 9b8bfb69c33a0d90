import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.ts';
import type { Event } from '../generated/prisma/client.ts';

/**
 * Executes a subscription's selection once per event for every subscriber that would get the
 * same answer, instead of once per subscriber: the same document and operation, the same
 * variables, and the same API key (so the same workspace, scopes and agent — everything a
 * resolver may look at). A broadcast to N identical subscriptions then costs one execution and
 * N sends. Anything else (other keys, other variables, items that are not events) executes per
 * subscriber as before. The source stream, authorization at subscribe, and every plugin's
 * handling of results (error masking, codes) are unchanged: only the per-event execution is
 * shared, through `LiveEvents.shared` (a few seconds' memory).
 */

const documentIds = new WeakMap<DocumentNode, number>();
let lastDocumentId = 0;

function groupOf(args: ExecutionArgs, ctx: Context): string | null {
  if (!ctx.viewer) return null;
  let document = documentIds.get(args.document);
  if (document === undefined) documentIds.set(args.document, (document = ++lastDocumentId));
  return `${document}:${args.operationName ?? ''}:${ctx.viewer.apiKeyId}:${JSON.stringify(args.variableValues ?? {})}`;
}

/** The durable event a stream item carries, if it is one (typing signals and metric updates are not). */
function eventOf(payload: unknown): Event | null {
  const event = (payload as { event?: Partial<Event> } | null)?.event;
  return event && typeof event.id === 'bigint' && typeof event.workspaceId === 'string' ? (event as Event) : null;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

/** Maps a source stream to results; `return` reaches the source at once, even while a pull is pending. */
function mapStream(source: AsyncIterator<unknown>, map: (payload: unknown) => Promise<ExecutionResult>): AsyncIterableIterator<ExecutionResult> {
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      const item = await source.next();
      return item.done ? { value: undefined, done: true } : { value: await map(item.value), done: false };
    },
    async return() {
      await source.return?.();
      return { value: undefined, done: true };
    },
    async throw(error?: unknown) {
      await source.return?.();
      throw error;
    },
  };
}

async function sharedSubscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!isAsyncIterable(source)) return source as ExecutionResult;
  const ctx = args.contextValue as Context;
  const group = groupOf(args, ctx);
  const run = async (payload: unknown) => execute({ ...args, rootValue: payload });
  return mapStream(source[Symbol.asyncIterator](), (payload) => {
    const event = eventOf(payload);
    if (!group || !event) return run(payload);
    return ctx.events.shared(`execution:${group}:${event.workspaceId}:${event.id}`, () => run(payload));
  });
}

export function useSharedSubscriptionExecution(): Plugin<Record<string, unknown>> {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(sharedSubscribe as never);
    },
  };
}
