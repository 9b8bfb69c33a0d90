import { GraphQLError, Lexer, Source, TokenKind } from 'graphql';
import { ErrorCode } from '../errors.ts';
import type { GuardLimits } from './limits.ts';

/** The figure a refused operation exceeded, named as in its error's extensions. */
export type Measure = 'cost' | 'depth' | 'aliases' | 'tokens' | 'documentBytes' | 'directives';

const WHAT: Record<Measure, string> = {
  cost: 'Query cost',
  depth: 'Query depth',
  aliases: 'Aliases',
  tokens: 'Tokens',
  documentBytes: 'Document size in bytes',
  directives: 'Directives',
};

export const LIMIT_OF: Record<Measure, keyof GuardLimits> = {
  cost: 'maxCost',
  depth: 'maxDepth',
  aliases: 'maxAliases',
  tokens: 'maxTokens',
  documentBytes: 'maxDocumentBytes',
  directives: 'maxDirectives',
};

/**
 * QUERY_TOO_COMPLEX with the figure and the limit, e.g. `{ code, depth: 20, limit: 12 }`, so a
 * client can tell what to trim. HTTP 400: the request itself is at fault and retrying it
 * unchanged never helps (unlike RATE_LIMITED).
 */
export function tooComplex(measure: Measure, figure: number, limit: number): GraphQLError {
  return new GraphQLError(`${WHAT[measure]} ${figure} exceeds the limit of ${limit}; ask for less (fewer fields, smaller pages, less nesting)`, {
    extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, [measure]: figure, limit, http: { status: 400 } },
  });
}

/**
 * Tokens of a document that the parser refused for having too many. The document is already
 * under the size limit, so lexing it once more (no AST) is cheap and gives the real figure.
 */
export function countTokens(text: string): number {
  const lexer = new Lexer(new Source(text));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) count++;
  } catch {
    // A lexical error after the limit: the count so far is still over it.
  }
  return count;
}
