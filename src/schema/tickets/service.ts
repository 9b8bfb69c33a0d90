import { z } from 'zod';
import { ConflictError, NotFoundError } from '../../errors.ts';
import type { Prisma, PrismaClient, Ticket } from '../../generated/prisma/client.ts';
import type { ActorKind, CxFunction, TicketPriority, TicketType } from '../../generated/prisma/enums.ts';
import { parseInput, type Actor } from '../service-kit.ts';
import { applyTicketChanges, assertChangeReferences, TicketChangesSchema } from './changes.ts';
import { TicketHistory } from './history.ts';
import {
  assertAgent,
  assertOrganization,
  assertTeam,
  customFields,
  cxFunction,
  dedupe,
  description,
  findRequester,
  lockTicket,
  mergedIntoNumber,
  priority,
  subject,
  tags,
  type,
  TX_OPTIONS,
  uuid,
} from './lookups.ts';
import { assertChangeable, statusChange } from './state-machine.ts';

/**
 * Tickets: creation, updates, comments. Every write of one mutation happens in one transaction
 * and leaves an entry in the ticket's append-only audit trail (TicketEvent).
 */

export interface NewTicket {
  subject: string;
  description: string;
  requesterId: string;
  organizationId: string | null;
  priority: TicketPriority;
  type: TicketType;
  function: CxFunction;
  assigneeId: string | null;
  teamId: string | null;
  tags: string[];
  customFields: Record<string, unknown>;
  sourceConversationId?: string | null;
}

/**
 * Inserts a ticket with the workspace's next number and its CREATED entry. The number comes from
 * an UPDATE … RETURNING on the workspace row: the row lock serializes concurrent creations, and
 * a rolled-back transaction gives its number back, so numbers stay unique and gap-free.
 */
export async function insertTicket(tx: Prisma.TransactionClient, actor: Actor, history: TicketHistory, fields: NewTicket): Promise<Ticket> {
  const [counter] = await tx.$queryRaw<{ ticketSequence: number }[]>`
    UPDATE "Workspace" SET "ticketSequence" = "ticketSequence" + 1 WHERE id = ${actor.workspaceId}::uuid RETURNING "ticketSequence"`;
  if (!counter) throw new Error(`workspace ${actor.workspaceId} vanished while creating a ticket`);
  const ticket = await tx.ticket.create({
    data: {
      id: history.nextId(),
      workspaceId: actor.workspaceId,
      number: Number(counter.ticketSequence),
      subject: fields.subject,
      description: fields.description,
      priority: fields.priority,
      type: fields.type,
      function: fields.function,
      requesterId: fields.requesterId,
      organizationId: fields.organizationId,
      assigneeId: fields.assigneeId,
      teamId: fields.teamId,
      tags: dedupe(fields.tags),
      customFields: fields.customFields as Prisma.InputJsonValue,
      sourceConversationId: fields.sourceConversationId ?? null,
      createdByKind: actor.kind,
      createdByAgentId: actor.agentId,
      createdAt: history.now,
      updatedAt: history.now,
    },
  });
  history.add(ticket.id, 'CREATED', {
    newValue: {
      number: ticket.number,
      subject: ticket.subject,
      status: ticket.status,
      priority: ticket.priority,
      type: ticket.type,
      function: ticket.function,
      requesterId: ticket.requesterId,
      assigneeId: ticket.assigneeId,
      teamId: ticket.teamId,
      tags: ticket.tags,
    },
  });
  return ticket;
}

export const CreateTicketSchema = z.object({
  subject,
  description: description.nullish(),
  requesterId: uuid,
  organizationId: uuid.nullish(),
  priority: priority.nullish(),
  type: type.nullish(),
  function: cxFunction.nullish(),
  assigneeId: uuid.nullish(),
  teamId: uuid.nullish(),
  tags: tags.nullish(),
  customFields: customFields.nullish(),
});

export async function createTicket(prisma: PrismaClient, actor: Actor, raw: unknown): Promise<Ticket> {
  const input = parseInput(CreateTicketSchema, raw);
  const requester = await findRequester(prisma, actor, input.requesterId, 'input.requesterId');
  await assertOrganization(prisma, actor, input.organizationId, 'input.organizationId');
  await assertAgent(prisma, actor, input.assigneeId, 'input.assigneeId');
  await assertTeam(prisma, actor, input.teamId, 'input.teamId');
  const customFieldValues = Object.fromEntries(Object.entries(input.customFields ?? {}).filter(([, v]) => v !== null));
  return prisma.$transaction(async (tx) => {
    const history = new TicketHistory(tx, actor, new Date());
    const ticket = await insertTicket(tx, actor, history, {
      subject: input.subject,
      description: input.description ?? '',
      requesterId: requester.id,
      // B2B: the ticket belongs to the requester's account unless the caller says otherwise.
      organizationId: input.organizationId ?? requester.organizationId,
      priority: input.priority ?? 'NORMAL',
      type: input.type ?? 'QUESTION',
      function: input.function ?? 'SUPPORT',
      assigneeId: input.assigneeId ?? null,
      teamId: input.teamId ?? null,
      tags: input.tags ?? [],
      customFields: customFieldValues,
    });
    await history.flush();
    return ticket;
  }, TX_OPTIONS);
}

export const UpdateTicketSchema = TicketChangesSchema.extend({
  id: uuid,
  expectedVersion: z.number().int().positive().nullish(),
});

export async function updateTicket(prisma: PrismaClient, actor: Actor, raw: unknown): Promise<Ticket> {
  const input = parseInput(UpdateTicketSchema, raw);
  const { id, expectedVersion, ...changes } = input;
  return prisma.$transaction(async (tx) => {
    const ticket = await lockTicket(tx, actor, id, 'input.id');
    if (expectedVersion != null && expectedVersion !== ticket.version) {
      throw new ConflictError(
        `input.expectedVersion: the ticket is at version ${ticket.version}, not ${expectedVersion}; re-read it and retry`,
        'input.expectedVersion',
        ticket.version,
      );
    }
    await assertChangeReferences(tx, actor, changes, 'input');
    const history = new TicketHistory(tx, actor, new Date());
    const updated = await applyTicketChanges(tx, actor, history, ticket, changes, 'input');
    await history.flush();
    return updated;
  }, TX_OPTIONS);
}

export const AddTicketCommentSchema = z
  .object({
    ticketId: uuid,
    body: z.string().trim().min(1, 'must not be empty').max(65_536, 'must be at most 64 KB'),
    isPublic: z.boolean().nullish(),
    authorCustomerId: uuid.nullish(),
  })
  .refine((c) => !(c.authorCustomerId && c.isPublic === false), {
    message: 'a customer\'s comment is always public',
    path: ['isPublic'],
  });

/**
 * Adds a public reply or an internal note. A human agent's public reply is the ticket's first
 * response (once), counts toward first-contact resolution, and takes a NEW ticket to OPEN. A
 * customer's comment takes a SOLVED ticket back to OPEN (a reopen) and a PENDING one to OPEN
 * (the customer answered). CLOSED tickets take no comments.
 */
export async function addTicketComment(prisma: PrismaClient, actor: Actor, raw: unknown) {
  const input = parseInput(AddTicketCommentSchema, raw);
  const isPublic = input.isPublic ?? true;
  if (input.authorCustomerId) {
    const author = await prisma.customer.findFirst({ where: { id: input.authorCustomerId, workspaceId: actor.workspaceId }, select: { id: true } });
    if (!author) throw new NotFoundError('Customer', 'input.authorCustomerId');
  }
  const authorKind: ActorKind = input.authorCustomerId ? 'CUSTOMER' : actor.kind;
  return prisma.$transaction(async (tx) => {
    const ticket = await lockTicket(tx, actor, input.ticketId, 'input.ticketId');
    if (ticket.mergedIntoId || ticket.status === 'CLOSED') {
      assertChangeable(ticket, 'input.ticketId', await mergedIntoNumber(tx, ticket));
    }
    const history = new TicketHistory(tx, actor, new Date());
    const now = history.now;
    const comment = await tx.ticketComment.create({
      data: {
        id: history.nextId(),
        workspaceId: actor.workspaceId,
        ticketId: ticket.id,
        authorKind,
        authorAgentId: authorKind === 'CUSTOMER' ? null : actor.agentId,
        authorCustomerId: input.authorCustomerId ?? null,
        body: input.body,
        isPublic,
        createdAt: now,
      },
    });
    history.add(ticket.id, 'COMMENT_ADDED', { newValue: { commentId: comment.id, isPublic }, actorKind: authorKind });

    const data: Prisma.TicketUncheckedUpdateInput = { version: { increment: 1 } };
    let nextStatus: Ticket['status'] | null = null;
    if (authorKind === 'AGENT' && isPublic) {
      if (!ticket.firstResponseAt) {
        data.firstResponseAt = now;
        history.changedWithoutTrail(ticket.id, 'firstResponseAt');
      }
      data.publicAgentReplyCount = { increment: 1 };
      if (ticket.status === 'NEW') nextStatus = 'OPEN';
    }
    if (authorKind === 'CUSTOMER' && (ticket.status === 'SOLVED' || ticket.status === 'PENDING')) nextStatus = 'OPEN';
    if (nextStatus) {
      const move = statusChange(ticket, nextStatus, now, 'input.ticketId');
      Object.assign(data, move.data);
      history.fieldChanged(ticket.id, 'status', ticket.status, nextStatus, authorKind);
      if (move.reopened) history.add(ticket.id, 'REOPENED', { oldValue: 'SOLVED', newValue: 'OPEN', actorKind: authorKind });
    }
    const updated = await tx.ticket.update({ where: { id: ticket.id }, data });
    await history.flush();
    return { comment, ticket: updated };
  }, TX_OPTIONS);
}
