import type { Context } from '../context.ts';
import { requireViewer } from '../context.ts';

/**
 * Row-level tenancy: every Prisma query made on behalf of a caller is narrowed to the caller's
 * workspace through these helpers, so "which workspace" is decided in one place.
 */
export function workspaceIdOf(ctx: Context): string {
  return requireViewer(ctx).workspaceId;
}

/** `where` fragment for a workspace-owned model. */
export function inWorkspace(ctx: Context): { workspaceId: string } {
  return { workspaceId: workspaceIdOf(ctx) };
}

/** Unique lookup by id, narrowed to the caller's workspace (another tenant's id finds nothing). */
export function byIdInWorkspace(id: string, ctx: Context): { id: string; workspaceId: string } {
  return { id, workspaceId: workspaceIdOf(ctx) };
}
