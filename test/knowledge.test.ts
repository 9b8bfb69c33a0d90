import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import type { Prisma } from '../src/generated/prisma/client.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { graphql } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, type TestWorkspace } from './helpers/factories.ts';

const CREATE = /* GraphQL */ `
  mutation ($input: CreateArticleInput!) {
    createArticle(input: $input) {
      __typename
      ... on ArticlePayload { article { id slug title body status locale version author { id } category { name } versions(first: 10) { totalCount edges { node { version title changeNote } } } } }
      ... on Error { code message field }
    }
  }
`;
const UPDATE = /* GraphQL */ `
  mutation ($input: UpdateArticleInput!) {
    updateArticle(input: $input) {
      __typename
      ... on ArticlePayload { article { id slug title body locale version category { name } versions(first: 10) { totalCount edges { node { version title body changeNote author { id } } } } } }
      ... on ConflictError { currentVersion }
      ... on Error { code message field }
    }
  }
`;
const PUBLISH = /* GraphQL */ `
  mutation ($input: PublishArticleInput!) {
    publishArticle(input: $input) { __typename ... on ArticlePayload { article { status version publishedAt archivedAt } } ... on Error { code field } }
  }
`;
const ARCHIVE = /* GraphQL */ `
  mutation ($input: ArchiveArticleInput!) {
    archiveArticle(input: $input) { __typename ... on ArticlePayload { article { status version publishedAt archivedAt } } ... on Error { code field } }
  }
`;
const RATE = /* GraphQL */ `
  mutation ($input: RateArticleInput!) {
    rateArticle(input: $input) { __typename ... on ArticlePayload { article { helpfulCount unhelpfulCount } } ... on Error { code field } }
  }
`;
const CREATE_CATEGORY = /* GraphQL */ `
  mutation ($input: CreateArticleCategoryInput!) {
    createArticleCategory(input: $input) {
      __typename
      ... on ArticleCategoryPayload { category { id name slug description position parent { name } } }
      ... on Error { code field }
    }
  }
`;

async function createArticle(ws: TestWorkspace, input: Record<string, unknown>) {
  const res = await ws.gql(CREATE, { input });
  expect(res.errors).toBeUndefined();
  expect(res.data!.createArticle.__typename).toBe('ArticlePayload');
  return res.data!.createArticle.article as { id: string; slug: string; version: number };
}

async function insertArticle(workspaceId: string, data: Partial<Prisma.ArticleUncheckedCreateInput> = {}) {
  const { prisma } = await testDatabase();
  const at = new Date();
  return prisma.article.create({
    data: {
      id: uuidv7(at),
      workspaceId,
      slug: `article-${randomUUID().slice(0, 8)}`,
      title: 'Untitled',
      body: 'Nothing here yet.',
      status: 'PUBLISHED',
      publishedAt: at,
      ...data,
    },
  });
}

describe('createArticle', () => {
  it('creates a DRAFT at version 1 with revision 1, a slug made from the title and the acting agent as author', async () => {
    const ws = await createTestWorkspace();
    const res = await ws.gql(CREATE, { input: { title: 'Über uns: Reset your Password!', body: '# Steps', changeNote: 'first cut' } });
    expect(res.data!.createArticle).toMatchObject({
      __typename: 'ArticlePayload',
      article: {
        slug: 'uber-uns-reset-your-password',
        status: 'DRAFT',
        locale: 'en',
        version: 1,
        author: { id: encodeGlobalId('Agent', ws.agentId) },
        category: null,
        versions: { totalCount: 1, edges: [{ node: { version: 1, title: 'Über uns: Reset your Password!', changeNote: 'first cut' } }] },
      },
    });
    // The same title again gets the next free slug.
    expect((await createArticle(ws, { title: 'Über uns: reset your password', body: '' })).slug).toBe('uber-uns-reset-your-password-2');
    expect((await createArticle(ws, { title: '你好', body: '' })).slug).toBe('article');
  });

  it('files the article under a category of the workspace and refuses a foreign one', async () => {
    const [ws, other] = await Promise.all([createTestWorkspace(), createTestWorkspace()]);
    const cat = await ws.gql(CREATE_CATEGORY, { input: { name: 'Billing' } });
    const categoryId = cat.data!.createArticleCategory.category.id;
    const created = await ws.gql(CREATE, { input: { title: 'Invoices', body: 'x', categoryId, locale: 'de-CH' } });
    expect(created.data!.createArticle.article).toMatchObject({ category: { name: 'Billing' }, locale: 'de-CH' });
    const foreign = await other.gql(CREATE, { input: { title: 'Invoices', body: 'x', categoryId } });
    expect(foreign.data!.createArticle).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND', field: 'input.categoryId' });
    const wrongType = await ws.gql(CREATE, { input: { title: 'x', body: 'x', categoryId: encodeGlobalId('Customer', uuidv7()) } });
    expect(wrongType.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it.each([
    [{ title: '', body: 'x' }, 'input.title'],
    [{ title: 'x'.repeat(201), body: 'x' }, 'input.title'],
    [{ title: 'ok', body: 'x', slug: 'Not A Slug' }, 'input.slug'],
    [{ title: 'ok', body: 'x', locale: 'english' }, 'input.locale'],
    [{ title: 'ok', body: 'x'.repeat(100_001) }, 'input.body'],
  ])('returns a ValidationError for %j naming %s, and creates nothing', async (input, field) => {
    const ws = await createTestWorkspace();
    const res = await ws.gql(CREATE, { input });
    expect(res.data!.createArticle).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field });
    const { prisma } = await testDatabase();
    expect(await prisma.article.count({ where: { workspaceId: ws.workspaceId } })).toBe(0);
  });

  it('returns a ConflictError for a slug already used in the workspace, but not for one used elsewhere', async () => {
    const [ws, other] = await Promise.all([createTestWorkspace(), createTestWorkspace()]);
    await createArticle(ws, { title: 'A', body: 'x', slug: 'shipping' });
    const dup = await ws.gql(CREATE, { input: { title: 'B', body: 'x', slug: 'shipping' } });
    expect(dup.data!.createArticle).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT', field: 'input.slug' });
    expect((await createArticle(other, { title: 'B', body: 'x', slug: 'shipping' })).slug).toBe('shipping');
  });
});

describe('updateArticle', () => {
  it('writes a new revision on every change, with change note and author, newest first', async () => {
    const ws = await createTestWorkspace();
    const { id } = await createArticle(ws, { title: 'Refunds', body: 'v1' });
    const second = await ws.gql(UPDATE, { input: { id, body: 'v2', changeNote: 'clarify', expectedVersion: 1 } });
    expect(second.data!.updateArticle.article).toMatchObject({ version: 2, body: 'v2' });
    const cat = await ws.gql(CREATE_CATEGORY, { input: { name: 'Money' } });
    const third = await ws.gql(UPDATE, {
      input: { id, title: 'Refund policy', slug: 'refund-policy', locale: 'fr', categoryId: cat.data!.createArticleCategory.category.id },
    });
    const article = third.data!.updateArticle.article;
    expect(article).toMatchObject({ version: 3, slug: 'refund-policy', locale: 'fr', title: 'Refund policy', category: { name: 'Money' } });
    expect(article.versions.totalCount).toBe(3);
    expect(article.versions.edges.map((e: any) => e.node)).toEqual([
      { version: 3, title: 'Refund policy', body: 'v2', changeNote: null, author: { id: encodeGlobalId('Agent', ws.agentId) } },
      { version: 2, title: 'Refunds', body: 'v2', changeNote: 'clarify', author: { id: encodeGlobalId('Agent', ws.agentId) } },
      { version: 1, title: 'Refunds', body: 'v1', changeNote: null, author: { id: encodeGlobalId('Agent', ws.agentId) } },
    ]);
    // Clearing the category is a change too; repeating current values is not.
    expect((await ws.gql(UPDATE, { input: { id, categoryId: null } })).data!.updateArticle.article).toMatchObject({ version: 4, category: null });
    expect((await ws.gql(UPDATE, { input: { id, title: 'Refund policy' } })).data!.updateArticle.article.version).toBe(4);
    const { prisma } = await testDatabase();
    expect(await prisma.articleVersion.count({ where: { workspaceId: ws.workspaceId } })).toBe(4);
  });

  it('refuses a stale expectedVersion with a ConflictError carrying the current version, and changes nothing', async () => {
    const ws = await createTestWorkspace();
    const { id } = await createArticle(ws, { title: 'Returns', body: 'v1' });
    await ws.gql(UPDATE, { input: { id, body: 'v2' } });
    const stale = await ws.gql(UPDATE, { input: { id, body: 'lost update', expectedVersion: 1 } });
    expect(stale.data!.updateArticle).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT', field: 'input.expectedVersion', currentVersion: 2 });
    const { prisma } = await testDatabase();
    const rows = await prisma.articleVersion.findMany({ where: { workspaceId: ws.workspaceId }, orderBy: { version: 'asc' } });
    expect(rows.map((r) => r.body)).toEqual(['v1', 'v2']);
    const published = await ws.gql(PUBLISH, { input: { id, expectedVersion: 1 } });
    expect(published.data!.publishArticle).toMatchObject({ __typename: 'ConflictError', field: 'input.expectedVersion' });
  });

  it('returns typed errors: slug taken, nothing to change, unknown or foreign article', async () => {
    const [ws, other] = await Promise.all([createTestWorkspace(), createTestWorkspace()]);
    await createArticle(ws, { title: 'Taken', body: 'x', slug: 'taken' });
    const { id } = await createArticle(ws, { title: 'Mine', body: 'x' });
    expect((await ws.gql(UPDATE, { input: { id, slug: 'taken' } })).data!.updateArticle).toMatchObject({ __typename: 'ConflictError', field: 'input.slug' });
    expect((await ws.gql(UPDATE, { input: { id, changeNote: 'no change' } })).data!.updateArticle).toMatchObject({ __typename: 'ValidationError', field: 'input' });
    expect((await ws.gql(UPDATE, { input: { id, expectedVersion: 0, body: 'y' } })).data!.updateArticle).toMatchObject({
      __typename: 'ValidationError',
      field: 'input.expectedVersion',
    });
    const foreign = await other.gql(UPDATE, { input: { id, title: 'Hijacked' } });
    expect(foreign.data!.updateArticle).toMatchObject({ __typename: 'NotFoundError', field: 'input.id' });
    const { prisma } = await testDatabase();
    expect((await prisma.article.findFirstOrThrow({ where: { slug: 'mine', workspaceId: ws.workspaceId } })).title).toBe('Mine');
  });
});

describe('publishArticle / archiveArticle', () => {
  it('follows the status machine and stamps publishedAt / archivedAt without bumping the content version', async () => {
    const ws = await createTestWorkspace();
    const { id } = await createArticle(ws, { title: 'Lifecycle', body: 'text' });
    const published = await ws.gql(PUBLISH, { input: { id, expectedVersion: 1 } });
    expect(published.data!.publishArticle.article).toMatchObject({ status: 'PUBLISHED', version: 1, archivedAt: null });
    expect(published.data!.publishArticle.article.publishedAt).toBeTruthy();
    expect((await ws.gql(PUBLISH, { input: { id } })).data!.publishArticle).toEqual({ __typename: 'InvalidStateError', code: 'INVALID_STATE', field: 'input.id' });
    const archived = await ws.gql(ARCHIVE, { input: { id } });
    expect(archived.data!.archiveArticle.article).toMatchObject({ status: 'ARCHIVED', publishedAt: published.data!.publishArticle.article.publishedAt });
    expect(archived.data!.archiveArticle.article.archivedAt).toBeTruthy();
    expect((await ws.gql(ARCHIVE, { input: { id } })).data!.archiveArticle).toMatchObject({ __typename: 'InvalidStateError', field: 'input.id' });
    expect((await ws.gql(PUBLISH, { input: { id } })).data!.publishArticle.article.status).toBe('PUBLISHED');

    const draft = await createArticle(ws, { title: 'Never mind', body: 'x' });
    expect((await ws.gql(ARCHIVE, { input: { id: draft.id } })).data!.archiveArticle.article.status).toBe('ARCHIVED');
    const empty = await createArticle(ws, { title: 'Empty', body: '  ' });
    expect((await ws.gql(PUBLISH, { input: { id: empty.id } })).data!.publishArticle).toMatchObject({ __typename: 'InvalidStateError', field: 'input.id' });
  });
});

describe('rateArticle', () => {
  it('lets a read-only key rate PUBLISHED articles (atomic counts, updatedAt untouched) and refuses other states', async () => {
    const ws = await createTestWorkspace();
    const reader = await ws.createKey(['knowledge:read']);
    const article = await insertArticle(ws.workspaceId, { title: 'Rated', updatedAt: new Date('2026-01-01T00:00:00Z') });
    const id = encodeGlobalId('Article', article.id);
    await Promise.all([true, true, false, true].map((helpful) => graphql(RATE, { input: { id, helpful } }, { apiKey: reader })));
    const res = await graphql(RATE, { input: { id, helpful: false } }, { apiKey: reader });
    expect(res.data!.rateArticle).toEqual({ __typename: 'ArticlePayload', article: { helpfulCount: 3, unhelpfulCount: 2 } });
    const { prisma } = await testDatabase();
    expect((await prisma.article.findUniqueOrThrow({ where: { id: article.id } })).updatedAt.toISOString()).toBe('2026-01-01T00:00:00.000Z');

    const draft = await insertArticle(ws.workspaceId, { status: 'DRAFT' });
    const denied = await ws.gql(RATE, { input: { id: encodeGlobalId('Article', draft.id), helpful: true } });
    expect(denied.data!.rateArticle).toEqual({ __typename: 'InvalidStateError', code: 'INVALID_STATE', field: 'input.id' });
    const other = await createTestWorkspace();
    expect((await other.gql(RATE, { input: { id, helpful: true } })).data!.rateArticle).toMatchObject({ __typename: 'NotFoundError', field: 'input.id' });
    expect((await prisma.article.findUniqueOrThrow({ where: { id: article.id } })).helpfulCount).toBe(3);
  });
});

describe('article categories', () => {
  it('creates nested categories, refuses taken slugs, and lists them by position then name', async () => {
    const ws = await createTestWorkspace();
    const root = (await ws.gql(CREATE_CATEGORY, { input: { name: 'Getting started', position: 2, description: 'Basics' } })).data!.createArticleCategory;
    expect(root).toMatchObject({ category: { slug: 'getting-started', position: 2, description: 'Basics', parent: null } });
    const child = await ws.gql(CREATE_CATEGORY, { input: { name: 'Accounts', slug: 'accounts', parentId: root.category.id } });
    expect(child.data!.createArticleCategory.category).toMatchObject({ parent: { name: 'Getting started' }, position: 0 });
    await ws.gql(CREATE_CATEGORY, { input: { name: 'Billing', position: 2 } });
    expect((await ws.gql(CREATE_CATEGORY, { input: { name: 'x', slug: 'accounts' } })).data!.createArticleCategory).toEqual({
      __typename: 'ConflictError',
      code: 'CONFLICT',
      field: 'input.slug',
    });
    expect((await ws.gql(CREATE_CATEGORY, { input: { name: 'Getting Started!' } })).data!.createArticleCategory).toMatchObject({ __typename: 'ConflictError', field: 'input.name' });
    expect((await ws.gql(CREATE_CATEGORY, { input: { name: '' } })).data!.createArticleCategory).toMatchObject({ __typename: 'ValidationError', field: 'input.name' });
    expect((await ws.gql(CREATE_CATEGORY, { input: { name: 'x', position: -1 } })).data!.createArticleCategory).toMatchObject({ __typename: 'ValidationError', field: 'input.position' });
    const other = await createTestWorkspace();
    expect((await other.gql(CREATE_CATEGORY, { input: { name: 'x', parentId: root.category.id } })).data!.createArticleCategory).toMatchObject({
      __typename: 'NotFoundError',
      field: 'input.parentId',
    });

    const list = await ws.gql(/* GraphQL */ `{ articleCategories { totalCount edges { node { name children { totalCount edges { node { name } } } } } } top: articleCategories(topLevelOnly: true) { totalCount } }`);
    expect(list.data!.articleCategories.edges.map((e: any) => e.node.name)).toEqual(['Accounts', 'Billing', 'Getting started']);
    expect(list.data!.articleCategories.edges[2].node.children).toEqual({ totalCount: 1, edges: [{ node: { name: 'Accounts' } }] });
    expect(list.data!.top.totalCount).toBe(2);
  });

  it('lists a category\'s articles by title, drafts only for editors, never archived ones', async () => {
    const ws = await createTestWorkspace();
    const reader = await ws.createKey(['knowledge:read']);
    const { prisma } = await testDatabase();
    const category = await prisma.articleCategory.create({ data: { id: uuidv7(), workspaceId: ws.workspaceId, name: 'FAQ', slug: 'faq' } });
    await insertArticle(ws.workspaceId, { categoryId: category.id, title: 'B published' });
    await insertArticle(ws.workspaceId, { categoryId: category.id, title: 'A draft', status: 'DRAFT' });
    await insertArticle(ws.workspaceId, { categoryId: category.id, title: 'C archived', status: 'ARCHIVED' });
    const query = /* GraphQL */ `query ($id: ID!) { node(id: $id) { ... on ArticleCategory { articles { totalCount edges { node { title } } } } } }`;
    const id = encodeGlobalId('ArticleCategory', category.id);
    const asEditor = await ws.gql(query, { id });
    expect(asEditor.data!.node.articles).toEqual({ totalCount: 2, edges: [{ node: { title: 'A draft' } }, { node: { title: 'B published' } }] });
    const asReader = await graphql(query, { id }, { apiKey: reader });
    expect(asReader.data!.node.articles).toEqual({ totalCount: 1, edges: [{ node: { title: 'B published' } }] });
  });
});
