/**
 * API scopes: `<domain>:read` and `<domain>:write`. A write scope includes reading the same
 * domain; `*` grants everything. Scopes are data on the key, checked on every root field,
 * `node` lookup and mutation.
 */
export const SCOPE_DOMAINS = [
  'workspace',
  'agents',
  'customers',
  'conversations',
  'tickets',
  'knowledge',
  'surveys',
  'metrics',
  'events',
] as const;

export type ScopeDomain = (typeof SCOPE_DOMAINS)[number];
export type Scope = `${ScopeDomain}:${'read' | 'write'}` | '*';

export const ALL_SCOPES: readonly Scope[] = ['*', ...SCOPE_DOMAINS.flatMap((d) => [`${d}:read`, `${d}:write`] as Scope[])];

export function isScope(value: string): value is Scope {
  return (ALL_SCOPES as readonly string[]).includes(value);
}

/** Does a key holding `granted` satisfy `required`? */
export function hasScope(granted: readonly string[], required: Scope): boolean {
  if (granted.includes('*') || granted.includes(required)) return true;
  if (required.endsWith(':read')) return granted.includes(required.replace(/:read$/, ':write'));
  return false;
}

/** Read-only access to everything: what a wallboard or reporting integration needs. */
export const READ_ONLY_SCOPES: Scope[] = SCOPE_DOMAINS.map((d) => `${d}:read` as Scope);
