import { z } from 'zod';
import { uuidv7 } from '../../db/ids.ts';
import { ConflictError, InvalidStateError, NotFoundError, ValidationError } from '../../errors.ts';
import type { Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import { recordEvents, type NewEvent } from '../../events/outbox.ts';
import type { Customer, Organization } from '../../generated/prisma/client.ts';
import { conflictOnUnique, parseInput, type Actor } from '../service-kit.ts';

/**
 * Customers, organizations and behavioural events: writes and their invariants. Every function
 * takes the actor's workspace and never touches another workspace's rows.
 */

const email = z
  .string()
  .trim()
  .max(254, 'must be at most 254 characters')
  .email('must be an email address')
  .transform((v) => v.toLowerCase());
const name = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
const phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9 ()\-.]{5,32}$/, 'must be a phone number, e.g. +49 30 1234567');
const externalId = z.string().trim().min(1, 'must not be empty').max(128, 'must be at most 128 characters');
const locale = z.string().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'must be a BCP 47 language tag, e.g. "en" or "de-CH"');
const timeZone = z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. "Europe/Berlin"');
const tags = z.array(z.string().trim().min(1).max(64, 'each tag is at most 64 characters')).max(50, 'at most 50 tags');
const attributes = z
  .record(z.string(), z.unknown())
  .refine((v) => JSON.stringify(v).length <= 16_384, 'must be at most 16 KB of JSON');
const uuid = z.string().uuid();

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const uniqueCustomerFields = { email: 'input.email', externalId: 'input.externalId' };

async function assertOrganization(prisma: PrismaClient | Prisma.TransactionClient, actor: Actor, organizationId: string | null | undefined) {
  if (!organizationId) return;
  const found = await prisma.organization.findFirst({ where: { id: organizationId, workspaceId: actor.workspaceId }, select: { id: true } });
  if (!found) throw new NotFoundError('Organization', 'input.organizationId');
}

const customerFields = {
  name: name.nullish(),
  email: email.nullish(),
  phone: phone.nullish(),
  externalId: externalId.nullish(),
  locale: locale.nullish(),
  timeZone: timeZone.nullish(),
  tags: tags.nullish(),
  attributes: attributes.nullish(),
  organizationId: uuid.nullish(),
};

export const CreateCustomerSchema = z
  .object(customerFields)
  .refine((c) => c.email || c.phone || c.externalId || c.name, { message: 'give at least one of name, email, phone or externalId' });
export type CreateCustomer = z.infer<typeof CreateCustomerSchema>;

type Db = PrismaClient | Prisma.TransactionClient;

function eventActor(actor: Actor) {
  return { workspaceId: actor.workspaceId, kind: actor.kind, agentId: actor.agentId };
}

/** Names of the fields whose stored value differs between two versions of a row. */
function changedFields<T extends object>(before: T, after: T, fields: readonly (keyof T & string)[]): string[] {
  return fields.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
}

/** The outbox event of a new customer; exported for callers that create one inside their own transaction. */
export function customerCreatedEvent(customer: Customer): NewEvent {
  return { type: 'customer.created', subjectType: 'Customer', subjectId: customer.id, payload: { organizationId: customer.organizationId } };
}

/**
 * Accepts a transaction client so callers can create a customer inside their own transaction;
 * then the caller records `customerCreatedEvent` with its own events (the outbox write must be
 * the last step of the transaction). A full client gets a transaction of its own, with the event.
 */
export async function createCustomer(prisma: Db, actor: Actor, raw: unknown) {
  const input = parseInput(CreateCustomerSchema, raw);
  if (isTransactionClient(prisma)) return insertCustomer(prisma, actor, input);
  return (prisma as PrismaClient).$transaction(async (tx) => {
    const customer = await insertCustomer(tx, actor, input);
    await recordEvents(tx, eventActor(actor), [customerCreatedEvent(customer!)]);
    return customer;
  });
}

/**
 * Prisma 7 transaction clients do have `$transaction` (it opens a savepoint, which not every
 * adapter supports), so they are told apart by what they lack: `$connect` is only on the
 * full client.
 */
function isTransactionClient(prisma: Db): prisma is Prisma.TransactionClient {
  return typeof (prisma as { $connect?: unknown }).$connect !== 'function';
}

async function insertCustomer(prisma: Prisma.TransactionClient, actor: Actor, input: CreateCustomer) {
  await assertOrganization(prisma, actor, input.organizationId);
  const now = new Date();
  let organizationId = input.organizationId ?? null;
  if (!organizationId && input.email) {
    // B2B: a customer whose email domain belongs to an organization joins it automatically.
    const domain = input.email.split('@')[1]!;
    const org = await prisma.organization.findFirst({ where: { workspaceId: actor.workspaceId, domains: { has: domain } }, select: { id: true } });
    organizationId = org?.id ?? null;
  }
  try {
    return await prisma.customer.create({
      data: {
        id: uuidv7(now),
        workspaceId: actor.workspaceId,
        name: input.name ?? null,
        email: input.email ?? null,
        phone: input.phone ?? null,
        externalId: input.externalId ?? null,
        locale: input.locale ?? null,
        timeZone: input.timeZone ?? null,
        tags: dedupe(input.tags ?? []),
        attributes: (input.attributes ?? {}) as Prisma.InputJsonValue,
        organizationId,
        firstSeenAt: now,
        lastSeenAt: now,
      },
    });
  } catch (error) {
    conflictOnUnique(error, uniqueCustomerFields);
  }
}

export const UpdateCustomerSchema = z.object({ id: uuid, ...customerFields });

export async function updateCustomer(prisma: PrismaClient, actor: Actor, raw: unknown) {
  const input = parseInput(UpdateCustomerSchema, raw);
  const existing = await prisma.customer.findFirst({ where: { id: input.id, workspaceId: actor.workspaceId } });
  if (!existing) throw new NotFoundError('Customer', 'input.id');
  if (existing.mergedIntoId) throw new InvalidStateError('this customer was merged into another record; update that one', 'input.id');
  await assertOrganization(prisma, actor, input.organizationId);
  // Absent fields are left alone; explicit nulls clear them.
  const data: Prisma.CustomerUncheckedUpdateInput = {};
  for (const key of ['name', 'email', 'phone', 'externalId', 'locale', 'timeZone', 'organizationId'] as const) {
    if (input[key] !== undefined) data[key] = input[key];
  }
  if (input.tags !== undefined) data.tags = dedupe(input.tags ?? []);
  if (input.attributes !== undefined) {
    // Attributes merge key by key (a null value removes a key), so two integrations each
    // owning a few keys do not overwrite each other.
    const merged: Record<string, unknown> = { ...(existing.attributes as Record<string, unknown>) };
    for (const [k, v] of Object.entries(input.attributes ?? {})) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    data.attributes = merged as Prisma.InputJsonValue;
  }
  return prisma.$transaction(async (tx) => {
    let updated: Customer;
    try {
      updated = await tx.customer.update({ where: { id: existing.id }, data });
    } catch (error) {
      conflictOnUnique(error, uniqueCustomerFields);
    }
    const changed = changedFields(existing, updated, CUSTOMER_FIELDS);
    if (changed.length > 0) {
      await recordEvents(tx, eventActor(actor), [
        { type: 'customer.updated', subjectType: 'Customer', subjectId: updated.id, payload: { changedFields: changed, organizationId: updated.organizationId } },
      ]);
    }
    return updated;
  });
}

const CUSTOMER_FIELDS = ['name', 'email', 'phone', 'externalId', 'locale', 'timeZone', 'tags', 'attributes', 'organizationId'] as const;

export const MergeCustomersSchema = z
  .object({ primaryId: uuid, duplicateId: uuid })
  .refine((i) => i.primaryId !== i.duplicateId, { message: 'cannot merge a customer into itself', path: ['duplicateId'] });

/**
 * Moves everything of `duplicate` (conversations, messages, tickets, comments, events, survey
 * responses) to `primary`, fills the primary's empty contact fields from the duplicate, unions
 * tags, and leaves the duplicate as a tombstone pointing at the primary (its id keeps
 * resolving). One transaction: nothing is lost or half-moved.
 */
export async function mergeCustomers(prisma: PrismaClient, actor: Actor, raw: unknown) {
  const input = parseInput(MergeCustomersSchema, raw);
  return prisma.$transaction(async (tx) => {
    // Lock both rows (in id order, so concurrent merges cannot deadlock).
    const ids = [input.primaryId, input.duplicateId].sort();
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "Customer" WHERE id = ANY(${ids}::uuid[]) AND "workspaceId" = ${actor.workspaceId}::uuid ORDER BY id FOR UPDATE`;
    if (!locked.some((r) => r.id === input.primaryId)) throw new NotFoundError('Customer', 'input.primaryId');
    if (!locked.some((r) => r.id === input.duplicateId)) throw new NotFoundError('Customer', 'input.duplicateId');
    const [primary, duplicate] = await Promise.all([
      tx.customer.findUniqueOrThrow({ where: { id: input.primaryId } }),
      tx.customer.findUniqueOrThrow({ where: { id: input.duplicateId } }),
    ]);
    if (primary.mergedIntoId) throw new InvalidStateError('the primary customer was itself merged away', 'input.primaryId');
    if (duplicate.mergedIntoId) throw new InvalidStateError('this customer was already merged', 'input.duplicateId');

    const move = { where: { customerId: duplicate.id }, data: { customerId: primary.id } };
    const [conversations, events, surveyResponses] = await Promise.all([
      tx.conversation.updateMany(move),
      tx.customerEvent.updateMany(move),
      tx.surveyResponse.updateMany(move),
    ]);
    const tickets = await tx.ticket.updateMany({ where: { requesterId: duplicate.id }, data: { requesterId: primary.id } });
    await tx.message.updateMany({ where: { authorCustomerId: duplicate.id }, data: { authorCustomerId: primary.id } });
    await tx.ticketComment.updateMany({ where: { authorCustomerId: duplicate.id }, data: { authorCustomerId: primary.id } });

    // Unique fields move only after the duplicate lets go of them.
    await tx.customer.update({
      where: { id: duplicate.id },
      data: { mergedIntoId: primary.id, mergedAt: new Date(), mergedById: actor.agentId, email: null, externalId: null },
    });
    const merged = await tx.customer.update({
      where: { id: primary.id },
      data: {
        name: primary.name ?? duplicate.name,
        email: primary.email ?? duplicate.email,
        phone: primary.phone ?? duplicate.phone,
        externalId: primary.externalId ?? duplicate.externalId,
        locale: primary.locale ?? duplicate.locale,
        timeZone: primary.timeZone ?? duplicate.timeZone,
        organizationId: primary.organizationId ?? duplicate.organizationId,
        tags: dedupe([...primary.tags, ...duplicate.tags]),
        attributes: { ...(duplicate.attributes as object), ...(primary.attributes as object) } as Prisma.InputJsonValue,
        firstSeenAt: primary.firstSeenAt < duplicate.firstSeenAt ? primary.firstSeenAt : duplicate.firstSeenAt,
        lastSeenAt: primary.lastSeenAt > duplicate.lastSeenAt ? primary.lastSeenAt : duplicate.lastSeenAt,
      },
    });
    // The duplicate becomes a tombstone: partners drop it and follow mergedIntoId.
    await recordEvents(tx, eventActor(actor), [
      { type: 'customer.merged', subjectType: 'Customer', subjectId: duplicate.id, payload: { mergedIntoId: primary.id } },
      {
        type: 'customer.updated',
        subjectType: 'Customer',
        subjectId: primary.id,
        payload: { changedFields: changedFields(primary, merged, [...CUSTOMER_FIELDS, 'firstSeenAt', 'lastSeenAt']), mergedFromId: duplicate.id, organizationId: merged.organizationId },
      },
    ]);
    return {
      customer: merged,
      mergedCustomerId: duplicate.id,
      moved: {
        conversations: conversations.count,
        tickets: tickets.count,
        events: events.count,
        surveyResponses: surveyResponses.count,
      },
    };
  });
}

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{3,253}$)([a-z0-9-]+\.)+[a-z]{2,}$/, 'must be a domain name, e.g. "example.com"');
const orgFields = {
  name: name.optional(),
  domains: z.array(domain).max(20, 'at most 20 domains').optional(),
  plan: z.string().trim().max(64).nullish(),
  tier: z.enum(['STANDARD', 'PREMIUM', 'ENTERPRISE']).optional(),
  attributes: attributes.optional(),
};

export const CreateOrganizationSchema = z.object({ ...orgFields, name });
export const UpdateOrganizationSchema = z.object({ id: uuid, ...orgFields });

async function assertDomainsFree(prisma: PrismaClient, actor: Actor, domains: string[], exceptId?: string) {
  if (domains.length === 0) return;
  const taken = await prisma.organization.findFirst({
    where: { workspaceId: actor.workspaceId, domains: { hasSome: domains }, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { name: true, domains: true },
  });
  if (taken) {
    const overlap = taken.domains.filter((d) => domains.includes(d));
    throw new ConflictError(`input.domains: ${overlap.join(', ')} already belongs to ${taken.name}`, 'input.domains');
  }
}

export async function createOrganization(prisma: PrismaClient, actor: Actor, raw: unknown) {
  const input = parseInput(CreateOrganizationSchema, raw);
  const domains = dedupe(input.domains ?? []);
  await assertDomainsFree(prisma, actor, domains);
  return prisma.$transaction(async (tx) => {
    const organization = await tx.organization.create({
      data: {
        id: uuidv7(),
        workspaceId: actor.workspaceId,
        name: input.name,
        domains,
        plan: input.plan ?? null,
        tier: input.tier ?? 'STANDARD',
        attributes: (input.attributes ?? {}) as Prisma.InputJsonValue,
      },
    });
    await recordEvents(tx, eventActor(actor), [{ type: 'organization.created', subjectType: 'Organization', subjectId: organization.id }]);
    return organization;
  });
}

const ORGANIZATION_FIELDS = ['name', 'domains', 'plan', 'tier', 'attributes'] as const;

export async function updateOrganization(prisma: PrismaClient, actor: Actor, raw: unknown) {
  const input = parseInput(UpdateOrganizationSchema, raw);
  const existing = await prisma.organization.findFirst({ where: { id: input.id, workspaceId: actor.workspaceId } });
  if (!existing) throw new NotFoundError('Organization', 'input.id');
  const data: Prisma.OrganizationUpdateInput = {};
  if (input.name !== undefined) data.name = input.name;
  if (input.plan !== undefined) data.plan = input.plan;
  if (input.tier !== undefined) data.tier = input.tier;
  if (input.domains !== undefined) {
    data.domains = dedupe(input.domains);
    await assertDomainsFree(prisma, actor, data.domains as string[], existing.id);
  }
  if (input.attributes !== undefined) {
    data.attributes = { ...(existing.attributes as object), ...input.attributes } as Prisma.InputJsonValue;
  }
  return prisma.$transaction(async (tx) => {
    const updated: Organization = await tx.organization.update({ where: { id: existing.id }, data });
    const changed = changedFields(existing, updated, ORGANIZATION_FIELDS);
    if (changed.length > 0) {
      await recordEvents(tx, eventActor(actor), [
        { type: 'organization.updated', subjectType: 'Organization', subjectId: updated.id, payload: { changedFields: changed } },
      ]);
    }
    return updated;
  });
}

export const RecordCustomerEventSchema = z
  .object({
    customerId: uuid,
    type: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be lower_snake_case, e.g. "purchase"'),
    value: z.number().finite().gt(-1e12).lt(1e12).nullish(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code, e.g. "EUR"')
      .nullish(),
    properties: attributes.nullish(),
    occurredAt: z.date().nullish(),
  })
  .refine((e) => e.value == null || e.currency, { message: 'a value needs a currency', path: ['currency'] });

/** Records a behavioural event (signup, purchase, login, cancellation…) and bumps lastSeenAt. */
export async function recordCustomerEvent(prisma: PrismaClient, actor: Actor, raw: unknown) {
  const input = parseInput(RecordCustomerEventSchema, raw);
  const occurredAt = input.occurredAt ?? new Date();
  if (occurredAt.getTime() > Date.now() + 5 * 60_000) {
    throw new ValidationError('input.occurredAt: must not be in the future', 'input.occurredAt');
  }
  const customer = await prisma.customer.findFirst({ where: { id: input.customerId, workspaceId: actor.workspaceId } });
  if (!customer) throw new NotFoundError('Customer', 'input.customerId');
  if (customer.mergedIntoId) throw new InvalidStateError('this customer was merged into another record', 'input.customerId');
  return prisma.$transaction(async (tx) => {
    const event = await tx.customerEvent.create({
      data: {
        id: uuidv7(occurredAt),
        workspaceId: actor.workspaceId,
        customerId: customer.id,
        type: input.type,
        value: input.value ?? null,
        currency: input.currency ?? null,
        properties: (input.properties ?? {}) as Prisma.InputJsonValue,
        occurredAt,
      },
    });
    await tx.customer.update({
      where: { id: customer.id },
      data: {
        lastSeenAt: occurredAt > customer.lastSeenAt ? occurredAt : undefined,
        firstSeenAt: occurredAt < customer.firstSeenAt ? occurredAt : undefined,
      },
    });
    await recordEvents(tx, eventActor(actor), [
      { type: 'customer.event_recorded', subjectType: 'CustomerEvent', subjectId: event.id, payload: { customerId: customer.id, eventType: event.type } },
    ]);
    return event;
  });
}

function dedupe(values: string[]): string[] {
  return [...new Set(values)];
}
