import { builder } from '../../builder.ts';
import { SlaTargetKindEnum, TicketPriorityEnum } from '../enums.ts';
import { byIdInWorkspace } from '../tenancy.ts';

/** Business calendars (weekly hours in a time zone, holidays), SLA policies and their targets. */

const READ = { scope: 'workspace:read' } as const;

export const BusinessHoursIntervalRef = builder.prismaObject('BusinessHoursInterval', {
  select: {},
  description: 'One open interval of a week, in the calendar\'s local time. A day may have several (e.g. around a lunch break).',
  fields: (t) => ({
    dayOfWeek: t.exposeInt('dayOfWeek', { description: 'ISO day of the week: 1 = Monday … 7 = Sunday.' }),
    startMinute: t.exposeInt('startMinute', { description: 'Opening, in minutes after local midnight (540 = 09:00).' }),
    endMinute: t.exposeInt('endMinute', { description: 'Closing, in minutes after local midnight (1020 = 17:00; 1440 = midnight at the end of the day).' }),
  }),
});

export const BusinessHolidayRef = builder.prismaObject('BusinessHoliday', {
  select: {},
  description: 'A whole local day on which the calendar is closed.',
  fields: (t) => ({
    date: t.string({ description: 'The local date, "YYYY-MM-DD".', select: { date: true }, resolve: (h) => h.date.toISOString().slice(0, 10) }),
    name: t.exposeString('name', { description: 'What the day is, e.g. "New Year\'s Day".' }),
  }),
});

export const BusinessCalendarRef = builder.prismaNode('BusinessCalendar', {
  select: {},
  id: { field: 'id' },
  nullable: true,
  description:
    'Working hours in a time zone, minus holidays: the clock of business-hours SLA targets and of metrics with `clock: BUSINESS`. Hours are local, so a 09:00–17:00 day is 8 hours on daylight-saving change days too.',
  authScopes: READ,
  findUnique: byIdInWorkspace,
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Display name, unique in the workspace.' }),
    timeZone: t.exposeString('timeZone', { description: 'IANA time zone the hours and holidays are local to, e.g. "Europe/Berlin".' }),
    hours: t.relation('hours', {
      description: 'The weekly open intervals, by day, then opening time.',
      query: () => ({ orderBy: [{ dayOfWeek: 'asc' }, { startMinute: 'asc' }] }),
    }),
    holidays: t.relation('holidays', { description: 'Closed days, by date.', query: () => ({ orderBy: { date: 'asc' } }) }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the calendar was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'Last change to the calendar, its hours or its holidays.' }),
  }),
});

export const SlaTargetRef = builder.prismaNode('SlaTarget', {
  select: {},
  id: { field: 'id' },
  nullable: true,
  description: 'How soon tickets of one priority must get a first response, a next response or a resolution under an SLA policy.',
  authScopes: READ,
  findUnique: byIdInWorkspace,
  fields: (t) => ({
    priority: t.expose('priority', { type: TicketPriorityEnum, description: 'The ticket priority it applies to.' }),
    kind: t.expose('kind', { type: SlaTargetKindEnum, description: 'Which clock it sets a limit for.' }),
    minutes: t.exposeInt('minutes', { description: 'The limit, in minutes.' }),
    businessHours: t.exposeBoolean('businessHours', {
      description: 'True: the minutes are counted in the open hours of the policy\'s calendar; false: in calendar time.',
    }),
    policy: t.relation('policy', { description: 'The policy the target belongs to.' }),
  }),
});

export const SlaPolicyRef = builder.prismaNode('SlaPolicy', {
  select: {},
  id: { field: 'id' },
  nullable: true,
  description:
    'A service-level agreement: response and resolution targets per ticket priority. A ticket is put under a policy with `setTicketSlaPolicy`; `Ticket.metrics.slaStatus` and the sla_*_compliance metrics measure it.',
  authScopes: READ,
  findUnique: byIdInWorkspace,
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Display name, unique in the workspace.' }),
    description: t.exposeString('description', { nullable: true, description: 'What the agreement is for.' }),
    active: t.exposeBoolean('active', { description: 'Inactive policies keep measuring the tickets they have, but cannot be given to more.' }),
    calendar: t.relation('calendar', { nullable: true, description: 'The calendar business-hours targets are counted in; null when the policy has none.' }),
    targets: t.relation('targets', {
      description: 'The targets, by priority, then kind.',
      query: () => ({ orderBy: [{ priority: 'asc' }, { kind: 'asc' }] }),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the policy was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'Last change to the policy or its targets.' }),
  }),
});

builder.prismaObjectFields('Ticket', (t) => ({
  slaPolicy: t.relation('slaPolicy', {
    nullable: true,
    description: 'The SLA policy the ticket is measured against; null when none. Needs `workspace:read`.',
    authScopes: READ,
  }),
}));
