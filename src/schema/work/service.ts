import { z } from 'zod';
import { uuidv7 } from '../../db/ids.ts';
import { InvalidStateError, NotFoundError, ValidationError } from '../../errors.ts';
import { recordEvents } from '../../events/outbox.ts';
import type { PrismaClient, WorkEntry } from '../../generated/prisma/client.ts';
import { WorkEntrySource } from '../../generated/prisma/enums.ts';
import { conversationUpdatedEvent, eventActor, lockConversation } from '../conversations/service.ts';
import { parseInput, type Actor } from '../service-kit.ts';
import { TicketHistory } from '../tickets/history.ts';
import { lockTicket, mergedIntoNumber, TX_OPTIONS } from '../tickets/lookups.ts';

/**
 * Work time: what an agent spent on a ticket or a conversation, recorded explicitly as entries
 * (the input of handle time). An entry is finished work — it must have ended by now — of at most
 * 12 hours; longer stretches are logged as several entries, so one typo cannot add a week.
 */

export const MAX_WORK_SECONDS = 43_200;
/** Clocks of the agent's tool and of the server differ a little; an entry may end this far ahead. */
const CLOCK_SKEW_MS = 60_000;

const uuid = z.string().uuid();

export const LogWorkSchema = z
  .object({
    ticketId: uuid.nullish(),
    conversationId: uuid.nullish(),
    agentId: uuid.nullish(),
    startedAt: z.date(),
    seconds: z
      .number()
      .int('must be whole seconds')
      .min(1, 'must be at least 1 second')
      .max(MAX_WORK_SECONDS, `must be at most ${MAX_WORK_SECONDS} seconds (12 hours); log longer work as several entries`),
    source: z.enum(Object.values(WorkEntrySource) as [WorkEntrySource, ...WorkEntrySource[]]).nullish(),
    note: z.string().trim().max(1000, 'must be at most 1000 characters').nullish(),
  })
  .superRefine((i, ctx) => {
    if ((i.ticketId == null) === (i.conversationId == null)) {
      ctx.addIssue({ code: 'custom', path: ['ticketId'], message: 'give either ticketId or conversationId (the work was on exactly one of them)' });
    }
    if (i.startedAt.getTime() + i.seconds * 1000 > Date.now() + CLOCK_SKEW_MS) {
      ctx.addIssue({ code: 'custom', path: ['startedAt'], message: 'the work must have ended by now (startedAt + seconds is in the future)' });
    }
  });

/**
 * Records one work entry for the given agent (default: the agent the API key acts as) on a
 * ticket or a conversation of the caller's workspace, and the target's `updated` event
 * (changedFields: ["workEntries"]) in the same transaction. Work on a closed ticket may still be
 * logged after the fact; a merged-away ticket is a tombstone, so its work goes on the ticket it
 * was merged into.
 */
export async function logWork(prisma: PrismaClient, actor: Actor, raw: unknown): Promise<WorkEntry> {
  const input = parseInput(LogWorkSchema, raw);
  const agentId = input.agentId ?? actor.agentId;
  if (!agentId) throw new ValidationError('input.agentId: required when the API key does not act as an agent', 'input.agentId');
  return prisma.$transaction(async (tx) => {
    const agent = await tx.agent.findFirst({ where: { id: agentId, workspaceId: actor.workspaceId }, select: { id: true } });
    if (!agent) throw new NotFoundError('Agent', 'input.agentId');
    const now = new Date();
    const data = {
      id: uuidv7(now),
      workspaceId: actor.workspaceId,
      agentId,
      startedAt: input.startedAt,
      seconds: input.seconds,
      source: input.source ?? 'MANUAL',
      note: input.note || null,
      createdByApiKeyId: actor.apiKeyId,
      createdAt: now,
    };
    if (input.ticketId) {
      const ticket = await lockTicket(tx, actor, input.ticketId, 'input.ticketId');
      if (ticket.mergedIntoId) {
        const into = await mergedIntoNumber(tx, ticket);
        throw new InvalidStateError(`input.ticketId: this ticket was merged into #${into}; log the work on that ticket`, 'input.ticketId');
      }
      const entry = await tx.workEntry.create({ data: { ...data, ticketId: ticket.id } });
      const history = new TicketHistory(tx, actor, now);
      history.changedWithoutTrail(ticket.id, 'workEntries');
      await history.flush();
      return entry;
    }
    const conversation = await lockConversation(tx, actor, input.conversationId!);
    const entry = await tx.workEntry.create({ data: { ...data, conversationId: conversation.id } });
    await recordEvents(tx, eventActor(actor), [conversationUpdatedEvent(conversation, ['workEntries'])]);
    return entry;
  }, TX_OPTIONS);
}
