import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import type { Prng } from './prng.ts';
import { cursorValue, DATE_TIMES, FLOATS, idValue, INTS, JSONS, NESTED_PAGE_SIZES, PAGE_SIZES, SANE, STRINGS, type IdPools } from './values.ts';

export interface FuzzOperation {
  root: 'query' | 'mutation';
  field: string;
  query: string;
  variables: Record<string, unknown>;
}

/** Selections stay shallow (object levels, root included): cost and depth limits are someone else's test. */
const MAX_DEPTH = 4;
const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/**
 * Generates operations from an introspected schema: one root field of Query or Mutation, every
 * argument drawn from boundary and hostile values for its type (variables or inline literals),
 * and a small random selection of what it returns.
 */
export class OperationGenerator {
  private readonly roots: Array<{ root: 'query' | 'mutation'; type: GraphQLObjectType }>;
  /** Real ids of this workspace by type name, to give an `xId` argument an id of the type it wants. */
  private readonly ownByType = new Map<string, string[]>();
  /** The name of the argument or input field being generated, and of the root field: hints for ids. */
  private hint = '';
  private rootName = '';
  /**
   * Per operation, the share of values drawn from the hostile pools: all of them, none (so the
   * operation reaches the services and the database), or one in ten (a well-formed operation
   * with a single bad value: where a database error would slip through).
   */
  private hostility = 1;

  private get hostile(): boolean {
    return this.hostility > 0 && this.rng.chance(this.hostility);
  }

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rng: Prng,
    private readonly pools: IdPools,
  ) {
    for (const id of pools.own) {
      const typename = Buffer.from(id, 'base64url').toString('utf8').split(':')[0]!;
      this.ownByType.set(typename, [...(this.ownByType.get(typename) ?? []), id]);
    }
    this.roots = [
      { root: 'query', type: schema.getQueryType()! },
      { root: 'mutation', type: schema.getMutationType()! },
    ];
  }

  next(): FuzzOperation {
    this.hostility = this.rng.pick([1, 1, 1, 0.1, 0.1, 0.1, 0.1, 0, 0, 0]);
    const { root, type } = this.rng.pick(this.roots);
    const field = this.rng.pick(Object.values(type.getFields()));
    this.rootName = field.name;
    const ctx = { defs: [] as string[], variables: {} as Record<string, unknown> };
    const body = this.field(field, 1, ctx, true);
    const defs = ctx.defs.length ? `(${ctx.defs.join(', ')})` : '';
    return { root, field: field.name, query: `${root} Fuzz${defs} { ${body} }`, variables: ctx.variables };
  }

  private field(field: GraphQLField<unknown, unknown>, depth: number, ctx: Ctx, root: boolean): string {
    const args: string[] = [];
    const given = new Set<string>();
    for (const arg of field.args) {
      const required = isNonNullType(arg.type) && arg.defaultValue === undefined;
      if (!required && !this.rng.chance(root ? 0.6 : 0.25)) continue;
      // Well-formed operations page one way only (first/after or last/before).
      if (!this.hostile && (arg.name === 'last' || arg.name === 'before') && (given.has('first') || given.has('after'))) continue;
      given.add(arg.name);
      const value = this.argValue(arg, root);
      const literal = this.rng.chance(0.25) ? toLiteral(value, arg.type) : null;
      if (literal !== null) {
        args.push(`${arg.name}: ${literal}`);
      } else {
        const name = `v${ctx.defs.length}`;
        ctx.defs.push(`$${name}: ${String(arg.type)}`);
        ctx.variables[name] = value;
        args.push(`${arg.name}: $${name}`);
      }
    }
    const selection = this.selection(getNamedType(field.type), depth, ctx);
    return `${field.name}${args.length ? `(${args.join(', ')})` : ''}${selection}`;
  }

  private selection(type: GraphQLNamedType, depth: number, ctx: Ctx): string {
    if (isLeafType(type)) return '';
    const parts = ['__typename'];
    if (isObjectType(type) || isInterfaceType(type)) {
      const fields = Object.values(type.getFields());
      const leaves = fields.filter((f) => isLeafType(getNamedType(f.type)) && !f.args.some((a) => isNonNullType(a.type)));
      for (let i = 0, n = this.rng.int(1, 5); i < n && leaves.length; i++) parts.push(this.rng.pick(leaves).name);
      const objects = fields.filter((f) => !isLeafType(getNamedType(f.type)));
      if (depth < MAX_DEPTH) {
        for (let i = 0, n = this.rng.int(0, 1); i < n && objects.length; i++) {
          const f = this.rng.pick(objects);
          parts.push(`f${depth}_${i}: ${this.field(f, depth + 1, ctx, false)}`);
        }
      }
    }
    if ((isUnionType(type) || isInterfaceType(type)) && depth < MAX_DEPTH) {
      const possible = this.schema.getPossibleTypes(type);
      for (let i = 0, n = Math.min(3, possible.length); i < n; i++) {
        const t = this.rng.pick(possible);
        // Leaves only inside fragments: fields of one name but different types would not validate.
        const leaves = Object.values(t.getFields()).filter((f) => isLeafType(getNamedType(f.type)) && f.args.length === 0);
        const picked = leaves.length ? [...new Set(Array.from({ length: this.rng.int(1, 4) }, () => this.rng.pick(leaves).name))] : ['__typename'];
        parts.push(`... on ${t.name} { ${picked.map((n) => `${t.name}_${n}: ${n}`).join(' ')} }`);
        const objects = Object.values(t.getFields()).filter((f) => !isLeafType(getNamedType(f.type)));
        if (objects.length && this.rng.chance(0.3)) {
          const f = this.rng.pick(objects);
          parts.push(`... on ${t.name} { ${t.name}_${f.name}: ${this.field(f, depth + 1, ctx, false)} }`);
        }
      }
    }
    return ` { ${[...new Set(parts)].join(' ')} }`;
  }

  private argValue(arg: GraphQLArgument, root: boolean): unknown {
    const named = getNamedType(arg.type);
    if (named.name === 'Int' && (arg.name === 'first' || arg.name === 'last')) {
      return this.rng.pick(!this.hostile ? SANE.pageSizes : root ? PAGE_SIZES : NESTED_PAGE_SIZES);
    }
    if (named.name === 'String' && (arg.name === 'after' || arg.name === 'before')) {
      return this.hostile ? cursorValue(this.rng, this.pools) : this.rng.pick(this.pools.cursors);
    }
    this.hint = arg.name;
    return this.value(arg.type, 0);
  }

  /** An id of the type the argument's name asks for: `requesterId` a Customer, `input.id` of `updateTicket` a Ticket. */
  private typedId(): string {
    const aliases: Record<string, string> = { requester: 'customer', assignee: 'agent', author: 'agent', category: 'articlecategory', parent: 'articlecategory' };
    const base = this.hint.replace(/Ids?$/, '').toLowerCase();
    const wanted = base === '' || base === 'id' ? this.rootName.toLowerCase() : (aliases[base] ?? base);
    const types = [...this.ownByType.keys()].filter((t) => wanted.includes(t.toLowerCase())).sort((a, b) => b.length - a.length);
    return types.length ? this.rng.pick(this.ownByType.get(types[0]!)!) : this.rng.pick(this.pools.own);
  }

  private value(type: GraphQLInputType, depth: number): unknown {
    if (this.hostile && this.rng.chance(0.03)) return this.wrongKind();
    if (!isNonNullType(type) && this.rng.chance(0.05)) return null;
    const t = getNullableType(type) as GraphQLInputType;
    if (isListType(t)) {
      const n = this.hostile && this.rng.chance(0.05) ? this.rng.int(100, 200) : this.rng.int(0, 3);
      return Array.from({ length: n }, () => this.value(t.ofType, depth + 1));
    }
    if (isInputObjectType(t)) {
      const out: Record<string, unknown> = {};
      for (const f of Object.values(t.getFields())) {
        const required = isNonNullType(f.type) && f.defaultValue === undefined;
        if (required || (depth < 3 && this.rng.chance(0.5))) {
          this.hint = f.name;
          out[f.name] = this.value(f.type, depth + 1);
        }
      }
      return out;
    }
    if (isEnumType(t)) return this.hostile && this.rng.chance(0.08) ? 'NOT_A_VALUE' : this.rng.pick(t.getValues()).name;
    if (isScalarType(t)) return this.hostile ? this.hostileScalar(t.name) : this.saneScalar(t.name);
    return null;
  }

  private hostileScalar(name: string): unknown {
    switch (name) {
      case 'Int':
        return this.rng.pick(INTS);
      case 'Float':
        return this.rng.pick(FLOATS);
      case 'Boolean':
        return this.rng.chance(0.5);
      case 'ID':
        return idValue(this.rng, this.pools);
      case 'DateTime':
        return this.rng.pick(DATE_TIMES);
      case 'JSON':
        return this.rng.pick(JSONS);
      default:
        return this.rng.pick(STRINGS);
    }
  }

  private saneScalar(name: string): unknown {
    switch (name) {
      case 'Int':
        return this.rng.pick(SANE.ints);
      case 'Float':
        return this.rng.pick(SANE.floats);
      case 'Boolean':
        return this.rng.chance(0.5);
      case 'ID':
        return this.rng.chance(0.85) ? this.typedId() : this.rng.pick(this.pools.other);
      case 'DateTime':
        return this.rng.pick(SANE.dateTimes);
      case 'JSON':
        return this.rng.pick(SANE.jsons);
      default:
        return this.rng.pick(SANE.strings);
    }
  }

  private wrongKind(): unknown {
    return this.rng.pick<unknown>(['text', 7, 1.25, true, { a: 1 }, [1, 'x']]);
  }
}

interface Ctx {
  defs: string[];
  variables: Record<string, unknown>;
}

/** The value as a GraphQL literal for that type, or null where it has none (a JSON key that is no name, a value of the wrong kind). */
export function toLiteral(value: unknown, type: GraphQLInputType): string | null {
  if (value === null || value === undefined) return isNonNullType(type) ? null : 'null';
  const t = getNullableType(type) as GraphQLInputType;
  if (isListType(t)) {
    const items = (Array.isArray(value) ? value : [value]).map((v) => toLiteral(v, t.ofType));
    return items.some((i) => i === null) ? null : `[${items.join(', ')}]`;
  }
  if (isInputObjectType(t)) {
    if (typeof value !== 'object' || Array.isArray(value)) return null;
    const fields = t.getFields();
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const lit = fields[k] ? toLiteral(v, fields[k]!.type) : null;
      if (lit === null) return null;
      parts.push(`${k}: ${lit}`);
    }
    return `{ ${parts.join(', ')} }`;
  }
  if (isEnumType(t)) return typeof value === 'string' && NAME.test(value) ? value : null;
  if (isScalarType(t) && t.name === 'JSON') return jsonLiteral(value, 0);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

function jsonLiteral(value: unknown, depth: number): string | null {
  if (depth > 200) return null;
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    const items = value.map((v) => jsonLiteral(v, depth + 1));
    return items.some((i) => i === null) ? null : `[${items.join(', ')}]`;
  }
  if (typeof value === 'object') {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const lit = jsonLiteral(v, depth + 1);
      if (!NAME.test(k) || lit === null) return null;
      parts.push(`${k}: ${lit}`);
    }
    return `{ ${parts.join(', ')} }`;
  }
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}
