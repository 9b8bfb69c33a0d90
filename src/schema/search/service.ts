import { Prisma, type PrismaClient } from '../../generated/prisma/client.ts';

/**
 * One ranked result list across customers, organizations, tickets, conversations and
 * knowledge-base articles. Each source contributes rows scored the same way — full-text rank
 * (ts_rank_cd) plus bonuses for exact and prefix matches of identifiers people paste (an
 * email, a domain, a ticket number "#123") — so the best match of any kind comes first.
 * One SQL statement; sources the key may not read are left out before querying.
 */

export const SEARCH_KINDS = ['CUSTOMER', 'ORGANIZATION', 'TICKET', 'CONVERSATION', 'ARTICLE'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export interface SearchHit {
  kind: SearchKind;
  id: string;
  rank: number;
  title: string;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function searchEverything(
  prisma: PrismaClient,
  args: { workspaceId: string; query: string; kinds: readonly SearchKind[]; first: number; includeDraftArticles: boolean },
): Promise<SearchHit[]> {
  const w = args.workspaceId;
  const q = args.query.trim();
  const contains = `%${escapeLike(q)}%`;
  const prefix = `${escapeLike(q)}%`;
  const lower = q.toLowerCase();
  const ticketNumber = /^#?(\d{1,9})$/.exec(q)?.[1];
  const tsq = Prisma.sql`websearch_to_tsquery('simple', ${q})`;
  const parts: Prisma.Sql[] = [];

  if (args.kinds.includes('CUSTOMER')) {
    parts.push(Prisma.sql`
      SELECT 'CUSTOMER' AS kind, c.id, coalesce(c.name, c.email, c.phone, c."externalId", '') AS title,
        ts_rank_cd(to_tsvector('simple', concat_ws(' ', c.name, c.email, c.phone, c."externalId")), ${tsq})
        + CASE WHEN c.email = ${lower} OR c."externalId" = ${q} OR c.phone = ${q} THEN 2 ELSE 0 END
        + CASE WHEN c.name ILIKE ${prefix} OR c.email ILIKE ${prefix} THEN 0.5 ELSE 0 END AS rank
      FROM "Customer" c
      WHERE c."workspaceId" = ${w}::uuid AND c."mergedIntoId" IS NULL
        AND (to_tsvector('simple', concat_ws(' ', c.name, c.email, c.phone, c."externalId")) @@ ${tsq}
             OR c.name ILIKE ${contains} OR c.email ILIKE ${contains} OR c.phone ILIKE ${contains} OR c."externalId" = ${q})`);
  }
  if (args.kinds.includes('ORGANIZATION')) {
    parts.push(Prisma.sql`
      SELECT 'ORGANIZATION' AS kind, o.id, o.name AS title,
        ts_rank_cd(to_tsvector('simple', concat_ws(' ', o.name, array_to_string(o.domains, ' '))), ${tsq})
        + CASE WHEN ${lower} = ANY(o.domains) OR lower(o.name) = ${lower} THEN 2 ELSE 0 END
        + CASE WHEN o.name ILIKE ${prefix} THEN 0.5 ELSE 0 END AS rank
      FROM "Organization" o
      WHERE o."workspaceId" = ${w}::uuid
        AND (to_tsvector('simple', concat_ws(' ', o.name, array_to_string(o.domains, ' '))) @@ ${tsq}
             OR o.name ILIKE ${contains} OR ${lower} = ANY(o.domains))`);
  }
  if (args.kinds.includes('TICKET')) {
    parts.push(Prisma.sql`
      SELECT 'TICKET' AS kind, t.id, concat('#', t.number, ' ', t.subject) AS title,
        ts_rank_cd(setweight(to_tsvector('simple', t.subject), 'A') || setweight(to_tsvector('simple', t.description), 'D'), ${tsq})
        + CASE WHEN t.number = ${ticketNumber ? Number(ticketNumber) : -1} THEN 3 ELSE 0 END
        + CASE WHEN t.subject ILIKE ${prefix} THEN 0.5 ELSE 0 END AS rank
      FROM "Ticket" t
      WHERE t."workspaceId" = ${w}::uuid AND t."mergedIntoId" IS NULL
        AND ((setweight(to_tsvector('simple', t.subject), 'A') || setweight(to_tsvector('simple', t.description), 'D')) @@ ${tsq}
             OR t.subject ILIKE ${contains} OR t.number = ${ticketNumber ? Number(ticketNumber) : -1})`);
  }
  if (args.kinds.includes('CONVERSATION')) {
    parts.push(Prisma.sql`
      SELECT 'CONVERSATION' AS kind, c.id, coalesce(c.subject, '') AS title,
        ts_rank_cd(to_tsvector('simple', coalesce(c.subject, '')), ${tsq})
        + CASE WHEN c.subject ILIKE ${prefix} THEN 0.5 ELSE 0 END AS rank
      FROM "Conversation" c
      WHERE c."workspaceId" = ${w}::uuid
        AND (to_tsvector('simple', coalesce(c.subject, '')) @@ ${tsq} OR c.subject ILIKE ${contains})`);
  }
  if (args.kinds.includes('ARTICLE')) {
    const statuses = args.includeDraftArticles ? ['PUBLISHED', 'DRAFT'] : ['PUBLISHED'];
    parts.push(Prisma.sql`
      SELECT 'ARTICLE' AS kind, a.id, a.title AS title,
        ts_rank_cd(a."searchVector", websearch_to_tsquery(cx_text_search_config(a.locale), ${q}))
        + CASE WHEN a.title ILIKE ${prefix} THEN 0.5 ELSE 0 END AS rank
      FROM "Article" a
      WHERE a."workspaceId" = ${w}::uuid AND a.status::text = ANY(${statuses})
        AND (a."searchVector" @@ websearch_to_tsquery(cx_text_search_config(a.locale), ${q}) OR a.title ILIKE ${contains})`);
  }
  if (parts.length === 0) return [];
  const rows = await prisma.$queryRaw<{ kind: SearchKind; id: string; title: string; rank: number }[]>`
    SELECT kind, id, title, rank::float8 AS rank FROM (${Prisma.join(parts, ' UNION ALL ')}) AS hits
    ORDER BY rank DESC, kind, id
    LIMIT ${args.first}`;
  return rows.map((r) => ({ ...r, rank: Number(r.rank) }));
}
