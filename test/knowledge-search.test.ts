import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import type { Prisma } from '../src/generated/prisma/client.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { graphql } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace } from './helpers/factories.ts';

const SEARCH = /* GraphQL */ `
  query ($query: String!, $locale: String, $status: [ArticleStatus!], $first: Int, $after: String) {
    searchArticles(query: $query, locale: $locale, status: $status, first: $first, after: $after) {
      totalCount
      edges { cursor node { rank snippet titleHighlight article { title status locale } } }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
`;

let sequence = 0;
async function insertArticle(workspaceId: string, data: Partial<Prisma.ArticleUncheckedCreateInput>) {
  const { prisma } = await testDatabase();
  // Distinct, increasing creation times, so id order is predictable.
  const at = new Date(Date.now() + sequence++);
  return prisma.article.create({
    data: { id: uuidv7(at), workspaceId, slug: `a-${randomUUID().slice(0, 8)}`, title: 'Untitled', body: '', status: 'PUBLISHED', publishedAt: at, ...data },
  });
}

const titles = (res: any) => res.data!.searchArticles.edges.map((e: any) => e.node.article.title);

describe('searchArticles', () => {
  it('ranks title matches above body matches, stems, highlights and escapes', async () => {
    const ws = await createTestWorkspace();
    await insertArticle(ws.workspaceId, { title: 'Account settings', body: 'You can change your password in the security tab.' });
    await insertArticle(ws.workspaceId, { title: 'Reset your password', body: 'Open settings and choose security.' });
    await insertArticle(ws.workspaceId, { title: 'Shipping times', body: 'Orders ship within two days.' });
    await insertArticle(ws.workspaceId, { title: 'Unsafe', body: 'Type <script>alert(1)</script> & your password here.' });

    const res = await ws.gql(SEARCH, { query: 'password' });
    expect(res.errors).toBeUndefined();
    expect(res.data!.searchArticles.totalCount).toBe(3);
    expect(titles(res)[0]).toBe('Reset your password');
    expect(titles(res)).not.toContain('Shipping times');
    const ranks = res.data!.searchArticles.edges.map((e: any) => e.node.rank);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    expect(ranks[0]).toBeGreaterThan(ranks[1]);

    const [top, ...rest] = res.data!.searchArticles.edges.map((e: any) => e.node);
    expect(top.titleHighlight).toBe('Reset your <mark>password</mark>');
    const settings = rest.find((n: any) => n.article.title === 'Account settings');
    expect(settings.snippet).toContain('<mark>password</mark>');
    const unsafe = rest.find((n: any) => n.article.title === 'Unsafe');
    expect(unsafe.snippet).toContain('&lt;script&gt;');
    expect(unsafe.snippet).not.toContain('<script>');

    // "passwords" stems to "password"; a clear best match ranks first.
    expect(titles(await ws.gql(SEARCH, { query: 'passwords' }))).toHaveLength(3);
    await insertArticle(ws.workspaceId, { title: 'Change your shipping address', body: 'Change the shipping address of an order before it ships.' });
    expect(titles(await ws.gql(SEARCH, { query: 'change shipping address' }))).toEqual(['Change your shipping address']);
    expect(titles(await ws.gql(SEARCH, { query: 'shipping OR address' }))[0]).toBe('Change your shipping address');
    // Only stop words: nothing to look for, no error.
    const stop = await ws.gql(SEARCH, { query: 'the and of' });
    expect(stop.errors).toBeUndefined();
    expect(stop.data!.searchArticles.totalCount).toBe(0);
  });

  it('searches in the article\'s language: German stemming finds "Rechnung" for "Rechnungen"', async () => {
    const ws = await createTestWorkspace();
    await insertArticle(ws.workspaceId, { title: 'Rechnung herunterladen', body: 'So laden Sie Ihre Rechnung als PDF herunter.', locale: 'de' });
    await insertArticle(ws.workspaceId, { title: 'Download an invoice', body: 'Rechnungen is German for invoices.', locale: 'en' });
    const german = await ws.gql(SEARCH, { query: 'Rechnungen', locale: 'de-CH' });
    expect(german.errors).toBeUndefined();
    expect(titles(german)).toEqual(['Rechnung herunterladen']);
    expect(german.data!.searchArticles.edges[0].node.titleHighlight).toBe('<mark>Rechnung</mark> herunterladen');
    // Without a locale every article is matched in its own language.
    expect(titles(await ws.gql(SEARCH, { query: 'Rechnungen' })).sort()).toEqual(['Download an invoice', 'Rechnung herunterladen']);
    expect(titles(await ws.gql(SEARCH, { query: 'Rechnungen', locale: 'en' }))).toEqual(['Download an invoice']);
  });

  it('hides drafts from read-only keys, shows them to editors, and archived articles only on request', async () => {
    const ws = await createTestWorkspace();
    const reader = await ws.createKey(['knowledge:read']);
    await insertArticle(ws.workspaceId, { title: 'Published refund policy' });
    await insertArticle(ws.workspaceId, { title: 'Draft refund policy', status: 'DRAFT' });
    await insertArticle(ws.workspaceId, { title: 'Archived refund policy', status: 'ARCHIVED' });
    const asReader = await graphql(SEARCH, { query: 'refund' }, { apiKey: reader });
    expect(titles(asReader)).toEqual(['Published refund policy']);
    const asEditor = await ws.gql(SEARCH, { query: 'refund' });
    expect(titles(asEditor).sort()).toEqual(['Draft refund policy', 'Published refund policy']);
    const asEditorInEnglish = await ws.gql(SEARCH, { query: 'refund', locale: 'en' });
    expect(titles(asEditorInEnglish).sort()).toEqual(['Draft refund policy', 'Published refund policy']);
    expect(titles(await ws.gql(SEARCH, { query: 'refund', status: ['ARCHIVED'] }))).toEqual(['Archived refund policy']);
    const forbidden = await graphql(SEARCH, { query: 'refund', status: ['DRAFT'] }, { apiKey: reader });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const noScope = await graphql(SEARCH, { query: 'refund' }, { apiKey: await ws.createKey(['tickets:read']) });
    expect(noScope.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // Another workspace finds nothing.
    const other = await createTestWorkspace();
    expect((await other.gql(SEARCH, { query: 'refund' })).data!.searchArticles).toMatchObject({ totalCount: 0, edges: [] });
  });

  it('pages forward through every match exactly once', async () => {
    const ws = await createTestWorkspace();
    for (let i = 1; i <= 12; i++) {
      await insertArticle(ws.workspaceId, { title: `Warranty ${'warranty '.repeat(i % 3)}note ${i}`, body: 'warranty '.repeat(i) });
    }
    await insertArticle(ws.workspaceId, { title: 'Unrelated', body: 'nothing' });
    const seen: string[] = [];
    let after: string | null = null;
    let ranks: number[] = [];
    for (let guard = 0; guard < 5; guard++) {
      const res: any = await ws.gql(SEARCH, { query: 'warranty', first: 5, after });
      expect(res.errors).toBeUndefined();
      expect(res.data.searchArticles.totalCount).toBe(12);
      expect(res.data.searchArticles.pageInfo.hasPreviousPage).toBe(after !== null);
      seen.push(...titles(res));
      ranks = ranks.concat(res.data.searchArticles.edges.map((e: any) => e.node.rank));
      if (!res.data.searchArticles.pageInfo.hasNextPage) break;
      after = res.data.searchArticles.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(12);
    expect(new Set(seen).size).toBe(12);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    expect(titles(await ws.gql(SEARCH, { query: 'warranty' }))).toHaveLength(10);
  });

  it('loads the results\' relations in a constant number of statements, whatever the page size', async () => {
    const ws = await createTestWorkspace();
    const { prisma } = await testDatabase();
    const category = await prisma.articleCategory.create({ data: { id: uuidv7(), workspaceId: ws.workspaceId, name: 'Help', slug: 'help' } });
    for (let i = 0; i < 6; i++) await insertArticle(ws.workspaceId, { title: `Login problem ${i}`, categoryId: category.id, authorId: ws.agentId });
    const nested = /* GraphQL */ `query ($first: Int) { searchArticles(query: "login", first: $first) {
      edges { node { article { title category { name } author { name } versions { totalCount } } } } } }`;
    await ws.gql(/* GraphQL */ `{ viewer { scopes } }`);
    const two = await ws.gql(nested, { first: 2 });
    const six = await ws.gql(nested, { first: 6 });
    expect(six.errors).toBeUndefined();
    expect(six.data!.searchArticles.edges).toHaveLength(6);
    expect(six.data!.searchArticles.edges[5].node.article).toMatchObject({ category: { name: 'Help' }, author: { name: 'Test Admin' } });
    expect(six.statements).toBe(two.statements);
    // Scalars only: the search statement alone (the warm key is cached).
    expect((await ws.gql(/* GraphQL */ `{ searchArticles(query: "login") { edges { node { article { title slug } } } } }`)).statements).toBe(1);
  });

  it.each([
    [{ query: '' }, 'query'],
    [{ query: '   ' }, 'query'],
    [{ query: 'x'.repeat(201) }, 'query'],
    [{ query: 'ok', first: 0 }, 'first'],
    [{ query: 'ok', first: 51 }, 'first'],
    [{ query: 'ok', locale: 'not a locale' }, 'locale'],
    [{ query: 'ok', after: 'bm9wZQ' }, 'after'],
  ])('rejects %j with BAD_USER_INPUT naming %s', async (variables, argument) => {
    const ws = await createTestWorkspace();
    const res = await ws.gql(SEARCH, variables);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
  });

  it('accepts a 200-character query and 50 results', async () => {
    const ws = await createTestWorkspace();
    const res = await ws.gql(SEARCH, { query: 'y'.repeat(200), first: 50 });
    expect(res.errors).toBeUndefined();
    expect(res.data!.searchArticles.totalCount).toBe(0);
  });
});
