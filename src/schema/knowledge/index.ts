// Registers the knowledge domain's types, queries and mutations with the builder.
import './types.ts';
import './queries.ts';
import './search-fields.ts';
import './mutations.ts';
