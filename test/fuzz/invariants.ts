import { testDatabase } from '../helpers/database.ts';

/**
 * What the services promise for every row they write, in the same transaction: a row without
 * its audit or outbox event is a half-written object. Each query returns the offending rows.
 */
export const INVARIANTS: Record<string, string> = {
  'every ticket has its CREATED audit event': `
    SELECT t.id FROM "Ticket" t WHERE t."workspaceId" = $1::uuid
      AND NOT EXISTS (SELECT 1 FROM "TicketEvent" e WHERE e."ticketId" = t.id AND e.kind IN ('CREATED', 'ESCALATED_FROM_CONVERSATION'))`,
  'every ticket has its ticket.created outbox event': `
    SELECT t.id FROM "Ticket" t WHERE t."workspaceId" = $1::uuid
      AND NOT EXISTS (SELECT 1 FROM "Event" e WHERE e."workspaceId" = t."workspaceId" AND e."subjectId" = t.id AND e.type = 'ticket.created')`,
  'every ticket comment has its audit event': `
    SELECT c.id FROM "TicketComment" c JOIN "Ticket" t ON t.id = c."ticketId" WHERE t."workspaceId" = $1::uuid
      AND NOT EXISTS (SELECT 1 FROM "TicketEvent" e WHERE e."ticketId" = c."ticketId" AND e."newValue"->>'commentId' = c.id::text)`,
  'every message has its message.added outbox event': `
    SELECT m.id FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId" WHERE c."workspaceId" = $1::uuid
      AND NOT EXISTS (SELECT 1 FROM "Event" e WHERE e."workspaceId" = c."workspaceId" AND e."subjectId" = m.id AND e.type = 'message.added')`,
  'every conversation has its conversation.created outbox event and a message': `
    SELECT c.id FROM "Conversation" c WHERE c."workspaceId" = $1::uuid
      AND (NOT EXISTS (SELECT 1 FROM "Event" e WHERE e."workspaceId" = c."workspaceId" AND e."subjectId" = c.id AND e.type = 'conversation.created')
        OR NOT EXISTS (SELECT 1 FROM "Message" m WHERE m."conversationId" = c.id))`,
  'every customer has its customer.created outbox event': `
    SELECT c.id FROM "Customer" c WHERE c."workspaceId" = $1::uuid
      AND NOT EXISTS (SELECT 1 FROM "Event" e WHERE e."workspaceId" = c."workspaceId" AND e."subjectId" = c.id AND e.type = 'customer.created')`,
  'every organization has its organization.created outbox event': `
    SELECT o.id FROM "Organization" o WHERE o."workspaceId" = $1::uuid
      AND NOT EXISTS (SELECT 1 FROM "Event" e WHERE e."workspaceId" = o."workspaceId" AND e."subjectId" = o.id AND e.type = 'organization.created')`,
  'every article has its article.created outbox event and a version row for its current version': `
    SELECT a.id FROM "Article" a WHERE a."workspaceId" = $1::uuid
      AND (NOT EXISTS (SELECT 1 FROM "Event" e WHERE e."workspaceId" = a."workspaceId" AND e."subjectId" = a.id AND e.type = 'article.created')
        OR NOT EXISTS (SELECT 1 FROM "ArticleVersion" v WHERE v."articleId" = a.id AND v.version = a.version))`,
};

/** The invariants that do not hold in the workspace, each with up to 5 offending ids. */
export async function brokenInvariants(workspaceId: string): Promise<Record<string, string[]>> {
  const { prisma } = await testDatabase();
  const broken: Record<string, string[]> = {};
  for (const [name, sql] of Object.entries(INVARIANTS)) {
    const rows = await prisma.$queryRawUnsafe<Array<{ id: string }>>(sql, workspaceId);
    if (rows.length) broken[name] = rows.slice(0, 5).map((r) => String(r.id));
  }
  return broken;
}

/** Rows of the workspace's main tables, to show another workspace's fuzzing changed nothing in it. */
export async function footprint(workspaceId: string): Promise<Record<string, number>> {
  const { prisma } = await testDatabase();
  const [row] = await prisma.$queryRawUnsafe<Array<Record<string, bigint>>>(
    `SELECT
      (SELECT count(*) FROM "Ticket" WHERE "workspaceId" = $1::uuid) AS tickets,
      (SELECT count(*) FROM "Customer" WHERE "workspaceId" = $1::uuid AND "mergedIntoId" IS NULL) AS customers,
      (SELECT count(*) FROM "Conversation" WHERE "workspaceId" = $1::uuid) AS conversations,
      (SELECT count(*) FROM "Article" WHERE "workspaceId" = $1::uuid) AS articles,
      (SELECT count(*) FROM "Event" WHERE "workspaceId" = $1::uuid) AS events`,
    workspaceId,
  );
  return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)]));
}
