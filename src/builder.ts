import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin, { AuthScopeFailureType, type AuthFailure } from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RowsInHandPlugin from './schema/rows-in-hand.ts';
import { GraphQLError, isObjectType, Kind, type GraphQLSchema, type ValueNode } from 'graphql';
import { z } from 'zod';
import { viewerCan } from './auth/viewer.ts';
import type { Scope } from './auth/scopes.ts';
import type { Context } from './context.ts';
import { ConflictError, ErrorCode, InvalidStateError, NotFoundError, requestError, ValidationError } from './errors.ts';
import type PrismaTypes from './generated/pothos-prisma-types.ts';
import { getDatamodel } from './generated/pothos-prisma-types.ts';
import { decodeGlobalId, encodeGlobalId } from './schema/global-id.ts';
import { cost } from './guards/cost-spec.ts';

/** Pothos cannot load an id whose type is no Node (or no type at all: "Nope:<uuid>"); such an id finds nothing. */
function isNodeTypename(schema: GraphQLSchema, typename: string): boolean {
  const type = schema.getType(typename);
  return isObjectType(type) && type.getInterfaces().some((i) => i.name === 'Node');
}

/**
 * The schema builder: plugin order and shared scalars only. Domain types live in
 * src/schema/<domain>/ and refer to each other by name.
 *
 * Plugin order: relay before scope-auth so authorization sees decoded global IDs; scope-auth
 * before everything else so no validation, resolver or Prisma query runs for an unauthorized
 * caller. Argument validation (query filters) fails as a BAD_USER_INPUT request error naming
 * the argument; mutations validate in their service and return typed error results. Every
 * Prisma type is in select mode (`select: {}`: a query reads only the columns its selection
 * needs); rows-in-hand sits just outside plugin-prisma so a row a service returned is not read
 * again (src/schema/rows-in-hand.ts).
 */
export interface SchemaTypes {
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: {
    /** Any valid API key. */
    authenticated: boolean;
    /** The key holds this scope (or its write counterpart, or "*"). */
    scope: Scope;
  };
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}

/** The `scope` parameters of the scope checks that failed (any one of them would have let the call through). */
function missingScopes(failure: AuthFailure): string[] {
  switch (failure.kind) {
    case AuthScopeFailureType.AuthScope:
      return failure.scope === 'scope' && typeof failure.parameter === 'string' ? [failure.parameter] : [];
    case AuthScopeFailureType.AnyAuthScopes:
    case AuthScopeFailureType.AllAuthScopes:
      return [...new Set(failure.failures.flatMap(missingScopes))];
    default:
      return [];
  }
}

export const builder = new SchemaBuilder<SchemaTypes>({
  plugins: [RelayPlugin, ScopeAuthPlugin, ErrorsPlugin, ValidationPlugin, RowsInHandPlugin, PrismaPlugin, DataloaderPlugin],
  // Fields are non-null unless declared nullable: the contract says exactly what may be absent.
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (ctx) => ({
      authenticated: ctx.viewer !== null,
      scope: (scope: Scope) => viewerCan(ctx.viewer, scope),
    }),
    unauthorizedError: (_parent, ctx, _info, result) => {
      if (!ctx.viewer) return requestError(ErrorCode.UNAUTHENTICATED, 'Authentication required: send "Authorization: Bearer <api key>"');
      // Name the scope to ask for, so a developer fixes the key instead of guessing.
      const [required, ...alternatives] = missingScopes(result.failure);
      if (!required) return requestError(ErrorCode.FORBIDDEN, `Not allowed: ${result.message}`);
      const also = alternatives.length ? ` (or ${alternatives.join(', or ')})` : '';
      return requestError(ErrorCode.FORBIDDEN, `Not allowed: this API key lacks the scope ${required}${also}`, {
        requiredScope: required,
        ...(alternatives.length ? { requiredScopes: [required, ...alternatives] } : {}),
      });
    },
  },
  prisma: {
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
    onUnusedQuery: null,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false, description: 'The items of this page, in order.' },
    nodeFieldOptions: { nullable: false, description: 'The item.' },
    cursorFieldOptions: { description: 'Opaque position of this item; pass it as `after` or `before`.' },
    pageInfoFieldOptions: { description: 'Where this page sits in the whole list.' },
    hasNextPageFieldOptions: { description: 'True when more items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'True when items precede this page.' },
    startCursorFieldOptions: { description: 'Cursor of the first item of this page.' },
    endCursorFieldOptions: { description: 'Cursor of the last item of this page; pass it as `after` for the next page.' },
    firstArgOptions: { description: 'Page size counting from the start (1–100, default 25).' },
    lastArgOptions: { description: 'Page size counting from the end (1–100).' },
    afterArgOptions: { description: 'Return items after this cursor.' },
    beforeArgOptions: { description: 'Return items before this cursor.' },
    encodeGlobalID: encodeGlobalId,
    decodeGlobalID: decodeGlobalId,
    nodeQueryOptions: {
      description: 'Fetches any object of the caller\'s workspace by its global ID; null when it does not exist there.',
      authScopes: { authenticated: true },
      resolve: (_root, args, _ctx, info, resolveNode) => (isNodeTypename(info.schema, args.id.typename) ? resolveNode(args.id) : null),
    },
    nodesQueryOptions: {
      description: 'Fetches up to 100 objects by global ID, in the order given; null for each one not found in the caller\'s workspace.',
      authScopes: { authenticated: true },
      validate: z.object({ ids: z.array(z.unknown()).max(100, 'at most 100 ids') }),
      extensions: cost({ listSize: 'ids' }),
      resolve: (_root, args, _ctx, info, resolveNodes) => {
        // Pothos' loader reads `args.ids` itself, whatever list it is handed: null out the unloadable ones there.
        args.ids = args.ids.map((id) => (isNodeTypename(info.schema, id.typename) ? id : null)) as typeof args.ids;
        return resolveNodes(args.ids);
      },
    },
    idFieldOptions: { description: 'Globally unique, opaque ID of this object.' },
    nodeTypeOptions: { description: 'An object with a globally unique, opaque ID. Fetch any node with `node(id:)`.' },
    pageInfoTypeOptions: { description: 'Where a page sits in a connection, for cursor pagination.' },
  },
  errors: {
    defaultTypes: [ValidationError, NotFoundError, ConflictError, InvalidStateError],
  },
  validation: {
    validationError: (failure) => {
      const issues = failure.issues.map((issue) => {
        const path = (issue.path ?? []).map((p) => (typeof p === 'object' ? String(p.key) : String(p))).join('.');
        return { path, message: issue.message };
      });
      const first = issues[0];
      return requestError(
        ErrorCode.BAD_USER_INPUT,
        issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ') || 'Invalid arguments',
        first?.path ? { argument: first.path } : {},
      );
    },
  },
});

function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/.test(value)) {
    throw new GraphQLError('DateTime must be an ISO 8601 string with a time zone, e.g. "2026-01-31T09:30:00Z"', {
      extensions: { code: ErrorCode.BAD_USER_INPUT },
    });
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new GraphQLError(`"${value}" is not a valid date and time`, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
  }
  return date;
}

builder.scalarType('DateTime', {
  description: 'An instant in time, as an ISO 8601 string with a time zone (output is always UTC, e.g. "2026-01-31T09:30:00.000Z").',
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(value as string).toISOString()),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

function literalToJson(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map(literalToJson);
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literalToJson(f.value)]));
    default:
      throw new GraphQLError('JSON literals cannot contain variables', { extensions: { code: ErrorCode.BAD_USER_INPUT } });
  }
}

builder.scalarType('JSON', {
  description: 'Arbitrary JSON: an object, array, string, number, boolean or null.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: literalToJson,
});

builder.queryType({ description: 'The root of every read.' });
