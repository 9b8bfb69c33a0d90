import { z } from 'zod';
import { builder } from '../builder.ts';

/** Shared input types and validation rules for filters and ordering. */

export const SortDirectionEnum = builder.enumType('SortDirection', {
  description: 'Sort order.',
  values: { ASC: { value: 'asc', description: 'Smallest / oldest first.' }, DESC: { value: 'desc', description: 'Largest / newest first.' } },
});

export interface DateTimeRange {
  from?: Date | null;
  to?: Date | null;
}

export const DateTimeRangeInput = builder
  .inputType('DateTimeRange', {
    description: 'A half-open time range [from, to). Either end may be left open.',
    fields: (t) => ({
      from: t.field({ type: 'DateTime', required: false, description: 'Inclusive start.' }),
      to: t.field({ type: 'DateTime', required: false, description: 'Exclusive end.' }),
    }),
  })
  .validate(
    z.custom<DateTimeRange>().refine((r) => !r || !r.from || !r.to || r.from < r.to, { message: '`from` must be before `to`' }),
  );

/** Prisma `where` fragment for a DateTimeRange on one column. */
export function rangeWhere(range: DateTimeRange | null | undefined): { gte?: Date; lt?: Date } | undefined {
  if (!range || (!range.from && !range.to)) return undefined;
  return { ...(range.from ? { gte: range.from } : {}), ...(range.to ? { lt: range.to } : {}) };
}

/** Free-text search terms: trimmed, 1–200 characters. */
export const searchText = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
/** Tags: 1–64 characters each, at most 20 per filter. */
export const tagList = z.array(z.string().trim().min(1).max(64, 'tags are at most 64 characters')).max(20, 'at most 20 tags');
