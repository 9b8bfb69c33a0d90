import { builder } from '../../builder.ts';
import type { Ticket, TicketComment } from '../../generated/prisma/client.ts';
import { ErrorCodeEnum, ErrorInterface, MUTATION_ERRORS, mutationErrors } from '../errors.ts';
import { idOfType, optionalIdOfType, type GlobalIdArg } from '../global-id.ts';
import { actorOf } from '../service-kit.ts';
import { inWorkspace } from '../tenancy.ts';
import { BulkUpdateError, type BulkItemFailure } from './bulk-error.ts';
import { escalateConversation } from './escalation.ts';
import {
  AddTicketCommentInput,
  BulkUpdateTicketsInput,
  changeIds,
  CreateTicketInput,
  EscalateConversationInput,
  LinkIncidentToProblemInput,
  MergeTicketsInput,
  UpdateTicketInput,
} from './inputs.ts';
import * as service from './service.ts';
import { TRANSITIONS_DOC } from './state-machine.ts';
import { TicketCommentRef, TicketRef } from './types.ts';
import * as workflows from './workflows.ts';

const TicketPayload = builder.objectRef<{ ticket: Ticket }>('TicketPayload').implement({
  description: 'The ticket after the change.',
  fields: (t) => ({ ticket: t.field({ type: TicketRef, description: 'The ticket.', resolve: (p) => p.ticket }) }),
});

const AddTicketCommentPayload = builder.objectRef<{ comment: TicketComment; ticket: Ticket }>('AddTicketCommentPayload').implement({
  description: 'The new comment and the ticket after it.',
  fields: (t) => ({
    comment: t.field({ type: TicketCommentRef, description: 'The comment.', resolve: (p) => p.comment }),
    ticket: t.field({ type: TicketRef, description: 'The ticket (status, first response and counters updated).', resolve: (p) => p.ticket }),
  }),
});

const MergeTicketsPayload = builder.objectRef<{ source: Ticket; target: Ticket; movedComments: number }>('MergeTicketsPayload').implement({
  description: 'Both tickets after the merge.',
  fields: (t) => ({
    source: t.field({ type: TicketRef, description: 'The merged-away ticket, now a CLOSED tombstone.', resolve: (p) => p.source }),
    target: t.field({ type: TicketRef, description: 'The ticket that received the comments and tags.', resolve: (p) => p.target }),
    movedComments: t.int({ description: 'Comments moved from the source to the target.', resolve: (p) => p.movedComments }),
  }),
});

const LinkIncidentToProblemPayload = builder.objectRef<{ incident: Ticket; problem: Ticket }>('LinkIncidentToProblemPayload').implement({
  description: 'The linked incident and its problem.',
  fields: (t) => ({
    incident: t.field({ type: TicketRef, description: 'The incident, now pointing at the problem.', resolve: (p) => p.incident }),
    problem: t.field({ type: TicketRef, description: 'The problem.', resolve: (p) => p.problem }),
  }),
});

const BulkUpdateTicketsPayload = builder.objectRef<{ tickets: Ticket[]; updatedCount: number }>('BulkUpdateTicketsPayload').implement({
  description: 'Every ticket of the bulk update, after it.',
  fields: (t) => ({
    tickets: t.field({
      type: [TicketRef],
      description: 'The tickets, in the order given (at most 100, duplicates once).',
      resolve: (p) => p.tickets,
    }),
    updatedCount: t.int({ description: 'How many tickets actually changed (the others already had these values).', resolve: (p) => p.updatedCount }),
  }),
});

const BulkUpdateItemError = builder.objectRef<BulkItemFailure>('BulkUpdateItemError').implement({
  description: 'Why one ticket of a bulk update could not take the change.',
  fields: (t) => ({
    ticketId: t.globalID({ description: 'The ticket.', resolve: (f) => ({ type: 'Ticket', id: f.ticketId }) }),
    code: t.field({ type: ErrorCodeEnum, description: 'Stable error code.', resolve: (f) => f.code }),
    message: t.exposeString('message', { description: 'What went wrong, for humans.' }),
    field: t.exposeString('field', { nullable: true, description: 'Dotted path of the input field at fault, when one is.' }),
  }),
});

builder.objectType(BulkUpdateError, {
  name: 'BulkUpdateError',
  description: 'Some tickets of a bulk update could not take the change, so none was changed. `items` lists each failure; `code` is the first one\'s.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof BulkUpdateError,
  fields: (t) => ({
    items: t.field({ type: [BulkUpdateItemError], description: 'One entry per ticket that failed.', resolve: (e) => e.items }),
  }),
});

const EscalateConversationPayload = builder
  .objectRef<{ ticket: Ticket; conversationId: string }>('EscalateConversationPayload')
  .implement({
    description: 'The new support ticket and the conversation it came from.',
    fields: (t) => ({
      ticket: t.field({ type: TicketRef, description: 'The new SUPPORT ticket.', resolve: (p) => p.ticket }),
      conversation: t.prismaField({
        type: 'Conversation',
        description: 'The escalated conversation (its thread now notes the ticket number).',
        resolve: (query, p, _args, ctx) => ctx.prisma.conversation.findFirstOrThrow({ ...query, where: { id: p.conversationId, ...inWorkspace(ctx) } }),
      }),
    }),
  });

builder.mutationFields((t) => ({
  createTicket: t.field({
    type: TicketPayload,
    description: 'Creates a ticket with the workspace\'s next number, on behalf of a customer (the requester). Records who created it.',
    authScopes: { scope: 'tickets:write' },
    errors: mutationErrors('createTicket'),
    args: { input: t.arg({ type: CreateTicketInput, required: true, description: 'The new ticket.' }) },
    resolve: async (_root, { input }, ctx) => ({
      ticket: await service.createTicket(ctx.prisma, actorOf(ctx), {
        ...changeIds(input, 'input'),
        requesterId: idOfType(input.requesterId, 'Customer', 'input.requesterId'),
        organizationId: optionalIdOfType(input.organizationId as GlobalIdArg | null | undefined, 'Organization', 'input.organizationId'),
      }),
    }),
  }),

  updateTicket: t.field({
    type: TicketPayload,
    description:
      `Changes a ticket. Every field that really changes is recorded in its history (FIELD_CHANGED, with old and new value and who changed it) and the version goes up by one; a call that changes nothing records nothing and keeps the version. ${TRANSITIONS_DOC} ` +
      'Solving a PROBLEM solves all its unsolved incidents in the same step. Merged and CLOSED tickets cannot be changed.',
    authScopes: { scope: 'tickets:write' },
    errors: mutationErrors('updateTicket'),
    args: { input: t.arg({ type: UpdateTicketInput, required: true, description: 'The ticket and the changes.' }) },
    resolve: async (_root, { input }, ctx) => ({
      ticket: await service.updateTicket(ctx.prisma, actorOf(ctx), { ...changeIds(input, 'input'), id: idOfType(input.id, 'Ticket', 'input.id') }),
    }),
  }),

  addTicketComment: t.field({
    type: AddTicketCommentPayload,
    description:
      'Adds a public reply or an internal note. A human agent\'s public reply sets firstResponseAt (once), counts in publicAgentReplyCount and takes a NEW ticket to OPEN; ' +
      'a customer\'s comment reopens a SOLVED ticket and takes a PENDING one back to OPEN. CLOSED tickets take no comments (InvalidStateError).',
    authScopes: { scope: 'tickets:write' },
    errors: mutationErrors('addTicketComment'),
    args: { input: t.arg({ type: AddTicketCommentInput, required: true, description: 'The comment.' }) },
    resolve: (_root, { input }, ctx) =>
      service.addTicketComment(ctx.prisma, actorOf(ctx), {
        ...input,
        ticketId: idOfType(input.ticketId, 'Ticket', 'input.ticketId'),
        authorCustomerId: optionalIdOfType(input.authorCustomerId as GlobalIdArg | null | undefined, 'Customer', 'input.authorCustomerId'),
      }),
  }),

  mergeTickets: t.field({
    type: MergeTicketsPayload,
    description:
      'Merges a duplicate ticket (source) into another (target): the comments move over as they are, tags are united, and the source is CLOSED as a tombstone pointing at the target. ' +
      'Neither ticket may be CLOSED or already merged.',
    authScopes: { scope: 'tickets:write' },
    errors: mutationErrors('mergeTickets'),
    args: { input: t.arg({ type: MergeTicketsInput, required: true, description: 'Source and target.' }) },
    resolve: (_root, { input }, ctx) =>
      workflows.mergeTickets(ctx.prisma, actorOf(ctx), {
        sourceId: idOfType(input.sourceId, 'Ticket', 'input.sourceId'),
        targetId: idOfType(input.targetId, 'Ticket', 'input.targetId'),
      }),
  }),

  linkIncidentToProblem: t.field({
    type: LinkIncidentToProblemPayload,
    description: 'Links an INCIDENT ticket to the PROBLEM ticket that is its root cause; solving the problem later solves the incident too.',
    authScopes: { scope: 'tickets:write' },
    errors: mutationErrors('linkIncidentToProblem'),
    args: { input: t.arg({ type: LinkIncidentToProblemInput, required: true, description: 'Incident and problem.' }) },
    resolve: (_root, { input }, ctx) =>
      workflows.linkIncidentToProblem(ctx.prisma, actorOf(ctx), {
        incidentId: idOfType(input.incidentId, 'Ticket', 'input.incidentId'),
        problemId: idOfType(input.problemId, 'Ticket', 'input.problemId'),
      }),
  }),

  bulkUpdateTickets: t.field({
    type: BulkUpdateTicketsPayload,
    description:
      'Applies one set of changes to up to 100 tickets, all or nothing: if any ticket cannot take it, nothing changes and a BulkUpdateError lists every failure. Same rules and history as `updateTicket`.',
    authScopes: { scope: 'tickets:write' },
    errors: { ...mutationErrors('bulkUpdateTickets'), types: [...MUTATION_ERRORS, BulkUpdateError] },
    args: { input: t.arg({ type: BulkUpdateTicketsInput, required: true, description: 'Tickets and changes.' }) },
    resolve: (_root, { input }, ctx) =>
      workflows.bulkUpdateTickets(ctx.prisma, actorOf(ctx), {
        ids: input.ids.map((id, i) => idOfType(id, 'Ticket', `input.ids.${i}`)),
        changes: changeIds(input.changes, 'input.changes'),
      }),
  }),

  escalateConversation: t.field({
    type: EscalateConversationPayload,
    description:
      'Hands a SERVICE conversation to support: creates a SUPPORT ticket for the conversation\'s customer whose description carries the handoff note, the customer\'s context and the public transcript; ' +
      'adds the note as an internal comment and an internal system message to the conversation. The conversation then lists the ticket under `tickets`.',
    authScopes: { scope: 'tickets:write' },
    errors: mutationErrors('escalateConversation'),
    args: { input: t.arg({ type: EscalateConversationInput, required: true, description: 'The conversation and the handoff.' }) },
    resolve: (_root, { input }, ctx) =>
      escalateConversation(ctx.prisma, actorOf(ctx), {
        ...input,
        conversationId: idOfType(input.conversationId, 'Conversation', 'input.conversationId'),
        teamId: optionalIdOfType(input.teamId as GlobalIdArg | null | undefined, 'Team', 'input.teamId'),
      }),
  }),
}));
