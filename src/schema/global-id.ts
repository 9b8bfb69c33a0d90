import { ErrorCode, requestError } from '../errors.ts';

/**
 * Global IDs are opaque to clients: base64url of "<Type>:<uuid>". Decoding validates both
 * parts, so a malformed or foreign id is a clear BAD_USER_INPUT error and never reaches SQL.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeGlobalId(typename: string, id: string | number | bigint): string {
  return Buffer.from(`${typename}:${String(id)}`, 'utf8').toString('base64url');
}

export function decodeGlobalId(globalId: string): { typename: string; id: string } {
  const invalid = () => requestError(ErrorCode.BAD_USER_INPUT, `"${globalId.slice(0, 64)}" is not a valid ID`);
  if (typeof globalId !== 'string' || globalId.length === 0 || globalId.length > 200 || !/^[A-Za-z0-9_-]+=*$/.test(globalId)) {
    throw invalid();
  }
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  const sep = decoded.indexOf(':');
  if (sep <= 0) throw invalid();
  const typename = decoded.slice(0, sep);
  const id = decoded.slice(sep + 1);
  if (!/^[A-Z][A-Za-z]+$/.test(typename) || !UUID.test(id)) throw invalid();
  return { typename, id: id.toLowerCase() };
}

export type GlobalIdArg = { typename: string; id: string };

/** The database id inside a decoded global ID, after checking it names the expected type. */
export function idOfType(globalId: { typename: string; id: string }, typename: string, argument: string): string {
  if (globalId.typename !== typename) {
    throw requestError(ErrorCode.BAD_USER_INPUT, `\`${argument}\` must be the ID of a ${typename}, got a ${globalId.typename} ID`, { argument });
  }
  return globalId.id;
}

/** Same, for optional arguments. */
export function optionalIdOfType(globalId: { typename: string; id: string } | null | undefined, typename: string, argument: string) {
  return globalId ? idOfType(globalId, typename, argument) : globalId;
}
