import { builder } from '../../builder.ts';
import type { Article, ArticleCategory } from '../../generated/prisma/client.ts';
import { mutationErrors } from '../errors.ts';
import { idOfType, optionalIdOfType, type GlobalIdArg } from '../global-id.ts';
import { actorOf } from '../service-kit.ts';
import { ArticleCategoryRef, ArticleRef } from './types.ts';
import * as service from './service.ts';

/**
 * Knowledge-base mutations: one `input` argument, a union result of the success payload and
 * typed errors. Resolvers only translate global IDs and call the service.
 */

const ArticlePayload = builder.objectRef<{ article: Article }>('ArticlePayload').implement({
  description: 'The article after the change.',
  fields: (t) => ({ article: t.field({ type: ArticleRef, description: 'The article.', resolve: (p) => p.article }) }),
});

const ArticleCategoryPayload = builder.objectRef<{ category: ArticleCategory }>('ArticleCategoryPayload').implement({
  description: 'The category after the change.',
  fields: (t) => ({ category: t.field({ type: ArticleCategoryRef, description: 'The category.', resolve: (p) => p.category }) }),
});

const CreateArticleInput = builder.inputType('CreateArticleInput', {
  description: 'A new article. It starts as a DRAFT at version 1.',
  fields: (t) => ({
    title: t.string({ required: true, description: 'Title, 1–200 characters.' }),
    body: t.string({ required: true, description: 'Markdown content (may be empty for a draft; publishing needs some).' }),
    slug: t.string({ required: false, description: 'URL-safe handle, unique in the workspace (default: made from the title, suffixed when taken).' }),
    locale: t.string({ required: false, description: 'Language (BCP 47); default "en". Picks the search stemming.' }),
    categoryId: t.globalID({ required: false, description: 'Category to file it under.' }),
    changeNote: t.string({ required: false, description: 'Note stored with revision 1.' }),
  }),
});

const UpdateArticleInput = builder.inputType('UpdateArticleInput', {
  description: 'Changes to an article\'s content or filing; omitted fields stay as they are. Writes a new revision.',
  fields: (t) => ({
    id: t.globalID({ required: true, description: 'The article to change.' }),
    expectedVersion: t.int({ required: false, description: 'The version you edited; if the article has moved on, nothing changes and a ConflictError says so.' }),
    title: t.string({ required: false, description: 'New title.' }),
    body: t.string({ required: false, description: 'New markdown content.' }),
    slug: t.string({ required: false, description: 'New slug, unique in the workspace.' }),
    locale: t.string({ required: false, description: 'New language (BCP 47).' }),
    categoryId: t.globalID({ required: false, description: 'New category; null files it under none.' }),
    changeNote: t.string({ required: false, description: 'Why the change was made (kept with the revision).' }),
  }),
});

const ChangeArticleStatusInput = (name: string, what: string) =>
  builder.inputType(name, {
    description: what,
    fields: (t) => ({
      id: t.globalID({ required: true, description: 'The article.' }),
      expectedVersion: t.int({ required: false, description: 'The version you saw; if the content has changed since, nothing happens and a ConflictError says so.' }),
    }),
  });

const PublishArticleInput = ChangeArticleStatusInput('PublishArticleInput', 'The article to publish.');
const ArchiveArticleInput = ChangeArticleStatusInput('ArchiveArticleInput', 'The article to archive.');

const RateArticleInput = builder.inputType('RateArticleInput', {
  description: 'A reader\'s verdict on a published article.',
  fields: (t) => ({
    id: t.globalID({ required: true, description: 'The article.' }),
    helpful: t.boolean({ required: true, description: 'True: it helped; false: it did not.' }),
  }),
});

const CreateArticleCategoryInput = builder.inputType('CreateArticleCategoryInput', {
  description: 'A new knowledge-base category.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Display name, 1–100 characters.' }),
    slug: t.string({ required: false, description: 'URL-safe handle, unique in the workspace (default: made from the name).' }),
    description: t.string({ required: false, description: 'What the category covers.' }),
    position: t.int({ required: false, description: 'Sort position among its siblings (default 0; lower first).' }),
    parentId: t.globalID({ required: false, description: 'Enclosing category, for a sub-category.' }),
  }),
});

const articleId = (id: GlobalIdArg) => idOfType(id, 'Article', 'input.id');

builder.mutationFields((t) => ({
  createArticle: t.field({
    type: ArticlePayload,
    description: 'Creates a DRAFT article and its first revision.',
    authScopes: { scope: 'knowledge:write' },
    errors: mutationErrors('createArticle'),
    args: { input: t.arg({ type: CreateArticleInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      article: await service.createArticle(ctx.prisma, actorOf(ctx), {
        ...input,
        categoryId: optionalIdOfType(input.categoryId as GlobalIdArg | null | undefined, 'ArticleCategory', 'input.categoryId'),
      }),
    }),
  }),

  updateArticle: t.field({
    type: ArticlePayload,
    description: 'Changes an article\'s content or filing; every change is kept as a new revision (version + 1) with its change note and author.',
    authScopes: { scope: 'knowledge:write' },
    errors: mutationErrors('updateArticle'),
    args: { input: t.arg({ type: UpdateArticleInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      article: await service.updateArticle(ctx.prisma, actorOf(ctx), {
        ...input,
        id: articleId(input.id),
        categoryId: optionalIdOfType(input.categoryId as GlobalIdArg | null | undefined, 'ArticleCategory', 'input.categoryId'),
      }),
    }),
  }),

  publishArticle: t.field({
    type: ArticlePayload,
    description: 'Publishes a DRAFT or ARCHIVED article (sets publishedAt). Publishing a PUBLISHED article is an InvalidStateError.',
    authScopes: { scope: 'knowledge:write' },
    errors: mutationErrors('publishArticle'),
    args: { input: t.arg({ type: PublishArticleInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      article: await service.publishArticle(ctx.prisma, actorOf(ctx), { ...input, id: articleId(input.id) }),
    }),
  }),

  archiveArticle: t.field({
    type: ArticlePayload,
    description: 'Archives a DRAFT or PUBLISHED article (sets archivedAt): it leaves search and the help center but keeps its history.',
    authScopes: { scope: 'knowledge:write' },
    errors: mutationErrors('archiveArticle'),
    args: { input: t.arg({ type: ArchiveArticleInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      article: await service.archiveArticle(ctx.prisma, actorOf(ctx), { ...input, id: articleId(input.id) }),
    }),
  }),

  rateArticle: t.field({
    type: ArticlePayload,
    description:
      'Records a reader\'s helpful / not helpful vote on a PUBLISHED article. Needs only `knowledge:read`, because that is the key a help-center widget holds; ratings are not de-duplicated per reader.',
    authScopes: { scope: 'knowledge:read' },
    errors: mutationErrors('rateArticle'),
    args: { input: t.arg({ type: RateArticleInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      article: await service.rateArticle(ctx.prisma, actorOf(ctx), { ...input, id: articleId(input.id) }),
    }),
  }),

  createArticleCategory: t.field({
    type: ArticleCategoryPayload,
    description: 'Creates a knowledge-base category.',
    authScopes: { scope: 'knowledge:write' },
    errors: mutationErrors('createArticleCategory'),
    args: { input: t.arg({ type: CreateArticleCategoryInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({
      category: (await service.createArticleCategory(ctx.prisma, actorOf(ctx), {
        ...input,
        parentId: optionalIdOfType(input.parentId as GlobalIdArg | null | undefined, 'ArticleCategory', 'input.parentId'),
      }))!,
    }),
  }),
}));
