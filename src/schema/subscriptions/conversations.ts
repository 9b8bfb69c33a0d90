import { builder } from '../../builder.ts';
import type { StateLoader } from '../../events/feed.ts';
import type { Channel, ConversationStatus, CxFunction } from '../../generated/prisma/enums.ts';
import { ChannelEnum, ConversationStatusEnum, CxFunctionEnum } from '../enums.ts';
import { idOfType, optionalIdOfType } from '../global-id.ts';
import { ConversationUpdatedEventRef, MessageAddedEventRef } from './types.ts';
import { AFTER_DESCRIPTION, eventOf, subscribeToEvents } from './kit.ts';

export const ConversationSubscriptionFilter = builder.inputType('ConversationSubscriptionFilter', {
  description: 'Which conversations to follow; every given condition must hold for the conversation as it is when the event is delivered.',
  fields: (t) => ({
    teamId: t.globalID({ required: false, description: 'Only conversations routed to this team.' }),
    assigneeId: t.globalID({ required: false, description: 'Only conversations assigned to this agent.' }),
    status: t.field({ type: [ConversationStatusEnum], required: false, description: 'Only conversations in one of these statuses.' }),
    channel: t.field({ type: [ChannelEnum], required: false, description: 'Only conversations on one of these channels.' }),
    function: t.field({ type: CxFunctionEnum, required: false, description: 'Only service or only support conversations.' }),
  }),
});

interface ConversationFilter {
  teamId?: string | null;
  assigneeId?: string | null;
  status?: ConversationStatus[] | null;
  channel?: Channel[] | null;
  function?: CxFunction | null;
}

interface ConversationState {
  teamId: string | null;
  assigneeId: string | null;
  status: ConversationStatus;
  channel: Channel;
  function: CxFunction;
}

/** The routing state of conversations as they are now (the event carries ids only), for every subscriber of a batch at once. */
const conversationStates: StateLoader<ConversationState> = {
  async load(prisma, workspaceId, ids) {
    const rows = await prisma.conversation.findMany({
      where: { workspaceId, id: { in: [...ids] } },
      select: { id: true, teamId: true, assigneeId: true, status: true, channel: true, function: true },
    });
    return new Map(rows.map((c) => [c.id, c]));
  },
};

function conversationMatches(filter: ConversationFilter) {
  return (c: ConversationState): boolean =>
    (!filter.teamId || c.teamId === filter.teamId) &&
    (!filter.assigneeId || c.assigneeId === filter.assigneeId) &&
    (!filter.status?.length || filter.status.includes(c.status)) &&
    (!filter.channel?.length || filter.channel.includes(c.channel)) &&
    (!filter.function || c.function === filter.function);
}

builder.subscriptionFields((t) => ({
  messageAdded: t.field({
    type: MessageAddedEventRef,
    description: 'Messages added to one conversation (internal notes included), oldest first.',
    authScopes: { scope: 'conversations:read' },
    args: {
      conversationId: t.arg.globalID({ required: true, description: 'The conversation to follow.' }),
      after: t.arg.string({ required: false, description: AFTER_DESCRIPTION }),
    },
    subscribe: async (_root, args, ctx) => {
      const conversationId = idOfType(args.conversationId, 'Conversation', 'conversationId');
      return subscribeToEvents(ctx, args.after, {
        scope: 'conversations:read',
        route: { types: ['message.added'], anyOf: [{ payloadKey: 'conversationId', id: conversationId }] },
      });
    },
    resolve: eventOf,
  }),
  conversationUpdated: t.field({
    type: ConversationUpdatedEventRef,
    description: 'Conversations created or changed in the workspace, narrowed by `filter`.',
    authScopes: { scope: 'conversations:read' },
    args: {
      filter: t.arg({ type: ConversationSubscriptionFilter, required: false, description: 'Which conversations to follow (default: all).' }),
      after: t.arg.string({ required: false, description: AFTER_DESCRIPTION }),
    },
    subscribe: async (_root, args, ctx) => {
      const f = args.filter ?? {};
      const filter: ConversationFilter = {
        teamId: optionalIdOfType(f.teamId, 'Team', 'filter.teamId'),
        assigneeId: optionalIdOfType(f.assigneeId, 'Agent', 'filter.assigneeId'),
        status: f.status,
        channel: f.channel,
        function: f.function,
      };
      return subscribeToEvents(ctx, args.after, {
        scope: 'conversations:read',
        route: { types: ['conversation.created', 'conversation.updated'], anyOf: [{ subjectType: 'Conversation' }] },
        // The conversation must still exist, and match the filter as it is at delivery.
        check: { loader: conversationStates, idOf: (e) => e.subjectId, test: conversationMatches(filter) },
      });
    },
    resolve: eventOf,
  }),
}));
