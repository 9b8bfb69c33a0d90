import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../schema/connections.ts';
import type { FieldCost } from './cost-spec.ts';

/**
 * Shopify-style query cost, from the document and its variables alone (requested), and from the
 * data a response really holds (actual):
 *   - an object costs 1, a scalar or enum 0, a connection's edge wrapper 0;
 *   - a list multiplies one item's cost by its size: a connection's page (`first`/`last`, else
 *     the argument's default, else DEFAULT_PAGE_SIZE), a field's declared `listSize`, else
 *     DEFAULT_LIST_SIZE;
 *   - a field's declared `complexity` (src/guards/cost-spec.ts) is added once per parent item;
 *   - on an interface or union the most expensive possible type counts;
 *   - introspection (`__schema`, `__type`) is free: it is answered from memory.
 * The requested cost is an upper bound of the actual one.
 */

/** Items assumed for a list field that declares no bound (e.g. a calendar's holidays). */
export const DEFAULT_LIST_SIZE = DEFAULT_PAGE_SIZE;

type Variables = Record<string, unknown>;

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Variables;
  variableDefaults: Map<string, ValueNode>;
  memo: WeakMap<SelectionSetNode, Map<string, number>>;
}

export function selectedOperation(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return operations.find((o) => o.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

function walkOf(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Variables | null | undefined): Walk {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const variableDefaults = new Map<string, ValueNode>();
  for (const v of operation.variableDefinitions ?? []) if (v.defaultValue) variableDefaults.set(v.variable.name.value, v.defaultValue);
  return { schema, fragments, variables: variables ?? {}, variableDefaults, memo: new WeakMap() };
}

const connectionTypes = new WeakMap<GraphQLNamedType, boolean>();

/** A Relay connection: an object with `edges`, a list of objects with a `node`. */
export function isConnectionType(type: GraphQLNamedType): boolean {
  let known = connectionTypes.get(type);
  if (known === undefined) {
    const edges = isObjectType(type) ? type.getFields().edges : undefined;
    const edge = edges && isListType(getNullableType(edges.type)) ? getNamedType(edges.type) : undefined;
    known = !!edge && isObjectType(edge) && 'node' in edge.getFields();
    connectionTypes.set(type, known);
  }
  return known;
}

function isEdgeType(type: GraphQLNamedType): boolean {
  return isObjectType(type) && type.name.endsWith('Edge') && 'node' in type.getFields() && 'cursor' in type.getFields();
}

function specOf(field: GraphQLField<unknown, unknown>): FieldCost {
  return (field.extensions as { cost?: FieldCost } | undefined)?.cost ?? {};
}

/** An argument's value as far as cost needs it: numbers, and lists (their length). */
function literal(walk: Walk, node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.INT:
      return Number.parseInt(node.value, 10);
    case Kind.LIST:
      return node.values;
    case Kind.VARIABLE: {
      const name = node.name.value;
      if (walk.variables[name] !== undefined) return walk.variables[name];
      const fallback = walk.variableDefaults.get(name);
      return fallback ? literal(walk, fallback) : undefined;
    }
    default:
      return undefined;
  }
}

function argument(walk: Walk, field: GraphQLField<unknown, unknown>, node: FieldNode, name: string): unknown {
  const given = node.arguments?.find((a) => a.name.value === name);
  const value = given ? literal(walk, given.value) : undefined;
  if (value !== undefined && value !== null) return value;
  return field.args.find((a) => a.name === name)?.defaultValue;
}

/**
 * A size argument, capped at MAX_PAGE_SIZE: every page and list argument is validated to at
 * most that, so `first: 1000` is left to argument validation (BAD_USER_INPUT naming `first`)
 * rather than refused here as too complex.
 */
function asCount(value: unknown): number | undefined {
  if (Array.isArray(value)) return Math.min(MAX_PAGE_SIZE, value.length);
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.min(MAX_PAGE_SIZE, Math.ceil(value));
  return undefined;
}

function pageSizeOf(walk: Walk, field: GraphQLField<unknown, unknown>, node: FieldNode): number {
  return asCount(argument(walk, field, node, 'first')) ?? asCount(argument(walk, field, node, 'last')) ?? DEFAULT_PAGE_SIZE;
}

function listSizeOf(walk: Walk, field: GraphQLField<unknown, unknown>, node: FieldNode, connectionPage: number | undefined): number {
  const { listSize } = specOf(field);
  if (typeof listSize === 'number') return listSize;
  if (typeof listSize === 'string') return asCount(argument(walk, field, node, listSize)) ?? DEFAULT_LIST_SIZE;
  return connectionPage ?? DEFAULT_LIST_SIZE;
}

function typeApplies(schema: GraphQLSchema, condition: string | undefined, type: GraphQLObjectType): boolean {
  if (!condition || condition === type.name) return true;
  const conditionType = schema.getType(condition);
  return !!conditionType && isAbstractType(conditionType) && schema.isSubType(conditionType, type);
}

/** The fields a selection set asks of one concrete type, through its fragments. */
function fieldsFor(walk: Walk, type: GraphQLObjectType, set: SelectionSetNode, out: FieldNode[] = []): FieldNode[] {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) out.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (typeApplies(walk.schema, selection.typeCondition?.name.value, type)) fieldsFor(walk, type, selection.selectionSet, out);
    } else {
      const fragment = walk.fragments.get(selection.name.value);
      if (fragment && typeApplies(walk.schema, fragment.typeCondition.name.value, type)) fieldsFor(walk, type, fragment.selectionSet, out);
    }
  }
  return out;
}

function selectionCost(walk: Walk, type: GraphQLCompositeType, set: SelectionSetNode, connectionPage: number | undefined): number {
  const memoKey = `${type.name}:${connectionPage ?? ''}`;
  let byType = walk.memo.get(set);
  const known = byType?.get(memoKey);
  if (known !== undefined) return known;
  const concrete = isAbstractType(type) ? walk.schema.getPossibleTypes(type) : [type as GraphQLObjectType];
  let worst = 0;
  for (const object of concrete) {
    let sum = 0;
    for (const node of fieldsFor(walk, object, set)) sum += fieldCost(walk, object, node, connectionPage);
    worst = Math.max(worst, sum);
  }
  if (!byType) walk.memo.set(set, (byType = new Map()));
  byType.set(memoKey, worst);
  return worst;
}

function fieldCost(walk: Walk, parent: GraphQLObjectType, node: FieldNode, connectionPage: number | undefined): number {
  if (node.name.value.startsWith('__')) return 0;
  const field = parent.getFields()[node.name.value];
  if (!field) return 0;
  const named = getNamedType(field.type);
  const own = isCompositeType(named) && !isEdgeType(named) ? 1 : 0;
  const childPage = isConnectionType(named) ? pageSizeOf(walk, field, node) : undefined;
  const children = node.selectionSet && isCompositeType(named) ? selectionCost(walk, named, node.selectionSet, childPage) : 0;
  const count = isListType(getNullableType(field.type)) ? listSizeOf(walk, field, node, connectionPage) : 1;
  return (specOf(field).complexity ?? 0) + count * (own + children);
}

/** The requested cost of the operation that would run; 0 when there is none to pick. */
export function requestedCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
  variables?: Variables | null,
): number {
  const operation = selectedOperation(document, operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return 0;
  return selectionCost(walkOf(schema, document, operation, variables), root, operation.selectionSet, undefined);
}

/** Every field of a selection set on any possible runtime type, by response key (first wins). */
function fieldsByKey(walk: Walk, type: GraphQLCompositeType, set: SelectionSetNode, out = new Map<string, { node: FieldNode; owner: GraphQLCompositeType }>()) {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      if (!out.has(key)) out.set(key, { node: selection, owner: type });
    } else {
      const condition = selection.kind === Kind.INLINE_FRAGMENT ? selection.typeCondition?.name.value : walk.fragments.get(selection.name.value)?.typeCondition.name.value;
      const set2 = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : walk.fragments.get(selection.name.value)?.selectionSet;
      const owner = condition ? walk.schema.getType(condition) : type;
      if (set2 && owner && isCompositeType(owner)) fieldsByKey(walk, owner, set2, out);
    }
  }
  return out;
}

function dataCost(walk: Walk, type: GraphQLCompositeType, set: SelectionSetNode, value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let sum = 0;
  for (const [key, { node, owner }] of fieldsByKey(walk, type, set)) {
    if (!(key in value) || node.name.value.startsWith('__') || isAbstractType(owner) && !('getFields' in owner)) continue;
    const field = 'getFields' in owner ? owner.getFields()[node.name.value] : undefined;
    if (!field) continue;
    const named = getNamedType(field.type);
    const own = isCompositeType(named) && !isEdgeType(named) ? 1 : 0;
    const items = (value as Record<string, unknown>)[key];
    const one = (item: unknown) =>
      item === null || item === undefined ? 0 : own + (node.selectionSet && isCompositeType(named) ? dataCost(walk, named, node.selectionSet, item) : 0);
    sum += specOf(field).complexity ?? 0;
    sum += Array.isArray(items) ? items.reduce((total: number, item) => total + one(item), 0) : one(items);
  }
  return sum;
}

/**
 * The cost of what a response really holds: the same weights, with lists counted as returned
 * and nulls free (a declared `complexity` is charged whenever the field appears: its statement
 * ran). Fields of fragments on a type the value turned out not to be are absent from the data
 * and cost nothing.
 */
export function actualCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Variables | null | undefined,
  data: unknown,
): number {
  const operation = selectedOperation(document, operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return 0;
  return dataCost(walkOf(schema, document, operation, variables), root, operation.selectionSet, data);
}
