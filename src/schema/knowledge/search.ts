import { Prisma, type Article, type PrismaClient } from '../../generated/prisma/client.ts';
import type { ArticleStatus } from '../../generated/prisma/enums.ts';

/**
 * Full-text search over the knowledge base, in SQL: `Article."searchVector"` is a generated
 * tsvector (title weight A, body weight B) built with `cx_text_search_config(locale)`, so a
 * query parsed with the same configuration stems and drops stop words the same way. Prisma
 * cannot select the tsvector column, hence raw (always parameterized) statements.
 */

export interface ArticleSearchHit {
  article: Article;
  rank: number;
  /** HTML-escaped excerpt of the body with matches wrapped in <mark>…</mark>. */
  snippet: string;
  /** HTML-escaped title with matches wrapped in <mark>…</mark>. */
  titleHighlight: string;
}

// Every Article column except the tsvector, so rows have the shape Prisma returns.
const ARTICLE_COLUMNS = Prisma.sql`a.id, a."workspaceId", a."categoryId", a."authorId", a.slug, a.title, a.body, a.status::text AS status,
  a.locale, a."helpfulCount", a."unhelpfulCount", a."viewCount", a.version, a."publishedAt", a."archivedAt", a."createdAt", a."updatedAt"`;

// Snippets are meant to be inserted as HTML: the text is escaped first, so the only markup in
// the result is the <mark> tags ts_headline adds (the parser treats `&lt;` as one entity token).
const escapeHtml = (column: Prisma.Sql) => Prisma.sql`replace(replace(replace(${column}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')`;
const SNIPPET_OPTIONS = 'StartSel=<mark>, StopSel=</mark>, MaxFragments=2, MaxWords=30, MinWords=12, FragmentDelimiter=" … "';
const TITLE_OPTIONS = 'StartSel=<mark>, StopSel=</mark>, HighlightAll=true';

/** Same language: "de-CH" matches "de", "de-AT" and "de-CH" articles. */
const sameLanguage = (articleLocale: Prisma.Sql, locale: Prisma.Sql | string) =>
  Prisma.sql`lower(split_part(${articleLocale}, '-', 1)) = lower(split_part(${locale}, '-', 1))`;

interface RawHit extends Omit<Article, 'status'> {
  status: ArticleStatus;
  rank: number;
  snippet: string;
  titleHighlight: string;
  conversationId?: string;
}

function toHit({ rank, snippet, titleHighlight, conversationId: _c, ...article }: RawHit): ArticleSearchHit {
  return { article: article as Article, rank: Number(rank), snippet, titleHighlight };
}

export interface ArticleSearch {
  workspaceId: string;
  /** websearch syntax: words, "quoted phrases", OR, -excluded. */
  query: string;
  /** Language of the query and of the articles searched; null searches every language, each article with its own. */
  locale: string | null;
  statuses: readonly ArticleStatus[];
}

function matchConditions(s: ArticleSearch) {
  // With a locale the tsquery is one constant, so the GIN index applies; without one each
  // article is matched in its own language (fine at knowledge-base sizes, per workspace).
  const tsquery = s.locale
    ? Prisma.sql`websearch_to_tsquery(cx_text_search_config(${s.locale}), ${s.query})`
    : Prisma.sql`websearch_to_tsquery(cx_text_search_config(a.locale), ${s.query})`;
  const where = Prisma.sql`a."workspaceId" = ${s.workspaceId}::uuid
    AND a.status::text = ANY(${[...s.statuses]}::text[])
    ${s.locale ? Prisma.sql`AND ${sameLanguage(Prisma.sql`a.locale`, s.locale)}` : Prisma.empty}
    AND a."searchVector" @@ ${tsquery}`;
  return { tsquery, where };
}

/** One page of matches, best first (rank descending, ties by id). */
export async function searchArticles(prisma: PrismaClient, s: ArticleSearch, page: { limit: number; offset: number }): Promise<ArticleSearchHit[]> {
  const { tsquery, where } = matchConditions(s);
  // Headlines are costly, so they are computed for the page only, not for every match.
  const articleQuery = Prisma.sql`websearch_to_tsquery(cx_text_search_config(a.locale), ${s.query})`;
  const rows = await prisma.$queryRaw<RawHit[]>`
    SELECT ${ARTICLE_COLUMNS}, hit.rank::float8 AS rank,
      ts_headline(cx_text_search_config(a.locale), ${escapeHtml(Prisma.sql`a.body`)}, ${articleQuery}, ${SNIPPET_OPTIONS}) AS snippet,
      ts_headline(cx_text_search_config(a.locale), ${escapeHtml(Prisma.sql`a.title`)}, ${articleQuery}, ${TITLE_OPTIONS}) AS "titleHighlight"
    FROM (
      SELECT a.id, ts_rank_cd(a."searchVector", ${tsquery}) AS rank
      FROM "Article" a
      WHERE ${where}
      ORDER BY rank DESC, a.id ASC
      LIMIT ${page.limit} OFFSET ${page.offset}
    ) hit
    JOIN "Article" a ON a.id = hit.id
    ORDER BY hit.rank DESC, hit.id ASC`;
  return rows.map(toHit);
}

/** How many articles match, across all pages. */
export async function countArticleMatches(prisma: PrismaClient, s: ArticleSearch): Promise<number> {
  const { where } = matchConditions(s);
  const [row] = await prisma.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM "Article" a WHERE ${where}`;
  return Number(row?.count ?? 0);
}

/** Customer messages looked at for deflection, newest first, and how much of each. */
const DEFLECTION_MESSAGES = 5;
const DEFLECTION_CHARS_PER_MESSAGE = 1000;

/**
 * Knowledge-base deflection for a batch of conversations, in ONE statement: for each
 * conversation, the published articles in its customer's language (no locale: "en") that best
 * match what the customer wrote in the latest inbound messages. Any word counts (the words are
 * OR-ed), so a long message still finds articles that share only some of its terms. Returns
 * one list per id, in the order of `conversationIds`; an id of another workspace, or a
 * conversation without customer text, gets an empty list.
 */
export async function suggestArticlesForConversations(
  prisma: PrismaClient,
  workspaceId: string,
  conversationIds: readonly string[],
  limit: number,
): Promise<ArticleSearchHit[][]> {
  if (conversationIds.length === 0) return [];
  // The tsquery is built from the customer's text normalized with the article language's own
  // configuration (same stemming as the articles' vectors); each lexeme is quoted as a tsquery
  // literal (quotes doubled, backslashes escaped) and the lexemes are joined with `|`.
  const rows = await prisma.$queryRaw<RawHit[]>`
    WITH convo AS (
      SELECT c.id AS cid, coalesce(nullif(cu.locale, ''), 'en') AS locale
      FROM "Conversation" c
      JOIN "Customer" cu ON cu.id = c."customerId"
      WHERE c.id = ANY(${[...new Set(conversationIds)]}::uuid[]) AND c."workspaceId" = ${workspaceId}::uuid
    ), said AS (
      SELECT convo.cid, convo.locale, cx_text_search_config(convo.locale) AS cfg,
        (SELECT string_agg(recent.body, ' ') FROM (
           SELECT left(m.body, ${DEFLECTION_CHARS_PER_MESSAGE}) AS body
           FROM "Message" m
           WHERE m."conversationId" = convo.cid AND m."workspaceId" = ${workspaceId}::uuid
             AND m.direction = 'INBOUND' AND m."authorKind" = 'CUSTOMER' AND NOT m."isInternalNote"
           ORDER BY m."createdAt" DESC, m.id DESC
           LIMIT ${DEFLECTION_MESSAGES}) recent) AS text
      FROM convo
    ), asked AS (
      SELECT said.cid, said.locale, said.cfg,
        (SELECT string_agg('''' || replace(replace(lexeme, chr(92), chr(92) || chr(92)), '''', '''''') || '''', ' | ')
         FROM unnest(tsvector_to_array(to_tsvector(said.cfg, coalesce(said.text, '')))) AS lexeme)::tsquery AS q
      FROM said
    )
    SELECT asked.cid::text AS "conversationId", ${ARTICLE_COLUMNS}, hit.rank::float8 AS rank,
      ts_headline(asked.cfg, ${escapeHtml(Prisma.sql`a.body`)}, asked.q, ${SNIPPET_OPTIONS}) AS snippet,
      ts_headline(asked.cfg, ${escapeHtml(Prisma.sql`a.title`)}, asked.q, ${TITLE_OPTIONS}) AS "titleHighlight"
    FROM asked
    CROSS JOIN LATERAL (
      SELECT a.id, ts_rank_cd(a."searchVector", asked.q) AS rank
      FROM "Article" a
      WHERE a."workspaceId" = ${workspaceId}::uuid AND a.status = 'PUBLISHED'
        AND ${sameLanguage(Prisma.sql`a.locale`, Prisma.sql`asked.locale`)}
        AND a."searchVector" @@ asked.q
      ORDER BY rank DESC, a.id ASC
      LIMIT ${limit}
    ) hit
    JOIN "Article" a ON a.id = hit.id
    ORDER BY asked.cid, hit.rank DESC, hit.id ASC`;
  const byConversation = new Map<string, ArticleSearchHit[]>();
  for (const row of rows) {
    const list = byConversation.get(row.conversationId!) ?? [];
    list.push(toHit(row));
    byConversation.set(row.conversationId!, list);
  }
  return conversationIds.map((id) => byConversation.get(id.toLowerCase()) ?? []);
}
