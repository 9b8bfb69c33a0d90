import { describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { loadConfig, readHttpConfig, StartupError } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace } from './helpers/factories.ts';

/** Production defaults of the HTTP endpoint: field suggestions and CORS. */

async function app(env: Record<string, string>): Promise<App> {
  return createApp({ db: await testDatabase(), logger: createLogger('silent'), http: readHttpConfig(env) });
}

async function post(yoga: App, body: unknown, headers: Record<string, string> = {}) {
  const res = await yoga.fetch('http://cxgraph.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { res, body: (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> } };
}

describe('field suggestions', () => {
  const typos = {
    field: '{ viewer { scopess } }',
    argument: '{ customers(frist: 1) { totalCount } }',
    type: 'query ($f: Tiket) { viewer { scopes } }',
  };

  it('are on by default outside production', async () => {
    expect(readHttpConfig({}).fieldSuggestions).toBe(true);
    const ws = await createTestWorkspace();
    const yoga = await app({});
    const { body } = await post(yoga, { query: typos.field }, { authorization: `Bearer ${ws.apiKey}` });
    expect(body.errors?.[0]?.message).toMatch(/Did you mean "scopes"\?/);
  });

  it('are off with NODE_ENV=production, in validation and in variables, and CXGRAPH_FIELD_SUGGESTIONS overrides', async () => {
    expect(readHttpConfig({ NODE_ENV: 'production' }).fieldSuggestions).toBe(false);
    expect(readHttpConfig({ NODE_ENV: 'production', CXGRAPH_FIELD_SUGGESTIONS: 'true' }).fieldSuggestions).toBe(true);
    expect(readHttpConfig({ CXGRAPH_FIELD_SUGGESTIONS: 'false' }).fieldSuggestions).toBe(false);
    const ws = await createTestWorkspace();
    const auth = { authorization: `Bearer ${ws.apiKey}` };
    const yoga = await app({ NODE_ENV: 'production' });
    for (const [what, query] of Object.entries(typos)) {
      const { body } = await post(yoga, { query }, auth);
      expect(body.errors?.length, what).toBeGreaterThan(0);
      expect(body.errors?.[0]?.extensions?.code, what).toBe('GRAPHQL_VALIDATION_FAILED');
      for (const error of body.errors ?? []) expect(error.message, what).not.toMatch(/Did you mean/);
    }
    // Enum values and input fields in variables are checked at execution.
    const variables = await post(
      yoga,
      { query: 'query ($s: [TicketStatus!]) { tickets(first: 1, filter: { status: $s }) { totalCount } }', variables: { s: ['OPN'] } },
      auth,
    );
    expect(variables.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(variables.body.errors?.[0]?.message).toContain('"OPN"');
    expect(variables.body.errors?.[0]?.message).not.toMatch(/Did you mean/);
    // The same request with suggestions on does suggest, so the assertions above can fail.
    expect((await post(await app({}), { query: typos.argument }, auth)).body.errors?.[0]?.message).toMatch(/Did you mean "first"/);
  });
});

describe('CORS', () => {
  const preflight = (yoga: App, origin: string) =>
    yoga.fetch('http://cxgraph.test/graphql', {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, idempotency-key' },
    });

  it('allows any origin by default, never with credentials', async () => {
    expect(readHttpConfig({}).corsOrigins).toEqual(['*']);
    const yoga = await app({});
    const pre = await preflight(yoga, 'https://inbox.example.com');
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://inbox.example.com');
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/idempotency-key/);
    const { res } = await post(yoga, { query: '{ __typename }' }, { origin: 'https://inbox.example.com' });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://inbox.example.com');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('access-control-expose-headers')).toMatch(/Idempotent-Replayed/);
    expect(res.headers.get('vary')).toMatch(/Origin/);
  });

  it('with CXGRAPH_CORS_ORIGINS answers only the listed origins', async () => {
    const yoga = await app({ CXGRAPH_CORS_ORIGINS: 'https://inbox.example.com, https://portal.example.com' });
    for (const allowed of ['https://inbox.example.com', 'https://portal.example.com']) {
      const pre = await preflight(yoga, allowed);
      expect(pre.headers.get('access-control-allow-origin')).toBe(allowed);
      expect(pre.headers.get('access-control-allow-methods')).toBe('POST');
      const { res } = await post(yoga, { query: '{ __typename }' }, { origin: allowed });
      expect(res.headers.get('access-control-allow-origin')).toBe(allowed);
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    }
    const refused = 'https://evil.example.net';
    const pre = await preflight(yoga, refused);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.headers.get('access-control-allow-methods')).toBeNull();
    expect(pre.headers.get('access-control-allow-headers')).toBeNull();
    const { res, body } = await post(yoga, { query: '{ __typename }' }, { origin: refused });
    // The browser keeps this response from the page: no CORS header at all.
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(body.data?.__typename).toBe('Query');
    // Clients that are not browsers send no Origin and are not affected.
    expect((await post(yoga, { query: '{ __typename }' })).res.status).toBe(200);
  });

  it('with CXGRAPH_CORS_ORIGINS=none allows no origin', async () => {
    const yoga = await app({ CXGRAPH_CORS_ORIGINS: 'none' });
    expect((await preflight(yoga, 'https://inbox.example.com')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it.each([
    [{ CXGRAPH_CORS_ORIGINS: 'inbox.example.com' }, /CXGRAPH_CORS_ORIGINS must be/],
    [{ CXGRAPH_CORS_ORIGINS: 'https://inbox.example.com/app' }, /no path/],
    [{ CXGRAPH_CORS_ORIGINS: 'https://a.example.com,*' }, /CXGRAPH_CORS_ORIGINS must be/],
    [{ CXGRAPH_FIELD_SUGGESTIONS: 'sometimes' }, /CXGRAPH_FIELD_SUGGESTIONS must be true or false/],
    [{ CXGRAPH_IDEMPOTENCY_WAIT_MS: '-1' }, /CXGRAPH_IDEMPOTENCY_WAIT_MS must be a whole number/],
    [{ CXGRAPH_IDEMPOTENCY_TTL_HOURS: '0' }, /CXGRAPH_IDEMPOTENCY_TTL_HOURS must be between 1/],
    [{ CXGRAPH_IDEMPOTENCY_SWEEP_MS: '10' }, /CXGRAPH_IDEMPOTENCY_SWEEP_MS must be 0 \(off\) or between/],
  ])('rejects %j at start-up', (env, message) => {
    expect(() => loadConfig(env)).toThrow(StartupError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
