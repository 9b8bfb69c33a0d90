import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import { defaultFieldResolver, type GraphQLFieldResolver } from 'graphql';
import { getDatamodel } from '../generated/pothos-prisma-types.ts';

/**
 * Every Prisma type is in plugin-prisma's select mode: a query reads only the columns its
 * selection needs (issue 12: the 50 × 10 agent-console read fetched all 31 ticket columns).
 *
 * Select mode has one cost this plugin removes. A field that selects columns asks plugin-prisma
 * whether its parent row was loaded by a planned query; a row a service returned (a mutation's
 * payload, a subscription's subject, a search hit) was not, so plugin-prisma reads the row again
 * — one more statement, and the row as it is now rather than as the mutation left it (ten
 * parallel `sendMessage`s would each report the last `version`). A row in hand that already has
 * every column a field selects is used as it is; anything else (a relation, a computed select, a
 * column the row lacks) goes through plugin-prisma unchanged.
 *
 * Registered just before PrismaPlugin, so it wraps plugin-prisma's resolver and runs after
 * scope-auth, errors and validation.
 */

const scalarColumns = new Map<string, ReadonlySet<string>>(
  Object.entries(getDatamodel().datamodel.models).map(([model, { fields }]) => [
    model,
    new Set(fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum').map((f) => f.name)),
  ]),
);

export class RowsInHandPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    if (fieldConfig.kind !== 'PrismaObject') return resolver;
    const select = fieldConfig.extensions?.pothosPrismaSelect as Record<string, unknown> | undefined;
    if (!select || typeof select !== 'object') return resolver;
    const model = this.buildCache.getTypeConfig(fieldConfig.parentType).extensions?.pothosPrismaModel as string | undefined;
    const columns = model ? scalarColumns.get(model) : undefined;
    const keys = Object.keys(select);
    if (!columns || keys.length === 0 || !keys.every((k) => select[k] === true && columns.has(k))) return resolver;
    const own = (fieldConfig.resolve ?? defaultFieldResolver) as GraphQLFieldResolver<unknown, Types['Context'], object>;
    return (parent, args, context, info) =>
      parent !== null && typeof parent === 'object' && keys.every((k) => Object.hasOwn(parent, k))
        ? own(parent, args, context, info)
        : resolver(parent, args, context, info);
  }
}

const pluginName = 'rowsInHand';

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      rowsInHand: RowsInHandPlugin<Types>;
    }
  }
}

SchemaBuilder.registerPlugin(pluginName, RowsInHandPlugin);

export default pluginName;
