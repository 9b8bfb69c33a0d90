import { z } from 'zod';
import type { WakeupBus } from '../../events/bus.ts';
import { NotFoundError } from '../../errors.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { parseInput, type Actor } from '../service-kit.ts';

/** What a typing broadcast carries; never stored. */
export interface TypingSignal {
  workspaceId: string;
  conversationId: string;
  agentId: string | null;
  apiKeyId: string;
  isTyping: boolean;
  at: string;
}

export function typingTopic(workspaceId: string, conversationId: string): string {
  return `typing:${workspaceId}:${conversationId}`;
}

export function isTypingSignal(message: unknown): message is TypingSignal {
  const m = message as Partial<TypingSignal> | null;
  return !!m && typeof m.conversationId === 'string' && typeof m.isTyping === 'boolean' && typeof m.at === 'string' && typeof m.apiKeyId === 'string';
}

const SetTypingSchema = z.object({ conversationId: z.string().uuid(), isTyping: z.boolean() });

/** Broadcasts that the caller started or stopped typing in a conversation of their workspace. */
export async function setTyping(prisma: PrismaClient, bus: WakeupBus, actor: Actor, raw: unknown): Promise<TypingSignal> {
  const input = parseInput(SetTypingSchema, raw);
  const conversation = await prisma.conversation.findFirst({ where: { id: input.conversationId, workspaceId: actor.workspaceId }, select: { id: true } });
  if (!conversation) throw new NotFoundError('Conversation', 'input.conversationId');
  const signal: TypingSignal = {
    workspaceId: actor.workspaceId,
    conversationId: conversation.id,
    agentId: actor.agentId,
    apiKeyId: actor.apiKeyId,
    isTyping: input.isTyping,
    at: new Date().toISOString(),
  };
  await bus.broadcast(typingTopic(actor.workspaceId, conversation.id), signal);
  return signal;
}
