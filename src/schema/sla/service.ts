import { z } from 'zod';
import { uuidv7 } from '../../db/ids.ts';
import { ConflictError, InvalidStateError, NotFoundError, ValidationError } from '../../errors.ts';
import type { BusinessCalendar, Prisma, PrismaClient, SlaPolicy, Ticket } from '../../generated/prisma/client.ts';
import { conflictOnUnique, parseInput, type Actor } from '../service-kit.ts';
import { TicketHistory } from '../tickets/history.ts';
import { lockTicket, mergedIntoNumber, TX_OPTIONS } from '../tickets/lookups.ts';
import { assertChangeable } from '../tickets/state-machine.ts';
import { changedScalars, recordCalendarEvent, recordPolicyEvent, sameItems } from './events.ts';
import { description, holidays, hours, name, targets, timeZone, uuid } from './validation.ts';

/**
 * Business calendars and SLA policies. Weekly hours, holidays and targets are replaced as a
 * whole on update (the list sent is the new list). SLA due times are computed when read, from
 * the calendar and targets as they are then. Neither a calendar used by a policy nor a policy
 * used by a ticket can be deleted: that would silently change those tickets' SLAs (deactivate
 * a policy instead). Every change records one event (business_calendar.* / sla_policy.*) in its
 * own transaction; an update that changes nothing records none.
 */

type Db = PrismaClient | Prisma.TransactionClient;

/** Runs a write in which a name taken by another calendar or policy becomes a ConflictError on input.name. */
async function withUniqueName<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    conflictOnUnique(error, { name: 'input.name' });
  }
}

function hoursRows(actor: Actor, calendarId: string, list: z.infer<typeof hours>) {
  return list.map((h) => ({ id: uuidv7(), workspaceId: actor.workspaceId, calendarId, ...h }));
}

function holidayRows(actor: Actor, calendarId: string, list: z.infer<typeof holidays>) {
  return list.map((h) => ({ id: uuidv7(), workspaceId: actor.workspaceId, calendarId, date: new Date(`${h.date}T00:00:00Z`), name: h.name }));
}

async function findCalendar(db: Db, actor: Actor, id: string, path: string): Promise<BusinessCalendar> {
  const calendar = await db.businessCalendar.findFirst({ where: { id, workspaceId: actor.workspaceId } });
  if (!calendar) throw new NotFoundError('BusinessCalendar', path);
  return calendar;
}

async function findPolicy(db: Db, actor: Actor, id: string, path: string): Promise<SlaPolicy> {
  const policy = await db.slaPolicy.findFirst({ where: { id, workspaceId: actor.workspaceId } });
  if (!policy) throw new NotFoundError('SlaPolicy', path);
  return policy;
}

export const CreateBusinessCalendarSchema = z.object({ name, timeZone, hours, holidays: holidays.nullish() });

export async function createBusinessCalendar(prisma: PrismaClient, actor: Actor, raw: unknown): Promise<BusinessCalendar> {
  const input = parseInput(CreateBusinessCalendarSchema, raw);
  const id = uuidv7();
  return withUniqueName(() =>
    prisma.$transaction(async (tx) => {
      const calendar = await tx.businessCalendar.create({ data: { id, workspaceId: actor.workspaceId, name: input.name, timeZone: input.timeZone } });
      await tx.businessHoursInterval.createMany({ data: hoursRows(actor, id, input.hours) });
      await tx.businessHoliday.createMany({ data: holidayRows(actor, id, input.holidays ?? []) });
      await recordCalendarEvent(tx, actor, 'business_calendar.created', calendar);
      return calendar;
    }, TX_OPTIONS),
  );
}

export const UpdateBusinessCalendarSchema = z.object({
  id: uuid,
  name: name.optional(),
  timeZone: timeZone.optional(),
  hours: hours.optional(),
  holidays: holidays.optional(),
});

export async function updateBusinessCalendar(prisma: PrismaClient, actor: Actor, raw: unknown): Promise<BusinessCalendar> {
  const input = parseInput(UpdateBusinessCalendarSchema, raw);
  const before = await findCalendar(prisma, actor, input.id, 'input.id');
  return withUniqueName(() =>
    prisma.$transaction(async (tx) => {
      const changed: string[] = [];
      if (input.hours) {
        const old = await tx.businessHoursInterval.findMany({ where: { calendarId: input.id, workspaceId: actor.workspaceId } });
        if (!sameItems(old, input.hours, ['dayOfWeek', 'startMinute', 'endMinute'])) changed.push('hours');
        await tx.businessHoursInterval.deleteMany({ where: { calendarId: input.id, workspaceId: actor.workspaceId } });
        await tx.businessHoursInterval.createMany({ data: hoursRows(actor, input.id, input.hours) });
      }
      if (input.holidays) {
        const old = await tx.businessHoliday.findMany({ where: { calendarId: input.id, workspaceId: actor.workspaceId } });
        const oldDays = old.map((h) => ({ date: h.date.toISOString().slice(0, 10), name: h.name }));
        if (!sameItems(oldDays, input.holidays, ['date', 'name'])) changed.push('holidays');
        await tx.businessHoliday.deleteMany({ where: { calendarId: input.id, workspaceId: actor.workspaceId } });
        await tx.businessHoliday.createMany({ data: holidayRows(actor, input.id, input.holidays) });
      }
      // Always written, so updatedAt moves when only the hours or holidays changed.
      const calendar = await tx.businessCalendar.update({ where: { id: input.id }, data: { name: input.name, timeZone: input.timeZone, updatedAt: new Date() } });
      changed.unshift(...changedScalars(before, calendar, ['name', 'timeZone']));
      if (changed.length > 0) await recordCalendarEvent(tx, actor, 'business_calendar.updated', calendar, changed);
      return calendar;
    }, TX_OPTIONS),
  );
}

const ById = z.object({ id: uuid });

/**
 * Locks a calendar or policy row for deleting, before its users are counted. Their foreign keys
 * point at it with ON DELETE SET NULL, so a delete racing a write that starts using the row
 * (a policy taking the calendar, a ticket taking the policy) would silently take it away from
 * them. A writer's foreign-key check holds a KEY SHARE lock on the row until it commits, which
 * this lock waits for, so the count that follows sees it; a writer coming later waits for this
 * transaction and then finds the row gone (its write fails instead). False: no such row.
 */
async function lockForDelete(tx: Prisma.TransactionClient, table: 'BusinessCalendar' | 'SlaPolicy', id: string, actor: Actor): Promise<boolean> {
  const rows = await tx.$queryRawUnsafe<unknown[]>(`SELECT 1 FROM "${table}" WHERE id = $1::uuid AND "workspaceId" = $2::uuid FOR UPDATE`, id, actor.workspaceId);
  return rows.length > 0;
}

export async function deleteBusinessCalendar(prisma: PrismaClient, actor: Actor, raw: unknown): Promise<string> {
  const { id } = parseInput(ById, raw);
  await findCalendar(prisma, actor, id, 'input.id');
  await prisma.$transaction(async (tx) => {
    // Locked before counting its users (see lockForDelete): a policy taking this calendar
    // meanwhile is counted, or waits and then finds it gone — never silently loses it.
    if (!(await lockForDelete(tx, 'BusinessCalendar', id, actor))) throw new NotFoundError('BusinessCalendar', 'input.id');
    const used = await tx.slaPolicy.count({ where: { calendarId: id, workspaceId: actor.workspaceId } });
    if (used > 0) throw new InvalidStateError(`input.id: ${used} SLA polic${used === 1 ? 'y uses' : 'ies use'} this calendar; give them another calendar first`, 'input.id');
    const { count } = await tx.businessCalendar.deleteMany({ where: { id, workspaceId: actor.workspaceId } });
    // Deleted meanwhile by another call, which recorded the event.
    if (count === 0) throw new NotFoundError('BusinessCalendar', 'input.id');
    await recordCalendarEvent(tx, actor, 'business_calendar.deleted', { id });
  }, TX_OPTIONS);
  return id;
}

/** Business-hours targets need a calendar to count in. */
function checkCalendarForTargets(calendarId: string | null, list: ReadonlyArray<{ businessHours: boolean }>) {
  const index = list.findIndex((t) => t.businessHours);
  if (index >= 0 && !calendarId) {
    throw new ValidationError(`input.calendarId: target ${index} is measured in business hours, so the policy needs a calendar`, 'input.calendarId');
  }
}

function targetRows(actor: Actor, policyId: string, list: z.infer<typeof targets>) {
  return list.map((t) => ({ id: uuidv7(), workspaceId: actor.workspaceId, policyId, ...t }));
}

export const CreateSlaPolicySchema = z.object({
  name,
  description: description.nullish(),
  calendarId: uuid.nullish(),
  active: z.boolean().nullish(),
  targets,
});

export async function createSlaPolicy(prisma: PrismaClient, actor: Actor, raw: unknown): Promise<SlaPolicy> {
  const input = parseInput(CreateSlaPolicySchema, raw);
  if (input.calendarId) await findCalendar(prisma, actor, input.calendarId, 'input.calendarId');
  checkCalendarForTargets(input.calendarId ?? null, input.targets);
  const id = uuidv7();
  return withUniqueName(() =>
    prisma.$transaction(async (tx) => {
      const policy = await tx.slaPolicy.create({
        data: {
          id,
          workspaceId: actor.workspaceId,
          name: input.name,
          description: input.description || null,
          calendarId: input.calendarId ?? null,
          active: input.active ?? true,
        },
      });
      await tx.slaTarget.createMany({ data: targetRows(actor, id, input.targets) });
      await recordPolicyEvent(tx, actor, 'sla_policy.created', policy);
      return policy;
    }, TX_OPTIONS),
  );
}

export const UpdateSlaPolicySchema = z.object({
  id: uuid,
  name: name.optional(),
  description: description.nullish(),
  // null removes the calendar.
  calendarId: uuid.nullish(),
  active: z.boolean().optional(),
  targets: targets.optional(),
});

export async function updateSlaPolicy(prisma: PrismaClient, actor: Actor, raw: unknown): Promise<SlaPolicy> {
  const input = parseInput(UpdateSlaPolicySchema, raw);
  const policy = await findPolicy(prisma, actor, input.id, 'input.id');
  if (input.calendarId) await findCalendar(prisma, actor, input.calendarId, 'input.calendarId');
  const calendarId = input.calendarId === undefined ? policy.calendarId : input.calendarId;
  const oldTargets = await prisma.slaTarget.findMany({ where: { policyId: policy.id, workspaceId: actor.workspaceId } });
  checkCalendarForTargets(calendarId, input.targets ?? oldTargets);
  return withUniqueName(() =>
    prisma.$transaction(async (tx) => {
      const changedTargets = input.targets !== undefined && !sameItems(oldTargets, input.targets, ['priority', 'kind', 'minutes', 'businessHours']);
      if (input.targets) {
        await tx.slaTarget.deleteMany({ where: { policyId: policy.id, workspaceId: actor.workspaceId } });
        await tx.slaTarget.createMany({ data: targetRows(actor, policy.id, input.targets) });
      }
      const updated = await tx.slaPolicy.update({
        where: { id: policy.id },
        data: {
          name: input.name,
          description: input.description === undefined ? undefined : input.description || null,
          calendarId,
          active: input.active,
          updatedAt: new Date(),
        },
      });
      const changed = [...changedScalars(policy, updated, ['name', 'description', 'calendarId', 'active']), ...(changedTargets ? ['targets'] : [])];
      if (changed.length > 0) await recordPolicyEvent(tx, actor, 'sla_policy.updated', updated, changed);
      return updated;
    }, TX_OPTIONS),
  );
}

export async function deleteSlaPolicy(prisma: PrismaClient, actor: Actor, raw: unknown): Promise<string> {
  const { id } = parseInput(ById, raw);
  const policy = await findPolicy(prisma, actor, id, 'input.id');
  await prisma.$transaction(async (tx) => {
    if (!(await lockForDelete(tx, 'SlaPolicy', id, actor))) throw new NotFoundError('SlaPolicy', 'input.id');
    const used = await tx.ticket.count({ where: { slaPolicyId: id, workspaceId: actor.workspaceId } });
    if (used > 0) {
      throw new InvalidStateError(`input.id: ${used} ticket(s) use this policy; deactivate it (active: false) or move the tickets to another policy first`, 'input.id');
    }
    const { count } = await tx.slaPolicy.deleteMany({ where: { id, workspaceId: actor.workspaceId } });
    // Deleted meanwhile by another call, which recorded the event.
    if (count === 0) throw new NotFoundError('SlaPolicy', 'input.id');
    await recordPolicyEvent(tx, actor, 'sla_policy.deleted', policy);
  }, TX_OPTIONS);
  return id;
}

export const SetTicketSlaPolicySchema = z.object({
  ticketId: uuid,
  slaPolicyId: uuid.nullable(),
  expectedVersion: z.number().int().positive().nullish(),
});

/**
 * Puts a ticket under an SLA policy (or none). Like any ticket change it is recorded in the
 * ticket's history (FIELD_CHANGED slaPolicyId) and published as ticket.updated; setting the
 * policy the ticket already has changes nothing. Only active policies can be newly assigned.
 */
export async function setTicketSlaPolicy(prisma: PrismaClient, actor: Actor, raw: unknown): Promise<Ticket> {
  const input = parseInput(SetTicketSlaPolicySchema, raw);
  const policy = input.slaPolicyId ? await findPolicy(prisma, actor, input.slaPolicyId, 'input.slaPolicyId') : null;
  return prisma.$transaction(async (tx) => {
    const ticket = await lockTicket(tx, actor, input.ticketId, 'input.ticketId');
    if (ticket.mergedIntoId || ticket.status === 'CLOSED') assertChangeable(ticket, 'input.ticketId', await mergedIntoNumber(tx, ticket));
    if (input.expectedVersion != null && input.expectedVersion !== ticket.version) {
      throw new ConflictError(
        `input.expectedVersion: the ticket is at version ${ticket.version}, not ${input.expectedVersion}; re-read it and retry`,
        'input.expectedVersion',
        ticket.version,
      );
    }
    const next = policy?.id ?? null;
    if (next === ticket.slaPolicyId) return ticket;
    if (policy && !policy.active) throw new InvalidStateError('input.slaPolicyId: this SLA policy is inactive and cannot be assigned', 'input.slaPolicyId');
    const history = new TicketHistory(tx, actor, new Date());
    history.fieldChanged(ticket.id, 'slaPolicyId', ticket.slaPolicyId, next);
    const updated = await tx.ticket.update({ where: { id: ticket.id }, data: { slaPolicyId: next, version: { increment: 1 }, updatedAt: history.now } });
    await history.flush();
    return updated;
  }, TX_OPTIONS);
}
