import { ErrorCode, requestError } from '../errors.ts';
import { hasScope, type Scope } from './scopes.ts';

/**
 * What a key may hand out when it creates another key. A key never mints a key stronger than
 * itself, so a leaked key cannot be turned into a broader or longer-lived one:
 *
 * - every scope of the new key must be held by the creating key, with the usual `hasScope`
 *   meaning (`tickets:write` allows `tickets:read`; `*` allows anything; `*` itself only from `*`);
 * - the new key may act as the creating key's own agent, or as no agent; acting as any other
 *   agent (its changes would be recorded under that agent's name) needs `agents:write`;
 * - a creating key that expires can only create keys that expire no later than it does.
 *
 * A refusal is a FORBIDDEN request error naming the input field, like any other scope refusal.
 */

/** The creating key. */
export interface Grantor {
  scopes: readonly string[];
  agentId: string | null;
  expiresAt: Date | null;
}

/** The key asked for. */
export interface Grant {
  scopes: readonly Scope[];
  agentId: string | null;
  expiresAt: Date | null;
}

function refuse(argument: string, message: string): never {
  throw requestError(ErrorCode.FORBIDDEN, `Not allowed: ${argument}: ${message}`, { argument });
}

export function assertMayGrant(grantor: Grantor, grant: Grant): void {
  const beyond = grant.scopes.filter((scope) => !hasScope(grantor.scopes, scope));
  if (beyond.length > 0) {
    refuse(
      'input.scopes',
      `this key does not hold ${beyond.map((s) => `"${s}"`).join(', ')}; a key can only create keys with scopes it holds itself ("*" only from a "*" key)`,
    );
  }
  if (grant.agentId !== null && grant.agentId !== grantor.agentId && !hasScope(grantor.scopes, 'agents:write')) {
    refuse('input.agentId', 'acting as an agent other than this key\'s own needs the agents:write scope');
  }
  if (grantor.expiresAt && (!grant.expiresAt || grant.expiresAt > grantor.expiresAt)) {
    refuse('input.expiresAt', `this key expires at ${grantor.expiresAt.toISOString()}; the keys it creates must expire no later`);
  }
}

/**
 * What a key may revoke: itself, or a key none of whose scopes it lacks (the keys it could have
 * created, agent and expiry aside). A `workspace:write` key cannot switch off the workspace's
 * `*` admin key, which would lock the admins out of their integrations until someone noticed.
 */
export function assertMayRevoke(revoker: { id: string; scopes: readonly string[] }, target: { id: string; scopes: readonly string[] }): void {
  if (revoker.id === target.id) return;
  const beyond = target.scopes.filter((scope) => !hasScope(revoker.scopes, scope as Scope));
  if (beyond.length > 0) {
    refuse('input.id', `that key holds ${beyond.map((s) => `"${s}"`).join(', ')}, which this key does not; a key can only revoke itself or keys no stronger than it`);
  }
}
