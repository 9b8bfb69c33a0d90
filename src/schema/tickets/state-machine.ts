import { InvalidStateError } from '../../errors.ts';
import type { Prisma, Ticket } from '../../generated/prisma/client.ts';
import type { TicketStatus } from '../../generated/prisma/enums.ts';

/**
 * The ticket status state machine. Kept as data so the rules can be read (and documented in the
 * API) in one place:
 *
 *   NEW      → OPEN, PENDING, ON_HOLD, SOLVED
 *   OPEN     → PENDING, ON_HOLD, SOLVED
 *   PENDING  → OPEN, ON_HOLD, SOLVED
 *   ON_HOLD  → OPEN, PENDING, SOLVED
 *   SOLVED   → OPEN (a reopen), CLOSED
 *   CLOSED   → nothing: closed tickets are final
 *
 * Nothing goes back to NEW: NEW only means "nobody from the team has touched it yet".
 */
export const TICKET_TRANSITIONS: Readonly<Record<TicketStatus, readonly TicketStatus[]>> = {
  NEW: ['OPEN', 'PENDING', 'ON_HOLD', 'SOLVED'],
  OPEN: ['PENDING', 'ON_HOLD', 'SOLVED'],
  PENDING: ['OPEN', 'ON_HOLD', 'SOLVED'],
  ON_HOLD: ['OPEN', 'PENDING', 'SOLVED'],
  SOLVED: ['OPEN', 'CLOSED'],
  CLOSED: [],
};

/** Statuses in which work on the ticket is still outstanding. */
export const UNSOLVED_STATUSES: readonly TicketStatus[] = ['NEW', 'OPEN', 'PENDING', 'ON_HOLD'];

/** Human-readable summary of the machine, used in the API descriptions. */
export const TRANSITIONS_DOC =
  'Status changes follow a state machine: NEW → OPEN, PENDING, ON_HOLD or SOLVED; OPEN, PENDING and ON_HOLD move freely among each other ' +
  'and to SOLVED; SOLVED → OPEN (a reopen: reopenCount +1, lastReopenedAt set, solvedAt cleared, firstSolvedAt kept, a REOPENED event) ' +
  'or CLOSED; CLOSED is final. Reaching SOLVED sets solvedAt (and firstSolvedAt the first time); reaching CLOSED sets closedAt. ' +
  'Any other change is an InvalidStateError.';

export function canTransition(from: TicketStatus, to: TicketStatus): boolean {
  return TICKET_TRANSITIONS[from].includes(to);
}

export interface StatusChange {
  data: Prisma.TicketUncheckedUpdateInput;
  reopened: boolean;
}

/**
 * The columns a move to `to` changes. Throws InvalidStateError (naming `path`) for a move the
 * machine does not allow. Callers skip this when the status stays the same.
 */
export function statusChange(ticket: Pick<Ticket, 'status' | 'firstSolvedAt'>, to: TicketStatus, now: Date, path: string): StatusChange {
  const from = ticket.status;
  if (!canTransition(from, to)) {
    const allowed = TICKET_TRANSITIONS[from];
    throw new InvalidStateError(
      from === 'CLOSED'
        ? `${path}: a CLOSED ticket is final and cannot change status`
        : `${path}: a ${from} ticket cannot become ${to}; allowed: ${allowed.join(', ')}`,
      path,
    );
  }
  const data: Prisma.TicketUncheckedUpdateInput = { status: to };
  const reopened = from === 'SOLVED' && to === 'OPEN';
  if (to === 'SOLVED') {
    data.solvedAt = now;
    if (!ticket.firstSolvedAt) data.firstSolvedAt = now;
  }
  if (to === 'CLOSED') data.closedAt = now;
  if (reopened) {
    // firstSolvedAt stays: first-resolution time is measured to the first solve, whatever follows.
    data.solvedAt = null;
    data.reopenCount = { increment: 1 };
    data.lastReopenedAt = now;
  }
  return { data, reopened };
}

/** Refuses any change to a ticket that is merged away or closed. */
export function assertChangeable(ticket: Pick<Ticket, 'status' | 'mergedIntoId'>, path: string, mergedIntoNumber?: number | null): void {
  if (ticket.mergedIntoId) {
    const into = mergedIntoNumber ? ` #${mergedIntoNumber}` : ' another ticket';
    throw new InvalidStateError(`${path}: this ticket was merged into${into}; change that ticket instead`, path);
  }
  if (ticket.status === 'CLOSED') throw new InvalidStateError(`${path}: a CLOSED ticket is final and cannot be changed`, path);
}
