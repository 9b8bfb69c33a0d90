import type { Prisma } from '../../generated/prisma/client.ts';
import type { ArticleStatus } from '../../generated/prisma/enums.ts';
import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import { ErrorCode, requestError } from '../../errors.ts';
import { connectionOptions, edgeOptions, pageSize } from '../connections.ts';
import { ArticleStatusEnum } from '../enums.ts';
import { idOfType, type GlobalIdArg } from '../global-id.ts';
import { searchText, SortDirectionEnum } from '../inputs.ts';
import { inWorkspace } from '../tenancy.ts';
import { localeTag, slug } from './validation.ts';
import { lookupStatuses, requestedStatuses } from './visibility.ts';

const ArticleFilter = builder.inputType('ArticleFilter', {
  description: 'Narrows the article list. All given conditions must hold.',
  fields: (t) => ({
    status: t.field({
      type: [ArticleStatusEnum],
      required: false,
      description:
        'Any of these statuses. Default: PUBLISHED, plus DRAFT for keys with `knowledge:write`; asking for DRAFT or ARCHIVED needs `knowledge:write`.',
    }),
    locale: t.string({ required: false, description: 'Exactly this language tag, e.g. "en" or "de-CH".', validate: localeTag }),
    categoryId: t.globalID({ required: false, description: 'Articles filed directly under this category.' }),
    query: t.string({ required: false, description: 'Text in the title (case-insensitive substring). For relevance-ranked search use `searchArticles`.', validate: searchText }),
  }),
});

const ArticleOrderField = builder.enumType('ArticleOrderField', {
  description: 'What to sort articles by (ties are broken by id, so paging is stable).',
  values: {
    CREATED_AT: { value: 'createdAt', description: 'When the article was created.' },
    UPDATED_AT: { value: 'updatedAt', description: 'Last change to content or status.' },
    TITLE: { value: 'title', description: 'Title, alphabetically.' },
    HELPFUL_COUNT: { value: 'helpfulCount', description: 'Helpful ratings.' },
    VIEW_COUNT: { value: 'viewCount', description: 'Views.' },
  } as const,
});

const ArticleOrderBy = builder.inputType('ArticleOrderBy', {
  description: 'Sort order for articles.',
  fields: (t) => ({
    field: t.field({ type: ArticleOrderField, required: true, description: 'Sort key.' }),
    direction: t.field({ type: SortDirectionEnum, required: false, defaultValue: 'asc', description: 'Default ASC.' }),
  }),
});

interface ArticleFilterShape {
  status?: readonly ArticleStatus[] | null;
  locale?: string | null;
  categoryId?: GlobalIdArg | null;
  query?: string | null;
}

function articleWhere(ctx: Context, filter: ArticleFilterShape | null | undefined): Prisma.ArticleWhereInput {
  const where: Prisma.ArticleWhereInput = { ...inWorkspace(ctx), status: { in: requestedStatuses(ctx, filter?.status, 'filter.status') } };
  if (!filter) return where;
  if (filter.locale) where.locale = filter.locale.trim();
  if (filter.categoryId) where.categoryId = idOfType(filter.categoryId, 'ArticleCategory', 'filter.categoryId');
  if (filter.query) where.title = { contains: filter.query.trim(), mode: 'insensitive' };
  return where;
}

builder.queryFields((t) => ({
  articles: t.prismaConnection(
    {
      type: 'Article',
      cursor: 'id',
      ...pageSize,
      description:
        'Knowledge-base articles. Read-only keys see PUBLISHED articles only; keys with `knowledge:write` see drafts too, and archived articles when `filter.status` asks. Default order: oldest first.',
      authScopes: { scope: 'knowledge:read' },
      args: {
        filter: t.arg({ type: ArticleFilter, required: false, description: 'Conditions to match.' }),
        orderBy: t.arg({ type: ArticleOrderBy, required: false, description: 'Sort order; default CREATED_AT ASC.' }),
      },
      totalCount: (_parent, args, ctx) => ctx.prisma.article.count({ where: articleWhere(ctx, args.filter) }),
      resolve: (query, _root, args, ctx) => {
        const direction = args.orderBy?.direction ?? 'asc';
        const field = args.orderBy?.field ?? 'createdAt';
        return ctx.prisma.article.findMany({ ...query, where: articleWhere(ctx, args.filter), orderBy: [{ [field]: direction }, { id: direction }] });
      },
    },
    connectionOptions('Article', 'A page of articles.'),
    edgeOptions('Article'),
  ),

  article: t.prismaField({
    type: 'Article',
    nullable: true,
    description:
      'One article, by exactly one of `id` or `slug`; null when it is not in your workspace or (for read-only keys) not PUBLISHED.',
    authScopes: { scope: 'knowledge:read' },
    args: {
      id: t.arg.globalID({ required: false, description: 'Global ID.' }),
      slug: t.arg.string({ required: false, description: 'The article\'s slug.', validate: slug }),
    },
    resolve: (query, _root, args, ctx) => {
      if ((args.id == null) === (args.slug == null)) throw requestError(ErrorCode.BAD_USER_INPUT, 'Pass exactly one of `id` or `slug`');
      const where: Prisma.ArticleWhereInput = { ...inWorkspace(ctx), status: { in: lookupStatuses(ctx) } };
      if (args.id) where.id = idOfType(args.id, 'Article', 'id');
      else where.slug = args.slug!.trim();
      return ctx.prisma.article.findFirst({ ...query, where });
    },
  }),

  articleCategories: t.prismaConnection(
    {
      type: 'ArticleCategory',
      cursor: 'id',
      ...pageSize,
      description: 'Knowledge-base categories, by position, then name.',
      authScopes: { scope: 'knowledge:read' },
      args: {
        topLevelOnly: t.arg.boolean({ required: false, description: 'Only categories without a parent (the roots of the tree).' }),
      },
      totalCount: (_parent, args, ctx) => ctx.prisma.articleCategory.count({ where: categoryWhere(ctx, args.topLevelOnly) }),
      resolve: (query, _root, args, ctx) =>
        ctx.prisma.articleCategory.findMany({
          ...query,
          where: categoryWhere(ctx, args.topLevelOnly),
          orderBy: [{ position: 'asc' }, { name: 'asc' }, { id: 'asc' }],
        }),
    },
    connectionOptions('ArticleCategory', 'A page of article categories.'),
    edgeOptions('ArticleCategory'),
  ),
}));

function categoryWhere(ctx: Context, topLevelOnly: boolean | null | undefined): Prisma.ArticleCategoryWhereInput {
  return { ...inWorkspace(ctx), ...(topLevelOnly ? { parentId: null } : {}) };
}
