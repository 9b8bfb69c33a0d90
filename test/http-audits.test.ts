import { serverAudits } from 'graphql-http';
import { describe, expect, it } from 'vitest';
import { testApp } from './helpers/app.ts';

/**
 * GraphQL over HTTP conformance: graphql-http's audits (every MUST and SHOULD) against the app,
 * in memory. A "warn" is a failed SHOULD and fails the test like an "error" (a failed MUST).
 */
const audits = serverAudits({
  url: 'http://cxgraph.test/graphql',
  fetchFn: async (input: string, init?: RequestInit) => (await testApp()).fetch(new URL(input), init ?? {}),
});

describe('GraphQL over HTTP audits', () => {
  it.each(audits.map((audit) => [audit.name, audit] as const))('%s', async (_name, audit) => {
    const result = await audit.fn();
    if (result.status !== 'ok') {
      const body = result.response ? await result.response.clone().text().catch(() => '') : '';
      expect.fail(`${result.status}: ${result.reason}\n${body.slice(0, 500)}`);
    }
  });
});
