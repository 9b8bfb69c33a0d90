import { builder } from '../../builder.ts';
import { viewerCan } from '../../auth/viewer.ts';
import { WorkEntrySource } from '../../generated/prisma/enums.ts';
import { connectionOptions, edgeOptions, pageSize } from '../connections.ts';
import { byIdInWorkspace } from '../tenancy.ts';

export const WorkEntrySourceEnum = builder.enumType('WorkEntrySource', {
  description: 'How a work entry\'s time was measured.',
  values: {
    [WorkEntrySource.MANUAL]: { description: 'Typed in by the agent (or a lead) after the fact.' },
    [WorkEntrySource.TIMER]: { description: 'Measured by a start/stop timer in the agent\'s tool.' },
    [WorkEntrySource.COMPOSITION]: { description: 'Measured by the agent\'s tool while a reply or note was being composed.' },
  } as const,
});

export const WorkEntryRef = builder.prismaNode('WorkEntry', {
  // The type's authScopes read ticketId.
  select: { ticketId: true },
  id: { field: 'id' },
  // `node(id:)` answers null for an id outside the caller's workspace.
  nullable: true,
  description:
    'Time an agent spent working a ticket or a conversation (logWork): the input of handle time (metric average_handle_time). ' +
    'Reading it needs the read scope of what was worked (tickets:read or conversations:read).',
  authScopes: (entry, ctx) => viewerCan(ctx.viewer, entry.ticketId ? 'tickets:read' : 'conversations:read'),
  findUnique: byIdInWorkspace,
  fields: (t) => ({
    agent: t.relation('agent', { description: 'Who did the work.' }),
    ticket: t.relation('ticket', { nullable: true, description: 'The ticket worked, when the work was on a ticket.' }),
    conversation: t.relation('conversation', { nullable: true, description: 'The conversation worked, when the work was on a conversation.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When the work started.' }),
    endedAt: t.field({
      type: 'DateTime',
      description: 'When the work ended: startedAt + seconds.',
      select: { startedAt: true, seconds: true },
      resolve: (entry) => new Date(entry.startedAt.getTime() + entry.seconds * 1000),
    }),
    seconds: t.exposeInt('seconds', { description: 'How long the work took, in seconds (1 … 43200).' }),
    source: t.expose('source', { type: WorkEntrySourceEnum, description: 'How the time was measured.' }),
    note: t.exposeString('note', { nullable: true, description: 'What was done, in the agent\'s words.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the entry was recorded.' }),
  }),
});

const oldestFirst = () => ({ orderBy: [{ startedAt: 'asc' as const }, { id: 'asc' as const }] });

builder.prismaObjectFields('Ticket', (t) => ({
  workEntries: t.relatedConnection(
    'workEntries',
    {
      cursor: 'id',
      ...pageSize,
      description: 'Work logged on this ticket (logWork), by start time. Handle time also counts the work on duplicates merged into it.',
      totalCount: true,
      query: oldestFirst,
    },
    connectionOptions('TicketWorkEntry', 'A page of the work logged on a ticket.'),
    edgeOptions('TicketWorkEntry'),
  ),
}));

builder.prismaObjectFields('Conversation', (t) => ({
  workEntries: t.relatedConnection(
    'workEntries',
    {
      cursor: 'id',
      ...pageSize,
      description: 'Work logged on this conversation (logWork), by start time.',
      totalCount: true,
      query: oldestFirst,
    },
    connectionOptions('ConversationWorkEntry', 'A page of the work logged on a conversation.'),
    edgeOptions('ConversationWorkEntry'),
  ),
}));
