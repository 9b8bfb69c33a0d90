import { z } from 'zod';
import { AppError, ErrorCode, InvalidStateError, NotFoundError } from '../../errors.ts';
import type { PrismaClient, Ticket } from '../../generated/prisma/client.ts';
import { parseInput, type Actor } from '../service-kit.ts';
import { BulkUpdateError, type BulkItemFailure } from './bulk-error.ts';
import { applyTicketChanges, assertChangeReferences, TicketChangesSchema } from './changes.ts';
import { TicketHistory } from './history.ts';
import { dedupe, lockTickets, mergedIntoNumber, TX_OPTIONS, uuid } from './lookups.ts';
import { assertChangeable } from './state-machine.ts';

/** Ticket workflows that touch several tickets at once: merging, problem/incident links, bulk changes. */

async function assertOpenForChange(tx: Parameters<typeof mergedIntoNumber>[0], ticket: Ticket, path: string) {
  if (ticket.mergedIntoId || ticket.status === 'CLOSED') assertChangeable(ticket, path, await mergedIntoNumber(tx, ticket));
}

export const MergeTicketsSchema = z
  .object({ sourceId: uuid, targetId: uuid })
  .refine((i) => i.sourceId !== i.targetId, { message: 'cannot merge a ticket into itself', path: ['targetId'] });

/**
 * Merges `source` into `target`: the source's comments move to the target unchanged (author,
 * visibility, time), the tags are united on the target, a source that is a problem hands its
 * incidents to the target problem, and the source is CLOSED as a tombstone pointing at the
 * target (its id keeps resolving). Both trails record the merge.
 */
export async function mergeTickets(prisma: PrismaClient, actor: Actor, raw: unknown) {
  const input = parseInput(MergeTicketsSchema, raw);
  return prisma.$transaction(async (tx) => {
    const locked = await lockTickets(tx, actor, [input.sourceId, input.targetId]);
    const source = locked.get(input.sourceId);
    const target = locked.get(input.targetId);
    if (!source) throw new NotFoundError('Ticket', 'input.sourceId');
    if (!target) throw new NotFoundError('Ticket', 'input.targetId');
    await assertOpenForChange(tx, source, 'input.sourceId');
    await assertOpenForChange(tx, target, 'input.targetId');

    const incidents = await tx.ticket.findMany({ where: { problemId: source.id, workspaceId: actor.workspaceId }, select: { id: true } });
    if (incidents.length > 0 && target.type !== 'PROBLEM') {
      throw new InvalidStateError(
        `input.targetId: the source is a problem with ${incidents.length} linked incident(s); merge it into another PROBLEM ticket`,
        'input.targetId',
      );
    }

    const history = new TicketHistory(tx, actor, new Date());
    const moved = await tx.ticketComment.updateMany({
      where: { ticketId: source.id, workspaceId: actor.workspaceId },
      data: { ticketId: target.id },
    });
    for (const incident of incidents) history.fieldChanged(incident.id, 'problemId', source.id, target.id);
    if (incidents.length > 0) {
      await tx.ticket.updateMany({
        where: { id: { in: incidents.map((i) => i.id) } },
        data: { problemId: target.id, version: { increment: 1 } },
      });
    }
    const tags = dedupe([...target.tags, ...source.tags]);
    const addedTags = tags.filter((t) => !target.tags.includes(t));

    const closedSource = await tx.ticket.update({
      where: { id: source.id },
      // Merging closes the source whatever its status: a tombstone, not a solved ticket.
      data: { status: 'CLOSED', closedAt: history.now, mergedIntoId: target.id, version: { increment: 1 } },
    });
    // The target's thread now holds the duplicate's comments too: its reply counters are those of
    // the whole thread, as the reply waits (kept by the database from the comments) already are.
    // A reply the duplicate got before the target existed answered nobody on the target.
    const [replies, answered] = await Promise.all([
      tx.ticketComment.count({ where: { ticketId: target.id, authorKind: 'AGENT', isPublic: true } }),
      tx.ticketComment.aggregate({
        where: { ticketId: target.id, authorKind: 'AGENT', isPublic: true, createdAt: { gte: target.createdAt } },
        _min: { createdAt: true },
      }),
    ]);
    const firstResponseAt = answered._min.createdAt;
    if (firstResponseAt?.getTime() !== target.firstResponseAt?.getTime()) history.changedWithoutTrail(target.id, 'firstResponseAt');
    const mergedTarget = await tx.ticket.update({
      where: { id: target.id },
      data: { tags, firstResponseAt, publicAgentReplyCount: replies, version: { increment: 1 } },
    });
    history.add(source.id, 'MERGED_INTO', {
      oldValue: { status: source.status },
      newValue: { ticketId: target.id, number: target.number, movedComments: moved.count },
    });
    history.add(target.id, 'MERGED_FROM', {
      newValue: { ticketId: source.id, number: source.number, movedComments: moved.count, addedTags, movedIncidents: incidents.length },
    });
    if (addedTags.length > 0) history.changedWithoutTrail(target.id, 'tags');
    await history.flush();
    return { source: closedSource, target: mergedTarget, movedComments: moved.count };
  }, TX_OPTIONS);
}

export const LinkIncidentSchema = z
  .object({ incidentId: uuid, problemId: uuid })
  .refine((i) => i.incidentId !== i.problemId, { message: 'a ticket cannot be its own problem', path: ['problemId'] });

/** Links an INCIDENT to the PROBLEM ticket that is its root cause (re-linking moves it). */
export async function linkIncidentToProblem(prisma: PrismaClient, actor: Actor, raw: unknown) {
  const input = parseInput(LinkIncidentSchema, raw);
  return prisma.$transaction(async (tx) => {
    const locked = await lockTickets(tx, actor, [input.incidentId, input.problemId]);
    const incident = locked.get(input.incidentId);
    const problem = locked.get(input.problemId);
    if (!incident) throw new NotFoundError('Ticket', 'input.incidentId');
    if (!problem) throw new NotFoundError('Ticket', 'input.problemId');
    if (incident.type !== 'INCIDENT') {
      throw new InvalidStateError(`input.incidentId: only INCIDENT tickets can be linked to a problem; #${incident.number} is a ${incident.type}`, 'input.incidentId');
    }
    if (problem.type !== 'PROBLEM') {
      throw new InvalidStateError(`input.problemId: incidents are linked to PROBLEM tickets; #${problem.number} is a ${problem.type}`, 'input.problemId');
    }
    await assertOpenForChange(tx, incident, 'input.incidentId');
    await assertOpenForChange(tx, problem, 'input.problemId');
    if (incident.problemId === problem.id) return { incident, problem };

    const history = new TicketHistory(tx, actor, new Date());
    const linked = await tx.ticket.update({ where: { id: incident.id }, data: { problemId: problem.id, version: { increment: 1 } } });
    history.add(incident.id, 'LINKED_TO_PROBLEM', { field: 'problemId', oldValue: incident.problemId, newValue: problem.id });
    await history.flush();
    return { incident: linked, problem };
  }, TX_OPTIONS);
}

export const MAX_BULK = 100;

export const BulkUpdateTicketsSchema = z.object({
  ids: z.array(uuid).min(1, 'give at least one ticket').max(MAX_BULK, `at most ${MAX_BULK} tickets per call`),
  changes: TicketChangesSchema.refine((c) => Object.values(c).some((v) => v !== undefined), { message: 'give at least one change' }),
});

/**
 * Applies one set of changes to up to 100 tickets, all or nothing: every ticket is tried, and if
 * any fails the transaction rolls back and a BulkUpdateError lists each failure.
 */
export async function bulkUpdateTickets(prisma: PrismaClient, actor: Actor, raw: unknown) {
  const input = parseInput(BulkUpdateTicketsSchema, raw);
  const ids = dedupe(input.ids);
  return prisma.$transaction(async (tx) => {
    await assertChangeReferences(tx, actor, input.changes, 'input.changes');
    const locked = await lockTickets(tx, actor, ids);
    const history = new TicketHistory(tx, actor, new Date());
    const failures: BulkItemFailure[] = [];
    const tickets: Ticket[] = [];
    let updatedCount = 0;
    for (const id of ids) {
      if (!locked.has(id)) {
        failures.push({ ticketId: id, code: ErrorCode.NOT_FOUND, message: 'Ticket was not found', field: null });
        continue;
      }
      // Re-read under the lock: solving a problem earlier in this batch may have solved this incident.
      const current = await tx.ticket.findUniqueOrThrow({ where: { id } });
      try {
        const updated = await applyTicketChanges(tx, actor, history, current, input.changes, 'input.changes');
        if (updated.version !== current.version) updatedCount++;
        tickets.push(updated);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        failures.push({ ticketId: id, code: error.code, message: error.message, field: error.path ?? null });
      }
    }
    if (failures.length > 0) throw new BulkUpdateError(failures, ids.length);
    await history.flush();
    return { tickets, updatedCount };
  }, TX_OPTIONS);
}
