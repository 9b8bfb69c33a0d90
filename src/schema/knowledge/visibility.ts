import type { Context } from '../../context.ts';
import { viewerCan } from '../../auth/viewer.ts';
import { ErrorCode, requestError } from '../../errors.ts';
import type { ArticleStatus } from '../../generated/prisma/enums.ts';

/**
 * Who sees which articles. A key with only `knowledge:read` is what a public help-center widget
 * holds, so it sees PUBLISHED articles and nothing else: drafts and archived articles are
 * invisible to it everywhere (lists, search, `article`, `node`, category listings). Keys with
 * `knowledge:write` (the editors) also see drafts by default, and archived articles when a
 * filter asks for them or when they look one up by id or slug.
 */
export function canEditKnowledge(ctx: Context): boolean {
  return viewerCan(ctx.viewer, 'knowledge:write');
}

/** Statuses a list or search shows when the caller names none. */
export function defaultListStatuses(ctx: Context): ArticleStatus[] {
  return canEditKnowledge(ctx) ? ['PUBLISHED', 'DRAFT'] : ['PUBLISHED'];
}

/** Statuses a single lookup (`article`, `node`) may return. */
export function lookupStatuses(ctx: Context): ArticleStatus[] {
  return canEditKnowledge(ctx) ? ['PUBLISHED', 'DRAFT', 'ARCHIVED'] : ['PUBLISHED'];
}

/**
 * The statuses a list filter asks for, checked against what the caller may see. Asking for
 * drafts or archived articles without `knowledge:write` is an explicit FORBIDDEN rather than
 * a silently empty page, so a misconfigured widget is noticed.
 */
export function requestedStatuses(ctx: Context, requested: readonly ArticleStatus[] | null | undefined, argument: string): ArticleStatus[] {
  if (!requested || requested.length === 0) return defaultListStatuses(ctx);
  if (!canEditKnowledge(ctx) && requested.some((s) => s !== 'PUBLISHED')) {
    throw requestError(ErrorCode.FORBIDDEN, `\`${argument}\`: draft and archived articles need the knowledge:write scope`, { argument });
  }
  return [...new Set(requested)];
}
