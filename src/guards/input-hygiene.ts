import {
  GraphQLError,
  getNullableType,
  isInputObjectType,
  isListType,
  isScalarType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type ValueNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.ts';

/**
 * Input hygiene, checked once for every operation before any resolver runs (HTTP, SSE and
 * WebSocket all execute through envelop): no string argument may carry a NUL character or a
 * lone UTF-16 surrogate (PostgreSQL cannot store either, and a driver would fail or silently
 * replace them), and a JSON argument is bounded in nesting depth and serialized size (deep JSON
 * overflows the stack of whatever walks it). The whole argument tree is checked, inline
 * literals and variables alike, and the error names the argument, e.g. "input.subject".
 */
export interface InputLimits {
  /** Deepest nesting of objects and arrays in one JSON argument. */
  maxJsonDepth: number;
  /** Largest JSON argument, in bytes of its UTF-8 serialization. */
  maxJsonBytes: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = { maxJsonDepth: 32, maxJsonBytes: 65_536 };

/** Input object types may be recursive (filters); a variable nested deeper than this is refused, never walked. */
const MAX_INPUT_DEPTH = 64;

// NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const FORBIDDEN = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

class InputRejected extends Error {
  constructor(
    readonly argument: string,
    readonly problem: string,
  ) {
    super(problem);
  }
}

function checkString(value: string, path: string): void {
  const match = FORBIDDEN.exec(value);
  if (!match) return;
  const problem =
    match[0] === '\u0000'
      ? 'contains a NUL character (U+0000), which cannot be stored'
      : `contains a lone UTF-16 surrogate (U+${match[0].charCodeAt(0).toString(16).toUpperCase()}), which is not valid Unicode`;
  throw new InputRejected(path, problem);
}

/** A JSON value (from a variable, or already built from a literal): strings, keys, depth and size. */
function checkJson(value: unknown, path: string, limits: InputLimits): void {
  // Depth first, without recursion, so nothing here can overflow whatever the input.
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop()!;
    if (typeof v === 'string') {
      checkString(v, path);
    } else if (v !== null && typeof v === 'object') {
      if (depth + 1 > limits.maxJsonDepth) {
        throw new InputRejected(path, `is nested more than ${limits.maxJsonDepth} levels deep`);
      }
      if (Array.isArray(v)) {
        for (const item of v) stack.push({ value: item, depth: depth + 1 });
      } else {
        for (const [key, item] of Object.entries(v as Record<string, unknown>)) {
          checkString(key, path);
          stack.push({ value: item, depth: depth + 1 });
        }
      }
    }
  }
  // Bounded depth now, so serializing is safe.
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
  if (bytes > limits.maxJsonBytes) {
    throw new InputRejected(path, `is ${bytes} bytes of JSON, more than the limit of ${limits.maxJsonBytes}`);
  }
}

/** The JSON value of a literal, built with a depth bound (variables inside a JSON literal are a validation error later). */
function jsonOfLiteral(node: ValueNode, path: string, limits: InputLimits, depth = 0): unknown {
  switch (node.kind) {
    case Kind.LIST:
    case Kind.OBJECT:
      if (depth + 1 > limits.maxJsonDepth) throw new InputRejected(path, `is nested more than ${limits.maxJsonDepth} levels deep`);
      return node.kind === Kind.LIST
        ? node.values.map((v) => jsonOfLiteral(v, path, limits, depth + 1))
        : Object.fromEntries(node.fields.map((f) => [f.name.value, jsonOfLiteral(f.value, path, limits, depth + 1)]));
    case Kind.STRING:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.BOOLEAN:
      return node.value;
    default:
      return null;
  }
}

const isJson = (type: GraphQLInputType) => isScalarType(type) && type.name === 'JSON';

class Checker {
  constructor(
    private readonly variables: Readonly<Record<string, unknown>>,
    private readonly limits: InputLimits,
  ) {}

  /** A value as the client sent it in `variables` (not yet coerced: shapes that do not fit the type are left to graphql-js). */
  raw(value: unknown, type: GraphQLInputType, path: string, depth: number): void {
    if (value === null || value === undefined) return;
    if (depth > MAX_INPUT_DEPTH) throw new InputRejected(path, `is nested more than ${MAX_INPUT_DEPTH} levels deep`);
    const t = getNullableType(type) as GraphQLInputType;
    if (isListType(t)) {
      if (Array.isArray(value)) value.forEach((item, i) => this.raw(item, t.ofType, `${path}.${i}`, depth + 1));
      else this.raw(value, t.ofType, path, depth + 1);
    } else if (isInputObjectType(t)) {
      if (typeof value !== 'object' || Array.isArray(value)) return;
      const fields = t.getFields();
      for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
        const field = fields[name];
        if (field) this.raw(item, field.type, `${path}.${name}`, depth + 1);
      }
    } else if (isJson(t)) {
      checkJson(value, path, this.limits);
    } else if (typeof value === 'string') {
      checkString(value, path);
    }
  }

  /** A value written in the document, which may refer to variables anywhere inside it. */
  literal(node: ValueNode, type: GraphQLInputType, path: string, depth: number): void {
    if (node.kind === Kind.VARIABLE) {
      this.raw(this.variables[node.name.value], type, path, depth);
      return;
    }
    const t = getNullableType(type) as GraphQLInputType;
    if (isListType(t)) {
      if (node.kind === Kind.LIST) node.values.forEach((item, i) => this.literal(item, t.ofType, `${path}.${i}`, depth + 1));
      else this.literal(node, t.ofType, path, depth + 1);
    } else if (isInputObjectType(t)) {
      if (node.kind !== Kind.OBJECT) return;
      const fields = t.getFields();
      for (const field of node.fields) {
        const def = fields[field.name.value];
        if (def) this.literal(field.value, def.type, `${path}.${field.name.value}`, depth + 1);
      }
    } else if (isJson(t)) {
      checkJson(jsonOfLiteral(node, path, this.limits), path, this.limits);
    } else if (node.kind === Kind.STRING) {
      checkString(node.value, path);
    }
  }
}

/** The first offending argument of the operation, as a BAD_USER_INPUT error; null when every input is clean. */
export function checkInputs(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  limits: InputLimits,
): GraphQLError | null {
  const checker = new Checker(variables ?? {}, limits);
  const typeInfo = new TypeInfo(schema);
  // The operation that runs, and every fragment (unused fragments fail validation anyway).
  const nodes = document.definitions.filter(
    (d) => d.kind === Kind.FRAGMENT_DEFINITION || (d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName)),
  );
  let found: GraphQLError | null = null;
  const visitor = visitWithTypeInfo(typeInfo, {
    Argument(node) {
      const arg = typeInfo.getArgument();
      if (!arg || found) return false;
      try {
        checker.literal(node.value, arg.type, node.name.value, 0);
      } catch (error) {
        if (!(error instanceof InputRejected)) throw error;
        const owner = typeInfo.getDirective()?.name ?? typeInfo.getFieldDef()?.name ?? 'field';
        found = new GraphQLError(`Argument "${error.argument}" of "${owner}" ${error.problem}.`, {
          nodes: [node],
          extensions: { code: ErrorCode.BAD_USER_INPUT, argument: error.argument },
        });
      }
      return false;
    },
  });
  for (const node of nodes) {
    if (found) break;
    visit(node, visitor);
  }
  return found;
}

/** The guard: refuses an operation with an unclean input before it executes or subscribes. */
export function useInputHygiene(limits: InputLimits = DEFAULT_INPUT_LIMITS): Plugin {
  const guard = ({
    args,
    setResultAndStopExecution,
  }: {
    args: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null; variableValues?: Readonly<Record<string, unknown>> | null };
    setResultAndStopExecution: (result: { errors: GraphQLError[] }) => void;
  }) => {
    const error = checkInputs(args.schema, args.document, args.operationName, args.variableValues, limits);
    if (error) setResultAndStopExecution({ errors: [error] });
  };
  return { onExecute: guard as never, onSubscribe: guard as never };
}
