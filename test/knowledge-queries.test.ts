import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import type { Prisma } from '../src/generated/prisma/client.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { graphql } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace } from './helpers/factories.ts';

const LIST = /* GraphQL */ `
  query ($filter: ArticleFilter, $orderBy: ArticleOrderBy, $first: Int, $after: String) {
    articles(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      edges { node { title status } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
const ONE = /* GraphQL */ `
  query ($id: ID, $slug: String) { article(id: $id, slug: $slug) { title slug status } }
`;

let offset = 0;
async function insertArticle(workspaceId: string, data: Partial<Prisma.ArticleUncheckedCreateInput>) {
  const { prisma } = await testDatabase();
  const at = new Date(Date.UTC(2026, 0, 1) + offset++ * 1000);
  return prisma.article.create({
    data: { id: uuidv7(at), workspaceId, slug: `a-${randomUUID().slice(0, 8)}`, title: 'Untitled', body: 'x', status: 'PUBLISHED', createdAt: at, updatedAt: at, ...data },
  });
}

const titles = (res: any) => res.data!.articles.edges.map((e: any) => e.node.title);

describe('articles query', () => {
  it('filters by status, locale, category and title text, and sorts', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const category = await prisma.articleCategory.create({ data: { id: uuidv7(), workspaceId: ws.workspaceId, name: 'Billing', slug: 'billing' } });
    await insertArticle(ws.workspaceId, { title: 'Invoices', categoryId: category.id, helpfulCount: 5 });
    await insertArticle(ws.workspaceId, { title: 'Rechnungen', locale: 'de', categoryId: category.id, helpfulCount: 9 });
    await insertArticle(ws.workspaceId, { title: 'Draft invoice FAQ', status: 'DRAFT' });
    await insertArticle(ws.workspaceId, { title: 'Old invoices', status: 'ARCHIVED' });

    // Editors see drafts by default, archived only on request.
    expect(titles(await ws.gql(LIST))).toEqual(['Invoices', 'Rechnungen', 'Draft invoice FAQ']);
    expect(titles(await ws.gql(LIST, { filter: { status: ['ARCHIVED', 'DRAFT'] } }))).toEqual(['Draft invoice FAQ', 'Old invoices']);
    expect(titles(await ws.gql(LIST, { filter: { locale: 'de' } }))).toEqual(['Rechnungen']);
    const categoryId = encodeGlobalId('ArticleCategory', category.id);
    expect(titles(await ws.gql(LIST, { filter: { categoryId } }))).toEqual(['Invoices', 'Rechnungen']);
    expect(titles(await ws.gql(LIST, { filter: { query: 'INVOICE', status: ['PUBLISHED', 'DRAFT', 'ARCHIVED'] } }))).toEqual([
      'Invoices',
      'Draft invoice FAQ',
      'Old invoices',
    ]);
    expect(titles(await ws.gql(LIST, { orderBy: { field: 'HELPFUL_COUNT', direction: 'DESC' }, filter: { status: ['PUBLISHED'] } }))).toEqual([
      'Rechnungen',
      'Invoices',
    ]);
    expect(titles(await ws.gql(LIST, { orderBy: { field: 'TITLE' } }))).toEqual(['Draft invoice FAQ', 'Invoices', 'Rechnungen']);
    const bad = await ws.gql(LIST, { filter: { categoryId: encodeGlobalId('Customer', category.id) } });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await ws.gql(LIST, { filter: { query: '' } })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await ws.gql(LIST, { filter: { locale: 'no way' } })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('pages through every article exactly once', async () => {
    const ws = await createTestWorkspace();
    for (let i = 1; i <= 7; i++) await insertArticle(ws.workspaceId, { title: `Article ${i}` });
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 5; guard++) {
      const res: any = await ws.gql(LIST, { first: 3, after });
      expect(res.data.articles.totalCount).toBe(7);
      seen.push(...titles(res));
      if (!res.data.articles.pageInfo.hasNextPage) break;
      after = res.data.articles.pageInfo.endCursor;
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => `Article ${i}`));
  });

  it('shows read-only keys PUBLISHED articles only, everywhere, and refuses them drafts explicitly', async () => {
    const ws = await createTestWorkspace();
    const reader = await ws.createKey(['knowledge:read']);
    const published = await insertArticle(ws.workspaceId, { title: 'Public', slug: 'public' });
    const draft = await insertArticle(ws.workspaceId, { title: 'Secret', slug: 'secret', status: 'DRAFT' });
    const archived = await insertArticle(ws.workspaceId, { title: 'Gone', slug: 'gone', status: 'ARCHIVED' });
    const { prisma } = await testDatabase();
    const version = await prisma.articleVersion.create({
      data: { id: uuidv7(), workspaceId: ws.workspaceId, articleId: draft.id, version: 1, title: 'Secret', body: 'x' },
    });
    const asReader = (query: string, variables: Record<string, unknown> = {}) => graphql(query, variables, { apiKey: reader });

    expect(titles(await asReader(LIST))).toEqual(['Public']);
    expect((await asReader(LIST, { filter: { status: ['DRAFT'] } })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await asReader(ONE, { slug: 'public' })).data!.article).toEqual({ title: 'Public', slug: 'public', status: 'PUBLISHED' });
    expect((await asReader(ONE, { slug: 'secret' })).data!.article).toBeNull();
    expect((await asReader(ONE, { id: encodeGlobalId('Article', archived.id) })).data!.article).toBeNull();
    const nodes = /* GraphQL */ `query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`;
    const ids = [published, draft, archived].map((a) => encodeGlobalId('Article', a.id));
    const viaNodes = await asReader(nodes, { ids: [...ids, encodeGlobalId('ArticleVersion', version.id)] });
    expect(viaNodes.data!.nodes).toEqual([{ id: ids[0] }, null, null, null]);
    // Editors see all of them.
    const asEditor = await ws.gql(nodes, { ids: [...ids, encodeGlobalId('ArticleVersion', version.id)] });
    expect(asEditor.data!.nodes.every((n: unknown) => n !== null)).toBe(true);
    expect((await ws.gql(ONE, { slug: 'gone' })).data!.article.status).toBe('ARCHIVED');
  });

  it('looks an article up by exactly one of id or slug', async () => {
    const ws = await createTestWorkspace();
    const article = await insertArticle(ws.workspaceId, { title: 'Lookup', slug: 'lookup' });
    const id = encodeGlobalId('Article', article.id);
    expect((await ws.gql(ONE, { id })).data!.article.slug).toBe('lookup');
    expect((await ws.gql(ONE, { id, slug: 'lookup' })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await ws.gql(ONE)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await ws.gql(ONE, { id: encodeGlobalId('Customer', article.id) })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('knowledge isolation and scopes', () => {
  it('never shows one workspace\'s knowledge base to another workspace\'s key', async () => {
    const [a, b] = await Promise.all([createTestWorkspace(), createTestWorkspace()]);
    const { prisma } = await testDatabase();
    const article = await insertArticle(b.workspaceId, { title: 'Theirs', slug: 'theirs' });
    const category = await prisma.articleCategory.create({ data: { id: uuidv7(), workspaceId: b.workspaceId, name: 'Theirs', slug: 'theirs' } });
    const version = await prisma.articleVersion.create({
      data: { id: uuidv7(), workspaceId: b.workspaceId, articleId: article.id, version: 1, title: 'Theirs', body: 'x' },
    });
    const res = await a.gql(
      /* GraphQL */ `query ($a: ID!, $c: ID!, $v: ID!) {
        articles { totalCount } articleCategories { totalCount } bySlug: article(slug: "theirs") { id } byId: article(id: $a) { id }
        na: node(id: $a) { id } nc: node(id: $c) { id } nv: node(id: $v) { id }
        searchArticles(query: "theirs") { totalCount } }`,
      { a: encodeGlobalId('Article', article.id), c: encodeGlobalId('ArticleCategory', category.id), v: encodeGlobalId('ArticleVersion', version.id) },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      articles: { totalCount: 0 },
      articleCategories: { totalCount: 0 },
      bySlug: null,
      byId: null,
      na: null,
      nc: null,
      nv: null,
      searchArticles: { totalCount: 0 },
    });
    const mutations = /* GraphQL */ `mutation ($id: ID!) {
      updateArticle(input: { id: $id, title: "x" }) { __typename ... on Error { field } }
      publishArticle(input: { id: $id }) { __typename ... on Error { field } }
      archiveArticle(input: { id: $id }) { __typename ... on Error { field } } }`;
    const denied = await a.gql(mutations, { id: encodeGlobalId('Article', article.id) });
    expect(denied.data).toEqual({
      updateArticle: { __typename: 'NotFoundError', field: 'input.id' },
      publishArticle: { __typename: 'NotFoundError', field: 'input.id' },
      archiveArticle: { __typename: 'NotFoundError', field: 'input.id' },
    });
    expect((await prisma.article.findUniqueOrThrow({ where: { id: article.id } })).title).toBe('Theirs');
  });

  it('needs knowledge:read to read and knowledge:write to change anything (rating excepted)', async () => {
    const ws = await createTestWorkspace();
    const article = await insertArticle(ws.workspaceId, { title: 'Guarded', status: 'DRAFT' });
    const id = encodeGlobalId('Article', article.id);
    const outsider = await ws.createKey(['customers:read']);
    for (const query of [LIST, /* GraphQL */ `{ articleCategories { totalCount } }`, /* GraphQL */ `{ searchArticles(query: "x") { totalCount } }`]) {
      expect((await graphql(query, {}, { apiKey: outsider })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const reader = await ws.createKey(['knowledge:read']);
    const writes: Array<[string, Record<string, unknown>]> = [
      [/* GraphQL */ `mutation { createArticle(input: { title: "x", body: "y" }) { __typename } }`, {}],
      [/* GraphQL */ `mutation ($id: ID!) { updateArticle(input: { id: $id, title: "changed" }) { __typename } }`, { id }],
      [/* GraphQL */ `mutation ($id: ID!) { publishArticle(input: { id: $id }) { __typename } }`, { id }],
      [/* GraphQL */ `mutation ($id: ID!) { archiveArticle(input: { id: $id }) { __typename } }`, { id }],
      [/* GraphQL */ `mutation { createArticleCategory(input: { name: "x" }) { __typename } }`, {}],
    ];
    for (const [mutation, variables] of writes) {
      expect((await graphql(mutation, variables, { apiKey: reader })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const { prisma } = await testDatabase();
    expect(await prisma.article.findMany({ where: { workspaceId: ws.workspaceId }, select: { title: true, status: true } })).toEqual([{ title: 'Guarded', status: 'DRAFT' }]);
    expect(await prisma.articleCategory.count({ where: { workspaceId: ws.workspaceId } })).toBe(0);
    const rate = /* GraphQL */ `mutation ($id: ID!) { rateArticle(input: { id: $id, helpful: true }) { __typename } }`;
    expect((await graphql(rate, { id }, { apiKey: outsider })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
