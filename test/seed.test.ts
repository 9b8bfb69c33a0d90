import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedBulk, seedDemoWorkspace } from '../prisma/seed.ts';
import { DemoWorkspaceExistsError, seedDemo } from '../prisma/seed/demo.ts';
import { pgliteMigrationFactory } from '../src/db/adapters.ts';
import { wrapPglite, type Database } from '../src/db/index.ts';
import { applyMigrations } from '../src/db/migrations.ts';
import type { PrismaClient } from '../src/generated/prisma/client.ts';
import { scaledTimeout } from './helpers/load.ts';
import { graphql } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';

const NOW = new Date('2026-06-15T10:30:00.000Z');
/** A Sunday night: nothing may be scheduled into the next working day. */
const SUNDAY_NIGHT = new Date('2026-11-22T02:45:00.000Z');

const TABLES = [
  'Agent', 'Team', 'TeamMembership', 'ApiKey', 'BusinessCalendar', 'BusinessHoursInterval', 'BusinessHoliday', 'SlaPolicy', 'SlaTarget',
  'ArticleCategory', 'Article', 'ArticleVersion', 'Organization', 'Customer', 'CustomerEvent', 'Conversation', 'Message', 'Ticket',
  'TicketComment', 'TicketEvent', 'SurveyResponse', 'WorkEntry',
] as const;

/** Each query counts the rows of workspace $1 that break one rule ($2 is the seed's now). */
const CHECKS: Record<string, string> = {
  conversationMessageColumns: `
    SELECT count(*)::int AS n FROM "Conversation" c
    LEFT JOIN LATERAL (
      SELECT min(m."createdAt") FILTER (WHERE m."authorKind" = 'CUSTOMER') AS fc, max(m."createdAt") FILTER (WHERE m."authorKind" = 'CUSTOMER') AS lc,
             min(m."createdAt") FILTER (WHERE m."authorKind" = 'AGENT' AND NOT m."isInternalNote") AS fa,
             max(m."createdAt") FILTER (WHERE m."authorKind" = 'AGENT' AND NOT m."isInternalNote") AS la,
             min(m."createdAt") FILTER (WHERE m."authorKind" = 'BOT') AS fb, min(m."createdAt") FILTER (WHERE m."authorKind" = 'SYSTEM') AS ho,
             min(m."createdAt") AS first, max(m."createdAt") AS last, count(*)::int AS n
      FROM "Message" m WHERE m."conversationId" = c.id) s ON true
    WHERE c."workspaceId" = $1 AND (c."firstCustomerMessageAt" IS DISTINCT FROM s.fc OR c."lastCustomerMessageAt" IS DISTINCT FROM s.lc
      OR c."firstAgentResponseAt" IS DISTINCT FROM s.fa OR c."lastAgentMessageAt" IS DISTINCT FROM s.la OR c."firstBotResponseAt" IS DISTINCT FROM s.fb
      OR c."botHandoffAt" IS DISTINCT FROM s.ho OR c."messageCount" <> s.n OR c."createdAt" <> s.first OR c."updatedAt" < s.last OR c."updatedAt" > $2)`,
  conversationWaitingSince: `
    SELECT count(*)::int AS n FROM "Conversation" c WHERE c."workspaceId" = $1 AND c."waitingSince" IS DISTINCT FROM (
      CASE WHEN c.status = 'RESOLVED' THEN NULL ELSE (SELECT min(m."createdAt") FROM "Message" m WHERE m."conversationId" = c.id
        AND m."authorKind" = 'CUSTOMER' AND m."createdAt" > coalesce(c."lastAgentMessageAt", '-infinity')) END)`,
  conversationResolution: `
    SELECT count(*)::int AS n FROM "Conversation" c WHERE c."workspaceId" = $1 AND NOT (
      ((c.status = 'RESOLVED') = (c."resolvedAt" IS NOT NULL)) AND ((c.status = 'SNOOZED') = (c."snoozedUntil" IS NOT NULL))
      AND (c."resolvedAt" IS NULL OR (c."firstResolvedAt" <= c."resolvedAt" AND c."resolvedAt" >= c."lastCustomerMessageAt" AND c."resolvedAt" <= $2))
      AND (c."reopenCount" = 0 OR EXISTS (SELECT 1 FROM "Message" m WHERE m."conversationId" = c.id AND m."authorKind" = 'CUSTOMER' AND m."createdAt" > c."firstResolvedAt"))
      AND (c."reopenCount" > 0 OR c."resolvedAt" IS NOT DISTINCT FROM c."firstResolvedAt" OR c.status <> 'RESOLVED'))`,
  messageAuthors: `
    SELECT count(*)::int AS n FROM "Message" m JOIN "Conversation" c ON c.id = m."conversationId"
    WHERE (m."workspaceId" = $1 OR c."workspaceId" = $1) AND NOT (m."workspaceId" = c."workspaceId"
      AND (m."authorKind" = 'CUSTOMER') = (m."authorCustomerId" IS NOT NULL) AND (m."authorCustomerId" IS NULL OR m."authorCustomerId" = c."customerId")
      AND (m."authorKind" = 'AGENT') = (m."authorAgentId" IS NOT NULL) AND (m."authorKind" IN ('BOT', 'SYSTEM')) = (m."authorName" IS NOT NULL)
      AND (m."authorKind" = 'CUSTOMER') = (m.direction = 'INBOUND') AND (NOT m."isInternalNote" OR m."authorKind" = 'AGENT'))`,
  ticketCommentColumns: `
    SELECT count(*)::int AS n FROM "Ticket" t LEFT JOIN LATERAL (
      SELECT min(k."createdAt") FILTER (WHERE k."authorKind" = 'AGENT' AND k."isPublic") AS fr, count(*) FILTER (WHERE k."authorKind" = 'AGENT' AND k."isPublic")::int AS pub,
             max(k."createdAt") AS last, min(k."createdAt") AS first
      FROM "TicketComment" k WHERE k."ticketId" = t.id) s ON true
    WHERE t."workspaceId" = $1 AND (t."firstResponseAt" IS DISTINCT FROM s.fr OR t."publicAgentReplyCount" <> s.pub
      OR s.first < t."createdAt" OR t."updatedAt" < s.last OR t."updatedAt" > $2)`,
  ticketStatusHistory: `
    SELECT count(*)::int AS n FROM "Ticket" t LEFT JOIN LATERAL (
      SELECT min(e."createdAt") FILTER (WHERE e."newValue" = '"SOLVED"') AS fs, max(e."createdAt") FILTER (WHERE e."newValue" = '"SOLVED"') AS ls,
             max(e."createdAt") FILTER (WHERE e."newValue" = '"CLOSED"') AS cl, count(*) FILTER (WHERE e.kind = 'REOPENED')::int AS reopens,
             max(e."createdAt") FILTER (WHERE e.kind = 'REOPENED') AS lr, (array_agg(e."newValue" #>> '{}' ORDER BY e."createdAt" DESC, e.id DESC))[1] AS latest
      FROM "TicketEvent" e WHERE e."ticketId" = t.id AND e.field = 'status') s ON true
    WHERE t."workspaceId" = $1 AND NOT ((t."solvedAt" IS NULL) = (t.status NOT IN ('SOLVED', 'CLOSED'))
      AND (t."closedAt" IS NULL) = (t.status <> 'CLOSED') AND t."firstSolvedAt" IS NOT DISTINCT FROM s.fs
      AND (t."solvedAt" IS NULL OR t."solvedAt" = s.ls) AND t."closedAt" IS NOT DISTINCT FROM s.cl AND t."reopenCount" = s.reopens
      AND t."lastReopenedAt" IS NOT DISTINCT FROM s.lr AND t.status::text = coalesce(s.latest, 'NEW'))`,
  ticketCreation: `
    SELECT count(*)::int AS n FROM "Ticket" t JOIN "TicketEvent" e ON e."ticketId" = t.id AND e.kind = 'CREATED'
    JOIN "Customer" c ON c.id = t."requesterId"
    WHERE t."workspaceId" = $1 AND NOT (e."createdAt" = t."createdAt" AND e."actorKind" = t."createdByKind"
      AND e."actorAgentId" IS NOT DISTINCT FROM t."createdByAgentId" AND (t."createdByKind" = 'AGENT') = (t."createdByAgentId" IS NOT NULL)
      AND t."organizationId" IS NOT DISTINCT FROM c."organizationId" AND c."workspaceId" = t."workspaceId" AND t."createdAt" >= c."firstSeenAt")`,
  ticketEventTimeline: `
    SELECT count(*)::int AS n FROM "TicketEvent" e JOIN "Ticket" t ON t.id = e."ticketId"
    WHERE t."workspaceId" = $1 AND NOT (e."workspaceId" = t."workspaceId" AND e."createdAt" BETWEEN t."createdAt" AND t."updatedAt"
      AND (e."actorKind" = 'AGENT') = (e."actorAgentId" IS NOT NULL))`,
  ticketAssignee: `
    SELECT count(*)::int AS n FROM "Ticket" t WHERE t."workspaceId" = $1 AND t."assigneeId"::text IS DISTINCT FROM coalesce(
      (SELECT e."newValue" #>> '{}' FROM "TicketEvent" e WHERE e."ticketId" = t.id AND e.field = 'assignee' ORDER BY e."createdAt" DESC LIMIT 1),
      (SELECT e."newValue" ->> 'assigneeId' FROM "TicketEvent" e WHERE e."ticketId" = t.id AND e.kind = 'CREATED'))`,
  futureTimestamps: `
    SELECT (SELECT count(*) FROM "Message" WHERE "workspaceId" = $1 AND "createdAt" > $2)
         + (SELECT count(*) FROM "TicketComment" WHERE "workspaceId" = $1 AND "createdAt" > $2)
         + (SELECT count(*) FROM "SurveyResponse" WHERE "workspaceId" = $1 AND ("sentAt" > $2 OR "createdAt" > $2))
         + (SELECT count(*) FROM "ArticleVersion" WHERE "workspaceId" = $1 AND "createdAt" > $2)
         + (SELECT count(*) FROM "Article" WHERE "workspaceId" = $1 AND ("publishedAt" > $2 OR "archivedAt" > $2 OR "createdAt" > "updatedAt"))
         + (SELECT count(*) FROM "Organization" WHERE "workspaceId" = $1 AND "createdAt" > $2)
         + (SELECT count(*) FROM "Workspace" WHERE id = $1 AND ("createdAt" > $2 OR "updatedAt" > $2)) AS n`,
  ticketLinks: `
    SELECT count(*)::int AS n FROM "Ticket" t
    LEFT JOIN "Conversation" c ON c.id = t."sourceConversationId" LEFT JOIN "Ticket" p ON p.id = t."problemId"
    WHERE t."workspaceId" = $1 AND NOT (
      (t."sourceConversationId" IS NULL) = NOT EXISTS (SELECT 1 FROM "TicketEvent" e WHERE e."ticketId" = t.id AND e.kind = 'ESCALATED_FROM_CONVERSATION' AND e."newValue" #>> '{}' = t."sourceConversationId"::text)
      AND (t."problemId" IS NULL) = NOT EXISTS (SELECT 1 FROM "TicketEvent" e WHERE e."ticketId" = t.id AND e.kind = 'LINKED_TO_PROBLEM' AND e."newValue" #>> '{}' = t."problemId"::text)
      AND (c.id IS NULL OR (c."customerId" = t."requesterId" AND c."createdAt" < t."createdAt" AND c."workspaceId" = t."workspaceId"))
      AND (p.id IS NULL OR (p.type = 'PROBLEM' AND t.type = 'INCIDENT' AND p."workspaceId" = t."workspaceId")))`,
  childWorkspaces: `
    SELECT (SELECT count(*) FROM "TicketComment" k JOIN "Ticket" t ON t.id = k."ticketId" WHERE (k."workspaceId" = $1) <> (t."workspaceId" = $1))
         + (SELECT count(*) FROM "TicketEvent" e JOIN "Ticket" t ON t.id = e."ticketId" WHERE (e."workspaceId" = $1) <> (t."workspaceId" = $1))
         + (SELECT count(*) FROM "Conversation" v JOIN "Customer" c ON c.id = v."customerId" WHERE (v."workspaceId" = $1) <> (c."workspaceId" = $1))
         + (SELECT count(*) FROM "CustomerEvent" v JOIN "Customer" c ON c.id = v."customerId" WHERE (v."workspaceId" = $1) <> (c."workspaceId" = $1))
         + (SELECT count(*) FROM "SurveyResponse" s JOIN "Customer" c ON c.id = s."customerId" WHERE (s."workspaceId" = $1) <> (c."workspaceId" = $1))
         + (SELECT count(*) FROM "SurveyResponse" s LEFT JOIN "Ticket" t ON t.id = s."ticketId" LEFT JOIN "Conversation" v ON v.id = s."conversationId"
              WHERE s."workspaceId" = $1 AND (t."requesterId" <> s."customerId" OR v."customerId" <> s."customerId" OR s."respondedAt" < s."sentAt" OR s."respondedAt" > $2))
         + (SELECT count(*) FROM "TeamMembership" m JOIN "Team" t ON t.id = m."teamId" JOIN "Agent" a ON a.id = m."agentId" WHERE (m."workspaceId" = $1) <> (t."workspaceId" = $1 AND a."workspaceId" = $1))
         + (SELECT count(*) FROM "ArticleVersion" v JOIN "Article" a ON a.id = v."articleId" WHERE (v."workspaceId" = $1) <> (a."workspaceId" = $1))
         + (SELECT count(*) FROM "SlaTarget" s JOIN "SlaPolicy" p ON p.id = s."policyId" WHERE (s."workspaceId" = $1) <> (p."workspaceId" = $1))
         + (SELECT count(*) FROM "BusinessHoursInterval" h JOIN "BusinessCalendar" c ON c.id = h."calendarId" WHERE (h."workspaceId" = $1) <> (c."workspaceId" = $1))
         + (SELECT count(*) FROM "Ticket" t LEFT JOIN "Agent" a ON a.id = t."assigneeId" WHERE t."workspaceId" = $1 AND a."workspaceId" <> $1) AS n`,
  customerActivity: `
    SELECT count(*)::int AS n FROM "Customer" c LEFT JOIN LATERAL (SELECT greatest(
        (SELECT max("createdAt") FROM "Message" m WHERE m."authorCustomerId" = c.id), (SELECT max("createdAt") FROM "TicketComment" k WHERE k."authorCustomerId" = c.id),
        (SELECT max("occurredAt") FROM "CustomerEvent" e WHERE e."customerId" = c.id), (SELECT max("respondedAt") FROM "SurveyResponse" s WHERE s."customerId" = c.id),
        (SELECT max("createdAt") FROM "Ticket" t WHERE t."requesterId" = c.id AND t."createdByKind" = 'CUSTOMER')) AS last,
      least((SELECT min("createdAt") FROM "Conversation" v WHERE v."customerId" = c.id), (SELECT min("occurredAt") FROM "CustomerEvent" e WHERE e."customerId" = c.id),
        (SELECT min("createdAt") FROM "Ticket" t WHERE t."requesterId" = c.id)) AS first) s ON true
    WHERE c."workspaceId" = $1 AND NOT (c."firstSeenAt" <= c."lastSeenAt" AND c."lastSeenAt" = greatest(c."firstSeenAt", s.last)
      AND (s.first IS NULL OR s.first >= c."firstSeenAt") AND c."lastSeenAt" <= $2 AND (c."mergedAt" IS NULL OR c."lastSeenAt" <= c."mergedAt"))`,
  customerEventValues: `
    SELECT count(*)::int AS n FROM "CustomerEvent" e WHERE e."workspaceId" = $1 AND NOT (e."occurredAt" <= $2
      AND (e.type <> 'purchase' OR e.value > 0) AND (e.type <> 'refund' OR e.value < 0) AND ((e.value IS NULL) = (e.type NOT IN ('purchase', 'refund'))))`,
  articleVersions: `
    SELECT count(*)::int AS n FROM "Article" a WHERE a."workspaceId" = $1 AND NOT (
      (SELECT count(*) FROM "ArticleVersion" v WHERE v."articleId" = a.id) = a.version
      AND EXISTS (SELECT 1 FROM "ArticleVersion" v WHERE v."articleId" = a.id AND v.version = a.version AND v.title = a.title AND v.body = a.body)
      AND (a.status = 'DRAFT') = (a."publishedAt" IS NULL) AND (a.status = 'ARCHIVED') = (a."archivedAt" IS NOT NULL) AND a."updatedAt" <= $2)`,
  // Work inside the item's lifetime: started after its creation, ended by its (latest) solve or
  // resolution, on a solved ticket or a resolved conversation that an agent of the workspace handled.
  workEntries: `
    SELECT count(*)::int AS n FROM "WorkEntry" e
    JOIN "Agent" a ON a.id = e."agentId"
    LEFT JOIN "Ticket" t ON t.id = e."ticketId" LEFT JOIN "Conversation" c ON c.id = e."conversationId"
    WHERE e."workspaceId" = $1 AND (
      e.seconds BETWEEN 60 AND 3600 AND a."workspaceId" = e."workspaceId" AND a.role <> 'VIEWER'
      AND coalesce(t."workspaceId", c."workspaceId") = e."workspaceId" AND (c.id IS NULL OR c."teamId" IS NOT NULL)
      AND e."startedAt" >= coalesce(t."createdAt", c."createdAt")
      AND e."startedAt" + make_interval(secs => e.seconds) <= coalesce(t."solvedAt", t."firstSolvedAt", c."resolvedAt", c."firstResolvedAt")
      AND e."createdAt" = e."startedAt" + make_interval(secs => e.seconds) AND e."createdAt" <= $2) IS NOT TRUE`,
  ticketNumbers: `
    SELECT (SELECT count(*)::int FROM (SELECT number, row_number() OVER (ORDER BY number) AS rn, lag("createdAt") OVER (ORDER BY number) AS prev, "createdAt"
              FROM "Ticket" WHERE "workspaceId" = $1) x WHERE number <> rn OR prev > "createdAt")
         + (SELECT count(*)::int FROM "Workspace" w WHERE w.id = $1 AND w."ticketSequence" <> (SELECT count(*) FROM "Ticket" t WHERE t."workspaceId" = $1)) AS n`,
};

async function violations(prisma: PrismaClient, workspaceId: string, now: Date, skip: string[] = []): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, sql] of Object.entries(CHECKS)) {
    if (skip.includes(name)) continue;
    const typed = sql.replaceAll('$1', '$1::uuid').replaceAll('$2', '$2::timestamptz');
    const params = sql.includes('$2') ? [workspaceId, now] : [workspaceId];
    const [row] = await prisma.$queryRawUnsafe<{ n: number | bigint }[]>(typed, ...params);
    out[name] = Number(row!.n);
  }
  return out;
}

async function tableCounts(prisma: PrismaClient, workspaceId: string, sql: string): Promise<Record<string, number>> {
  const rows = await prisma.$queryRawUnsafe<{ key: string; n: number }[]>(sql, workspaceId);
  return Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]));
}

/** md5 of every row of the workspace, table by table, ordered by id; the API key secret is left out. */
async function fingerprint(prisma: PrismaClient, workspaceId: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of ['Workspace', ...TABLES]) {
    const where = table === 'Workspace' ? 'id' : '"workspaceId"';
    const [row] = await prisma.$queryRawUnsafe<{ h: string }[]>(
      `SELECT md5(coalesce(string_agg((to_jsonb(t) - 'hashedKey' - 'prefix')::text, '|' ORDER BY t.id), '')) AS h FROM "${table}" t WHERE ${where} = $1::uuid`,
      workspaceId,
    );
    out[table] = row!.h;
  }
  return out;
}

const DAY_MS = 86_400_000;
const HANDLE_TIME = /* GraphQL */ `query ($input: MetricInput!) { metric(input: $input) { statistic value sampleSize } }`;

/**
 * Handle time worked out from the rows: per solved ticket (resolved conversation) with work in
 * [from, to) by its first solve (resolution), the sum of its entries' seconds; their count and
 * mean. The seed merges no tickets, so no entries move up a merge chain.
 */
async function handleTimes(prisma: PrismaClient, workspaceId: string, items: 'ticket' | 'conversation', from: Date, to: Date): Promise<{ n: number; mean: number }> {
  const [table, column, done] = items === 'ticket' ? ['Ticket', 'ticketId', 'firstSolvedAt'] : ['Conversation', 'conversationId', 'firstResolvedAt'];
  const [row] = await prisma.$queryRawUnsafe<{ n: number; mean: number }[]>(
    `SELECT count(*)::int AS n, avg(total)::float8 AS mean FROM (
       SELECT sum(e.seconds) AS total FROM "${table}" i JOIN "WorkEntry" e ON e."${column}" = i.id
       WHERE i."workspaceId" = $1::uuid AND i."${done}" >= $2::timestamptz AND i."${done}" < $3::timestamptz GROUP BY i.id) x`,
    workspaceId, from, to,
  );
  return row!;
}

/** Fresh embedded databases: copies of the suite's migrated snapshot, or of one migrated here. */
async function freshPglites(count: number): Promise<Database[]> {
  const snapshot = inject('pgliteSnapshot');
  let image: Blob;
  if (snapshot) {
    image = new Blob([await readFile(snapshot)]);
  } else {
    const db = await PGlite.create();
    await applyMigrations(pgliteMigrationFactory(db));
    image = await db.dumpDataDir('none');
    await db.close();
  }
  return Promise.all(Array.from({ length: count }, async () => wrapPglite(await PGlite.create({ loadDataDir: image }), 'memory')));
}

describe('demo seed', () => {
  let db: Database;
  let seeded: Awaited<ReturnType<typeof seedDemo>>;

  beforeAll(async () => {
    db = await testDatabase();
    // The shared database may get the real "demo" workspace from other tests: use a slug of our own.
    seeded = await seedDemo(db.prisma, { slug: `demo-test-${randomUUID().slice(0, 8)}`, name: 'Seed test', now: NOW });
  });

  it('creates the expected volumes, all channels and all survey kinds', async () => {
    const c = seeded.counts;
    expect(c).toMatchObject({ Workspace: 1, Agent: 10, Team: 3, ApiKey: 1, BusinessCalendar: 1, SlaPolicy: 1, SlaTarget: 12, Ticket: 600, Customer: 200, Organization: 40 });
    expect(c.Conversation).toBeGreaterThanOrEqual(950);
    expect(c.Conversation).toBeLessThanOrEqual(1_050);
    expect(c.Message).toBeGreaterThan(3_000);
    expect(c.TicketComment).toBeGreaterThan(900);
    expect(c.TicketEvent).toBeGreaterThan(2_400);
    expect(c.Article).toBeGreaterThanOrEqual(40);
    expect(c.SurveyResponse).toBeGreaterThan(300);
    expect(c.CustomerEvent).toBeGreaterThan(800);
    const ws = seeded.workspaceId;
    const channels = await tableCounts(db.prisma, ws, `SELECT channel::text AS key, count(*)::int AS n FROM "Conversation" WHERE "workspaceId" = $1::uuid GROUP BY 1`);
    expect(Object.keys(channels).sort()).toEqual(['CHAT', 'EMAIL', 'PHONE', 'SMS', 'SOCIAL', 'WEB', 'WHATSAPP']);
    const statuses = await tableCounts(db.prisma, ws, `SELECT status::text AS key, count(*)::int AS n FROM "Conversation" WHERE "workspaceId" = $1::uuid GROUP BY 1`);
    expect(Object.keys(statuses).sort()).toEqual(['OPEN', 'PENDING', 'RESOLVED', 'SNOOZED']);
    const surveys = await tableCounts(db.prisma, ws, `SELECT kind::text || (score IS NULL)::text AS key, count(*)::int AS n FROM "SurveyResponse" WHERE "workspaceId" = $1::uuid GROUP BY 1`);
    expect(Object.keys(surveys).sort()).toEqual(['CESfalse', 'CEStrue', 'CSATfalse', 'CSATtrue', 'NPSfalse', 'NPStrue']);
    const events = await tableCounts(db.prisma, ws, `SELECT kind::text AS key, count(*)::int AS n FROM "TicketEvent" WHERE "workspaceId" = $1::uuid GROUP BY 1`);
    for (const kind of ['CREATED', 'FIELD_CHANGED', 'COMMENT_ADDED', 'REOPENED', 'ESCALATED_FROM_CONVERSATION', 'LINKED_TO_PROBLEM']) expect(events[kind]).toBeGreaterThan(0);
    const ticketStatuses = await tableCounts(db.prisma, ws, `SELECT status::text AS key, count(*)::int AS n FROM "Ticket" WHERE "workspaceId" = $1::uuid GROUP BY 1`);
    expect(Object.keys(ticketStatuses).sort()).toEqual(['CLOSED', 'NEW', 'ON_HOLD', 'OPEN', 'PENDING', 'SOLVED']);
  });

  it('keeps every denormalized column consistent with the rows it summarizes', async () => {
    const bad = await violations(db.prisma, seeded.workspaceId, NOW);
    expect(bad).toEqual(Object.fromEntries(Object.keys(bad).map((k) => [k, 0])));
    const [comments] = await db.prisma.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM "TicketComment" k WHERE k."workspaceId" = $1::uuid AND NOT EXISTS (SELECT 1 FROM "TicketEvent" e
        WHERE e."ticketId" = k."ticketId" AND e.kind = 'COMMENT_ADDED' AND e."createdAt" = k."createdAt" AND e."newValue" ->> 'commentId' = k.id::text)`,
      seeded.workspaceId,
    );
    expect(comments!.n).toBe(0);
  });

  it('logs 1–4 work entries on most solved tickets and resolved conversations that agents handled', async () => {
    const [w] = await db.prisma.$queryRawUnsafe<{ tickets: number; worked: number; conversations: number; talked: number; sources: string[]; most: number; several: number }[]>(
      `SELECT
         (SELECT count(*)::int FROM "Ticket" t WHERE t."workspaceId" = $1::uuid AND t."firstSolvedAt" IS NOT NULL) AS tickets,
         (SELECT count(DISTINCT e."ticketId")::int FROM "WorkEntry" e WHERE e."workspaceId" = $1::uuid) AS worked,
         (SELECT count(*)::int FROM "Conversation" c WHERE c."workspaceId" = $1::uuid AND c."firstResolvedAt" IS NOT NULL AND c."teamId" IS NOT NULL) AS conversations,
         (SELECT count(DISTINCT e."conversationId")::int FROM "WorkEntry" e WHERE e."workspaceId" = $1::uuid) AS talked,
         (SELECT array_agg(DISTINCT e.source::text ORDER BY e.source::text) FROM "WorkEntry" e WHERE e."workspaceId" = $1::uuid) AS sources,
         (SELECT max(n)::int FROM (SELECT count(*) AS n FROM "WorkEntry" e WHERE e."workspaceId" = $1::uuid GROUP BY e."ticketId", e."conversationId") x) AS most,
         (SELECT count(*)::int FROM (SELECT 1 FROM "WorkEntry" e WHERE e."workspaceId" = $1::uuid GROUP BY e."ticketId", e."conversationId" HAVING count(*) > 1) x) AS several`,
      seeded.workspaceId,
    );
    expect(seeded.counts.WorkEntry).toBeGreaterThan(0);
    // 85% of the items get work; an item shorter than a minute has no room for an entry.
    expect(w!.worked / w!.tickets).toBeGreaterThan(0.75);
    expect(w!.worked / w!.tickets).toBeLessThan(0.95);
    expect(w!.talked / w!.conversations).toBeGreaterThan(0.7);
    expect(w!.talked / w!.conversations).toBeLessThan(0.95);
    expect(w!.sources).toEqual(['COMPOSITION', 'MANUAL', 'TIMER']);
    expect(w!.most).toBe(4);
    expect(w!.several).toBeGreaterThan(0);
  });

  it('gives the handle-time metrics samples through the API', async () => {
    const from = new Date(NOW.getTime() - 91 * DAY_MS);
    const to = new Date(NOW.getTime() + DAY_MS);
    for (const [key, items] of [['average_handle_time', 'ticket'], ['conversation_handle_time', 'conversation']] as const) {
      const res = await graphql(HANDLE_TIME, { input: { key, from: from.toISOString(), to: to.toISOString() } }, { apiKey: seeded.apiKey });
      expect(res.errors).toBeUndefined();
      const want = await handleTimes(db.prisma, seeded.workspaceId, items, from, to);
      expect(want.n).toBeGreaterThan(0);
      expect(res.data!.metric).toMatchObject({ statistic: 'MEAN', sampleSize: want.n });
      expect(res.data!.metric.value).toBeCloseTo(want.mean, 6);
    }
  });

  it('stores only the hash and prefix of the API key, for the admin agent', async () => {
    const key = await db.prisma.apiKey.findFirstOrThrow({ where: { workspaceId: seeded.workspaceId }, include: { agent: true } });
    expect(key).toMatchObject({ name: 'Demo key', scopes: ['*'], prefix: seeded.apiKey.slice(0, 12) });
    expect(key.hashedKey).not.toContain(seeded.apiKey);
    expect(key.agent?.role).toBe('ADMIN');
  });
});

describe('determinism', () => {
  const dbs: Database[] = [];
  afterAll(async () => Promise.all(dbs.map((d) => d.close())));

  // Two fresh embedded databases, seeded twice: CPU-bound, so its limit follows the machine's load.
  it('builds byte-identical demo and bulk workspaces from the same now and seed', { timeout: scaledTimeout(60_000) }, async () => {
    dbs.push(...(await freshPglites(2)));
    const demos = [];
    const bulks = [];
    for (const d of dbs) demos.push(await seedDemoWorkspace(d.prisma, { now: NOW }));
    for (const d of dbs) bulks.push(await seedBulk(d.prisma, { customers: 15, ticketsPerCustomer: 2, seed: 5, now: NOW }));
    expect(demos[0]!.workspaceId).toBe(demos[1]!.workspaceId);
    expect(demos[0]!.apiKey).not.toBe(demos[1]!.apiKey);
    expect(await fingerprint(dbs[0]!.prisma, demos[0]!.workspaceId)).toEqual(await fingerprint(dbs[1]!.prisma, demos[1]!.workspaceId));
    expect(await fingerprint(dbs[0]!.prisma, bulks[0]!.workspaceId)).toEqual(await fingerprint(dbs[1]!.prisma, bulks[1]!.workspaceId));
    await expect(seedDemoWorkspace(dbs[0]!.prisma, { now: NOW })).rejects.toBeInstanceOf(DemoWorkspaceExistsError);
  });
});

describe('bulk seed', () => {
  it('creates exactly customers × ticketsPerCustomer tickets with short, consistent histories', async () => {
    const db = await testDatabase();
    const progress: [number, number][] = [];
    const bulk = await seedBulk(db.prisma, { customers: 20, ticketsPerCustomer: 3, seed: 42, now: SUNDAY_NIGHT, onProgress: (d, t) => progress.push([d, t]) });
    expect(bulk.counts).toMatchObject({ Customer: 20, Ticket: 60 });
    expect(progress.at(-1)).toEqual([60, 60]);
    const bad = await violations(db.prisma, bulk.workspaceId, SUNDAY_NIGHT);
    expect(bad).toEqual(Object.fromEntries(Object.keys(bad).map((k) => [k, 0])));
    const [sizes] = await db.prisma.$queryRawUnsafe<{ minc: number; maxc: number; mine: number; maxe: number }[]>(
      `SELECT min(c)::int AS minc, max(c)::int AS maxc, min(e)::int AS mine, max(e)::int AS maxe FROM (SELECT
         (SELECT count(*) FROM "TicketComment" k WHERE k."ticketId" = t.id) AS c, (SELECT count(*) FROM "TicketEvent" e WHERE e."ticketId" = t.id) AS e
       FROM "Ticket" t WHERE t."workspaceId" = $1::uuid) x`,
      bulk.workspaceId,
    );
    expect(sizes!.mine).toBeGreaterThanOrEqual(1);
    expect(sizes!.maxe).toBeLessThanOrEqual(3);
    expect(sizes!.maxc).toBeLessThanOrEqual(3);
    expect(bulk.counts.WorkEntry).toBeGreaterThan(0);
  });
});
