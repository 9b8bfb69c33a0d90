import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Requests that are not well-formed GraphQL over HTTP (a body that is not JSON, not an object,
 * `query` not a string, batching) are answered by graphql-yoga with HTTP 400 and code
 * `BAD_REQUEST`, the documented code for them. Yoga also copies the parser's own exception into
 * `extensions.originalError` (its name and message, a stack in development): an implementation
 * detail a client must not see or depend on. This strips it, and any stack, from every error,
 * and keeps the HTTP status 400 whatever the client accepts. A document too deeply nested for the
 * parser's recursion is a parse failure too.
 */
export function useRequestErrorHygiene(): Plugin {
  return {
    // graphql-js parses recursively: a document nested a few thousand levels deep (an inline
    // JSON literal, a list literal) overflows the stack. That is the client's malformed
    // document, not our bug: GRAPHQL_PARSE_FAILED, like any other unparsable document.
    onParse() {
      return ({ result, replaceParseResult }) => {
        if (result instanceof RangeError) {
          replaceParseResult(
            new GraphQLError('Syntax Error: the document is nested too deeply to parse.', {
              extensions: { code: 'GRAPHQL_PARSE_FAILED', http: { status: 400 } },
            }),
          );
        }
      };
    },
    onResultProcess({ result }) {
      const results = Array.isArray(result) ? result : [result];
      for (const r of results) {
        if (!r || typeof r !== 'object' || !('errors' in r)) continue;
        for (const error of (r as { errors?: readonly unknown[] }).errors ?? []) {
          if (!(error instanceof GraphQLError)) continue;
          const ext = error.extensions as Record<string, unknown> | undefined;
          if (ext && ('originalError' in ext || 'stack' in ext)) {
            const { originalError: _o, stack: _s, ...rest } = ext;
            // Yoga answers 400 for invalid JSON only while originalError is there (its "spec"
            // marker means 200 for application/json otherwise): keep the 400 for every client.
            const http = rest.http as { spec?: boolean } | undefined;
            if (http?.spec) {
              const { spec: _spec, ...status } = http;
              rest.http = status;
            }
            (error as { extensions: Record<string, unknown> }).extensions = rest;
          }
        }
      }
    },
  };
}
