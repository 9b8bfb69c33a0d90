import { z } from 'zod';
import { uuidv7 } from '../../db/ids.ts';
import { InvalidStateError, NotFoundError } from '../../errors.ts';
import type { Customer, Message, Organization, Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import { parseInput, type Actor } from '../service-kit.ts';
import { TicketHistory } from './history.ts';
import { assertTeam, findRequester, priority, subject, TX_OPTIONS, uuid } from './lookups.ts';
import { insertTicket } from './service.ts';

/**
 * Escalation: a service conversation that needs support work becomes a SUPPORT ticket that
 * carries everything the support team needs (transcript, who the customer is, the handoff note),
 * so the customer never has to repeat themselves.
 */

/** Transcript length cap: the ticket keeps the most recent messages; the conversation keeps all. */
export const TRANSCRIPT_MAX_MESSAGES = 500;

export const EscalateConversationSchema = z.object({
  conversationId: uuid,
  note: z.string().trim().min(1, 'must not be empty: tell the support team what is needed').max(10_000, 'must be at most 10,000 characters'),
  subject: subject.nullish(),
  teamId: uuid.nullish(),
  priority: priority.nullish(),
});

const SPEAKER: Record<string, string> = { CUSTOMER: 'Customer', AGENT: 'Agent', BOT: 'Bot' };

export function transcriptLines(messages: Pick<Message, 'authorKind' | 'body'>[]): string[] {
  // Continuation lines are indented so every message still starts with its speaker.
  return messages.map((m) => `${SPEAKER[m.authorKind]}: ${m.body.trim().replace(/\r?\n/g, '\n  ')}`);
}

export function escalationDescription(args: {
  channel: string;
  note: string;
  customer: Customer & { organization: Organization | null };
  messages: Pick<Message, 'authorKind' | 'body'>[];
  omitted: number;
}): string {
  const { customer } = args;
  const org = customer.organization;
  const lines = [
    `Escalated from a ${args.channel} service conversation.`,
    '',
    'Handoff note:',
    args.note,
    '',
    'Customer context:',
    `Name: ${customer.name ?? '(unknown)'}`,
    `Email: ${customer.email ?? '(unknown)'}`,
    `Organization: ${org ? `${org.name} (${org.tier}${org.plan ? `, ${org.plan} plan` : ''})` : '(none)'}`,
    `Tags: ${customer.tags.length > 0 ? customer.tags.join(', ') : '(none)'}`,
    '',
    'Transcript (oldest first):',
  ];
  if (args.omitted > 0) lines.push(`(${args.omitted} earlier messages not shown)`);
  lines.push(...(args.messages.length > 0 ? transcriptLines(args.messages) : ['(no public messages)']));
  return lines.join('\n');
}

export async function escalateConversation(prisma: PrismaClient, actor: Actor, raw: unknown) {
  const input = parseInput(EscalateConversationSchema, raw);
  const conversation = await prisma.conversation.findFirst({ where: { id: input.conversationId, workspaceId: actor.workspaceId } });
  if (!conversation) throw new NotFoundError('Conversation', 'input.conversationId');
  if (conversation.function !== 'SERVICE') {
    throw new InvalidStateError('input.conversationId: only SERVICE conversations are escalated; this one is already support work', 'input.conversationId');
  }
  await assertTeam(prisma, actor, input.teamId, 'input.teamId');
  await findRequester(prisma, actor, conversation.customerId, 'input.conversationId');
  const customer = await prisma.customer.findUniqueOrThrow({ where: { id: conversation.customerId }, include: { organization: true } });

  // What the customer saw: no internal notes, no system lines.
  const publicMessages: Prisma.MessageWhereInput = {
    conversationId: conversation.id,
    workspaceId: actor.workspaceId,
    isInternalNote: false,
    authorKind: { in: ['CUSTOMER', 'AGENT', 'BOT'] },
  };
  const [total, newestFirst] = await Promise.all([
    prisma.message.count({ where: publicMessages }),
    prisma.message.findMany({
      where: publicMessages,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: TRANSCRIPT_MAX_MESSAGES,
      select: { authorKind: true, body: true },
    }),
  ]);
  const description = escalationDescription({
    channel: conversation.channel,
    note: input.note,
    customer,
    messages: newestFirst.reverse(),
    omitted: total - newestFirst.length,
  });
  const ticketSubject =
    input.subject ?? conversation.subject ?? `${conversation.channel} conversation with ${customer.name ?? customer.email ?? 'a customer'}`.slice(0, 500);

  return prisma.$transaction(async (tx) => {
    const history = new TicketHistory(tx, actor, new Date());
    const now = history.now;
    const ticket = await insertTicket(tx, actor, history, {
      subject: ticketSubject,
      description,
      requesterId: customer.id,
      organizationId: customer.organizationId,
      priority: input.priority ?? 'NORMAL',
      type: 'QUESTION',
      function: 'SUPPORT',
      assigneeId: null,
      teamId: input.teamId ?? null,
      tags: [],
      customFields: {},
      sourceConversationId: conversation.id,
    });
    const note = await tx.ticketComment.create({
      data: {
        id: history.nextId(),
        workspaceId: actor.workspaceId,
        ticketId: ticket.id,
        authorKind: actor.kind,
        authorAgentId: actor.agentId,
        body: input.note,
        isPublic: false,
        createdAt: now,
      },
    });
    history.add(ticket.id, 'ESCALATED_FROM_CONVERSATION', { newValue: { conversationId: conversation.id, commentId: note.id } });
    // The conversation's own record of the handoff: an internal system note agents see in the thread.
    const message = await tx.message.create({
      data: {
        id: uuidv7(now),
        workspaceId: actor.workspaceId,
        conversationId: conversation.id,
        authorKind: 'SYSTEM',
        authorName: 'cxgraph',
        direction: 'OUTBOUND',
        body: `Escalated to ticket #${ticket.number}: ${ticket.subject}`,
        isInternalNote: true,
        createdAt: now,
      },
    });
    const updated = await tx.conversation.update({
      where: { id: conversation.id },
      data: { messageCount: { increment: 1 }, version: { increment: 1 }, updatedAt: now },
    });
    const routing = { customerId: updated.customerId, assigneeId: updated.assigneeId, teamId: updated.teamId, status: updated.status };
    await history.flush([
      {
        type: 'message.added',
        subjectType: 'Message',
        subjectId: message.id,
        payload: { conversationId: conversation.id, customerId: updated.customerId, isInternalNote: true },
      },
      { type: 'conversation.updated', subjectType: 'Conversation', subjectId: conversation.id, payload: { changedFields: ['messageCount'], ticketId: ticket.id, ...routing } },
    ]);
    return { ticket, conversationId: conversation.id };
  }, TX_OPTIONS);
}
