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
  // Named slots, listed in name order at the end: the same seed picks the same kind of object every run.
  const named: Record<string, string> = {};
  const org = await ok(ws, M('createOrganization', 'CreateOrganizationInput', '... on OrganizationPayload { organization { id } }'), { input: { name: `Acme ${label}`, domains: [`acme-${label}.test`] } }, 'createOrganization');
  named.organization = org.organization.id;
  const customers = await Promise.all([0, 1, 2].map(async (i) => {
    const c = await ok(ws, M('createCustomer', 'CreateCustomerInput', '... on CustomerPayload { customer { id } }'), {
      input: { name: `Customer ${i}`, email: `c${i}-${label}@example.test`, tags: ['vip'], attributes: { plan: 'pro' }, ...(i === 0 ? { organizationId: org.organization.id } : {}) },
    }, 'createCustomer');
    return c.customer.id as string;
  }));
  customers.forEach((id, i) => (named[`customer${i}`] = id));
  await Promise.all([0, 1, 2].map(async (i) => {
    const t = await ok(ws, M('createTicket', 'CreateTicketInput', '... on TicketPayload { ticket { id } }'), {
      input: { subject: `Ticket ${i}`, requesterId: customers[i % customers.length], tags: ['billing'], customFields: { order: i } },
    }, 'createTicket');
    named[`ticket${i}`] = t.ticket.id;
  }));
  await Promise.all([0, 1].map(async (i) => {
    const c = await ok(ws, M('startConversation', 'StartConversationInput', '... on StartConversationPayload { conversation { id } firstMessage { id } }'), {
      input: { channel: 'EMAIL', body: `Hello ${i}`, subject: `Conversation ${i}`, customerId: customers[i] },
    }, 'startConversation');
    named[`conversation${i}`] = c.conversation.id;
    named[`message${i}`] = c.firstMessage.id;
  }));
  const cat = await ok(ws, M('createArticleCategory', 'CreateArticleCategoryInput', '... on ArticleCategoryPayload { category { id } }'), { input: { name: `Billing ${label}` } }, 'createArticleCategory');
  named.category = cat.category.id;
  await Promise.all([0, 1].map(async (i) => {
    const a = await ok(ws, M('createArticle', 'CreateArticleInput', '... on ArticlePayload { article { id } }'), {
      input: { title: `Reset your password ${i}`, body: 'Open settings, then security.', categoryId: cat.category.id },
    }, 'createArticle');
    named[`article${i}`] = a.article.id;
  }));
  const calendar = await ok(ws, M('createBusinessCalendar', 'CreateBusinessCalendarInput', '... on BusinessCalendarPayload { calendar { id } }'), {
    input: { name: `Office ${label}`, timeZone: 'Europe/Berlin', hours: [1, 2, 3, 4, 5].map((dayOfWeek) => ({ dayOfWeek, startMinute: 540, endMinute: 1020 })) },
  }, 'createBusinessCalendar');
  const policy = await ok(ws, M('createSlaPolicy', 'CreateSlaPolicyInput', '... on SlaPolicyPayload { policy { id } }'), {
    input: { name: `Standard ${label}`, calendarId: calendar.calendar.id, targets: [{ kind: 'FIRST_RESPONSE', priority: 'NORMAL', minutes: 60, businessHours: true }] },
  }, 'createSlaPolicy');
  // A second key, so revokeApiKey has a real target that is not the fuzzer's own key.
  const key = await ok(ws, M('createApiKey', 'CreateApiKeyInput', '... on CreateApiKeyPayload { apiKey { id } }'), { input: { name: 'spare', scopes: ['tickets:read'] } }, 'createApiKey');
  Object.assign(named, { calendar: calendar.calendar.id, policy: policy.policy.id, apiKey: key.apiKey.id });
  const lists = await ws.gql(/* GraphQL */ `{
    agents(first: 3) { edges { cursor node { id } } }
    customers(first: 2) { edges { cursor } }
    tickets(first: 2) { edges { cursor } }
    articles(first: 2) { edges { cursor } }
  }`);
  expect(lists.errors).toBeUndefined();
  const d = lists.data!;
  d.agents.edges.forEach((e: any, i: number) => (named[`agent${i}`] = e.node.id));
  const cursors = [d.agents, d.customers, d.tickets, d.articles].flatMap((c: any) => c.edges.map((e: any) => e.cursor));
  named.workspace = encodeGlobalId('Workspace', ws.workspaceId);
  const ids = Object.keys(named).sort().map((k) => named[k]!);
  return { ws, ids, cursors };
}
