import { z } from 'zod';
import { InvalidStateError } from '../../errors.ts';
import type { Prisma, Ticket } from '../../generated/prisma/client.ts';
import type { Actor } from '../service-kit.ts';
import type { TicketHistory } from './history.ts';
import {
  assertAgent,
  assertTeam,
  customFields,
  cxFunction,
  dedupe,
  description,
  lockTickets,
  mergedIntoNumber,
  priority,
  sameJson,
  status,
  subject,
  tags,
  type,
  uuid,
} from './lookups.ts';
import { assertChangeable, statusChange, UNSOLVED_STATUSES } from './state-machine.ts';

/**
 * One set of changes to a ticket, shared by `updateTicket` and `bulkUpdateTickets`: every field
 * that really changes is written and recorded in the audit trail with its old and new value;
 * fields sent with their current value record nothing.
 */
export const TicketChangesSchema = z.object({
  subject: subject.optional(),
  description: description.optional(),
  status: status.optional(),
  priority: priority.optional(),
  type: type.optional(),
  function: cxFunction.optional(),
  // null unassigns.
  assigneeId: uuid.nullish(),
  teamId: uuid.nullish(),
  tags: tags.optional(),
  // Merged key by key; a null value removes the key.
  customFields: customFields.optional(),
});
export type TicketChanges = z.infer<typeof TicketChangesSchema>;

const SCALAR_FIELDS = ['subject', 'description', 'priority', 'type', 'function', 'assigneeId', 'teamId'] as const;

/** Checks the agent and team a change refers to; done once per mutation, before any ticket is touched. */
export async function assertChangeReferences(db: Prisma.TransactionClient, actor: Actor, changes: TicketChanges, path: string) {
  await assertAgent(db, actor, changes.assigneeId, `${path}.assigneeId`);
  await assertTeam(db, actor, changes.teamId, `${path}.teamId`);
}

/**
 * Applies `changes` to a locked ticket inside the caller's transaction. `path` prefixes the
 * input path of any error (e.g. "input" → "input.status"). Returns the ticket as it is now
 * (unchanged, with the same version, when nothing differed).
 */
export async function applyTicketChanges(
  tx: Prisma.TransactionClient,
  actor: Actor,
  history: TicketHistory,
  ticket: Ticket,
  changes: TicketChanges,
  path: string,
): Promise<Ticket> {
  if (ticket.mergedIntoId || ticket.status === 'CLOSED') assertChangeable(ticket, path, await mergedIntoNumber(tx, ticket));

  const data: Prisma.TicketUncheckedUpdateInput = {};
  const changed: Array<[field: string, oldValue: unknown, newValue: unknown]> = [];
  for (const key of SCALAR_FIELDS) {
    const next = changes[key];
    if (next === undefined || next === ticket[key]) continue;
    data[key] = next as never;
    changed.push([key, ticket[key], next]);
  }

  if (changes.tags !== undefined) {
    const next = dedupe(changes.tags);
    // Tags are a set: the same tags in another order are no change.
    if (!sameJson([...next].sort(), [...ticket.tags].sort())) {
      data.tags = next;
      changed.push(['tags', ticket.tags, next]);
    }
  }

  if (changes.customFields !== undefined) {
    const current = (ticket.customFields ?? {}) as Record<string, unknown>;
    const merged: Record<string, unknown> = { ...current };
    for (const [key, value] of Object.entries(changes.customFields)) {
      const before = current[key];
      if (value === null) delete merged[key];
      else merged[key] = value;
      // One trail entry per custom field, like any other field.
      if (!sameJson(before ?? null, value ?? null)) changed.push([`customFields.${key}`, before ?? null, value ?? null]);
    }
    if (!sameJson(current, merged)) data.customFields = merged as Prisma.InputJsonValue;
  }

  if (data.type !== undefined) {
    if (ticket.type === 'PROBLEM') {
      const incidents = await tx.ticket.count({ where: { problemId: ticket.id, workspaceId: actor.workspaceId } });
      if (incidents > 0) {
        throw new InvalidStateError(`${path}.type: this problem has ${incidents} linked incident(s); unlink them before changing its type`, `${path}.type`);
      }
    }
    if (ticket.type === 'INCIDENT' && ticket.problemId) {
      // Only incidents belong to a problem.
      data.problemId = null;
      changed.push(['problemId', ticket.problemId, null]);
    }
  }

  let reopened = false;
  if (changes.status !== undefined && changes.status !== ticket.status) {
    const move = statusChange(ticket, changes.status, history.now, `${path}.status`);
    Object.assign(data, move.data);
    changed.push(['status', ticket.status, changes.status]);
    reopened = move.reopened;
  }

  if (changed.length === 0) return ticket;

  for (const [field, oldValue, newValue] of changed) history.fieldChanged(ticket.id, field, oldValue, newValue);
  if (reopened) history.add(ticket.id, 'REOPENED', { oldValue: 'SOLVED', newValue: 'OPEN' });
  data.version = { increment: 1 };
  const updated = await tx.ticket.update({ where: { id: ticket.id }, data });

  if (data.status === 'SOLVED' && updated.type === 'PROBLEM') await solveIncidents(tx, actor, history, updated, path);
  return updated;
}

/** Solving a problem solves every incident linked to it that is still unsolved, in the same transaction. */
async function solveIncidents(tx: Prisma.TransactionClient, actor: Actor, history: TicketHistory, problem: Ticket, path: string) {
  const open = await tx.ticket.findMany({
    where: { problemId: problem.id, workspaceId: actor.workspaceId, status: { in: [...UNSOLVED_STATUSES] } },
    select: { id: true },
  });
  if (open.length === 0) return;
  const locked = await lockTickets(tx, actor, open.map((t) => t.id));
  const ordered = [...locked.values()].sort((a, b) => a.number - b.number);
  for (const incident of ordered) {
    // Re-checked under the lock: another transaction may have solved it meanwhile.
    if (!UNSOLVED_STATUSES.includes(incident.status) || incident.problemId !== problem.id) continue;
    await applyTicketChanges(tx, actor, history, incident, { status: 'SOLVED' }, path);
  }
}
