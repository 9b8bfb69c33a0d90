import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { graphql } from './helpers/app.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';

/**
 * Metrics of tickets and conversations written only through the mutations, so the timestamps
 * and counters the services keep (first response, first and latest solve, reopens, public agent
 * replies, bot handoff, merges) are what the metrics read. The clock is set before each
 * mutation (only `Date` is faked), so every duration below is worked out by hand. Times UTC,
 * March 2026.
 *
 * Tickets (A = the agent's key, I = an integration key acting as no agent, C = the customer):
 *   L1 created by A Mon 03-02 09:00 (agent-created)
 *      09:05 I public reply (not a human agent) · 09:10 A internal note · 09:30 A public reply (first response: 1800)
 *      10:00 A solves (first solve: 3600) · 11:00 C comments (a reopen) · 11:20 A reply · 12:00 A solves again (latest: 10800)
 *      wait for a next reply: 11:00 → 11:20 = 1200 · 2 public agent replies and a reopen: not first-contact resolved
 *   L2 created by I Mon 03-02 13:00 (an integration's inbound ticket)
 *      13:10 I public reply (bot-only: no first response) · 14:00 I solves (3600) · 0 human replies, no reopen: first-contact resolved
 *   L3 created by A Tue 03-03 09:00, no reply of its own yet; stays open
 *   L4 created by I Tue 03-03 09:20 · 09:25 A reply (would be 300) · 09:40 L4 merged into L3 (a duplicate: never
 *      counts; its comments move to L3) · then on L3: 10:00 C comments · 10:30 A reply
 *
 * Conversations (C customer, B bot, A agent):
 *   M1 Mon 03-02 09:00 C starts (CHAT) · 09:03 B hands off · 09:04 A internal note · 09:10 A reply
 *      (first response: 600 from the customer, 420 from the handoff)
 *   M2 Tue 03-03 09:00 C starts (EMAIL) · 09:02 B only: no human reply yet, excluded (not 0)
 *
 * Expected (range March):
 *   ticket_first_response_time     L1 1800 (03-02); 03-03 has one sample, L3 (L4 merged away) — its value: see the last test
 *   ticket_first_resolution_time   L1 3600, L2 3600 → 3600
 *   ticket_full_resolution_time    L1 10800, L2 3600 → mean 7200
 *   first_contact_resolution_rate  L1 ✗, L2 ✓ → 50 % · reopen_rate L1 ✓, L2 ✗ → 50 %
 *   tickets_solved                 L1 (once, though solved twice), L2 → 2
 *   ticket_volume                  L1, L2, L3 → 3
 *   ticket_next_reply_time         L1 1200 (03-02)
 *   ticket_backlog (at 04-01)      L3 → 1
 *   conversation_first_response_time  M1 600; from the bot handoff: M1 420 · conversation_volume 2
 *
 * Each mutation costs a few hundred milliseconds on the embedded database, so the story is kept
 * short; the services' own bookkeeping is tested in tickets-comments.test.ts and conversations.test.ts.
 */

const MARCH = { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' };

afterEach(() => {
  vi.useRealTimers();
});

type Gql = TestWorkspace['gql'];

/** Runs a mutation with the clock set to `at`, and returns its payload (failing on an error result). */
async function at(iso: string, gql: Gql, mutation: string, input: Record<string, unknown>) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(iso));
  try {
    const res = await gql(mutation, { input });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const payload = Object.values(res.data!)[0] as Record<string, any>;
    expect(payload.__typename, JSON.stringify(payload)).toMatch(/Payload$/);
    return payload;
  } finally {
    vi.useRealTimers();
  }
}

const CREATE_TICKET = /* GraphQL */ `mutation ($input: CreateTicketInput!) { createTicket(input: $input) { __typename ... on TicketPayload { ticket { id } } ... on Error { message } } }`;
const UPDATE_TICKET = /* GraphQL */ `mutation ($input: UpdateTicketInput!) { updateTicket(input: $input) { __typename ... on Error { message } } }`;
const COMMENT = /* GraphQL */ `mutation ($input: AddTicketCommentInput!) { addTicketComment(input: $input) { __typename ... on AddTicketCommentPayload { comment { authorKind } } ... on Error { message } } }`;
const MERGE = /* GraphQL */ `mutation ($input: MergeTicketsInput!) { mergeTickets(input: $input) { __typename ... on Error { message } } }`;
const START = /* GraphQL */ `mutation ($input: StartConversationInput!) { startConversation(input: $input) { __typename ... on StartConversationPayload { conversation { id } } ... on Error { message } } }`;
const SEND = /* GraphQL */ `mutation ($input: SendMessageInput!) { sendMessage(input: $input) { __typename ... on Error { message } } }`;

async function build() {
  const ws = await createTestWorkspace();
  const integrationKey = await ws.createKey(['*'], { agentId: null });
  const agent: Gql = ws.gql;
  const integration: Gql = (query, variables) => graphql(query, variables, { apiKey: integrationKey });
  const [customer] = await insertCustomers(ws.workspaceId, 1);
  const requesterId = encodeGlobalId('Customer', customer!.id);
  const day = (d: string, time: string) => `2026-03-${d}T${time}:00Z`;

  const ticket = async (iso: string, gql: Gql) => (await at(iso, gql, CREATE_TICKET, { subject: 'x', requesterId })).ticket.id as string;
  const reply = (iso: string, gql: Gql, ticketId: string, extra: Record<string, unknown> = {}) => at(iso, gql, COMMENT, { ticketId, body: 'x', ...extra });
  const status = (iso: string, gql: Gql, id: string, s: string) => at(iso, gql, UPDATE_TICKET, { id, status: s });

  const l1 = await ticket(day('02', '09:00'), agent);
  expect((await reply(day('02', '09:05'), integration, l1)).comment.authorKind).toBe('API_KEY');
  await reply(day('02', '09:10'), agent, l1, { isPublic: false });
  await reply(day('02', '09:30'), agent, l1);
  await status(day('02', '10:00'), agent, l1, 'SOLVED');
  await reply(day('02', '11:00'), agent, l1, { authorCustomerId: requesterId });
  await reply(day('02', '11:20'), agent, l1);
  await status(day('02', '12:00'), agent, l1, 'SOLVED');

  const l2 = await ticket(day('02', '13:00'), integration);
  await reply(day('02', '13:10'), integration, l2);
  await status(day('02', '14:00'), integration, l2, 'SOLVED');

  const l3 = await ticket(day('03', '09:00'), agent);
  const l4 = await ticket(day('03', '09:20'), integration);
  await reply(day('03', '09:25'), agent, l4);
  await at(day('03', '09:40'), agent, MERGE, { sourceId: l4, targetId: l3 });
  await reply(day('03', '10:00'), agent, l3, { authorCustomerId: requesterId });
  await reply(day('03', '10:30'), agent, l3);

  const start = async (iso: string, channel: string) => (await at(iso, agent, START, { customerId: requesterId, channel, body: 'help' })).conversation.id as string;
  const send = (iso: string, conversationId: string, authorKind: string, extra: Record<string, unknown> = {}) =>
    at(iso, agent, SEND, { conversationId, authorKind, body: 'x', ...(authorKind === 'BOT' ? { authorName: 'Bot' } : {}), ...extra });
  const m1 = await start(day('02', '09:00'), 'CHAT');
  await send(day('02', '09:03'), m1, 'BOT', { handoff: true });
  await send(day('02', '09:04'), m1, 'AGENT', { isInternalNote: true });
  await send(day('02', '09:10'), m1, 'AGENT');
  const m2 = await start(day('03', '09:00'), 'EMAIL');
  await send(day('03', '09:02'), m2, 'BOT');
  return ws;
}

let shared: Promise<TestWorkspace> | undefined;
const fixture = () => (shared ??= build());

async function batch(ws: TestWorkspace, inputs: Record<string, Record<string, unknown>>) {
  const aliases = Object.keys(inputs);
  const query = `query (${aliases.map((a) => `$${a}: MetricInput!`).join(', ')}) { ${aliases.map((a) => `${a}: metric(input: $${a}) { value sampleSize }`).join(' ')} }`;
  const res = await ws.gql(query, Object.fromEntries(aliases.map((a) => [a, { ...MARCH, ...inputs[a] }])));
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data as Record<string, { value: number | null; sampleSize: number }>;
}

describe('metrics of tickets and conversations written through the API (hand-computed)', () => {
  it('tickets: agent-created, integration-only replies, internal notes, a reopen and second solve, a merge', async () => {
    const ws = await fixture();
    const monday = { from: '2026-03-02T00:00:00Z', to: '2026-03-03T00:00:00Z' };
    const tuesday = { from: '2026-03-03T00:00:00Z', to: '2026-03-04T00:00:00Z' };
    const data = await batch(ws, {
      frt: { key: 'ticket_first_response_time', ...monday },
      frtTuesday: { key: 'ticket_first_response_time', statistic: 'COUNT', ...tuesday },
      firstResolution: { key: 'ticket_first_resolution_time' },
      fullResolution: { key: 'ticket_full_resolution_time', statistic: 'MEAN' },
      fcr: { key: 'first_contact_resolution_rate' },
      reopen: { key: 'reopen_rate' },
      solved: { key: 'tickets_solved' },
      volume: { key: 'ticket_volume' },
      nextReply: { key: 'ticket_next_reply_time', ...monday },
      backlog: { key: 'ticket_backlog' },
    });
    expect(data).toEqual({
      frt: { value: 1800, sampleSize: 1 }, // L1 (L2 has no human reply: excluded, not 0)
      frtTuesday: { value: 1, sampleSize: 1 }, // L3; L4's 300 is merged away
      firstResolution: { value: 3600, sampleSize: 2 }, // L1 3600, L2 3600
      fullResolution: { value: 7200, sampleSize: 2 }, // (10800 + 3600) / 2
      fcr: { value: 50, sampleSize: 2 }, // L2 only
      reopen: { value: 50, sampleSize: 2 }, // L1 only
      solved: { value: 2, sampleSize: 2 }, // L1 counts once
      volume: { value: 3, sampleSize: 3 }, // L4 merged away
      nextReply: { value: 1200, sampleSize: 1 }, // L1: 11:00 → 11:20 (the integration's 09:05 comment is no agent reply)
      backlog: { value: 1, sampleSize: 1 }, // L3
    });
  });

  it('tickets: the first solve and the latest solve land on their own days', async () => {
    const ws = await fixture();
    // Resolution times are attributed to creation (L1 and L2 on 03-02); solves, first-contact
    // resolution and reopens to the first solve (L1 10:00, L2 14:00). From 03-02 11:00 on, only L2
    // (✓ first contact, not reopened) counts: L1's second solve at 12:00 is not a first solve.
    const afterL1 = { from: '2026-03-02T11:00:00Z', to: '2026-04-01T00:00:00Z' };
    const data = await batch(ws, {
      created: { key: 'ticket_full_resolution_time', statistic: 'COUNT', from: '2026-03-02T00:00:00Z', to: '2026-03-03T00:00:00Z' },
      solvedLater: { key: 'tickets_solved', ...afterL1 },
      fcrLater: { key: 'first_contact_resolution_rate', ...afterL1 },
      reopenLater: { key: 'reopen_rate', ...afterL1 },
      nothing: { key: 'ticket_first_resolution_time', from: '2026-03-04T00:00:00Z', to: '2026-04-01T00:00:00Z' },
    });
    expect(data).toEqual({
      created: { value: 2, sampleSize: 2 },
      solvedLater: { value: 1, sampleSize: 1 },
      fcrLater: { value: 100, sampleSize: 1 },
      reopenLater: { value: 0, sampleSize: 1 },
      nothing: { value: null, sampleSize: 0 },
    });
  });

  it('conversations: bot replies and internal notes are no response; the handoff clock; bot-only conversations are excluded', async () => {
    const ws = await fixture();
    const data = await batch(ws, {
      frt: { key: 'conversation_first_response_time', statistic: 'MEAN' },
      handoff: { key: 'conversation_first_response_time', firstResponseFrom: 'BOT_HANDOFF' },
      volume: { key: 'conversation_volume' },
      botOnlyDay: { key: 'conversation_first_response_time', from: '2026-03-03T00:00:00Z', to: '2026-03-04T00:00:00Z' }, // M2 alone
    });
    expect(data).toEqual({
      frt: { value: 600, sampleSize: 1 }, // M1: 09:00 → 09:10 (the bot and the note are no response)
      handoff: { value: 420, sampleSize: 1 }, // M1: 09:03 → 09:10
      volume: { value: 2, sampleSize: 2 },
      botOnlyDay: { value: null, sampleSize: 0 },
    });
  });

  // mergeTickets moves the duplicate's comments to the target, and the target's reply counters
  // follow its whole thread, as its reply waits do. L3's thread after the merge is A 09:25 (moved
  // from L4) · C 10:00 · A 10:30: first response 09:25 − 09:00 = 1500, a next reply 10:00 → 10:30 =
  // 1800, two public agent replies. (Before, firstResponseAt stayed 10:30: first response 5400 AND
  // a next reply 1800 — the 10:30 reply counted twice.)
  it('a merge keeps first response and next reply consistent for the target', async () => {
    const ws = await fixture();
    const tuesday = { from: '2026-03-03T00:00:00Z', to: '2026-03-04T00:00:00Z' };
    const data = await batch(ws, {
      frt: { key: 'ticket_first_response_time', ...tuesday },
      nextReply: { key: 'ticket_next_reply_time', ...tuesday },
    });
    expect(data).toEqual({ frt: { value: 1500, sampleSize: 1 }, nextReply: { value: 1800, sampleSize: 1 } });
  });
});
