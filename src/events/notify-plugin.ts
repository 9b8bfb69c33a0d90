import { getOperationAST, Kind, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.ts';

/** Root mutation fields whose effects are ephemeral broadcasts, not event rows: no wake-up needed. */
const EPHEMERAL_MUTATIONS = new Set(['setTyping', '__typename']);

function writesEvents(document: DocumentNode, operationName: string | null | undefined): boolean {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation || operation.operation !== 'mutation') return false;
  // Fragments on the root are rare; count them as writing, a spare wake-up costs one read.
  return operation.selectionSet.selections.some((s) => s.kind !== Kind.FIELD || !EPHEMERAL_MUTATIONS.has(s.name.value));
}

/**
 * After a mutation finished (its transaction, and the events it recorded, committed), wakes the
 * caller's workspace's subscribers. A typed error result of one field is still a finished
 * mutation and other fields of the same operation may have written; a spare wake-up is cheap.
 */
export function useEventWakeups(): Plugin<Record<string, unknown>> {
  return {
    onExecute({ args }) {
      if (!writesEvents(args.document, args.operationName)) return;
      return {
        onExecuteDone() {
          const ctx = args.contextValue as unknown as Context;
          if (!ctx.viewer) return;
          ctx.events.bus.notify(ctx.viewer.workspaceId).catch((error: unknown) => ctx.log.warn({ err: error }, 'could not publish a wake-up'));
        },
      };
    },
  };
}
