import { expect } from 'vitest';
import { createTestWorkspace, type TestWorkspace } from '../helpers/factories.ts';
import { encodeGlobalId } from '../../src/schema/global-id.ts';

/**
 * A workspace with some of everything, written through the API (so every row has the audit
 * and outbox events the invariants look for), and the ids and cursors the fuzzer draws from.
 */
export interface FuzzData {
  ws: TestWorkspace;
  /** Global ids of real objects of the workspace, of every kind. */
  ids: string[];
  /** Real cursors of several connections (used on the wrong connection too). */
  cursors: string[];
}

async function ok(ws: TestWorkspace, query: string, variables: Record<string, unknown>, field: string): Promise<any> {
  const res = await ws.gql(query, variables);
  expect(res.errors, `${field}: ${JSON.stringify(res.errors)}`).toBeUndefined();
  const payload = res.data![field];
  expect(payload.__typename, `${field}: ${JSON.stringify(payload)}`).not.toMatch(/Error$/);
  return payload;
}

const M = (name: string, input: string, select: string) => /* GraphQL */ `
  mutation ($input: ${input}!) { ${name}(input: $input) { __typename ... on Error { code message } ${select} } }`;

export async function buildFuzzWorkspace(label: string): Promise<FuzzData> {
  const ws = await createTestWorkspace({ name: `Fuzz ${label}` });
  const ids: string[] = [];
  const org = await ok(ws, M('createOrganization', 'CreateOrganizationInput', '... on OrganizationPayload { organization { id } }'), { input: { name: `Acme ${label}`, domains: [`acme-${label}.test`] } }, 'createOrganization');
  ids.push(org.organization.id);
  const customers: string[] = [];
  for (let i = 0; i < 3; i++) {
    const c = await ok(ws, M('createCustomer', 'CreateCustomerInput', '... on CustomerPayload { customer { id } }'), {
      input: { name: `Customer ${i}`, email: `c${i}-${label}@example.test`, tags: ['vip'], attributes: { plan: 'pro' }, ...(i === 0 ? { organizationId: org.organization.id } : {}) },
    }, 'createCustomer');
    customers.push(c.customer.id);
  }
  ids.push(...customers);
  for (let i = 0; i < 3; i++) {
    const t = await ok(ws, M('createTicket', 'CreateTicketInput', '... on TicketPayload { ticket { id } }'), {
      input: { subject: `Ticket ${i}`, requesterId: customers[i % customers.length], tags: ['billing'], customFields: { order: i } },
    }, 'createTicket');
    ids.push(t.ticket.id);
  }
  for (let i = 0; i < 2; i++) {
    const c = await ok(ws, M('startConversation', 'StartConversationInput', '... on StartConversationPayload { conversation { id } firstMessage { id } }'), {
      input: { channel: 'EMAIL', body: `Hello ${i}`, subject: `Conversation ${i}`, customerId: customers[i] },
    }, 'startConversation');
    ids.push(c.conversation.id, c.firstMessage.id);
  }
  const cat = await ok(ws, M('createArticleCategory', 'CreateArticleCategoryInput', '... on ArticleCategoryPayload { category { id } }'), { input: { name: `Billing ${label}` } }, 'createArticleCategory');
  ids.push(cat.category.id);
  for (let i = 0; i < 2; i++) {
    const a = await ok(ws, M('createArticle', 'CreateArticleInput', '... on ArticlePayload { article { id } }'), {
      input: { title: `Reset your password ${i}`, body: 'Open settings, then security.', categoryId: cat.category.id },
    }, 'createArticle');
    ids.push(a.article.id);
  }
  const lists = await ws.gql(/* GraphQL */ `{
    agents(first: 3) { edges { cursor node { id } } }
    customers(first: 2) { edges { cursor } }
    tickets(first: 2) { edges { cursor } }
    articles(first: 2) { edges { cursor } }
  }`);
  expect(lists.errors).toBeUndefined();
  const d = lists.data!;
  ids.push(...d.agents.edges.map((e: any) => e.node.id));
  const cursors = [d.agents, d.customers, d.tickets, d.articles].flatMap((c: any) => c.edges.map((e: any) => e.cursor));
  ids.push(encodeGlobalId('Workspace', ws.workspaceId));
  return { ws, ids, cursors };
}
