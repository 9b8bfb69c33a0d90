import { builder } from '../../builder.ts';
import type { BusinessCalendar, SlaPolicy, Ticket } from '../../generated/prisma/client.ts';
import { SlaTargetKindEnum, TicketPriorityEnum } from '../enums.ts';
import { mutationErrors } from '../errors.ts';
import { encodeGlobalId, idOfType, optionalIdOfType, type GlobalIdArg } from '../global-id.ts';
import { actorOf } from '../service-kit.ts';
import * as service from './service.ts';
import { BusinessCalendarRef, SlaPolicyRef } from './types.ts';

/**
 * Calendar and SLA policy mutations (`workspace:write`), and putting a ticket under a policy
 * (`tickets:write`). One `input` argument; a union result of the payload and typed errors.
 */

const WRITE = { scope: 'workspace:write' } as const;

const BusinessCalendarPayload = builder.objectRef<{ calendar: BusinessCalendar }>('BusinessCalendarPayload').implement({
  description: 'The calendar after the change.',
  fields: (t) => ({ calendar: t.field({ type: BusinessCalendarRef, description: 'The calendar.', resolve: (p) => p.calendar }) }),
});

const SlaPolicyPayload = builder.objectRef<{ policy: SlaPolicy }>('SlaPolicyPayload').implement({
  description: 'The SLA policy after the change.',
  fields: (t) => ({ policy: t.field({ type: SlaPolicyRef, description: 'The policy.', resolve: (p) => p.policy }) }),
});

const DeletePayload = (name: string, what: string) =>
  builder.objectRef<{ id: string }>(name).implement({
    description: `The ${what} was deleted.`,
    fields: (t) => ({ deletedId: t.id({ description: `Global ID of the deleted ${what}.`, resolve: (p) => p.id }) }),
  });
const DeleteBusinessCalendarPayload = DeletePayload('DeleteBusinessCalendarPayload', 'business calendar');
const DeleteSlaPolicyPayload = DeletePayload('DeleteSlaPolicyPayload', 'SLA policy');

const SetTicketSlaPolicyPayload = builder.objectRef<{ ticket: Ticket }>('SetTicketSlaPolicyPayload').implement({
  description: 'The ticket after the change.',
  fields: (t) => ({
    ticket: t.prismaField({
      type: 'Ticket',
      description: 'The ticket, with its SLA policy.',
      // Re-read with the client's selection, so nested fields load in this one query.
      resolve: (query, p, _args, ctx) => ctx.prisma.ticket.findUniqueOrThrow({ ...query, where: { id: p.ticket.id } }),
    }),
  }),
});

const BusinessHoursIntervalInput = builder.inputType('BusinessHoursIntervalInput', {
  description: 'One weekly open interval, in the calendar\'s local time. Intervals of one day must not overlap (they may touch).',
  fields: (t) => ({
    dayOfWeek: t.int({ required: true, description: 'ISO day of the week: 1 = Monday … 7 = Sunday.' }),
    startMinute: t.int({ required: true, description: 'Opening, minutes after local midnight (0–1439; 540 = 09:00).' }),
    endMinute: t.int({ required: true, description: 'Closing, minutes after local midnight, after startMinute (1–1440; 1440 = end of the day).' }),
  }),
});

const BusinessHolidayInput = builder.inputType('BusinessHolidayInput', {
  description: 'A whole local day on which the calendar is closed.',
  fields: (t) => ({
    date: t.string({ required: true, description: 'The local date, "YYYY-MM-DD"; each date once.' }),
    name: t.string({ required: true, description: 'What the day is, 1–100 characters.' }),
  }),
});

const CreateBusinessCalendarInput = builder.inputType('CreateBusinessCalendarInput', {
  description: 'A new business calendar.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Display name, 1–100 characters, unique in the workspace.' }),
    timeZone: t.string({ required: true, description: 'IANA time zone of the hours and holidays, e.g. "Europe/Berlin".' }),
    hours: t.field({ type: [BusinessHoursIntervalInput], required: true, description: 'Weekly open intervals (1–70).' }),
    holidays: t.field({ type: [BusinessHolidayInput], required: false, description: 'Closed days (at most 1000).' }),
  }),
});

const UpdateBusinessCalendarInput = builder.inputType('UpdateBusinessCalendarInput', {
  description: 'Changes to a calendar; omitted fields stay as they are. `hours` and `holidays` replace the whole list.',
  fields: (t) => ({
    id: t.globalID({ required: true, description: 'The calendar to change.' }),
    name: t.string({ required: false, description: 'New name, unique in the workspace.' }),
    timeZone: t.string({ required: false, description: 'New IANA time zone.' }),
    hours: t.field({ type: [BusinessHoursIntervalInput], required: false, description: 'The new weekly open intervals (all of them).' }),
    holidays: t.field({ type: [BusinessHolidayInput], required: false, description: 'The new closed days (all of them; [] removes every holiday).' }),
  }),
});

const SlaTargetInput = builder.inputType('SlaTargetInput', {
  description: 'One target of an SLA policy. At most one per priority and kind.',
  fields: (t) => ({
    priority: t.field({ type: TicketPriorityEnum, required: true, description: 'Ticket priority it applies to.' }),
    kind: t.field({ type: SlaTargetKindEnum, required: true, description: 'Which clock it limits.' }),
    minutes: t.int({ required: true, description: 'The limit in minutes (1–525600).' }),
    businessHours: t.boolean({ required: true, description: 'Count the minutes in the policy calendar\'s open hours (true; the policy then needs a calendar) or in calendar time (false).' }),
  }),
});

const CreateSlaPolicyInput = builder.inputType('CreateSlaPolicyInput', {
  description: 'A new SLA policy.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Display name, 1–100 characters, unique in the workspace.' }),
    description: t.string({ required: false, description: 'What the agreement is for (at most 2000 characters).' }),
    calendarId: t.globalID({ required: false, description: 'BusinessCalendar for business-hours targets; required when any target has businessHours: true.' }),
    active: t.boolean({ required: false, description: 'Default true.' }),
    targets: t.field({ type: [SlaTargetInput], required: true, description: 'The targets (at most 12).' }),
  }),
});

const UpdateSlaPolicyInput = builder.inputType('UpdateSlaPolicyInput', {
  description: 'Changes to an SLA policy; omitted fields stay as they are. `targets` replaces the whole list. SLA statuses are computed with the policy as it is when read.',
  fields: (t) => ({
    id: t.globalID({ required: true, description: 'The policy to change.' }),
    name: t.string({ required: false, description: 'New name, unique in the workspace.' }),
    description: t.string({ required: false, description: 'New description; null or "" removes it.' }),
    calendarId: t.globalID({ required: false, description: 'New calendar; null removes it (only when no target is in business hours).' }),
    active: t.boolean({ required: false, description: 'False: no more tickets can be given the policy; those that have it keep being measured.' }),
    targets: t.field({ type: [SlaTargetInput], required: false, description: 'The new targets (all of them).' }),
  }),
});

const DeleteInput = (name: string, what: string) =>
  builder.inputType(name, {
    description: `The ${what} to delete.`,
    fields: (t) => ({ id: t.globalID({ required: true, description: `The ${what}.` }) }),
  });
const DeleteBusinessCalendarInput = DeleteInput('DeleteBusinessCalendarInput', 'business calendar');
const DeleteSlaPolicyInput = DeleteInput('DeleteSlaPolicyInput', 'SLA policy');

const SetTicketSlaPolicyInput = builder.inputType('SetTicketSlaPolicyInput', {
  description: 'The SLA policy a ticket is measured against.',
  fields: (t) => ({
    ticketId: t.globalID({ required: true, description: 'The ticket.' }),
    slaPolicyId: t.globalID({ required: false, description: 'An active SlaPolicy; null (or omitted) removes the ticket\'s policy.' }),
    expectedVersion: t.int({ required: false, description: 'The ticket version you saw; if the ticket has moved on, nothing changes and a ConflictError says so.' }),
  }),
});

const calendarId = (id: GlobalIdArg | null | undefined, path: string) => optionalIdOfType(id, 'BusinessCalendar', path);

builder.mutationFields((t) => ({
  createBusinessCalendar: t.field({
    type: BusinessCalendarPayload,
    description: 'Creates a business calendar with its weekly hours and holidays.',
    authScopes: WRITE,
    errors: mutationErrors('createBusinessCalendar'),
    args: { input: t.arg({ type: CreateBusinessCalendarInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ calendar: await service.createBusinessCalendar(ctx.prisma, actorOf(ctx), input) }),
  }),

  updateBusinessCalendar: t.field({
    type: BusinessCalendarPayload,
    description: 'Changes a calendar\'s name, time zone, hours or holidays. Business durations and SLA due times use the calendar as it is when computed.',
    authScopes: WRITE,
    errors: mutationErrors('updateBusinessCalendar'),
    args: { input: t.arg({ type: UpdateBusinessCalendarInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      calendar: await service.updateBusinessCalendar(ctx.prisma, actorOf(ctx), { ...input, id: idOfType(input.id, 'BusinessCalendar', 'input.id') }),
    }),
  }),

  deleteBusinessCalendar: t.field({
    type: DeleteBusinessCalendarPayload,
    description: 'Deletes a calendar with its hours and holidays. A calendar an SLA policy uses cannot be deleted (InvalidStateError).',
    authScopes: WRITE,
    errors: mutationErrors('deleteBusinessCalendar'),
    args: { input: t.arg({ type: DeleteBusinessCalendarInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      id: encodeGlobalId('BusinessCalendar', await service.deleteBusinessCalendar(ctx.prisma, actorOf(ctx), { id: idOfType(input.id, 'BusinessCalendar', 'input.id') })),
    }),
  }),

  createSlaPolicy: t.field({
    type: SlaPolicyPayload,
    description: 'Creates an SLA policy with its targets.',
    authScopes: WRITE,
    errors: mutationErrors('createSlaPolicy'),
    args: { input: t.arg({ type: CreateSlaPolicyInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      policy: await service.createSlaPolicy(ctx.prisma, actorOf(ctx), { ...input, calendarId: calendarId(input.calendarId, 'input.calendarId') }),
    }),
  }),

  updateSlaPolicy: t.field({
    type: SlaPolicyPayload,
    description: 'Changes an SLA policy or its targets.',
    authScopes: WRITE,
    errors: mutationErrors('updateSlaPolicy'),
    args: { input: t.arg({ type: UpdateSlaPolicyInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      policy: await service.updateSlaPolicy(ctx.prisma, actorOf(ctx), {
        ...input,
        id: idOfType(input.id, 'SlaPolicy', 'input.id'),
        // Omitted (undefined) keeps the calendar; null removes it.
        calendarId: calendarId(input.calendarId, 'input.calendarId'),
      }),
    }),
  }),

  deleteSlaPolicy: t.field({
    type: DeleteSlaPolicyPayload,
    description: 'Deletes an SLA policy and its targets. A policy that tickets use cannot be deleted (InvalidStateError): deactivate it instead.',
    authScopes: WRITE,
    errors: mutationErrors('deleteSlaPolicy'),
    args: { input: t.arg({ type: DeleteSlaPolicyInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      id: encodeGlobalId('SlaPolicy', await service.deleteSlaPolicy(ctx.prisma, actorOf(ctx), { id: idOfType(input.id, 'SlaPolicy', 'input.id') })),
    }),
  }),

  setTicketSlaPolicy: t.field({
    type: SetTicketSlaPolicyPayload,
    description:
      'Puts a ticket under an SLA policy, or none. Recorded in the ticket\'s history (FIELD_CHANGED slaPolicyId) and published as ticket.updated; the ticket\'s version increases.',
    authScopes: { scope: 'tickets:write' },
    errors: mutationErrors('setTicketSlaPolicy'),
    args: { input: t.arg({ type: SetTicketSlaPolicyInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      ticket: await service.setTicketSlaPolicy(ctx.prisma, actorOf(ctx), {
        ...input,
        ticketId: idOfType(input.ticketId, 'Ticket', 'input.ticketId'),
        slaPolicyId: optionalIdOfType(input.slaPolicyId, 'SlaPolicy', 'input.slaPolicyId') ?? null,
      }),
    }),
  }),
}));
