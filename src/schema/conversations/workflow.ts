import { z } from 'zod';
import { InvalidStateError, NotFoundError } from '../../errors.ts';
import type { ConversationStatus, Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import { parseInput, type Actor } from '../service-kit.ts';
import { recordEvents } from '../../events/outbox.ts';
import { checkVersion, conversationUpdatedEvent, eventActor, expectedVersion, lockConversation, sameValue, TX_OPTIONS, uuid } from './service.ts';

/** Routing (assignment) and the status lifecycle of a conversation. */

// ───────────────────────────── assignConversation ─────────────────────────────

export const AssignConversationSchema = z
  .object({
    conversationId: uuid,
    // Absent: unchanged; null: unassign.
    assigneeId: uuid.nullish(),
    teamId: uuid.nullish(),
    expectedVersion,
  })
  .refine((i) => i.assigneeId !== undefined || i.teamId !== undefined, {
    message: 'give assigneeId and/or teamId (null unassigns)',
    path: ['assigneeId'],
  });

/**
 * Routes a conversation to an agent and/or a team. Only active agents who work conversations
 * (role ADMIN or AGENT; VIEWERs only read) can receive one.
 */
export async function assignConversation(prisma: PrismaClient, actor: Actor, raw: unknown) {
  const input = parseInput(AssignConversationSchema, raw);
  return prisma.$transaction(async (tx) => {
    const conversation = await lockConversation(tx, actor, input.conversationId);
    checkVersion(conversation, input.expectedVersion);
    const data: Prisma.ConversationUncheckedUpdateInput = { version: { increment: 1 }, updatedAt: new Date() };
    if (input.assigneeId !== undefined) {
      if (input.assigneeId !== null) {
        const agent = await tx.agent.findFirst({ where: { id: input.assigneeId, workspaceId: actor.workspaceId } });
        if (!agent) throw new NotFoundError('Agent', 'input.assigneeId');
        if (!agent.active) throw new InvalidStateError(`${agent.name} is deactivated and cannot receive conversations`, 'input.assigneeId');
        if (agent.role === 'VIEWER') throw new InvalidStateError(`${agent.name} is a VIEWER and cannot work conversations`, 'input.assigneeId');
      }
      data.assigneeId = input.assigneeId;
    }
    if (input.teamId !== undefined) {
      if (input.teamId !== null) {
        const team = await tx.team.findFirst({ where: { id: input.teamId, workspaceId: actor.workspaceId }, select: { id: true } });
        if (!team) throw new NotFoundError('Team', 'input.teamId');
      }
      data.teamId = input.teamId;
    }
    const updated = await tx.conversation.update({ where: { id: conversation.id }, data });
    const changed = (['assigneeId', 'teamId'] as const).filter((f) => conversation[f] !== updated[f]);
    await recordEvents(tx, eventActor(actor), [conversationUpdatedEvent(updated, changed)]);
    return updated;
  }, TX_OPTIONS);
}

// ───────────────────────────── setConversationStatus ─────────────────────────────

/**
 * The conversation lifecycle. OPEN needs the team, PENDING waits on the customer, SNOOZED is
 * hidden until `snoozedUntil`, RESOLVED is done.
 *
 *   OPEN     → PENDING | SNOOZED | RESOLVED
 *   PENDING  → OPEN | SNOOZED | RESOLVED
 *   SNOOZED  → OPEN | PENDING | RESOLVED | SNOOZED (re-snooze to another time)
 *   RESOLVED → OPEN (a reopen: `reopenCount` + 1)
 *
 * A customer message also moves PENDING, SNOOZED and RESOLVED to OPEN (see sendMessage).
 */
export const STATUS_TRANSITIONS: Readonly<Record<ConversationStatus, readonly ConversationStatus[]>> = {
  OPEN: ['PENDING', 'SNOOZED', 'RESOLVED'],
  PENDING: ['OPEN', 'SNOOZED', 'RESOLVED'],
  SNOOZED: ['OPEN', 'PENDING', 'RESOLVED', 'SNOOZED'],
  RESOLVED: ['OPEN'],
};

export const SetConversationStatusSchema = z
  .object({
    conversationId: uuid,
    status: z.enum(['OPEN', 'PENDING', 'SNOOZED', 'RESOLVED']),
    snoozedUntil: z.date().nullish(),
    expectedVersion,
  })
  .superRefine((i, ctx) => {
    if (i.status === 'SNOOZED' && !i.snoozedUntil) {
      ctx.addIssue({ code: 'custom', path: ['snoozedUntil'], message: 'SNOOZED needs the time to wake up at' });
    } else if (i.status === 'SNOOZED' && i.snoozedUntil! <= new Date()) {
      ctx.addIssue({ code: 'custom', path: ['snoozedUntil'], message: 'must be in the future' });
    }
    if (i.status !== 'SNOOZED' && i.snoozedUntil) {
      ctx.addIssue({ code: 'custom', path: ['snoozedUntil'], message: 'only a SNOOZED conversation has a snoozedUntil' });
    }
  });

/** Moves a conversation through the lifecycle above; anything else is an InvalidStateError. */
export async function setConversationStatus(prisma: PrismaClient, actor: Actor, raw: unknown) {
  const input = parseInput(SetConversationStatusSchema, raw);
  return prisma.$transaction(async (tx) => {
    const conversation = await lockConversation(tx, actor, input.conversationId);
    checkVersion(conversation, input.expectedVersion);
    const from = conversation.status;
    const to = input.status;
    if (!STATUS_TRANSITIONS[from].includes(to)) {
      const allowed = STATUS_TRANSITIONS[from].join(', ');
      throw new InvalidStateError(
        from === to ? `the conversation is already ${from}` : `a ${from} conversation cannot become ${to} (allowed: ${allowed})`,
        'input.status',
      );
    }
    const now = new Date();
    const data: Prisma.ConversationUncheckedUpdateInput = {
      status: to,
      snoozedUntil: to === 'SNOOZED' ? input.snoozedUntil : null,
      version: { increment: 1 },
      updatedAt: now,
    };
    if (to === 'RESOLVED') {
      data.resolvedAt = now;
      data.firstResolvedAt = conversation.firstResolvedAt ?? now;
      // A resolved conversation has nobody waiting on it; a later customer message starts a new wait.
      data.waitingSince = null;
    }
    if (from === 'RESOLVED') {
      data.resolvedAt = null;
      data.reopenCount = { increment: 1 };
    }
    const updated = await tx.conversation.update({ where: { id: conversation.id }, data });
    const changed = STATUS_FIELDS.filter((f) => !sameValue(conversation[f], updated[f]));
    await recordEvents(tx, eventActor(actor), [conversationUpdatedEvent(updated, changed)]);
    return updated;
  }, TX_OPTIONS);
}

const STATUS_FIELDS = ['status', 'snoozedUntil', 'resolvedAt', 'firstResolvedAt', 'waitingSince', 'reopenCount'] as const;
