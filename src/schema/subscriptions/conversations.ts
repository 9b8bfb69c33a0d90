import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import type { Event } from '../../generated/prisma/client.ts';
import type { Channel, ConversationStatus, CxFunction } from '../../generated/prisma/enums.ts';
import { ChannelEnum, ConversationStatusEnum, CxFunctionEnum } from '../enums.ts';
import { idOfType, optionalIdOfType } from '../global-id.ts';
import { ConversationUpdatedEventRef, MessageAddedEventRef } from './types.ts';
import { AFTER_DESCRIPTION, eventOf, payloadIs, subscribeToEvents } from './kit.ts';


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

function conversationMatcher(ctx: Context, filter: ConversationFilter) {
  const narrowsByState = Object.values(filter).some((v) => v !== null && v !== undefined);
  return async (event: Event): Promise<boolean> => {
    // The object as it is now decides (the event carries ids only), and it must still exist.
    const conversation = await ctx.prisma.conversation.findFirst({
      where: { id: event.subjectId, workspaceId: event.workspaceId },
      select: { teamId: true, assigneeId: true, status: true, channel: true, function: true },
    });
    if (!conversation) return false;
    if (!narrowsByState) return true;
    if (filter.teamId && conversation.teamId !== filter.teamId) return false;
    if (filter.assigneeId && conversation.assigneeId !== filter.assigneeId) return false;
    if (filter.status?.length && !filter.status.includes(conversation.status)) return false;
    if (filter.channel?.length && !filter.channel.includes(conversation.channel)) return false;
    if (filter.function && conversation.function !== filter.function) return false;
    return true;
  };
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
        types: ['message.added'],
        where: payloadIs('conversationId', conversationId),
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
        types: ['conversation.created', 'conversation.updated'],
        where: { subjectType: 'Conversation' },
        filter: conversationMatcher(ctx, filter),
      });
    },
    resolve: eventOf,
  }),
}));
