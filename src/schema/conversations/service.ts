import { z } from 'zod';
import { uuidv7 } from '../../db/ids.ts';
import { ConflictError, InvalidStateError, NotFoundError, ValidationError } from '../../errors.ts';
import type { Conversation, Customer, Message, Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import { recordEvents, type NewEvent } from '../../events/outbox.ts';
import { createCustomer, customerCreatedEvent, CreateCustomerSchema } from '../customers/service.ts';
import { parseInput, type Actor } from '../service-kit.ts';

/**
 * Conversations and messages: writes and the timestamp rules the metrics rely on. Every write
 * of a mutation runs in one transaction that first locks the conversation row, so concurrent
 * messages on one conversation serialize and no counter or timestamp update is lost.
 */

export type Tx = Prisma.TransactionClient;

/**
 * Waiting for the row lock counts against the transaction timeout; a busy conversation (a
 * burst of messages) must queue, not fail, so both limits are above Prisma's defaults.
 */
export const TX_OPTIONS = { maxWait: 10_000, timeout: 20_000 } as const;

export const uuid = z.string().uuid();
export const expectedVersion = z.number().int().min(1, 'must be at least 1').nullish();
const body = z.string().trim().min(1, 'must not be empty').max(20_000, 'must be at most 20000 characters');

export function eventActor(actor: Actor) {
  return { workspaceId: actor.workspaceId, kind: actor.kind, agentId: actor.agentId };
}

/** The outbox event of a conversation change; `changedFields` name what the mutation set. */
export function conversationUpdatedEvent(conversation: Conversation, changedFields: string[]): NewEvent {
  return {
    type: 'conversation.updated',
    subjectType: 'Conversation',
    subjectId: conversation.id,
    payload: {
      changedFields,
      customerId: conversation.customerId,
      assigneeId: conversation.assigneeId,
      teamId: conversation.teamId,
      status: conversation.status,
    },
  };
}

export function messageAddedEvent(message: Message, conversation: Conversation): NewEvent {
  return {
    type: 'message.added',
    subjectType: 'Message',
    subjectId: message.id,
    payload: { conversationId: message.conversationId, customerId: conversation.customerId, isInternalNote: message.isInternalNote },
  };
}

/** Locks the conversation row for this transaction and reads it; NotFoundError outside the workspace. */
export async function lockConversation(tx: Tx, actor: Actor, id: string, path = 'input.conversationId'): Promise<Conversation> {
  const locked = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM "Conversation" WHERE id = ${id}::uuid AND "workspaceId" = ${actor.workspaceId}::uuid FOR UPDATE`;
  if (locked.length === 0) throw new NotFoundError('Conversation', path);
  return tx.conversation.findUniqueOrThrow({ where: { id } });
}

/** Optimistic concurrency: a stale `expectedVersion` changes nothing. */
export function checkVersion(conversation: Conversation, expected: number | null | undefined) {
  if (expected != null && expected !== conversation.version) {
    throw new ConflictError(
      `input.expectedVersion: the conversation changed meanwhile (now at version ${conversation.version}); re-read it and retry`,
      'input.expectedVersion',
      conversation.version,
    );
  }
}

// ───────────────────────────── startConversation ─────────────────────────────

const contactLookup = CreateCustomerSchema.refine((c) => c.email || c.phone || c.externalId, {
  message: 'give an email, phone or externalId to find or create the customer by',
});

export const StartConversationSchema = z
  .object({
    customerId: uuid.nullish(),
    customer: z.record(z.string(), z.unknown()).nullish(),
    channel: z.enum(['EMAIL', 'CHAT', 'WHATSAPP', 'SMS', 'SOCIAL', 'PHONE', 'WEB']),
    subject: z.string().trim().min(1, 'must not be empty').max(300, 'must be at most 300 characters').nullish(),
    body,
    function: z.enum(['SERVICE', 'SUPPORT']).nullish(),
  })
  .refine((i) => (i.customerId == null) !== (i.customer == null), {
    message: 'give either customerId or customer (contact details), not both',
    path: ['customer'],
  });

/**
 * The customer an inbound message comes from. By contact details: the first live record matching
 * externalId, then email, then phone; a new customer (through the customers service) when none does.
 */
async function customerForContact(tx: Tx, actor: Actor, raw: Record<string, unknown>): Promise<{ customer: Customer; created: boolean }> {
  const contact = parseInput(contactLookup, raw, 'input.customer');
  const live = { workspaceId: actor.workspaceId, mergedIntoId: null };
  const keys: Prisma.CustomerWhereInput[] = [];
  if (contact.externalId) keys.push({ externalId: contact.externalId });
  if (contact.email) keys.push({ email: contact.email });
  if (contact.phone) keys.push({ phone: contact.phone });
  for (const key of keys) {
    const found = await tx.customer.findFirst({ where: { ...live, ...key }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    if (found) return { customer: found, created: false };
  }
  // createCustomer writes through the client it is given and opens no transaction itself, so
  // handing it this transaction keeps the new customer and the conversation all-or-nothing.
  const customer = await createCustomer(tx as unknown as PrismaClient, actor, {
    name: contact.name,
    email: contact.email,
    phone: contact.phone,
    externalId: contact.externalId,
  });
  return { customer: customer!, created: true };
}

async function customerById(tx: Tx, actor: Actor, id: string): Promise<Customer> {
  const customer = await tx.customer.findFirst({ where: { id, workspaceId: actor.workspaceId } });
  if (!customer) throw new NotFoundError('Customer', 'input.customerId');
  if (customer.mergedIntoId) throw new InvalidStateError('this customer was merged into another record; use that one', 'input.customerId');
  return customer;
}

/**
 * An inbound customer message that opens a new conversation. The first-response clock starts
 * (`firstCustomerMessageAt`, `waitingSince`) and the customer is marked as seen.
 */
export async function startConversation(prisma: PrismaClient, actor: Actor, raw: unknown) {
  const input = parseInput(StartConversationSchema, raw);
  const attempt = () =>
    prisma.$transaction(async (tx) => {
      const { customer, created } = input.customerId
        ? { customer: await customerById(tx, actor, input.customerId), created: false }
        : await customerForContact(tx, actor, input.customer!);
      const now = new Date();
      if (now > customer.lastSeenAt) await tx.customer.update({ where: { id: customer.id }, data: { lastSeenAt: now } });
      const conversation = await tx.conversation.create({
        data: {
          id: uuidv7(now),
          workspaceId: actor.workspaceId,
          customerId: customer.id,
          channel: input.channel,
          function: input.function ?? 'SERVICE',
          subject: input.subject ?? null,
          status: 'OPEN',
          firstCustomerMessageAt: now,
          lastCustomerMessageAt: now,
          waitingSince: now,
          messageCount: 1,
          createdAt: now,
          updatedAt: now,
        },
      });
      const message = await tx.message.create({
        data: {
          id: uuidv7(now),
          workspaceId: actor.workspaceId,
          conversationId: conversation.id,
          authorKind: 'CUSTOMER',
          authorCustomerId: customer.id,
          direction: 'INBOUND',
          body: input.body,
          createdAt: now,
        },
      });
      await recordEvents(tx, eventActor(actor), [
        ...(created ? [customerCreatedEvent(customer)] : []),
        {
          type: 'conversation.created',
          subjectType: 'Conversation',
          subjectId: conversation.id,
          payload: { customerId: customer.id, status: conversation.status, channel: conversation.channel },
        },
        messageAddedEvent(message, conversation),
      ]);
      return { conversation, message, customerCreated: created };
    }, TX_OPTIONS);
  try {
    return await attempt();
  } catch (error) {
    // Two first messages from the same new contact at once: both miss the lookup, one insert
    // loses on the unique email/externalId. Its retry finds the customer the other created.
    if (error instanceof ConflictError && input.customer) return attempt();
    throw error;
  }
}

// ───────────────────────────── sendMessage ─────────────────────────────

const authorKind = z.enum(['CUSTOMER', 'AGENT', 'BOT', 'SYSTEM']);

export const SendMessageSchema = z
  .object({
    conversationId: uuid,
    authorKind,
    body,
    isInternalNote: z.boolean().nullish(),
    authorName: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters').nullish(),
    handoff: z.boolean().nullish(),
    expectedVersion,
  })
  .superRefine((m, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (m.authorKind === 'BOT' && !m.authorName) issue('authorName', 'a BOT message needs the bot\'s name');
    if ((m.authorKind === 'AGENT' || m.authorKind === 'CUSTOMER') && m.authorName) {
      issue('authorName', 'only BOT and SYSTEM messages carry an authorName; agents and customers are named by their records');
    }
    if (m.authorKind === 'CUSTOMER' && m.isInternalNote) issue('isInternalNote', 'customers cannot write internal notes');
    if (m.handoff && m.authorKind !== 'BOT' && m.authorKind !== 'SYSTEM') issue('handoff', 'only a BOT or SYSTEM message can hand over to humans');
  });

/**
 * Adds a message and keeps the conversation's clocks exact:
 * - CUSTOMER: `lastCustomerMessageAt`; `waitingSince` if nobody was waiting yet; a PENDING or
 *   SNOOZED conversation becomes OPEN, a RESOLVED one reopens (OPEN, `reopenCount` + 1).
 * - AGENT (public): `firstAgentResponseAt` once, `lastAgentMessageAt`, clears `waitingSince`.
 * - BOT (public): `firstBotResponseAt` once; a bot does not end the customer's wait for a human.
 * - Internal notes (AGENT, BOT or SYSTEM) never count as a response.
 * - `handoff` on a BOT or SYSTEM message records `botHandoffAt` (the first handoff).
 */
export async function sendMessage(prisma: PrismaClient, actor: Actor, raw: unknown) {
  const input = parseInput(SendMessageSchema, raw);
  if (input.authorKind === 'AGENT' && !actor.agentId) {
    throw new ValidationError('input.authorKind: this API key acts as no agent, so it cannot send AGENT messages', 'input.authorKind');
  }
  const isNote = input.isInternalNote === true;
  return prisma.$transaction(async (tx) => {
    const conversation = await lockConversation(tx, actor, input.conversationId);
    checkVersion(conversation, input.expectedVersion);
    if (input.authorKind === 'AGENT') {
      const agent = await tx.agent.findFirst({ where: { id: actor.agentId!, workspaceId: actor.workspaceId }, select: { active: true } });
      if (!agent?.active) throw new InvalidStateError('the agent this API key acts as is deactivated', 'input.authorKind');
    }
    // Taken after the lock, so message times follow the order in which messages were applied.
    const now = new Date();
    const data: Prisma.ConversationUncheckedUpdateInput = {
      messageCount: { increment: 1 },
      version: { increment: 1 },
      updatedAt: now,
    };
    switch (input.authorKind) {
      case 'CUSTOMER':
        data.lastCustomerMessageAt = now;
        data.firstCustomerMessageAt = conversation.firstCustomerMessageAt ?? now;
        if (!conversation.waitingSince) data.waitingSince = now;
        if (conversation.status === 'RESOLVED') {
          Object.assign(data, { status: 'OPEN', resolvedAt: null, reopenCount: { increment: 1 } });
        } else if (conversation.status !== 'OPEN') {
          Object.assign(data, { status: 'OPEN', snoozedUntil: null });
        }
        break;
      case 'AGENT':
        if (!isNote) {
          data.firstAgentResponseAt = conversation.firstAgentResponseAt ?? now;
          data.lastAgentMessageAt = now;
          data.waitingSince = null;
        }
        break;
      case 'BOT':
        if (!isNote) data.firstBotResponseAt = conversation.firstBotResponseAt ?? now;
        break;
      case 'SYSTEM':
        break;
    }
    if (input.handoff) data.botHandoffAt = conversation.botHandoffAt ?? now;
    if (input.authorKind === 'CUSTOMER') {
      await tx.customer.updateMany({ where: { id: conversation.customerId, lastSeenAt: { lt: now } }, data: { lastSeenAt: now } });
    }
    const message = await tx.message.create({
      data: {
        id: uuidv7(now),
        workspaceId: actor.workspaceId,
        conversationId: conversation.id,
        authorKind: input.authorKind,
        authorAgentId: input.authorKind === 'AGENT' ? actor.agentId : null,
        authorCustomerId: input.authorKind === 'CUSTOMER' ? conversation.customerId : null,
        authorName: input.authorName ?? null,
        direction: input.authorKind === 'CUSTOMER' ? 'INBOUND' : 'OUTBOUND',
        body: input.body,
        isInternalNote: isNote,
        createdAt: now,
      },
    });
    const updated = await tx.conversation.update({ where: { id: conversation.id }, data });
    const changed = CONVERSATION_FIELDS.filter((f) => data[f] !== undefined && !sameValue(conversation[f], updated[f]));
    await recordEvents(tx, eventActor(actor), [messageAddedEvent(message, updated), conversationUpdatedEvent(updated, ['messageCount', ...changed])]);
    return { message, conversation: updated };
  }, TX_OPTIONS);
}

/** Conversation fields a message can move besides `messageCount` (bookkeeping like `version` is left out). */
const CONVERSATION_FIELDS = [
  'status',
  'firstCustomerMessageAt',
  'lastCustomerMessageAt',
  'waitingSince',
  'firstAgentResponseAt',
  'lastAgentMessageAt',
  'firstBotResponseAt',
  'botHandoffAt',
  'resolvedAt',
  'snoozedUntil',
  'reopenCount',
] as const;

export function sameValue(a: unknown, b: unknown): boolean {
  return (a instanceof Date ? a.getTime() : a) === (b instanceof Date ? b.getTime() : b);
}
