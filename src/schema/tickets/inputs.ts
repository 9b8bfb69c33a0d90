import type { InputFieldBuilder } from '@pothos/core';
import { builder, type SchemaTypes } from '../../builder.ts';
import { CxFunctionEnum, TicketPriorityEnum, TicketStatusEnum, TicketTypeEnum } from '../enums.ts';
import { optionalIdOfType, type GlobalIdArg } from '../global-id.ts';
import { TRANSITIONS_DOC } from './state-machine.ts';

/** Input types of the ticket mutations, and the translation of their global IDs to database ids. */

type Types = PothosSchemaTypes.ExtendDefaultTypes<SchemaTypes>;

const changeFields = (t: InputFieldBuilder<Types, 'InputObject'>) => ({
  subject: t.string({ required: false, description: 'One-line summary.' }),
  description: t.string({ required: false, description: 'The request in full.' }),
  status: t.field({ type: TicketStatusEnum, required: false, description: `New status. ${TRANSITIONS_DOC}` }),
  priority: t.field({ type: TicketPriorityEnum, required: false, description: 'New priority.' }),
  type: t.field({
    type: TicketTypeEnum,
    required: false,
    description: 'New type. An INCIDENT that stops being one leaves its problem; a PROBLEM with linked incidents cannot change type.',
  }),
  function: t.field({ type: CxFunctionEnum, required: false, description: 'SERVICE or SUPPORT.' }),
  assigneeId: t.globalID({ required: false, description: 'The agent to own the ticket (an active agent); null unassigns.' }),
  teamId: t.globalID({ required: false, description: 'The team to route the ticket to; null removes the team.' }),
  tags: t.stringList({ required: false, description: 'Replaces the tags.' }),
  customFields: t.field({
    type: 'JSON',
    required: false,
    description: 'Custom fields to merge in, key by key (a JSON object); a null value removes a key.',
  }),
});

export const CreateTicketInput = builder.inputType('CreateTicketInput', {
  description: 'A new ticket. It starts NEW and gets the workspace\'s next number.',
  fields: (t) => ({
    subject: t.string({ required: true, description: 'One-line summary.' }),
    description: t.string({ required: false, description: 'The request in full.' }),
    requesterId: t.globalID({ required: true, description: 'The customer asking for help (a Customer ID).' }),
    organizationId: t.globalID({ required: false, description: 'The organization the ticket belongs to (default: the requester\'s).' }),
    priority: t.field({ type: TicketPriorityEnum, required: false, description: 'Urgency (default NORMAL).' }),
    type: t.field({ type: TicketTypeEnum, required: false, description: 'Kind of work (default QUESTION).' }),
    function: t.field({ type: CxFunctionEnum, required: false, description: 'SERVICE or SUPPORT (default SUPPORT).' }),
    assigneeId: t.globalID({ required: false, description: 'The agent to own the ticket (an active agent).' }),
    teamId: t.globalID({ required: false, description: 'The team to route the ticket to.' }),
    tags: t.stringList({ required: false, description: 'Labels.' }),
    customFields: t.field({ type: 'JSON', required: false, description: 'Business-defined fields (a JSON object).' }),
  }),
});

export const UpdateTicketInput = builder.inputType('UpdateTicketInput', {
  description: 'Changes to a ticket. Omitted fields stay as they are.',
  fields: (t) => ({
    id: t.globalID({ required: true, description: 'The ticket to change.' }),
    expectedVersion: t.int({
      required: false,
      description: 'Only change the ticket if it is still at this version; otherwise a ConflictError with `currentVersion` (nothing changes).',
    }),
    ...changeFields(t),
  }),
});

export const TicketChangesInput = builder.inputType('TicketChangesInput', {
  description: 'One set of changes applied to every ticket of a bulk update. Omitted fields stay as they are.',
  fields: (t) => changeFields(t),
});

export const BulkUpdateTicketsInput = builder.inputType('BulkUpdateTicketsInput', {
  description: 'Up to 100 tickets and the changes to make to all of them.',
  fields: (t) => ({
    ids: t.globalIDList({ required: true, description: 'The tickets to change (1–100; duplicates are ignored).' }),
    changes: t.field({ type: TicketChangesInput, required: true, description: 'What to change on every ticket.' }),
  }),
});

export const AddTicketCommentInput = builder.inputType('AddTicketCommentInput', {
  description: 'A public reply or an internal note on a ticket.',
  fields: (t) => ({
    ticketId: t.globalID({ required: true, description: 'The ticket to comment on.' }),
    body: t.string({ required: true, description: 'The text.' }),
    isPublic: t.boolean({
      required: false,
      defaultValue: true,
      description: 'true (default): a reply the customer sees; false: an internal note for agents.',
    }),
    authorCustomerId: t.globalID({
      required: false,
      description: 'Record the comment as written by this customer (e.g. relayed from email) instead of by the caller. Customer comments are always public.',
    }),
  }),
});

export const MergeTicketsInput = builder.inputType('MergeTicketsInput', {
  description: 'Two tickets about the same request.',
  fields: (t) => ({
    sourceId: t.globalID({ required: true, description: 'The ticket merged away: it is CLOSED and points at the target.' }),
    targetId: t.globalID({ required: true, description: 'The ticket that stays and receives the comments and tags.' }),
  }),
});

export const LinkIncidentToProblemInput = builder.inputType('LinkIncidentToProblemInput', {
  description: 'An incident and the problem that is its root cause.',
  fields: (t) => ({
    incidentId: t.globalID({ required: true, description: 'A ticket of type INCIDENT.' }),
    problemId: t.globalID({ required: true, description: 'A ticket of type PROBLEM.' }),
  }),
});

export const EscalateConversationInput = builder.inputType('EscalateConversationInput', {
  description: 'A service conversation to hand to support as a ticket.',
  fields: (t) => ({
    conversationId: t.globalID({ required: true, description: 'The SERVICE conversation to escalate.' }),
    note: t.string({ required: true, description: 'Handoff note for the support team: what is needed and what was tried.' }),
    subject: t.string({ required: false, description: 'Ticket subject (default: the conversation\'s subject).' }),
    teamId: t.globalID({ required: false, description: 'The support team to route the ticket to.' }),
    priority: t.field({ type: TicketPriorityEnum, required: false, description: 'Urgency (default NORMAL).' }),
  }),
});

/** The change fields with their global IDs turned into database ids (null stays null: it clears). */
export function changeIds<T extends { assigneeId?: GlobalIdArg | null; teamId?: GlobalIdArg | null }>(input: T, path: string) {
  return {
    ...input,
    assigneeId: optionalIdOfType(input.assigneeId, 'Agent', `${path}.assigneeId`),
    teamId: optionalIdOfType(input.teamId, 'Team', `${path}.teamId`),
  };
}
