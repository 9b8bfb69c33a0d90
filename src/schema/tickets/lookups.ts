import { z } from 'zod';
import { InvalidStateError, NotFoundError } from '../../errors.ts';
import type { Prisma, Ticket } from '../../generated/prisma/client.ts';
import { CxFunction, TicketPriority, TicketStatus, TicketType } from '../../generated/prisma/enums.ts';
import type { Actor } from '../service-kit.ts';

/** Shared rules and workspace-checked lookups of the tickets services. */

type Db = Prisma.TransactionClient;

/** Generous waits: ticket writes queue on the workspace's number counter and on ticket row locks. */
export const TX_OPTIONS = { maxWait: 15_000, timeout: 30_000 } as const;

export const uuid = z.string().uuid();
export const subject = z.string().trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters');
export const description = z.string().max(65_536, 'must be at most 64 KB');
export const tags = z
  .array(z.string().trim().min(1, 'tags must not be empty').max(64, 'each tag is at most 64 characters'))
  .max(50, 'at most 50 tags');
export const customFields = z
  .record(z.string().min(1).max(64), z.unknown())
  .refine((v) => JSON.stringify(v).length <= 16_384, 'must be at most 16 KB of JSON');
export const status = z.enum(Object.values(TicketStatus) as [TicketStatus, ...TicketStatus[]]);
export const priority = z.enum(Object.values(TicketPriority) as [TicketPriority, ...TicketPriority[]]);
export const type = z.enum(Object.values(TicketType) as [TicketType, ...TicketType[]]);
export const cxFunction = z.enum(Object.values(CxFunction) as [CxFunction, ...CxFunction[]]);

export function dedupe(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** Locks the given tickets of the actor's workspace (in id order, so concurrent writers cannot deadlock) and reads them. */
export async function lockTickets(tx: Db, actor: Actor, ids: readonly string[]): Promise<Map<string, Ticket>> {
  const sorted = dedupe(ids).sort();
  if (sorted.length === 0) return new Map();
  await tx.$queryRaw`
    SELECT id FROM "Ticket" WHERE id = ANY(${sorted}::uuid[]) AND "workspaceId" = ${actor.workspaceId}::uuid ORDER BY id FOR UPDATE`;
  const rows = await tx.ticket.findMany({ where: { id: { in: sorted }, workspaceId: actor.workspaceId } });
  return new Map(rows.map((row) => [row.id, row]));
}

export async function lockTicket(tx: Db, actor: Actor, id: string, path: string): Promise<Ticket> {
  const ticket = (await lockTickets(tx, actor, [id])).get(id);
  if (!ticket) throw new NotFoundError('Ticket', path);
  return ticket;
}

/** The number of the ticket a merged ticket went into, for messages that tell the caller where to look. */
export async function mergedIntoNumber(tx: Db, ticket: Pick<Ticket, 'mergedIntoId'>): Promise<number | null> {
  if (!ticket.mergedIntoId) return null;
  return (await tx.ticket.findUnique({ where: { id: ticket.mergedIntoId }, select: { number: true } }))?.number ?? null;
}

export async function assertAgent(db: Db, actor: Actor, agentId: string | null | undefined, path: string): Promise<void> {
  if (!agentId) return;
  const agent = await db.agent.findFirst({ where: { id: agentId, workspaceId: actor.workspaceId }, select: { active: true } });
  if (!agent) throw new NotFoundError('Agent', path);
  // Inactive agents keep their history but receive no new work.
  if (!agent.active) throw new InvalidStateError(`${path}: this agent is inactive and cannot be assigned work`, path);
}

export async function assertTeam(db: Db, actor: Actor, teamId: string | null | undefined, path: string): Promise<void> {
  if (!teamId) return;
  const team = await db.team.findFirst({ where: { id: teamId, workspaceId: actor.workspaceId }, select: { id: true } });
  if (!team) throw new NotFoundError('Team', path);
}

export async function assertOrganization(db: Db, actor: Actor, organizationId: string | null | undefined, path: string): Promise<void> {
  if (!organizationId) return;
  const org = await db.organization.findFirst({ where: { id: organizationId, workspaceId: actor.workspaceId }, select: { id: true } });
  if (!org) throw new NotFoundError('Organization', path);
}

/** A customer of the actor's workspace who can still be a requester (not merged away). */
export async function findRequester(db: Db, actor: Actor, customerId: string, path: string) {
  const customer = await db.customer.findFirst({ where: { id: customerId, workspaceId: actor.workspaceId } });
  if (!customer) throw new NotFoundError('Customer', path);
  if (customer.mergedIntoId) throw new InvalidStateError(`${path}: this customer was merged into another record; use that one`, path);
  return customer;
}

/** Key-order-insensitive JSON equality, so re-sending the same object is not recorded as a change. */
export function sameJson(a: unknown, b: unknown): boolean {
  return stableStringify(a) === stableStringify(b);
}

function stableStringify(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
