import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { isAsyncIterable, mapAsyncIterator, type Plugin } from 'graphql-yoga';
import type { Context } from '../context.ts';
import { eventOfItem } from './stream.ts';

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

async function sharedSubscribe(args: ExecutionArgs): Promise<AsyncIterable<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!isAsyncIterable(source)) return source;
  const ctx = args.contextValue as Context;
  const group = groupOf(args, ctx);
  const run = async (payload: unknown) => execute({ ...args, rootValue: payload });
  // envelop's mapper passes `return` to the source at once, even while a pull is pending.
  return mapAsyncIterator(source, (payload: unknown) => {
    const event = eventOfItem(payload);
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
