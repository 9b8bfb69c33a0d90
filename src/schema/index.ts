import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { builder } from '../builder.ts';
// Each import registers its domain's types and fields with the builder.
import './enums.ts';
import './errors.ts';
import './workspace/types.ts';
import './api-keys/index.ts';
import './customers/types.ts';
import './customers/queries.ts';
import './customers/mutations.ts';
import './conversations/index.ts';
import './tickets/index.ts';
import './knowledge/index.ts';
import './surveys/index.ts';
import './sla/index.ts';
import './timeline/types.ts';
import './search/types.ts';
import './metrics/types.ts';
import './metrics/customer-value.ts';
import './metrics/entity-metrics.ts';
import './metrics/conversation-metrics.ts';
import './metrics/live.ts';
import './metrics/agent-team.ts';
import './work/index.ts';
import './events/index.ts';
import './subscriptions/index.ts';

let schema: GraphQLSchema | undefined;

/** The executable schema, built once. */
export function getSchema(): GraphQLSchema {
  schema ??= builder.toSchema();
  return schema;
}

/** The schema as partners read it: sorted, so diffs of schema/schema.graphql stay small. */
export function getSortedSchema(): GraphQLSchema {
  return lexicographicSortSchema(getSchema());
}
