import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import { countQueries } from '../src/db/query-counter.ts';
import type { Prisma } from '../src/generated/prisma/client.ts';
import { suggestArticlesForConversations } from '../src/schema/knowledge/search.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers } from './helpers/factories.ts';

/**
 * Knowledge-base deflection: `Conversation.suggestedArticles`. Conversations and messages are
 * inserted directly, as the messaging service would have stored them.
 */

async function insertArticle(workspaceId: string, data: Partial<Prisma.ArticleUncheckedCreateInput>) {
  const { prisma } = await testDatabase();
  return prisma.article.create({
    data: { id: uuidv7(), workspaceId, slug: `a-${randomUUID().slice(0, 8)}`, title: 'Untitled', body: '', status: 'PUBLISHED', publishedAt: new Date(), ...data },
  });
}

type MessageSpec = string | { body: string; direction?: 'INBOUND' | 'OUTBOUND'; authorKind?: 'CUSTOMER' | 'AGENT' | 'BOT'; isInternalNote?: boolean };

/** A conversation with the given messages, oldest first, one second apart. */
async function insertConversation(workspaceId: string, customerId: string, messages: MessageSpec[], createdAt = Date.now() - 3_600_000) {
  const { prisma } = await testDatabase();
  const conversation = await prisma.conversation.create({
    data: { id: uuidv7(createdAt), workspaceId, customerId, channel: 'CHAT', createdAt: new Date(createdAt), messageCount: messages.length },
  });
  await prisma.message.createMany({
    data: messages.map((spec, i) => {
      const m = typeof spec === 'string' ? { body: spec } : spec;
      const at = new Date(createdAt + (i + 1) * 1000);
      const inbound = (m.direction ?? 'INBOUND') === 'INBOUND';
      return {
        id: uuidv7(at),
        workspaceId,
        conversationId: conversation.id,
        authorKind: m.authorKind ?? (inbound ? 'CUSTOMER' : 'AGENT'),
        authorCustomerId: inbound ? customerId : null,
        direction: m.direction ?? 'INBOUND',
        body: m.body,
        isInternalNote: m.isInternalNote ?? false,
        createdAt: at,
      };
    }),
  });
  return conversation;
}

const SUGGEST = /* GraphQL */ `
  query ($id: ID!, $first: Int) {
    node(id: $id) { ... on Conversation { suggestedArticles(first: $first) { rank snippet titleHighlight article { title } } } }
  }
`;
const suggested = (res: any) => res.data!.node.suggestedArticles.map((s: any) => s.article.title);

async function knowledgeBase(workspaceId: string) {
  await insertArticle(workspaceId, { title: 'Reset your password', body: 'Forgot your password? Use the reset link on the login page.' });
  await insertArticle(workspaceId, { title: 'Shipping times', body: 'Orders ship within two days; tracking follows by email.' });
  await insertArticle(workspaceId, { title: 'Refund policy', body: 'Refunds are issued within 14 days of a return.' });
  await insertArticle(workspaceId, { title: 'Password rules draft', body: 'password password password', status: 'DRAFT' });
  await insertArticle(workspaceId, { title: 'Passwort zurücksetzen', body: 'Passwort vergessen? Nutzen Sie den Link.', locale: 'de' });
}

describe('Conversation.suggestedArticles', () => {
  it('suggests published articles matching any of the customer\'s words, ignoring agent replies and internal notes', async () => {
    const ws = await createTestWorkspace();
    await knowledgeBase(ws.workspaceId);
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const conversation = await insertConversation(ws.workspaceId, customer!.id, [
      'Hi there, I forgot my passwords and cannot log in',
      { body: 'Did you check the shipping times?', direction: 'OUTBOUND' },
      { body: 'Maybe offer a refund', direction: 'OUTBOUND', isInternalNote: true },
      'Also: when do orders ship?',
    ]);
    const res = await ws.gql(SUGGEST, { id: encodeGlobalId('Conversation', conversation.id) });
    expect(res.errors).toBeUndefined();
    expect(suggested(res)).toEqual(['Reset your password', 'Shipping times']);
    const [first] = res.data!.node.suggestedArticles;
    expect(first.titleHighlight).toBe('Reset your <mark>password</mark>');
    expect(first.snippet).toContain('<mark>password</mark>');
    expect(suggested(await ws.gql(SUGGEST, { id: encodeGlobalId('Conversation', conversation.id), first: 1 }))).toEqual(['Reset your password']);
  });

  it('uses the customer\'s language and only the latest five customer messages; no text, no suggestions', async () => {
    const ws = await createTestWorkspace();
    await knowledgeBase(ws.workspaceId);
    const [english, german] = await insertCustomers(ws.workspaceId, 2);
    const { prisma } = await testDatabase();
    await prisma.customer.update({ where: { id: german!.id }, data: { locale: 'de-AT' } });
    const inGerman = await insertConversation(ws.workspaceId, german!.id, ['Ich habe mein Passwort vergessen']);
    expect(suggested(await ws.gql(SUGGEST, { id: encodeGlobalId('Conversation', inGerman.id) }))).toEqual(['Passwort zurücksetzen']);

    const old = await insertConversation(ws.workspaceId, english!.id, ['I want a refund', 'hello?', 'anyone there', 'still waiting', 'hello again', 'please answer']);
    expect(suggested(await ws.gql(SUGGEST, { id: encodeGlobalId('Conversation', old.id) }))).toEqual([]);
    const silent = await insertConversation(ws.workspaceId, english!.id, [{ body: 'How can we help?', direction: 'OUTBOUND' }]);
    expect(suggested(await ws.gql(SUGGEST, { id: encodeGlobalId('Conversation', silent.id) }))).toEqual([]);
    const stopWords = await insertConversation(ws.workspaceId, english!.id, ['?? ... the and of !!', "it's"]);
    expect(suggested(await ws.gql(SUGGEST, { id: encodeGlobalId('Conversation', stopWords.id) }))).toEqual([]);
  });

  it('validates `first` (1–10) and needs knowledge:read', async () => {
    const ws = await createTestWorkspace();
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const conversation = await insertConversation(ws.workspaceId, customer!.id, ['password']);
    const id = encodeGlobalId('Conversation', conversation.id);
    for (const first of [0, 11]) {
      expect((await ws.gql(SUGGEST, { id, first })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'first' });
    }
    expect((await ws.gql(SUGGEST, { id, first: 10 })).errors).toBeUndefined();
    const { graphql } = await import('./helpers/app.ts');
    const noKnowledge = await graphql(SUGGEST, { id }, { apiKey: await ws.createKey(['conversations:read']) });
    expect(noKnowledge.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('loads suggestions for many conversations in one SQL statement (direct loader call)', async () => {
    const [ws, other] = await Promise.all([createTestWorkspace(), createTestWorkspace()]);
    await knowledgeBase(ws.workspaceId);
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const [stranger] = await insertCustomers(other.workspaceId, 1);
    const bodies = ['forgot password', 'shipping status', 'refund please', 'hello', 'password and refund'];
    const conversations = [];
    for (const body of bodies) conversations.push(await insertConversation(ws.workspaceId, customer!.id, [body]));
    const foreign = await insertConversation(other.workspaceId, stranger!.id, ['password']);
    const ids = [...conversations.map((c) => c.id), foreign.id];
    const { prisma } = await testDatabase();
    const { result, tally } = await countQueries(() => suggestArticlesForConversations(prisma, ws.workspaceId, ids, 3));
    expect(tally.statements).toBe(1);
    expect(result.map((hits) => hits.map((h) => h.article.title))).toEqual([
      ['Reset your password'],
      ['Shipping times'],
      ['Refund policy'],
      [],
      expect.arrayContaining(['Reset your password', 'Refund policy']),
      [], // another workspace's conversation
    ]);
    expect(result[4]).toHaveLength(2);
  });

  it('batches across an inbox page: the statement count does not grow with the number of conversations', async () => {
    const ws = await createTestWorkspace();
    await knowledgeBase(ws.workspaceId);
    const [customer] = await insertCustomers(ws.workspaceId, 1);
    const inbox = /* GraphQL */ `{ conversations(first: 20) { edges { node { suggestedArticles { article { title author { name } } } } } } }`;
    const bodies = ['forgot password', 'shipping status', 'refund please', 'password again', 'ship it', 'refund now'];
    const start = Date.now() - 7_200_000;
    // The key's first request also records its last use; keep that out of the comparison.
    await ws.gql(/* GraphQL */ `{ viewer { scopes } }`);
    await insertConversation(ws.workspaceId, customer!.id, [bodies[0]!], start);
    await insertConversation(ws.workspaceId, customer!.id, [bodies[1]!], start + 60_000);
    const small = await ws.gql(inbox);
    expect(small.errors).toBeUndefined();
    for (let i = 2; i < bodies.length; i++) await insertConversation(ws.workspaceId, customer!.id, [bodies[i]!], start + i * 60_000);
    const large = await ws.gql(inbox);
    expect(large.errors).toBeUndefined();
    expect(large.data!.conversations.edges).toHaveLength(6);
    expect(large.data!.conversations.edges.every((e: any) => e.node.suggestedArticles.length === 1)).toBe(true);
    expect(large.statements).toBe(small.statements);
    expect(large.tally.sql.filter((sql) => sql.includes('tsvector_to_array'))).toHaveLength(1);
  });
});
