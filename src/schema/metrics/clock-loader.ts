import DataLoader from 'dataloader';
import type { Context } from '../../context.ts';
import { ErrorCode, requestError } from '../../errors.ts';
import { Prisma } from '../../generated/prisma/client.ts';
import { workspaceIdOf } from '../tenancy.ts';

/**
 * The drill-down durations of one kind of object (tickets, conversations) for a page of them, in
 * one statement per page and clock: a DataLoader per request and calendar. `select` builds the
 * statement for the ids, the clock's calendar (null: calendar time) and the workspace; its rows
 * carry the object's `id`. A calendar of another workspace is refused as not found — it must
 * not be usable, not even to learn its hours.
 */
export interface ClockRow {
  id: string;
}

type Select = (ids: readonly string[], calendar: Prisma.Sql | null, workspaceId: string) => Prisma.Sql;

export function clockLoaderFamily<Row extends ClockRow>(select: Select): (ctx: Context, calendarId: string | null) => DataLoader<string, Row | null> {
  const perRequest = new WeakMap<Context, Map<string, DataLoader<string, Row | null>>>();
  return (ctx, calendarId) => {
    let loaders = perRequest.get(ctx);
    if (!loaders) perRequest.set(ctx, (loaders = new Map()));
    let loader = loaders.get(calendarId ?? '');
    if (!loader) {
      const ws = workspaceIdOf(ctx);
      const cal = calendarId ? Prisma.sql`${calendarId}::uuid` : null;
      loader = new DataLoader(async (ids) => {
        const found = cal ? Prisma.sql`EXISTS (SELECT 1 FROM "BusinessCalendar" bc WHERE bc.id = ${cal} AND bc."workspaceId" = ${ws}::uuid)` : Prisma.sql`TRUE`;
        const rows = await ctx.prisma.$queryRaw<Array<Row & { calendar_found: boolean }>>`SELECT r.*, ${found} AS calendar_found FROM (${select(ids, cal, ws)}) r`;
        if (rows.some((r) => !r.calendar_found)) {
          throw requestError(ErrorCode.NOT_FOUND, 'calendarId: business calendar not found', { argument: 'calendarId' });
        }
        const byId = new Map(rows.map((r) => [r.id, r]));
        return ids.map((id) => byId.get(id) ?? null);
      });
      loaders.set(calendarId ?? '', loader);
    }
    return loader;
  };
}
