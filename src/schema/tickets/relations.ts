import { builder } from '../../builder.ts';
import { connectionOptions, edgeOptions, pageSize } from '../connections.ts';

/** Tickets seen from the objects they belong to (types owned by other domains, extended by name). */

const newestFirst = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];

builder.prismaObjectFields('Customer', (t) => ({
  tickets: t.relatedConnection(
    'tickets',
    {
      cursor: 'id',
      ...pageSize,
      description: 'Tickets this customer requested, newest first. Needs the tickets:read scope.',
      authScopes: { scope: 'tickets:read' },
      totalCount: true,
      query: () => ({ orderBy: newestFirst }),
    },
    connectionOptions('CustomerTicket', 'A page of a customer\'s tickets.'),
    edgeOptions('CustomerTicket'),
  ),
}));

builder.prismaObjectFields('Organization', (t) => ({
  tickets: t.relatedConnection(
    'tickets',
    {
      cursor: 'id',
      ...pageSize,
      description: 'Tickets of this organization\'s people, newest first. Needs the tickets:read scope.',
      authScopes: { scope: 'tickets:read' },
      totalCount: true,
      query: () => ({ orderBy: newestFirst }),
    },
    connectionOptions('OrganizationTicket', 'A page of an organization\'s tickets.'),
    edgeOptions('OrganizationTicket'),
  ),
}));

builder.prismaObjectFields('Conversation', (t) => ({
  tickets: t.relatedConnection(
    'tickets',
    {
      cursor: 'id',
      ...pageSize,
      description: 'Tickets escalated from this conversation, oldest first. Needs the tickets:read scope.',
      authScopes: { scope: 'tickets:read' },
      totalCount: true,
      query: () => ({ orderBy: [{ createdAt: 'asc' as const }, { id: 'asc' as const }] }),
    },
    connectionOptions('ConversationTicket', 'A page of the tickets escalated from a conversation.'),
    edgeOptions('ConversationTicket'),
  ),
}));
