import { Kind, visit, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

/** What the structural limits look at, measured in one pass over a parsed document. */
export interface DocumentShape {
  /** Deepest field nesting of any operation, fragments expanded; every field counts (`edges`, `node` too). */
  depth: number;
  /** Aliased fields, counted once per use of the fragment that holds them. */
  aliases: number;
  /** Directives written in the document. */
  directives: number;
}

interface Figures {
  depth: number;
  aliases: number;
}

/**
 * Fragments are measured once each and reused, so a document that spreads fragments into
 * fragments costs linear time here however large its expansion would be. Introspection fields
 * (`__schema`, `__type`) are not counted: they are answered from memory, and GraphiQL's own
 * introspection query is deeper than any limit meant for data.
 */
export function measureDocument(document: DocumentNode): DocumentShape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const measured = new Map<string, Figures>();
  const inProgress = new Set<string>();

  const measure = (set: SelectionSetNode): Figures => {
    let depth = 0;
    let aliases = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__') && selection.name.value !== '__typename') continue;
        const inner = selection.selectionSet ? measure(selection.selectionSet) : { depth: 0, aliases: 0 };
        depth = Math.max(depth, 1 + inner.depth);
        aliases += (selection.alias ? 1 : 0) + inner.aliases;
      } else {
        let inner: Figures;
        if (selection.kind === Kind.INLINE_FRAGMENT) inner = measure(selection.selectionSet);
        else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          // An unknown or cyclic spread fails validation; it adds nothing here.
          if (!fragment || inProgress.has(name)) continue;
          let known = measured.get(name);
          if (!known) {
            inProgress.add(name);
            known = measure(fragment.selectionSet);
            inProgress.delete(name);
            measured.set(name, known);
          }
          inner = known;
        }
        depth = Math.max(depth, inner.depth);
        aliases += inner.aliases;
      }
    }
    return { depth, aliases };
  };

  let depth = 0;
  let aliases = 0;
  for (const d of document.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    const figures = measure(d.selectionSet);
    depth = Math.max(depth, figures.depth);
    aliases = Math.max(aliases, figures.aliases);
  }
  let directives = 0;
  visit(document, { Directive: () => void directives++ });
  return { depth, aliases, directives };
}
