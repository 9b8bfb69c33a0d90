/**
 * How a field declares its cost, next to its definition: `extensions: { cost: { … } }` on a
 * Pothos field. The cost guard (src/guards/cost.ts) reads it from the built schema, so a new
 * field gets its weight where it is written, not in a table in the guard.
 *
 * Without a declaration a field costs what Shopify charges: 1 for an object, 0 for a scalar
 * or enum; a connection costs 1 plus `first`/`last` (or the argument's default, else the
 * default page size) times one item's selection.
 */
export interface FieldCost {
  /**
   * What resolving the field costs once (per parent item), on top of 1 per object it returns:
   * a field that runs its own SQL statement (an aggregate, a full-text search) weighs what that
   * statement costs compared with loading one row.
   */
  complexity?: number;
  /**
   * Items a list field returns at most: a number, or the name of the argument bounding it (a
   * number such as `first`, or a list such as `ids`, whose length counts).
   */
  listSize?: number | string;
}

export function cost(spec: FieldCost): { cost: FieldCost } {
  return { cost: spec };
}
