import { AppError, type ErrorCode } from '../../errors.ts';

/** Why one ticket of a bulk update could not be changed. */
export interface BulkItemFailure {
  ticketId: string;
  code: ErrorCode;
  message: string;
  field: string | null;
}

/**
 * A bulk update is all-or-nothing: when any ticket cannot take the change, nothing is changed and
 * this error lists every ticket that failed, with its own code and message. The top-level `code`
 * is the first failure's.
 */
export class BulkUpdateError extends AppError {
  override name = 'BulkUpdateError';
  constructor(
    readonly items: BulkItemFailure[],
    total: number,
  ) {
    super(items[0]!.code, `${items.length} of ${total} tickets cannot take this change, so none was changed`, 'input.ids');
  }
}
