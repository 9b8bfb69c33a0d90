import { describe, expect, test } from 'vitest';
import { createApp } from '../src/app.ts';
import { DEFAULT_INPUT_CONFIG } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { testApp } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers } from './helpers/factories.ts';
import { CREATE, gid } from './helpers/tickets.ts';

/** Deep JSON as text: JSON.stringify itself cannot serialize 10,000 levels. */
const deepJson = (levels: number, leaf = '1') => '{"a":'.repeat(levels) + leaf + '}'.repeat(levels);

async function post(body: BodyInit, apiKey: string, headers: Record<string, string> = {}) {
  const yoga = await testApp();
  const res = await yoga.fetch('http://cxgraph.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${apiKey}`, ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> } };
}

async function ticketCount(workspaceId: string) {
  const { prisma } = await testDatabase();
  return prisma.ticket.count({ where: { workspaceId } });
}

describe('strings: NUL and lone surrogates', () => {
  test('in a variable nested in an input object, a list, or an inline literal: BAD_USER_INPUT naming the argument, nothing written', async () => {
    const ws = await createTestWorkspace();
    const requesterId = gid('Customer', (await insertCustomers(ws.workspaceId, 1))[0]!.id);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ subject: 'Printer\u0000 on fire', requesterId }, 'input.subject'],
      [{ subject: 'Printer \ud800 on fire', requesterId }, 'input.subject'],
      [{ subject: 'ok', requesterId, tags: ['fine', 'bad\udc00'] }, 'input.tags.1'],
      [{ subject: 'ok', requesterId, customFields: { 'key\u0000': 1 } }, 'input.customFields'],
      [{ subject: 'ok', requesterId, customFields: { nested: [{ deep: 'x\ud83d' }] } }, 'input.customFields'],
    ];
    for (const [input, argument] of cases) {
      const res = await ws.gql(CREATE, { input });
      expect(res.errors?.[0]?.extensions, argument).toMatchObject({ code: 'BAD_USER_INPUT', argument });
      expect(res.errors![0]!.message).toContain(`"${argument}"`);
      expect(res.data ?? null).toBeNull();
    }
    expect(await ticketCount(ws.workspaceId)).toBe(0);

    const inline = await ws.gql(/* GraphQL */ `{ customer(email: "a\\u0000b@example.test") { id } }`);
    expect(inline.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'email' });
    const search = await ws.gql(/* GraphQL */ `query ($q: String!) { search(query: $q, first: 5) { __typename } }`, { q: '\u0000' });
    expect(search.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'query' });
  });

  test('valid surrogate pairs, emoji, RTL marks, combining marks and a BOM pass through unchanged', async () => {
    const ws = await createTestWorkspace();
    const requesterId = gid('Customer', (await insertCustomers(ws.workspaceId, 1))[0]!.id);
    const subject = '\ufeffPrinter 🔥 \u202eon fire\u202c e\u0301 𝄞';
    const res = await ws.gql(CREATE, { input: { subject, requesterId, tags: ['🙂'], customFields: { '名前': 'שלום' } } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.createTicket.ticket).toMatchObject({ subject: subject.trim(), tags: ['🙂'], customFields: { '名前': 'שלום' } });
  });
});

describe('JSON arguments: depth and size', () => {
  test(`nested ${DEFAULT_INPUT_CONFIG.maxJsonDepth} levels is accepted, one more is BAD_USER_INPUT; 10,000 levels never overflows`, async () => {
    const ws = await createTestWorkspace();
    const requesterId = gid('Customer', (await insertCustomers(ws.workspaceId, 1))[0]!.id);
    const body = (levels: number) =>
      `{"query":${JSON.stringify(CREATE)},"variables":{"input":{"subject":"deep","requesterId":"${requesterId}","customFields":${deepJson(levels)}}}}`;
    const ok = await post(body(DEFAULT_INPUT_CONFIG.maxJsonDepth), ws.apiKey);
    expect(ok.json.errors).toBeUndefined();
    expect(ok.json.data.createTicket.__typename).toBe('TicketPayload');
    for (const levels of [DEFAULT_INPUT_CONFIG.maxJsonDepth + 1, 10_000]) {
      const res = await post(body(levels), ws.apiKey);
      expect(res.status).toBe(200);
      expect(res.json.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.customFields' });
      expect(res.json.errors![0]!.message).toContain(`more than ${DEFAULT_INPUT_CONFIG.maxJsonDepth} levels`);
    }
    // The same bound for a JSON literal written in the document.
    const literal = deepJson(40).replaceAll('"a"', 'a');
    const inline = await ws.gql(/* GraphQL */ `mutation { createTicket(input: { subject: "x", requesterId: "${requesterId}", customFields: ${literal} }) { __typename } }`);
    expect(inline.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.customFields' });
    expect(await ticketCount(ws.workspaceId)).toBe(1);
  });

  test('a document nested too deeply for the parser (a 10,000-level inline literal) is GRAPHQL_PARSE_FAILED, not a stack overflow', async () => {
    const ws = await createTestWorkspace();
    const literal = '{a:'.repeat(10_000) + '1' + '}'.repeat(10_000);
    const res = await ws.gql(/* GraphQL */ `mutation { createCustomer(input: { name: "x", attributes: ${literal} }) { __typename } }`);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_PARSE_FAILED' });
    expect(res.errors![0]!.message).toMatch(/nested too deeply/);
  });

  test('a JSON argument over the size limit is BAD_USER_INPUT naming it', async () => {
    const ws = await createTestWorkspace();
    const res = await ws.gql(/* GraphQL */ `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { __typename } }`, {
      input: { name: 'Big', email: 'big@example.test', attributes: { blob: 'x'.repeat(DEFAULT_INPUT_CONFIG.maxJsonBytes) } },
    });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.attributes' });
    expect(res.errors![0]!.message).toContain(`limit of ${DEFAULT_INPUT_CONFIG.maxJsonBytes}`);
  });
});

describe('request bodies', () => {
  test('over the limit: 413 from Content-Length at once, and from a stream without one before it is read whole', async () => {
    const ws = await createTestWorkspace();
    const padding = 'x'.repeat(DEFAULT_INPUT_CONFIG.maxBodyBytes);
    const big = JSON.stringify({ query: '{ __typename }', variables: { padding } });
    const declared = await post(big, ws.apiKey, { 'content-length': String(Buffer.byteLength(big)) });
    expect(declared.status).toBe(413);
    expect(declared.json.errors?.[0]?.extensions).toMatchObject({ code: 'REQUEST_ENTITY_TOO_LARGE' });

    // A chunked body of 10 MB with no Content-Length: refused after about the limit.
    let pulled = 0;
    const chunk = new TextEncoder().encode(`{"query":"{ __typename }","variables":{"padding":"${'y'.repeat(64 * 1024)}`);
    const filler = new TextEncoder().encode('y'.repeat(64 * 1024));
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = pulled === 0 ? chunk : filler;
        pulled += next.byteLength;
        if (pulled > 10 * 1024 * 1024) controller.close();
        else controller.enqueue(next);
      },
    });
    const streamed = await post(stream, ws.apiKey);
    expect(streamed.status).toBe(413);
    expect(streamed.json.errors?.[0]?.extensions).toMatchObject({ code: 'REQUEST_ENTITY_TOO_LARGE' });
    expect(pulled).toBeLessThan(DEFAULT_INPUT_CONFIG.maxBodyBytes * 2);

    const small = await post(JSON.stringify({ query: '{ __typename }' }), ws.apiKey);
    expect(small.json.data).toEqual({ __typename: 'Query' });
    expect(small.json.errors).toBeUndefined();
  });

  test('the limit is configurable', async () => {
    const ws = await createTestWorkspace();
    const app = createApp({ db: await testDatabase(), logger: createLogger('silent'), input: { ...DEFAULT_INPUT_CONFIG, maxBodyBytes: 2_048 } });
    const send = (body: string) =>
      app.fetch('http://cxgraph.test/graphql', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ws.apiKey}` }, body });
    expect((await send(JSON.stringify({ query: '{ __typename }', variables: { p: 'x'.repeat(1_000) } }))).status).toBe(200);
    expect((await send(JSON.stringify({ query: '{ __typename }', variables: { p: 'x'.repeat(3_000) } }))).status).toBe(413);
  });

  test('malformed JSON and malformed GraphQL-over-HTTP requests: 400 BAD_REQUEST, no originalError or stack', async () => {
    const ws = await createTestWorkspace();
    const bodies = ['{"query": ', 'not json', '"a string"', 'null', '{"query": 5}', '{"query": "{ __typename }", "variables": 3}', '[{"query": "{ __typename }"}]'];
    for (const accept of ['application/json', 'application/graphql-response+json']) {
      for (const body of bodies) {
        const res = await post(body, ws.apiKey, { accept });
        expect(res.status, body).toBe(400);
        expect(res.json.errors?.[0]?.extensions, body).toEqual({ code: 'BAD_REQUEST' });
        expect(res.text).not.toMatch(/originalError|stack|SyntaxError|at \w+ \(/);
      }
    }
  });
});
