import type { z } from 'zod';
import type { Context } from '../context.ts';
import { requireViewer } from '../context.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import type { ActorKind } from '../generated/prisma/enums.ts';

/**
 * What every service needs about the caller: the workspace it acts in, and who to record as the
 * actor of a change (the key's agent, or the key itself for integrations).
 */
export interface Actor {
  workspaceId: string;
  agentId: string | null;
  apiKeyId: string;
  kind: ActorKind;
}

export function actorOf(ctx: Context): Actor {
  const viewer = requireViewer(ctx);
  return {
    workspaceId: viewer.workspaceId,
    agentId: viewer.agentId,
    apiKeyId: viewer.apiKeyId,
    kind: viewer.agentId ? 'AGENT' : 'API_KEY',
  };
}

/** Parses a mutation input with zod; the first issue becomes a ValidationError naming its field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, root = 'input'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = [root, ...issue.path.map(String)].join('.');
  throw new ValidationError(`${path}: ${issue.message}`, path);
}

/** Maps a unique-constraint violation to a ConflictError on the named input field. */
export function conflictOnUnique(error: unknown, fields: Record<string, string>): never {
  const e = error as {
    code?: string;
    meta?: { target?: unknown; driverAdapterError?: { cause?: { constraint?: { fields?: string[]; index?: string } } } };
  };
  if (e.code === 'P2002') {
    // Adapters report the constraint differently: column names (PGlite) or the index name
    // ("Customer_workspaceId_email_key", PostgreSQL).
    const constraint = e.meta?.driverAdapterError?.cause?.constraint;
    const target = e.meta?.target ?? constraint?.fields ?? (constraint?.index ? constraint.index.split('_') : undefined);
    const columns = Array.isArray(target) ? target.map(String) : typeof target === 'string' ? [target] : [];
    for (const [column, path] of Object.entries(fields)) {
      if (columns.some((c) => c.replaceAll('"', '') === column || c.includes(column))) {
        throw new ConflictError(`${path}: this value is already used by another record`, path);
      }
    }
    throw new ConflictError('a record with these values already exists');
  }
  throw error;
}
