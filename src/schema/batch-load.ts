import DataLoader from 'dataloader';
import type { Context } from '../context.ts';
import { workspaceIdOf } from './tenancy.ts';

/**
 * Loads rows by id for fields that resolve objects found by hand-written SQL (timeline entries,
 * search hits): all rows of one model requested in the same tick with the same Pothos
 * selection become ONE findMany that includes the nested relations the client selected —
 * instead of a lookup, and then relation queries, per row.
 */
type Model = 'conversation' | 'message' | 'ticket' | 'ticketEvent' | 'surveyResponse' | 'customerEvent' | 'customer' | 'organization' | 'article';

const loaders = new WeakMap<Context, Map<string, DataLoader<string, unknown>>>();

export function loadById(ctx: Context, model: Model, query: object, id: string): Promise<unknown> {
  let perRequest = loaders.get(ctx);
  if (!perRequest) loaders.set(ctx, (perRequest = new Map()));
  const key = `${model}:${JSON.stringify(query)}`;
  let loader = perRequest.get(key);
  if (!loader) {
    const workspaceId = workspaceIdOf(ctx);
    loader = new DataLoader<string, unknown>(async (ids) => {
      const delegate = ctx.prisma[model] as unknown as { findMany(args: object): Promise<{ id: string }[]> };
      const rows = await delegate.findMany({ ...query, where: { id: { in: [...ids] }, workspaceId } });
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    perRequest.set(key, loader);
  }
  return loader.load(id);
}
