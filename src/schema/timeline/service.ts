import { Prisma, type PrismaClient } from '../../generated/prisma/client.ts';
import { ErrorCode, requestError } from '../../errors.ts';

/**
 * The unified customer timeline: every interaction with the company — conversations and their
 * messages, tickets and their audit trail, survey responses, behavioural events — in one list,
 * newest first. One SQL statement pages through a UNION ALL of the six sources with a keyset
 * on (occurredAt, kind, id), so the page is exact however the sources interleave and whatever
 * is inserted between requests; a second statement per kind loads the rows of the page.
 */

export const TIMELINE_KINDS = ['CONVERSATION', 'MESSAGE', 'TICKET', 'TICKET_EVENT', 'SURVEY_RESPONSE', 'CUSTOMER_EVENT'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineKey {
  kind: TimelineKind;
  id: string;
  occurredAt: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeTimelineCursor(key: TimelineKey): string {
  return Buffer.from(`TL:${key.occurredAt.toISOString()}:${key.kind}:${key.id}`, 'utf8').toString('base64url');
}

export function decodeTimelineCursor(cursor: string): TimelineKey {
  const invalid = () => requestError(ErrorCode.BAD_USER_INPUT, '`after` is not a valid timeline cursor', { argument: 'after' });
  const text = cursor.length <= 200 ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const m = /^TL:(.+Z):([A-Z_]+):(.+)$/.exec(text);
  if (!m) throw invalid();
  const occurredAt = new Date(m[1]!);
  if (Number.isNaN(occurredAt.getTime()) || !(TIMELINE_KINDS as readonly string[]).includes(m[2]!) || !UUID.test(m[3]!)) throw invalid();
  return { occurredAt, kind: m[2] as TimelineKind, id: m[3]! };
}

/** The six sources, each as (kind, id, occurredAt) rows of one customer. */
function sources(workspaceId: string, customerId: string, kinds: readonly TimelineKind[]): Prisma.Sql[] {
  const parts: Prisma.Sql[] = [];
  const want = (k: TimelineKind) => kinds.includes(k);
  if (want('CONVERSATION')) {
    parts.push(Prisma.sql`SELECT 'CONVERSATION' AS kind, c.id, c."createdAt" AS at FROM "Conversation" c
      WHERE c."workspaceId" = ${workspaceId}::uuid AND c."customerId" = ${customerId}::uuid`);
  }
  if (want('MESSAGE')) {
    parts.push(Prisma.sql`SELECT 'MESSAGE' AS kind, m.id, m."createdAt" AS at FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId"
      WHERE c."workspaceId" = ${workspaceId}::uuid AND c."customerId" = ${customerId}::uuid`);
  }
  if (want('TICKET')) {
    parts.push(Prisma.sql`SELECT 'TICKET' AS kind, t.id, t."createdAt" AS at FROM "Ticket" t
      WHERE t."workspaceId" = ${workspaceId}::uuid AND t."requesterId" = ${customerId}::uuid`);
  }
  if (want('TICKET_EVENT')) {
    // The CREATED entry would repeat the ticket itself.
    parts.push(Prisma.sql`SELECT 'TICKET_EVENT' AS kind, e.id, e."createdAt" AS at FROM "TicketEvent" e JOIN "Ticket" t ON t.id = e."ticketId"
      WHERE t."workspaceId" = ${workspaceId}::uuid AND t."requesterId" = ${customerId}::uuid AND e.kind <> 'CREATED'`);
  }
  if (want('SURVEY_RESPONSE')) {
    parts.push(Prisma.sql`SELECT 'SURVEY_RESPONSE' AS kind, s.id, coalesce(s."respondedAt", s."sentAt") AS at FROM "SurveyResponse" s
      WHERE s."workspaceId" = ${workspaceId}::uuid AND s."customerId" = ${customerId}::uuid`);
  }
  if (want('CUSTOMER_EVENT')) {
    parts.push(Prisma.sql`SELECT 'CUSTOMER_EVENT' AS kind, ev.id, ev."occurredAt" AS at FROM "CustomerEvent" ev
      WHERE ev."workspaceId" = ${workspaceId}::uuid AND ev."customerId" = ${customerId}::uuid`);
  }
  return parts;
}

export async function timelinePage(
  prisma: PrismaClient,
  args: { workspaceId: string; customerId: string; kinds: readonly TimelineKind[]; first: number; after?: TimelineKey | null },
): Promise<{ keys: TimelineKey[]; hasNextPage: boolean }> {
  const parts = sources(args.workspaceId, args.customerId, args.kinds);
  if (parts.length === 0) return { keys: [], hasNextPage: false };
  const after = args.after
    ? Prisma.sql`WHERE (at, kind, id) < (${args.after.occurredAt.toISOString()}::timestamptz, ${args.after.kind}, ${args.after.id}::uuid)`
    : Prisma.empty;
  const rows = await prisma.$queryRaw<{ kind: TimelineKind; id: string; at: Date }[]>`
    SELECT kind, id, at FROM (${Prisma.join(parts, ' UNION ALL ')}) AS timeline
    ${after}
    ORDER BY at DESC, kind DESC, id DESC
    LIMIT ${args.first + 1}`;
  return {
    keys: rows.slice(0, args.first).map((r) => ({ kind: r.kind, id: r.id, occurredAt: new Date(r.at) })),
    hasNextPage: rows.length > args.first,
  };
}

export async function timelineCount(prisma: PrismaClient, workspaceId: string, customerId: string, kinds: readonly TimelineKind[]): Promise<number> {
  const parts = sources(workspaceId, customerId, kinds);
  if (parts.length === 0) return 0;
  const [row] = await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM (${Prisma.join(parts, ' UNION ALL ')}) AS timeline`;
  return Number(row?.n ?? 0);
}
