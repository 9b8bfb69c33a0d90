import { builder } from '../../builder.ts';
import { connectionOptions, edgeOptions, pageSize } from '../connections.ts';
import { ArticleStatusEnum } from '../enums.ts';
import { workspaceIdOf } from '../tenancy.ts';
import { defaultListStatuses, lookupStatuses } from './visibility.ts';

export const ArticleRef = builder.prismaNode('Article', {
  select: {},
  id: { field: 'id' },
  // `node(id:)` answers null for an id outside the caller's workspace, and for a draft or
  // archived article when the key may not see those.
  nullable: true,
  description:
    'A knowledge-base article (markdown). Keys with only `knowledge:read` (e.g. a help-center widget) see PUBLISHED articles only; `knowledge:write` also sees drafts and archived articles.',
  authScopes: { scope: 'knowledge:read' },
  findUnique: (id, ctx) => ({ id, workspaceId: workspaceIdOf(ctx), status: { in: lookupStatuses(ctx) } }),
  fields: (t) => ({
    slug: t.exposeString('slug', { description: 'URL-safe handle, unique in the workspace.' }),
    title: t.exposeString('title', { description: 'Title.' }),
    body: t.exposeString('body', { description: 'Content, in markdown.' }),
    status: t.expose('status', { type: ArticleStatusEnum, description: 'DRAFT, PUBLISHED or ARCHIVED.' }),
    locale: t.exposeString('locale', { description: 'Language of the article (BCP 47), e.g. "en" or "de-CH"; it also picks the search stemming.' }),
    helpfulCount: t.exposeInt('helpfulCount', { description: 'Readers who rated the article helpful.' }),
    unhelpfulCount: t.exposeInt('unhelpfulCount', { description: 'Readers who rated the article not helpful.' }),
    viewCount: t.exposeInt('viewCount', { description: 'Times the article was viewed, as reported by the help center.' }),
    version: t.exposeInt('version', {
      description:
        'Content revision: starts at 1 and grows with every `updateArticle`, each revision kept in `versions`. Send it as `expectedVersion` to avoid overwriting someone else\'s edit. Publishing and archiving change the status, not the revision.',
    }),
    publishedAt: t.expose('publishedAt', { type: 'DateTime', nullable: true, description: 'When the article was last published; null if never.' }),
    archivedAt: t.expose('archivedAt', { type: 'DateTime', nullable: true, description: 'When the article was last archived; null if never.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the article was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'Last change to content or status.' }),
    category: t.relation('category', { nullable: true, description: 'The category the article is filed under; null when uncategorized.' }),
    author: t.relation('author', { nullable: true, description: 'The agent who created the article; null when created by an integration key.' }),
    versions: t.relatedConnection(
      'versions',
      {
        cursor: 'id',
        ...pageSize,
        description: 'Every content revision, newest first.',
        totalCount: true,
        query: () => ({ orderBy: [{ version: 'desc' }, { id: 'desc' }] }),
      },
      connectionOptions('ArticleVersion', 'A page of article revisions.'),
      edgeOptions('ArticleVersion'),
    ),
  }),
});

export const ArticleVersionRef = builder.prismaNode('ArticleVersion', {
  select: {},
  id: { field: 'id' },
  nullable: true,
  description: 'One content revision of an article: its title and body as they were after a change, who made the change and why.',
  authScopes: { scope: 'knowledge:read' },
  // A revision is visible exactly when its article is.
  findUnique: (id, ctx) => ({ id, workspaceId: workspaceIdOf(ctx), article: { status: { in: lookupStatuses(ctx) } } }),
  fields: (t) => ({
    version: t.exposeInt('version', { description: 'Revision number (1 for the first).' }),
    title: t.exposeString('title', { description: 'Title in this revision.' }),
    body: t.exposeString('body', { description: 'Markdown body in this revision.' }),
    changeNote: t.exposeString('changeNote', { nullable: true, description: 'Why the change was made, as its author wrote it.' }),
    author: t.relation('author', { nullable: true, description: 'The agent who made the change; null for integration keys.' }),
    article: t.relation('article', { description: 'The article this is a revision of.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the revision was written.' }),
  }),
});

export const ArticleCategoryRef = builder.prismaNode('ArticleCategory', {
  select: {},
  id: { field: 'id' },
  nullable: true,
  description: 'A section of the knowledge base; categories may nest.',
  authScopes: { scope: 'knowledge:read' },
  findUnique: (id, ctx) => ({ id, workspaceId: workspaceIdOf(ctx) }),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Display name.' }),
    slug: t.exposeString('slug', { description: 'URL-safe handle, unique in the workspace.' }),
    description: t.exposeString('description', { nullable: true, description: 'What the category covers.' }),
    position: t.exposeInt('position', { description: 'Sort position among its siblings (lower first).' }),
    parent: t.relation('parent', { nullable: true, description: 'The enclosing category; null for a top-level one.' }),
    children: t.relatedConnection(
      'children',
      {
        cursor: 'id',
        ...pageSize,
        description: 'Sub-categories, by position, then name.',
        totalCount: true,
        query: () => ({ orderBy: [{ position: 'asc' }, { name: 'asc' }, { id: 'asc' }] }),
      },
      connectionOptions('ArticleSubcategory', 'A page of sub-categories.'),
      edgeOptions('ArticleSubcategory'),
    ),
    articles: t.relatedConnection(
      'articles',
      {
        cursor: 'id',
        ...pageSize,
        description:
          'Articles filed here, by title. PUBLISHED only for read-only keys; keys with `knowledge:write` also see drafts (archived articles are left out).',
        totalCount: true,
        query: (_args, ctx) => ({
          where: { status: { in: defaultListStatuses(ctx) } },
          orderBy: [{ title: 'asc' }, { id: 'asc' }],
        }),
      },
      connectionOptions('CategoryArticle', 'A page of a category\'s articles.'),
      edgeOptions('CategoryArticle'),
    ),
  }),
});
