import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Removes graphql-js' "Did you mean …?" hints from error messages. With introspection refused
 * they are how a stranger guesses a schema's field, argument, type and enum value names, one
 * typo at a time (GraphQL Armor's block-field-suggestions does the same for validation errors
 * only; enum values and input fields in variables are reported at execution, so both are
 * covered here). Over HTTP and WebSocket alike: it works on validation and execution results.
 */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

function strip(errors: readonly unknown[] | undefined): void {
  for (const error of errors ?? []) {
    if (error instanceof GraphQLError && error.message.includes('Did you mean ')) {
      error.message = error.message.replace(SUGGESTION, '').trim();
    }
  }
}

function stripResult(result: unknown): void {
  // Streams (subscriptions, @defer) report argument problems before their first value, as a single result.
  if (result && typeof result === 'object' && 'errors' in result) strip((result as ExecutionResult).errors);
}

export function useHiddenFieldSuggestions(): Plugin<Record<string, unknown>> {
  return {
    onValidate() {
      return ({ result }) => strip(result);
    },
    onExecute() {
      return { onExecuteDone: ({ result }) => stripResult(result) };
    },
    onSubscribe() {
      return { onSubscribeResult: ({ result }) => stripResult(result) };
    },
  };
}
