// Registers the tickets domain's types, queries and mutations with the builder.
import './types.ts';
import './relations.ts';
import './queries.ts';
import './mutations.ts';
