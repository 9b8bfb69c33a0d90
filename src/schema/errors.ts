import { builder } from '../builder.ts';
import { AppError, ConflictError, ErrorCode, InvalidStateError, NotFoundError, ValidationError } from '../errors.ts';

/**
 * Typed mutation errors. A mutation's result is a union of its success payload and these, so a
 * client handles expected outcomes with `... on ValidationError { field message }` instead of
 * parsing error strings. Codes are stable; messages are for humans.
 */
export const ErrorCodeEnum = builder.enumType('ErrorCode', {
  description: 'Stable machine-readable error codes (request errors carry them in `extensions.code`).',
  values: Object.fromEntries(Object.values(ErrorCode).map((code) => [code, { value: code }])) as Record<ErrorCode, { value: ErrorCode }>,
});

export const ErrorInterface = builder.interfaceRef<AppError>('Error').implement({
  description: 'An expected, user-fixable failure of a mutation. Nothing was changed.',
  fields: (t) => ({
    code: t.field({ type: ErrorCodeEnum, description: 'Stable error code.', resolve: (e) => e.code }),
    message: t.exposeString('message', { description: 'What went wrong, for humans.' }),
    field: t.string({
      nullable: true,
      description: 'Dotted path of the input field at fault (e.g. "input.email"), when one is.',
      resolve: (e) => e.path ?? null,
    }),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'The input broke a rule (format, range, length).',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof ValidationError,
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'A referenced object does not exist in your workspace.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof NotFoundError,
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  description: 'Someone changed the object first (stale `expectedVersion`), or a unique value is already taken.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof ConflictError,
  fields: (t) => ({
    currentVersion: t.int({
      nullable: true,
      description: 'The object\'s version now; re-read it and retry with this as `expectedVersion`.',
      resolve: (e) => e.currentVersion ?? null,
    }),
  }),
});

builder.objectType(InvalidStateError, {
  name: 'InvalidStateError',
  description: 'The change is not allowed from the object\'s current state (e.g. a comment on a CLOSED ticket).',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof InvalidStateError,
});

/** The typed errors every mutation may return. */
export const MUTATION_ERRORS = [ValidationError, NotFoundError, ConflictError, InvalidStateError];

/** `errors` option for a mutation field named `mutation`: union `<Mutation>Result` of payload and errors. */
export function mutationErrors(mutation: string) {
  const name = `${mutation[0]!.toUpperCase()}${mutation.slice(1)}Result`;
  return {
    types: MUTATION_ERRORS,
    directResult: true as const,
    union: { name, description: `Outcome of \`${mutation}\`: its payload on success, otherwise one of the typed errors (nothing changed).` },
  };
}
