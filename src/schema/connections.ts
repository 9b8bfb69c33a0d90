/**
 * Shared options for Relay connections: names and descriptions so every connection in the
 * contract reads the same way, and `totalCount` documented (the Prisma plugin adds it bare).
 */
import { ErrorCode, requestError } from '../errors.ts';
import { cost } from '../guards/cost-spec.ts';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 25;

interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Cursors are opaque to clients (Pothos encodes "GPC:S:<id>" in base64). A cursor that does not
 * decode to one of ours is rejected here, before it can reach SQL as a malformed UUID.
 */
function checkCursor(name: 'after' | 'before', cursor: string | null | undefined) {
  if (cursor === null || cursor === undefined) return;
  const decoded = cursor.length <= 512 ? Buffer.from(cursor, 'base64').toString('utf8') : '';
  const simple = /^GPC:S:(.*)$/.exec(decoded);
  const ok = simple ? UUID.test(simple[1]!) : /^GPC:[JT]:/.test(decoded);
  if (!ok) throw requestError(ErrorCode.BAD_USER_INPUT, `\`${name}\` is not a valid cursor`, { argument: name });
}

/**
 * Page-size rules for every connection: `first`/`last` between 1 and 100, default 25. Out of
 * range is a BAD_USER_INPUT error naming the argument, never a silently clamped page.
 */
export function validatePageArgs(args: PageArgs): number {
  for (const name of ['first', 'last'] as const) {
    const value = args[name];
    if (value !== null && value !== undefined && (value < 1 || value > MAX_PAGE_SIZE)) {
      throw requestError(ErrorCode.BAD_USER_INPUT, `\`${name}\` must be between 1 and ${MAX_PAGE_SIZE}, got ${value}`, {
        argument: name,
      });
    }
  }
  checkCursor('after', args.after);
  checkCursor('before', args.before);
  if (args.first != null && args.last != null) {
    throw requestError(ErrorCode.BAD_USER_INPUT, 'Pass either `first` or `last`, not both', { argument: 'last' });
  }
  return MAX_PAGE_SIZE;
}

/** Spread into `prismaConnection` / `relatedConnection` field options. */
export const pageSize = { defaultSize: DEFAULT_PAGE_SIZE, maxSize: (args: PageArgs) => validatePageArgs(args) };

interface TotalCountParent {
  // prismaConnection hands a loader function; relatedConnection the counted number.
  totalCount?: number | (() => number | Promise<number>);
}

export function connectionOptions(typeName: string, description: string) {
  return {
    name: `${typeName}Connection`,
    description,
    fields: (t: any) => ({
      totalCount: t.int({
        description: 'How many items match, across all pages.',
        nullable: false,
        // Lets the Prisma plugin answer a totalCount-only selection without loading rows.
        // A COUNT over every match, not one row: it costs a point of its own.
        extensions: { pothosPrismaTotalCount: true, ...cost({ complexity: 1 }) },
        resolve: (parent: TotalCountParent) => (typeof parent.totalCount === 'function' ? parent.totalCount() : parent.totalCount),
      }),
    }),
  };
}

export function edgeOptions(typeName: string) {
  return { name: `${typeName}Edge`, description: `One ${typeName} in a page, with its cursor.` };
}
