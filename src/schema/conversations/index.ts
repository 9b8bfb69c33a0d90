// Registers the conversations domain's types, queries and mutations with the builder.
import './types.ts';
import './teams.ts';
import './queries.ts';
import './mutations.ts';
