import { builder } from '../../builder.ts';
import type { Conversation, Message } from '../../generated/prisma/client.ts';
import { ChannelEnum, ConversationStatusEnum, CxFunctionEnum, MessageAuthorKindEnum } from '../enums.ts';
import { mutationErrors } from '../errors.ts';
import { idOfType, optionalIdOfType, type GlobalIdArg } from '../global-id.ts';
import { actorOf } from '../service-kit.ts';
import * as service from './service.ts';
import { ConversationRef, MessageRef } from './types.ts';
import * as workflow from './workflow.ts';

/**
 * Conversation mutations: one `input` argument, a union result of the success payload and
 * typed errors. Resolvers only translate GraphQL shapes and call the services.
 */

const expectedVersionField = (t: any) =>
  t.int({
    required: false,
    description: 'The `version` you last read; if the conversation changed since, nothing happens and a ConflictError says so.',
  });

const ConversationContactInput = builder.inputType('ConversationContactInput', {
  description:
    'How to recognise the customer writing in: the first live customer matching externalId, then email, then phone; a new customer is created when none matches.',
  fields: (t) => ({
    email: t.string({ required: false, description: 'Email address.' }),
    phone: t.string({ required: false, description: 'Phone number.' }),
    externalId: t.string({ required: false, description: 'The customer\'s id in the company\'s own systems.' }),
    name: t.string({ required: false, description: 'Full name, used when a new customer is created.' }),
  }),
});

const StartConversationInput = builder.inputType('StartConversationInput', {
  description: 'A customer writing in on a channel. Give exactly one of `customerId` or `customer`.',
  fields: (t) => ({
    customerId: t.globalID({ required: false, description: 'The customer, when already known.' }),
    customer: t.field({ type: ConversationContactInput, required: false, description: 'Contact details to find or create the customer by.' }),
    channel: t.field({ type: ChannelEnum, required: true, description: 'Where the customer wrote in.' }),
    subject: t.string({ required: false, description: 'Subject line or topic.' }),
    body: t.string({ required: true, description: 'The customer\'s first message.' }),
    function: t.field({ type: CxFunctionEnum, required: false, defaultValue: 'SERVICE', description: 'Service or support work; default SERVICE.' }),
  }),
});

const StartConversationPayload = builder
  .objectRef<{ conversation: Conversation; message: Message; customerCreated: boolean }>('StartConversationPayload')
  .implement({
    description: 'The new conversation and its first message.',
    fields: (t) => ({
      conversation: t.field({ type: ConversationRef, description: 'The conversation.', resolve: (p) => p.conversation }),
      // Not `message`: that name is the Error interface's string field in the same result union.
      firstMessage: t.field({ type: MessageRef, description: 'The customer\'s first message.', resolve: (p) => p.message }),
      customerCreated: t.boolean({ description: 'True when no customer matched the contact details and a new one was created.', resolve: (p) => p.customerCreated }),
    }),
  });

const SendMessageInput = builder.inputType('SendMessageInput', {
  description:
    'A message in a conversation: a CUSTOMER message (inbound), an AGENT reply (as the API key\'s agent), a BOT reply (with `authorName`), a SYSTEM notice, or an internal note (not CUSTOMER).',
  fields: (t) => ({
    conversationId: t.globalID({ required: true, description: 'The conversation.' }),
    authorKind: t.field({ type: MessageAuthorKindEnum, required: true, description: 'Who writes it. AGENT messages are written as the agent the API key acts as.' }),
    body: t.string({ required: true, description: 'The text.' }),
    isInternalNote: t.boolean({
      required: false,
      defaultValue: false,
      description: 'An internal note: visible to agents only, never a response to the customer.',
    }),
    authorName: t.string({ required: false, description: 'Display name of the bot (required for BOT) or system author.' }),
    handoff: t.boolean({
      required: false,
      defaultValue: false,
      description: 'On a BOT or SYSTEM message: the bot hands the conversation to humans (records `botHandoffAt`).',
    }),
    expectedVersion: expectedVersionField(t),
  }),
});

const SendMessagePayload = builder.objectRef<{ conversation: Conversation; message: Message }>('SendMessagePayload').implement({
  description: 'The new message and the conversation after it.',
  fields: (t) => ({
    newMessage: t.field({ type: MessageRef, description: 'The message just added.', resolve: (p) => p.message }),
    conversation: t.field({ type: ConversationRef, description: 'The conversation, with its timestamps updated.', resolve: (p) => p.conversation }),
  }),
});

const AssignConversationInput = builder.inputType('AssignConversationInput', {
  description: 'Who works a conversation. Omitted fields stay as they are; null unassigns.',
  fields: (t) => ({
    conversationId: t.globalID({ required: true, description: 'The conversation.' }),
    assigneeId: t.globalID({ required: false, description: 'An active agent of your workspace (not a VIEWER); null unassigns.' }),
    teamId: t.globalID({ required: false, description: 'A team of your workspace; null removes the team.' }),
    expectedVersion: expectedVersionField(t),
  }),
});

const SetConversationStatusInput = builder.inputType('SetConversationStatusInput', {
  description:
    'A status change. Allowed: OPEN → PENDING/SNOOZED/RESOLVED; PENDING → OPEN/SNOOZED/RESOLVED; SNOOZED → OPEN/PENDING/RESOLVED/SNOOZED (new time); RESOLVED → OPEN (counts a reopen).',
  fields: (t) => ({
    conversationId: t.globalID({ required: true, description: 'The conversation.' }),
    status: t.field({ type: ConversationStatusEnum, required: true, description: 'The new status.' }),
    snoozedUntil: t.field({ type: 'DateTime', required: false, description: 'For SNOOZED (and only then): when it is due again; must be in the future.' }),
    expectedVersion: expectedVersionField(t),
  }),
});

const ConversationPayload = builder.objectRef<{ conversation: Conversation }>('ConversationPayload').implement({
  description: 'The conversation after the change.',
  fields: (t) => ({ conversation: t.field({ type: ConversationRef, description: 'The conversation.', resolve: (p) => p.conversation }) }),
});

const conversationIdOf = (input: { conversationId: GlobalIdArg }) => idOfType(input.conversationId, 'Conversation', 'input.conversationId');

builder.mutationFields((t) => ({
  startConversation: t.field({
    type: StartConversationPayload,
    description:
      'A customer writes in: finds or creates the customer, opens a conversation with their first message, and starts the first-response clock.',
    authScopes: { scope: 'conversations:write' },
    errors: mutationErrors('startConversation'),
    args: { input: t.arg({ type: StartConversationInput, required: true, description: 'The inbound message.' }) },
    resolve: (_root, { input }, ctx) =>
      service.startConversation(ctx.prisma, actorOf(ctx), {
        ...input,
        customerId: optionalIdOfType(input.customerId as GlobalIdArg | null | undefined, 'Customer', 'input.customerId'),
        customer: input.customer ? { ...input.customer } : input.customer,
      }),
  }),

  sendMessage: t.field({
    type: SendMessagePayload,
    description:
      'Adds a message and updates the conversation\'s clocks: a public agent reply ends the customer\'s wait and (the first time) sets `firstAgentResponseAt`; bot replies and internal notes never do; a customer message starts a wait and reopens a RESOLVED conversation.',
    authScopes: { scope: 'conversations:write' },
    errors: mutationErrors('sendMessage'),
    args: { input: t.arg({ type: SendMessageInput, required: true, description: 'The message.' }) },
    resolve: (_root, { input }, ctx) => service.sendMessage(ctx.prisma, actorOf(ctx), { ...input, conversationId: conversationIdOf(input) }),
  }),

  assignConversation: t.field({
    type: ConversationPayload,
    description: 'Routes a conversation to an agent and/or a team, or unassigns it.',
    authScopes: { scope: 'conversations:write' },
    errors: mutationErrors('assignConversation'),
    args: { input: t.arg({ type: AssignConversationInput, required: true, description: 'The new assignment.' }) },
    resolve: async (_root, { input }, ctx) => ({
      conversation: await workflow.assignConversation(ctx.prisma, actorOf(ctx), {
        ...input,
        conversationId: conversationIdOf(input),
        // Kept distinct: absent leaves the assignment alone, null clears it.
        ...(input.assigneeId !== undefined ? { assigneeId: optionalIdOfType(input.assigneeId as GlobalIdArg | null, 'Agent', 'input.assigneeId') } : {}),
        ...(input.teamId !== undefined ? { teamId: optionalIdOfType(input.teamId as GlobalIdArg | null, 'Team', 'input.teamId') } : {}),
      }),
    }),
  }),

  setConversationStatus: t.field({
    type: ConversationPayload,
    description:
      'Moves a conversation through its lifecycle (see SetConversationStatusInput). RESOLVED sets `resolvedAt` (and `firstResolvedAt` once) and ends any wait; reopening a RESOLVED conversation counts in `reopenCount`.',
    authScopes: { scope: 'conversations:write' },
    errors: mutationErrors('setConversationStatus'),
    args: { input: t.arg({ type: SetConversationStatusInput, required: true, description: 'The new status.' }) },
    resolve: async (_root, { input }, ctx) => ({
      conversation: await workflow.setConversationStatus(ctx.prisma, actorOf(ctx), { ...input, conversationId: conversationIdOf(input) }),
    }),
  }),
}));
