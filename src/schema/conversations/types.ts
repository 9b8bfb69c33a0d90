import { builder } from '../../builder.ts';
import { connectionOptions, edgeOptions, pageSize } from '../connections.ts';
import { ChannelEnum, ConversationStatusEnum, CxFunctionEnum, MessageAuthorKindEnum, MessageDirectionEnum } from '../enums.ts';
import { byIdInWorkspace } from '../tenancy.ts';

export const ConversationRef = builder.prismaNode('Conversation', {
  select: {},
  id: { field: 'id' },
  // `node(id:)` answers null for an id outside the caller's workspace.
  nullable: true,
  description:
    'A thread with a customer on one channel. Its timestamps are kept current on every message, so response, waiting and resolution metrics need no message scans.',
  authScopes: { scope: 'conversations:read' },
  findUnique: byIdInWorkspace,
  fields: (t) => ({
    channel: t.expose('channel', { type: ChannelEnum, description: 'The channel the conversation happens on.' }),
    status: t.expose('status', { type: ConversationStatusEnum, description: 'Where the conversation is in its lifecycle.' }),
    function: t.expose('function', { type: CxFunctionEnum, description: 'Whether this is service or support work.' }),
    subject: t.exposeString('subject', { nullable: true, description: 'Subject line or topic, if there is one.' }),
    customer: t.relation('customer', { description: 'The customer the conversation is with.' }),
    assignee: t.relation('assignee', { nullable: true, description: 'The agent working the conversation; null when unassigned.' }),
    team: t.relation('team', { nullable: true, description: 'The team the conversation is routed to; null when none.' }),
    firstCustomerMessageAt: t.expose('firstCustomerMessageAt', {
      type: 'DateTime',
      nullable: true,
      description: 'First inbound customer message: where the first-response clock starts.',
    }),
    firstAgentResponseAt: t.expose('firstAgentResponseAt', {
      type: 'DateTime',
      nullable: true,
      description: 'First public reply by a human agent. Bot replies and internal notes never set it.',
    }),
    firstBotResponseAt: t.expose('firstBotResponseAt', { type: 'DateTime', nullable: true, description: 'First public reply by a bot.' }),
    botHandoffAt: t.expose('botHandoffAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When a bot first handed the conversation to humans (an alternative start of the first-response clock).',
    }),
    lastCustomerMessageAt: t.expose('lastCustomerMessageAt', { type: 'DateTime', nullable: true, description: 'Latest customer message.' }),
    lastAgentMessageAt: t.expose('lastAgentMessageAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Latest public reply by a human agent (internal notes and bot replies do not count).',
    }),
    waitingSince: t.expose('waitingSince', {
      type: 'DateTime',
      nullable: true,
      description:
        'Since when the customer has been waiting for a human reply: set by the first unanswered customer message, cleared by a public agent reply or by resolving. Null when nobody is waiting.',
    }),
    snoozedUntil: t.expose('snoozedUntil', { type: 'DateTime', nullable: true, description: 'When a SNOOZED conversation is due again.' }),
    resolvedAt: t.expose('resolvedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Latest resolution; null while the conversation is not RESOLVED.',
    }),
    firstResolvedAt: t.expose('firstResolvedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'First time the conversation was resolved; kept across reopens.',
    }),
    reopenCount: t.exposeInt('reopenCount', { description: 'How often the conversation went from RESOLVED back to OPEN.' }),
    messageCount: t.exposeInt('messageCount', { description: 'Messages in the conversation, internal notes included.' }),
    version: t.exposeInt('version', {
      description: 'Increases with every change; send it as `expectedVersion` to change the conversation only if nobody else did.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the conversation started.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'Last change (a message, an assignment, a status change).' }),
    messages: t.relatedConnection(
      'messages',
      {
        cursor: 'id',
        ...pageSize,
        description: 'The messages, oldest first.',
        totalCount: true,
        args: {
          includeInternal: t.arg.boolean({
            required: false,
            defaultValue: true,
            description: 'Whether internal notes are included; false shows only what the customer sees.',
          }),
        },
        query: (args) => ({
          where: args.includeInternal === false ? { isInternalNote: false } : {},
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        }),
      },
      connectionOptions('ConversationMessage', 'A page of a conversation\'s messages.'),
      edgeOptions('ConversationMessage'),
    ),
  }),
});

export const MessageRef = builder.prismaNode('Message', {
  select: {},
  id: { field: 'id' },
  nullable: true,
  description: 'One message of a conversation: from the customer, an agent, a bot or the system; or an internal note between agents.',
  authScopes: { scope: 'conversations:read' },
  findUnique: byIdInWorkspace,
  fields: (t) => ({
    authorKind: t.expose('authorKind', { type: MessageAuthorKindEnum, description: 'Who wrote the message.' }),
    direction: t.expose('direction', { type: MessageDirectionEnum, description: 'INBOUND from the customer, OUTBOUND otherwise.' }),
    body: t.exposeString('body', { description: 'The text of the message.' }),
    isInternalNote: t.exposeBoolean('isInternalNote', { description: 'Visible to agents only; never sent to the customer.' }),
    authorAgent: t.relation('authorAgent', { nullable: true, description: 'The agent who wrote it (AGENT messages).' }),
    authorCustomer: t.relation('authorCustomer', { nullable: true, description: 'The customer who wrote it (CUSTOMER messages).' }),
    authorName: t.exposeString('authorName', { nullable: true, description: 'Display name of a bot or system author.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the message was sent.' }),
    conversation: t.relation('conversation', { description: 'The conversation it belongs to.' }),
  }),
});

export const TeamRef = builder.prismaNode('Team', {
  select: {},
  id: { field: 'id' },
  nullable: true,
  description: 'A group of agents, e.g. "Customer service", "Support tier 1". Reading teams needs the agents:read scope, like agents.',
  authScopes: { scope: 'agents:read' },
  findUnique: byIdInWorkspace,
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Display name; unique in the workspace.' }),
    description: t.exposeString('description', { nullable: true, description: 'What the team does.' }),
    function: t.expose('function', { type: CxFunctionEnum, description: 'Whether the team does proactive service or reactive support.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the team was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'Last change.' }),
  }),
});

builder.prismaObjectFields('Customer', (t) => ({
  conversations: t.relatedConnection(
    'conversations',
    {
      cursor: 'id',
      ...pageSize,
      description: 'The customer\'s conversations on every channel, newest first. Needs the conversations:read scope.',
      authScopes: { scope: 'conversations:read' },
      totalCount: true,
      query: () => ({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
    },
    connectionOptions('CustomerConversation', 'A page of a customer\'s conversations.'),
    edgeOptions('CustomerConversation'),
  ),
}));
