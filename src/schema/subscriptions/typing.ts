import { builder } from '../../builder.ts';
import { topicFeed } from '../../events/ephemeral.ts';
import { ErrorCode, requestError } from '../../errors.ts';
import { mutationErrors } from '../errors.ts';
import { idOfType } from '../global-id.ts';
import { actorOf } from '../service-kit.ts';
import { workspaceIdOf } from '../tenancy.ts';
import { authorizeSubscription } from './kit.ts';
import { isTypingSignal, setTyping, typingTopic, type TypingSignal } from './service.ts';

/** Typing indicators are ephemeral: broadcast to whoever listens now, never stored, never replayed. */

const TypingIndicatorRef = builder.objectRef<TypingSignal>('TypingIndicator').implement({
  description: 'Someone started or stopped typing in a conversation.',
  fields: (t) => ({
    conversationId: t.globalID({ description: 'Global ID of the conversation.', resolve: (s) => ({ type: 'Conversation', id: s.conversationId }) }),
    agent: t.prismaField({
      type: 'Agent',
      nullable: true,
      description: 'The agent typing; null for an API key that acts as no agent.',
      resolve: (query, s, _args, ctx) => (s.agentId ? ctx.prisma.agent.findFirst({ ...query, where: { id: s.agentId, workspaceId: s.workspaceId } }) : null),
    }),
    isTyping: t.boolean({ description: 'True when typing started, false when it stopped.', resolve: (s) => s.isTyping }),
    at: t.field({ type: 'DateTime', description: 'When the signal was sent.', resolve: (s) => s.at }),
  }),
});

const SetTypingInput = builder.inputType('SetTypingInput', {
  description: 'Whether the caller is typing in a conversation.',
  fields: (t) => ({
    conversationId: t.globalID({ required: true, description: 'The conversation.' }),
    isTyping: t.boolean({ required: true, description: 'True when typing starts, false when it stops.' }),
  }),
});

const SetTypingPayload = builder.objectRef<TypingSignal>('SetTypingPayload').implement({
  description: 'The typing signal that was broadcast.',
  fields: (t) => ({ indicator: t.field({ type: TypingIndicatorRef, description: 'What subscribers received.', resolve: (s) => s }) }),
});

builder.subscriptionField('typingIndicator', (t) =>
  t.field({
    type: TypingIndicatorRef,
    description: 'Typing signals in one conversation, live only (nothing is replayed).',
    authScopes: { scope: 'conversations:read' },
    args: { conversationId: t.arg.globalID({ required: true, description: 'The conversation to follow.' }) },
    subscribe: async (_root, args, ctx) => {
      authorizeSubscription(ctx, 'conversations:read');
      const conversationId = idOfType(args.conversationId, 'Conversation', 'conversationId');
      const workspaceId = workspaceIdOf(ctx);
      const exists = await ctx.prisma.conversation.findFirst({ where: { id: conversationId, workspaceId }, select: { id: true } });
      if (!exists) throw requestError(ErrorCode.NOT_FOUND, 'Conversation was not found', { argument: 'conversationId' });
      return topicFeed(ctx.events.bus, typingTopic(workspaceId, conversationId), { maxBuffered: 100, accept: isTypingSignal, track: ctx.events.track });
    },
    resolve: (signal) => signal,
  }),
);

builder.mutationField('setTyping', (t) =>
  t.field({
    type: SetTypingPayload,
    description: 'Tells the subscribers of `typingIndicator` that the caller started or stopped typing. Nothing is stored.',
    authScopes: { scope: 'conversations:write' },
    errors: mutationErrors('setTyping'),
    args: { input: t.arg({ type: SetTypingInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      setTyping(ctx.prisma, ctx.events.bus, actorOf(ctx), { conversationId: idOfType(input.conversationId, 'Conversation', 'input.conversationId'), isTyping: input.isTyping }),
  }),
);
