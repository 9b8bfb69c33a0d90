import { describe, expect, it } from 'vitest';
import {
  AgentInboxDocument,
  Customer360Document,
  EscalateConversationDocument,
  KnowledgeBaseSearchDocument,
  TicketDetailDocument,
} from '../src/generated/graphql/graphql.ts';
import { execute } from './helpers/app.ts';
import { createTestWorkspace, type TestWorkspace } from './helpers/factories.ts';

/**
 * The example client operations in schema/operations, run through their generated typed
 * documents against a small but complete story: a customer writes in, a service agent answers,
 * escalates to support, support works the ticket; the knowledge base answers the question.
 * Statement counts are recorded (and must stay flat as pages grow).
 */
async function story(ws: TestWorkspace) {
  const must = async (query: string, variables: Record<string, unknown>, field: string) => {
    const res = await ws.gql(query, variables);
    expect(res.errors).toBeUndefined();
    const result = res.data![field];
    if (result.__typename?.endsWith('Error')) throw new Error(`${field}: ${JSON.stringify(result)}`);
    return result;
  };
  const started = await must(
    /* GraphQL */ `mutation ($input: StartConversationInput!) { startConversation(input: $input) { __typename ... on StartConversationPayload { conversation { id } } ... on Error { message } } }`,
    { input: { channel: 'CHAT', subject: 'Refund for my order', body: 'Hi, I returned my boots but never got a refund.', customer: { email: 'lisa@example.com', name: 'Lisa Simpson' } } },
    'startConversation',
  );
  const conversationId = started.conversation.id;
  await must(
    /* GraphQL */ `mutation ($input: SendMessageInput!) { sendMessage(input: $input) { __typename ... on Error { message } } }`,
    { input: { conversationId, authorKind: 'AGENT', body: 'Sorry about that! Let me get our billing team on it.' } },
    'sendMessage',
  );
  const article = await must(
    /* GraphQL */ `mutation ($input: CreateArticleInput!) { createArticle(input: $input) { __typename ... on ArticlePayload { article { id } } ... on Error { message } } }`,
    { input: { title: 'How refunds work', body: 'Refunds for returned orders are issued within 5 business days.', locale: 'en' } },
    'createArticle',
  );
  await must(
    /* GraphQL */ `mutation ($input: PublishArticleInput!) { publishArticle(input: $input) { __typename ... on Error { message } } }`,
    { input: { id: article.article.id } },
    'publishArticle',
  );
  return { conversationId };
}

describe('example operations (schema/operations)', () => {
  it('EscalateConversation hands the conversation to support with its context', async () => {
    const ws = await createTestWorkspace();
    const { conversationId } = await story(ws);
    const res = await execute(EscalateConversationDocument, { input: { conversationId, note: 'Refund missing, order #1001', priority: 'HIGH' } }, ws.apiKey);
    expect(res.errors).toBeUndefined();
    const result = res.data!.escalateConversation;
    if (result.__typename !== 'EscalateConversationPayload') throw new Error(JSON.stringify(result));
    expect(result.ticket).toMatchObject({ function: 'SUPPORT', priority: 'HIGH', sourceConversation: { id: conversationId }, requester: { name: 'Lisa Simpson' } });
    expect(result.ticket.description).toContain('never got a refund');
    expect(result.ticket.description).toContain('Refund missing, order #1001');
    expect(result.conversation.tickets.edges.map((e) => e.node.number)).toEqual([result.ticket.number]);
    console.info(`EscalateConversation: ${res.statements} SQL statements`);
  });

  it('TicketDetail, Customer360, AgentInbox and KnowledgeBaseSearch return the story', async () => {
    const ws = await createTestWorkspace();
    const { conversationId } = await story(ws);
    const escalated = await execute(EscalateConversationDocument, { input: { conversationId, note: 'Please refund' } }, ws.apiKey);
    const number = (escalated.data!.escalateConversation as { ticket: { number: number } }).ticket.number;

    const detail = await execute(TicketDetailDocument, { number }, ws.apiKey);
    expect(detail.errors).toBeUndefined();
    expect(detail.data!.ticket).toMatchObject({ number, status: 'NEW', requester: { email: 'lisa@example.com' }, sourceConversation: { id: conversationId } });
    expect(detail.data!.ticket!.history.edges.map((e) => e.node.kind)).toContain('ESCALATED_FROM_CONVERSATION');

    const customerId = detail.data!.ticket!.requester.id;
    const c360 = await execute(Customer360Document, { id: customerId }, ws.apiKey);
    expect(c360.errors).toBeUndefined();
    const customer = c360.data!.customer!;
    expect(customer.tickets.totalCount).toBe(1);
    expect(customer.conversations.totalCount).toBe(1);
    const kinds = customer.timeline.edges.map((e) => e.node.kind);
    expect(kinds).toEqual(expect.arrayContaining(['CONVERSATION', 'MESSAGE', 'TICKET', 'TICKET_EVENT']));

    const inbox = await execute(AgentInboxDocument, { first: 25 }, ws.apiKey);
    expect(inbox.errors).toBeUndefined();
    const row = inbox.data!.conversations.edges[0]!.node;
    expect(row.customer.email).toBe('lisa@example.com');
    expect(row.suggestedArticles.map((s) => s.article.title)).toEqual(['How refunds work']);

    const kb = await execute(KnowledgeBaseSearchDocument, { query: 'refund returned order', locale: 'en' }, ws.apiKey);
    expect(kb.errors).toBeUndefined();
    expect(kb.data!.searchArticles.edges[0]!.node.snippet).toMatch(/<mark>/);

    console.info(
      `statements — TicketDetail: ${detail.statements}, Customer360: ${c360.statements}, AgentInbox: ${inbox.statements}, KnowledgeBaseSearch: ${kb.statements}`,
    );
  });

  it('AgentInbox costs the same statements for 2 and 20 conversations', async () => {
    const ws = await createTestWorkspace();
    for (let i = 0; i < 20; i++) {
      await ws.gql(
        /* GraphQL */ `mutation ($input: StartConversationInput!) { startConversation(input: $input) { __typename } }`,
        { input: { channel: 'EMAIL', body: `Question ${i} about my invoice`, customer: { email: `c${i}@example.com` } } },
      );
    }
    await execute(AgentInboxDocument, { first: 1 }, ws.apiKey);
    const small = await execute(AgentInboxDocument, { first: 2 }, ws.apiKey);
    const large = await execute(AgentInboxDocument, { first: 20 }, ws.apiKey);
    expect(large.data!.conversations.edges).toHaveLength(20);
    expect(large.statements).toBe(small.statements);
  });
});
