import { builder } from '../../builder.ts';
import { connectionOptions, edgeOptions, pageSize } from '../connections.ts';
import {
  ActorKindEnum,
  CxFunctionEnum,
  TicketEventKindEnum,
  TicketPriorityEnum,
  TicketStatusEnum,
  TicketTypeEnum,
} from '../enums.ts';
import { encodeGlobalId } from '../global-id.ts';
import { byIdInWorkspace } from '../tenancy.ts';

const oldestFirst = [{ createdAt: 'asc' as const }, { id: 'asc' as const }];

export const TicketRef = builder.prismaNode('Ticket', {
  select: {},
  id: { field: 'id' },
  // `node(id:)` answers null for an id outside the caller's workspace.
  nullable: true,
  description:
    'A unit of support work: a request from a customer with a status, priority, owner and a complete audit trail. Merged tickets stay as CLOSED tombstones (see `mergedInto`), so old ids keep resolving.',
  authScopes: { scope: 'tickets:read' },
  findUnique: byIdInWorkspace,
  fields: (t) => ({
    number: t.exposeInt('number', { description: 'Human-readable number, unique and gap-free in the workspace (#1, #2, …).' }),
    subject: t.exposeString('subject', { description: 'One-line summary.' }),
    description: t.exposeString('description', { description: 'The request in full (plain text or Markdown).' }),
    status: t.expose('status', { type: TicketStatusEnum, description: 'Where the ticket is in its lifecycle.' }),
    priority: t.expose('priority', { type: TicketPriorityEnum, description: 'Urgency; SLA targets are set per priority.' }),
    type: t.expose('type', { type: TicketTypeEnum, description: 'QUESTION, INCIDENT, PROBLEM or TASK.' }),
    function: t.expose('function', { type: CxFunctionEnum, description: 'SUPPORT for most tickets; SERVICE for proactive follow-up work.' }),
    tags: t.exposeStringList('tags', { description: 'Free-form labels.' }),
    customFields: t.expose('customFields', { type: 'JSON', description: 'Business-defined fields, as a JSON object.' }),
    requester: t.relation('requester', { description: 'The customer who asked for help.' }),
    organization: t.relation('organization', { nullable: true, description: 'The requester\'s organization (B2B account), if any.' }),
    assignee: t.relation('assignee', { nullable: true, description: 'The agent who owns the ticket; null when unassigned.' }),
    team: t.relation('team', { nullable: true, description: 'The team the ticket is routed to; null when none.' }),
    sourceConversation: t.relation('sourceConversation', {
      nullable: true,
      description: 'The conversation this ticket was escalated from, if any.',
    }),
    problem: t.relation('problem', { nullable: true, description: 'For an INCIDENT: the PROBLEM ticket that is its root cause.' }),
    incidents: t.relatedConnection(
      'incidents',
      {
        cursor: 'id',
        ...pageSize,
        description: 'For a PROBLEM: the INCIDENT tickets linked to it, oldest first.',
        totalCount: true,
        query: () => ({ orderBy: oldestFirst }),
      },
      connectionOptions('TicketIncident', 'A page of a problem\'s incidents.'),
      edgeOptions('TicketIncident'),
    ),
    mergedInto: t.relation('mergedInto', { nullable: true, description: 'The ticket this one was merged into; null unless merged.' }),
    firstResponseAt: t.expose('firstResponseAt', { type: 'DateTime', nullable: true, description: 'First public reply by a human agent.' }),
    firstSolvedAt: t.expose('firstSolvedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'First time the ticket reached SOLVED (first resolution time); kept across reopens.',
    }),
    solvedAt: t.expose('solvedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Latest time the ticket reached SOLVED (full resolution time); cleared when it reopens.',
    }),
    closedAt: t.expose('closedAt', { type: 'DateTime', nullable: true, description: 'When the ticket was closed (final).' }),
    reopenCount: t.exposeInt('reopenCount', { description: 'How often the ticket went from SOLVED back to OPEN.' }),
    lastReopenedAt: t.expose('lastReopenedAt', { type: 'DateTime', nullable: true, description: 'Latest reopen.' }),
    publicAgentReplyCount: t.exposeInt('publicAgentReplyCount', {
      description: 'Public replies by human agents; a ticket solved with at most one counts as first-contact resolution.',
    }),
    version: t.exposeInt('version', {
      description: 'Increases with every change; send it as `expectedVersion` to change the ticket only if nobody else did.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the ticket was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'Last change (a field, a comment, a status change).' }),
    comments: t.relatedConnection(
      'comments',
      {
        cursor: 'id',
        ...pageSize,
        description: 'Public replies and internal notes, oldest first.',
        totalCount: true,
        args: {
          includeInternal: t.arg.boolean({
            required: false,
            defaultValue: true,
            description: 'Whether internal notes are included; false shows only what the customer sees.',
          }),
        },
        query: (args) => ({ where: args.includeInternal === false ? { isPublic: true } : {}, orderBy: oldestFirst }),
      },
      connectionOptions('TicketComment', 'A page of a ticket\'s comments.'),
      edgeOptions('TicketComment'),
    ),
    history: t.relatedConnection(
      'events',
      {
        cursor: 'id',
        ...pageSize,
        description: 'The audit trail: every change, who made it and when, oldest first. Entries are never changed or removed.',
        totalCount: true,
        query: () => ({ orderBy: oldestFirst }),
      },
      connectionOptions('TicketHistory', 'A page of a ticket\'s audit trail.'),
      edgeOptions('TicketHistory'),
    ),
  }),
});

export const TicketCommentRef = builder.prismaNode('TicketComment', {
  select: {},
  id: { field: 'id' },
  nullable: true,
  description: 'A public reply to the customer or an internal note between agents, on a ticket.',
  authScopes: { scope: 'tickets:read' },
  findUnique: byIdInWorkspace,
  fields: (t) => ({
    body: t.exposeString('body', { description: 'The text.' }),
    isPublic: t.exposeBoolean('isPublic', { description: 'True for replies the customer sees; false for internal notes.' }),
    authorKind: t.expose('authorKind', { type: ActorKindEnum, description: 'Who wrote it: a customer, an agent, an integration (API_KEY)…' }),
    authorAgent: t.relation('authorAgent', { nullable: true, description: 'The agent who wrote it, when an agent did.' }),
    authorCustomer: t.relation('authorCustomer', { nullable: true, description: 'The customer who wrote it, when a customer did.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was written.' }),
    ticket: t.relation('ticket', { description: 'The ticket it belongs to (after a merge, the ticket it moved to).' }),
  }),
});

/**
 * Audit values name other objects by their database ids; the API shows global IDs instead, so a
 * client can pass them straight to `node(id:)`.
 */
const ID_KEYS: Record<string, string> = {
  assigneeId: 'Agent',
  teamId: 'Team',
  problemId: 'Ticket',
  requesterId: 'Customer',
  organizationId: 'Organization',
  ticketId: 'Ticket',
  commentId: 'TicketComment',
  conversationId: 'Conversation',
  slaPolicyId: 'SlaPolicy',
};

export function presentAuditValue(field: string | null, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (field !== null) return typeof value === 'string' && ID_KEYS[field] ? encodeGlobalId(ID_KEYS[field], value) : value;
  if (typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' && ID_KEYS[k] ? encodeGlobalId(ID_KEYS[k], v) : v]),
    );
  }
  return value;
}

export const TicketEventRef = builder.prismaNode('TicketEvent', {
  select: {},
  id: { field: 'id' },
  nullable: true,
  description: 'One entry of a ticket\'s append-only audit trail.',
  authScopes: { scope: 'tickets:read' },
  findUnique: byIdInWorkspace,
  fields: (t) => ({
    kind: t.expose('kind', { type: TicketEventKindEnum, description: 'What happened.' }),
    field: t.exposeString('field', {
      nullable: true,
      description: 'For FIELD_CHANGED and LINKED_TO_PROBLEM: the field, named as in `updateTicket` (custom fields as "customFields.<key>").',
    }),
    oldValue: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The value before the change (ids as global IDs); null when there was none.',
      select: { field: true, oldValue: true },
      resolve: (e) => presentAuditValue(e.field, e.oldValue),
    }),
    newValue: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The value after the change, or the details of the event (ids as global IDs).',
      select: { field: true, newValue: true },
      resolve: (e) => presentAuditValue(e.field, e.newValue),
    }),
    actorKind: t.expose('actorKind', { type: ActorKindEnum, description: 'Who did it: an agent, a customer, an integration (API_KEY) or the system.' }),
    actorAgent: t.relation('actorAgent', { nullable: true, description: 'The agent who did it, when an agent did.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it happened.' }),
    ticket: t.relation('ticket', { description: 'The ticket the entry belongs to.' }),
  }),
});
