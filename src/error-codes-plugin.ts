import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Gives every request-level error a stable `extensions.code`, including the ones graphql-js
 * raises without one: a query that does not parse (GRAPHQL_PARSE_FAILED), one that does not
 * validate against the schema (GRAPHQL_VALIDATION_FAILED), and variables of the wrong shape
 * (BAD_USER_INPUT). Clients can branch on the code instead of parsing messages.
 */
function codeFor(error: GraphQLError): string {
  if (error.message.startsWith('Syntax Error')) return 'GRAPHQL_PARSE_FAILED';
  if (error.message.startsWith('Variable "$')) return 'BAD_USER_INPUT';
  if (error.path) return 'INTERNAL_SERVER_ERROR';
  return 'GRAPHQL_VALIDATION_FAILED';
}

function withCode(errors: readonly unknown[] | undefined): void {
  for (const error of errors ?? []) {
    if (error instanceof GraphQLError && !error.extensions?.code) {
      (error as { extensions: Record<string, unknown> }).extensions = { ...error.extensions, code: codeFor(error) };
    }
  }
}

export function useErrorCodes(): Plugin {
  return {
    onResultProcess({ result }) {
      const results = Array.isArray(result) ? result : [result];
      for (const r of results) {
        if (r && typeof r === 'object' && 'errors' in r) withCode((r as { errors?: readonly unknown[] }).errors);
      }
    },
  };
}
