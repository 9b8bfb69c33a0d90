import { builder } from '../../builder.ts';
import type { WorkEntry } from '../../generated/prisma/client.ts';
import { mutationErrors } from '../errors.ts';
import { optionalIdOfType, type GlobalIdArg } from '../global-id.ts';
import { actorOf } from '../service-kit.ts';
import { logWork, MAX_WORK_SECONDS } from './service.ts';
import { WorkEntryRef, WorkEntrySourceEnum } from './types.ts';

const LogWorkInput = builder.inputType('LogWorkInput', {
  description: 'Finished work on exactly one ticket or conversation.',
  fields: (t) => ({
    ticketId: t.globalID({ required: false, description: 'The ticket worked (not a merged-away one). Give this or `conversationId`.' }),
    conversationId: t.globalID({ required: false, description: 'The conversation worked. Give this or `ticketId`.' }),
    agentId: t.globalID({ required: false, description: 'Who did the work (default: the agent the API key acts as; required for keys without one).' }),
    startedAt: t.field({ type: 'DateTime', required: true, description: 'When the work started; it must have ended (startedAt + seconds) by now.' }),
    seconds: t.int({ required: true, description: `How long the work took: 1 … ${MAX_WORK_SECONDS} seconds (12 hours).` }),
    source: t.field({ type: WorkEntrySourceEnum, required: false, description: 'How the time was measured (default MANUAL).' }),
    note: t.string({ required: false, description: 'What was done (at most 1000 characters).' }),
  }),
});

const LogWorkPayload = builder.objectRef<{ workEntry: WorkEntry }>('LogWorkPayload').implement({
  description: 'The recorded work entry.',
  fields: (t) => ({ workEntry: t.field({ type: WorkEntryRef, description: 'The entry.', resolve: (p) => p.workEntry }) }),
});

builder.mutationField('logWork', (t) =>
  t.field({
    type: LogWorkPayload,
    description:
      'Records time an agent spent on a ticket (needs tickets:write) or a conversation (needs conversations:write): the input of handle time. ' +
      'Entries are finished work of 1 second to 12 hours, ended by now; a ValidationError names the input field at fault, a NotFoundError the ' +
      'target or agent outside your workspace, an InvalidStateError a merged-away ticket.',
    authScopes: (_root, args) => ({ scope: args.input.ticketId ? 'tickets:write' : 'conversations:write' }),
    errors: mutationErrors('logWork'),
    args: { input: t.arg({ type: LogWorkInput, required: true, description: 'The work.' }) },
    resolve: async (_root, { input }, ctx) => ({
      workEntry: await logWork(ctx.prisma, actorOf(ctx), {
        ...input,
        ticketId: optionalIdOfType(input.ticketId as GlobalIdArg | null | undefined, 'Ticket', 'input.ticketId'),
        conversationId: optionalIdOfType(input.conversationId as GlobalIdArg | null | undefined, 'Conversation', 'input.conversationId'),
        agentId: optionalIdOfType(input.agentId as GlobalIdArg | null | undefined, 'Agent', 'input.agentId'),
      }),
    }),
  }),
);
