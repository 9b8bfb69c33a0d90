import { z } from 'zod';
import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import { ErrorCode, requestError } from '../../errors.ts';
import { connectionOptions, edgeOptions } from '../connections.ts';
import { ArticleStatusEnum } from '../enums.ts';
import { searchText } from '../inputs.ts';
import { workspaceIdOf } from '../tenancy.ts';
import { countArticleMatches, searchArticles, suggestArticlesForConversations, type ArticleSearchHit } from './search.ts';
import { localeTag } from './validation.ts';
import { requestedStatuses } from './visibility.ts';
import { cost } from '../../guards/cost-spec.ts';

/** A selection of anything but the article's own columns (`column: true`): a relation or a count. */
function needsRelations(query: { include?: object; select?: object }): boolean {
  return Object.keys(query.include ?? {}).length > 0 || Object.values(query.select ?? {}).some((v) => v !== true);
}

export const ArticleSearchResultRef = builder.objectRef<ArticleSearchHit>('ArticleSearchResult').implement({
  description: 'An article matching a full-text search, with its relevance and highlighted excerpts.',
  fields: (t) => ({
    article: t.prismaField({
      type: 'Article',
      description: 'The matching article.',
      resolve: async (query, hit, _args, ctx) => {
        // The search row already carries every scalar. Relations (category, author, versions)
        // are loaded by id: Prisma batches same-shaped findUnique calls of one tick into one
        // query, so a page of results costs a constant number of statements. The id came from
        // the workspace-filtered search, so no tenant filter is needed here.
        if (!needsRelations(query)) return hit.article;
        return (await ctx.prisma.article.findUnique({ ...query, where: { id: hit.article.id } })) ?? hit.article;
      },
    }),
    rank: t.float({
      description: 'Relevance (PostgreSQL ts_rank_cd; title matches weigh more than body matches). Only meaningful relative to other results of the same search.',
      resolve: (hit) => hit.rank,
    }),
    snippet: t.string({
      description:
        'Up to two excerpts of the body around the matches, with matched words wrapped in <mark>…</mark>. The text is HTML-escaped, so the only markup is the <mark> tags: it is safe to insert as HTML.',
      resolve: (hit) => hit.snippet,
    }),
    titleHighlight: t.string({
      description: 'The title, HTML-escaped, with matched words wrapped in <mark>…</mark>.',
      resolve: (hit) => hit.titleHighlight,
    }),
  }),
});

const ArticleSearchConnection = builder.connectionObject(
  { type: ArticleSearchResultRef, ...connectionOptions('ArticleSearch', 'A page of search results, best match first.') },
  { ...edgeOptions('ArticleSearch'), description: 'One search result in a page, with its cursor.' },
);

const SEARCH_PAGE_DEFAULT = 10;
const SEARCH_PAGE_MAX = 50;
const CURSOR_PREFIX = 'ArticleSearch:';

function toCursor(offset: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${offset}`, 'utf8').toString('base64url');
}

/** Search results page by position (ranks are not unique keys); at most 10,000 deep. */
function offsetAfter(cursor: string | null | undefined): number {
  if (cursor == null) return 0;
  const decoded = cursor.length <= 64 ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^ArticleSearch:(0|[1-9]\d{0,3})$/.exec(decoded);
  if (!match) throw requestError(ErrorCode.BAD_USER_INPUT, '`after` is not a valid cursor', { argument: 'after' });
  return Number(match[1]) + 1;
}

builder.queryField('searchArticles', (t) =>
  t.field({
    type: ArticleSearchConnection,
    description:
      'Full-text search of the knowledge base, best match first (rank descending, ties by id). Stemming and stop words follow the language: "passwords" finds "password". Supports web-search syntax: "quoted phrases", OR, -excluded. Read-only keys search PUBLISHED articles only; keys with `knowledge:write` also search drafts, and archived articles only when `status` asks for them. Pages forward with `first` (1–50, default 10) and `after`.',
    authScopes: { scope: 'knowledge:read' },
    // A ranked full-text statement (and a second one for totalCount): ten row loads, plus its page.
    extensions: cost({ complexity: 10 }),
    args: {
      query: t.arg.string({ required: true, description: 'What to look for, 1–200 characters.', validate: searchText }),
      locale: t.arg.string({
        required: false,
        description:
          'Language of the query and of the articles to search (BCP 47); a regional tag matches the whole language ("de-CH" finds "de" articles). Omitted: every language, each article matched with its own.',
        validate: localeTag,
      }),
      status: t.arg({
        type: [ArticleStatusEnum],
        required: false,
        description: 'Statuses to search (needs `knowledge:write` for anything but PUBLISHED). Default: PUBLISHED, plus DRAFT for editors.',
      }),
      first: t.arg.int({
        required: false,
        defaultValue: SEARCH_PAGE_DEFAULT,
        description: `How many results (1–${SEARCH_PAGE_MAX}, default ${SEARCH_PAGE_DEFAULT}).`,
        validate: z.number().int().min(1, `must be between 1 and ${SEARCH_PAGE_MAX}`).max(SEARCH_PAGE_MAX, `must be between 1 and ${SEARCH_PAGE_MAX}`),
      }),
      after: t.arg.string({ required: false, description: 'Return results after this cursor (an `endCursor` of a previous page of the same search).' }),
    },
    resolve: async (_root, args, ctx) => {
      const search = {
        workspaceId: workspaceIdOf(ctx),
        query: args.query.trim(),
        locale: args.locale ?? null,
        statuses: requestedStatuses(ctx, args.status, 'status'),
      };
      const first = args.first ?? SEARCH_PAGE_DEFAULT;
      const offset = offsetAfter(args.after);
      // One extra row tells whether another page follows.
      const hits = await ctx.expensive.run(search.workspaceId, () => searchArticles(ctx.prisma, search, { limit: first + 1, offset }));
      const page = hits.slice(0, first);
      return {
        totalCount: () => ctx.expensive.run(search.workspaceId, () => countArticleMatches(ctx.prisma, search)),
        edges: page.map((node, i) => ({ cursor: toCursor(offset + i), node })),
        pageInfo: {
          hasNextPage: hits.length > first,
          hasPreviousPage: offset > 0,
          startCursor: page.length > 0 ? toCursor(offset) : null,
          endCursor: page.length > 0 ? toCursor(offset + page.length - 1) : null,
        },
      } as never;
    },
  }),
);

const SUGGESTIONS_DEFAULT = 3;
const SUGGESTIONS_MAX = 10;

/** Batch loader behind `Conversation.suggestedArticles`: one statement per page of conversations. */
export function loadSuggestedArticles(ctx: Context, conversationIds: readonly string[], first: number) {
  return suggestArticlesForConversations(ctx.prisma, workspaceIdOf(ctx), conversationIds, first);
}

builder.prismaObjectFields('Conversation', (t) => ({
  suggestedArticles: t.loadableList({
    type: ArticleSearchResultRef,
    // Calls at the same place in the query share `first`, so they batch into one loader.
    byPath: true,
    // One search statement for the whole page of conversations, and at most `first` hits each.
    extensions: cost({ listSize: 'first' }),
    description:
      'Knowledge-base deflection: PUBLISHED articles in the customer\'s language (English when unknown) that best match what the customer wrote in their latest inbound messages (any of their words counts), best first. Empty when the customer has written nothing searchable.',
    authScopes: { scope: 'knowledge:read' },
    args: {
      first: t.arg.int({
        required: false,
        defaultValue: SUGGESTIONS_DEFAULT,
        description: `How many suggestions (1–${SUGGESTIONS_MAX}, default ${SUGGESTIONS_DEFAULT}).`,
        validate: z.number().int().min(1, `must be between 1 and ${SUGGESTIONS_MAX}`).max(SUGGESTIONS_MAX, `must be between 1 and ${SUGGESTIONS_MAX}`),
      }),
    },
    load: (ids: string[], ctx: Context, args) => loadSuggestedArticles(ctx, ids, args.first ?? SUGGESTIONS_DEFAULT),
    resolve: (conversation) => conversation.id,
  }),
}));
