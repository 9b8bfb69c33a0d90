// Registers the API-key types, queries and mutations with the builder.
import './types.ts';
import './queries.ts';
import './mutations.ts';
