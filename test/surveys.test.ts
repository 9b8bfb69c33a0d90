import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { graphql } from './helpers/app.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers } from './helpers/factories.ts';

const SEND = /* GraphQL */ `
  mutation ($input: SendSurveyInput!) {
    sendSurvey(input: $input) {
      __typename
      ... on SurveyResponsePayload { surveyResponse { id kind score comment sentAt respondedAt customer { id } conversation { id } ticket { id } } }
      ... on Error { code message field }
    }
  }
`;
const SUBMIT = /* GraphQL */ `
  mutation ($input: SubmitSurveyResponseInput!) {
    submitSurveyResponse(input: $input) {
      __typename
      ... on SurveyResponsePayload { surveyResponse { id kind score comment sentAt respondedAt customer { id } conversation { id } ticket { id } } }
      ... on Error { code message field }
    }
  }
`;

const gid = (type: string, id: string) => encodeGlobalId(type, id);

async function fixtures(workspaceId: string) {
  const { prisma } = await testDatabase();
  const [customer, someoneElse] = await insertCustomers(workspaceId, 2);
  const conversation = await prisma.conversation.create({ data: { id: uuidv7(), workspaceId, customerId: customer!.id, channel: 'EMAIL' } });
  const otherConversation = await prisma.conversation.create({ data: { id: uuidv7(), workspaceId, customerId: someoneElse!.id, channel: 'CHAT' } });
  const ticket = await prisma.ticket.create({ data: { id: uuidv7(), workspaceId, number: 1, subject: 'Broken', requesterId: customer!.id } });
  const otherTicket = await prisma.ticket.create({ data: { id: uuidv7(), workspaceId, number: 2, subject: 'Other', requesterId: someoneElse!.id } });
  return {
    customerId: gid('Customer', customer!.id),
    someoneElseId: gid('Customer', someoneElse!.id),
    conversationId: gid('Conversation', conversation.id),
    otherConversationId: gid('Conversation', otherConversation.id),
    ticketId: gid('Ticket', ticket.id),
    otherTicketId: gid('Ticket', otherTicket.id),
  };
}

describe('sendSurvey / submitSurveyResponse', () => {
  it('records a sent survey unanswered, then its answer once', async () => {
    const ws = await createTestWorkspace();
    const f = await fixtures(ws.workspaceId);
    const sent = await ws.gql(SEND, { input: { kind: 'CSAT', customerId: f.customerId, conversationId: f.conversationId, ticketId: f.ticketId } });
    const survey = sent.data!.sendSurvey.surveyResponse;
    expect(survey).toMatchObject({
      kind: 'CSAT',
      score: null,
      comment: null,
      respondedAt: null,
      customer: { id: f.customerId },
      conversation: { id: f.conversationId },
      ticket: { id: f.ticketId },
    });
    const answered = await ws.gql(SUBMIT, { input: { surveyId: survey.id, score: 4, comment: '  Quick and kind  ' } });
    expect(answered.data!.submitSurveyResponse.surveyResponse).toMatchObject({ id: survey.id, score: 4, comment: 'Quick and kind', sentAt: survey.sentAt });
    expect(answered.data!.submitSurveyResponse.surveyResponse.respondedAt).toBeTruthy();
    const again = await ws.gql(SUBMIT, { input: { surveyId: survey.id, score: 5 } });
    expect(again.data!.submitSurveyResponse).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE', field: 'input.surveyId' });
    const { prisma } = await testDatabase();
    const row = await prisma.surveyResponse.findFirstOrThrow({ where: { workspaceId: ws.workspaceId } });
    expect(row.score).toBe(4);
  });

  it('lets exactly one of two simultaneous answers win', async () => {
    const ws = await createTestWorkspace();
    const f = await fixtures(ws.workspaceId);
    const survey = (await ws.gql(SEND, { input: { kind: 'NPS', customerId: f.customerId } })).data!.sendSurvey.surveyResponse;
    const results = await Promise.all([9, 3].map((score) => ws.gql(SUBMIT, { input: { surveyId: survey.id, score } })));
    expect(results.map((r) => r.data!.submitSurveyResponse.__typename).sort()).toEqual(['InvalidStateError', 'SurveyResponsePayload']);
  });

  it('records unsolicited feedback already answered', async () => {
    const ws = await createTestWorkspace();
    const f = await fixtures(ws.workspaceId);
    const res = await ws.gql(SUBMIT, { input: { kind: 'CES', customerId: f.customerId, ticketId: f.ticketId, score: 2 } });
    const response = res.data!.submitSurveyResponse.surveyResponse;
    expect(response).toMatchObject({ kind: 'CES', score: 2, ticket: { id: f.ticketId }, conversation: null });
    expect(response.respondedAt).toBe(response.sentAt);
  });

  const boundaries: Array<[string, number, boolean]> = [
    ['CSAT', 0, false], ['CSAT', 1, true], ['CSAT', 5, true], ['CSAT', 6, false],
    ['NPS', -1, false], ['NPS', 0, true], ['NPS', 10, true], ['NPS', 11, false],
    ['CES', 0, false], ['CES', 1, true], ['CES', 7, true], ['CES', 8, false],
  ];

  it.each(boundaries)('%s score %i: accepted = %s (unsolicited and as an answer)', async (kind, score, accepted) => {
    const ws = await createTestWorkspace();
    const f = await fixtures(ws.workspaceId);
    const unsolicited = await ws.gql(SUBMIT, { input: { kind, customerId: f.customerId, score } });
    const survey = (await ws.gql(SEND, { input: { kind, customerId: f.customerId } })).data!.sendSurvey.surveyResponse;
    const answer = await ws.gql(SUBMIT, { input: { surveyId: survey.id, score } });
    for (const res of [unsolicited, answer]) {
      if (accepted) expect(res.data!.submitSurveyResponse).toMatchObject({ __typename: 'SurveyResponsePayload', surveyResponse: { score, kind } });
      else expect(res.data!.submitSurveyResponse).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION', field: 'input.score' });
    }
    const { prisma } = await testDatabase();
    expect(await prisma.surveyResponse.count({ where: { workspaceId: ws.workspaceId, respondedAt: { not: null } } })).toBe(accepted ? 2 : 0);
  });

  it('returns typed errors for inconsistent input and references', async () => {
    const ws = await createTestWorkspace();
    const other = await createTestWorkspace();
    const f = await fixtures(ws.workspaceId);
    const theirs = await fixtures(other.workspaceId);
    const survey = (await ws.gql(SEND, { input: { kind: 'CSAT', customerId: f.customerId } })).data!.sendSurvey.surveyResponse;
    const cases: Array<[string, Record<string, unknown>, string, string]> = [
      [SUBMIT, { kind: 'CSAT', customerId: f.customerId, score: 3, comment: 'x'.repeat(2001) }, 'ValidationError', 'input.comment'],
      [SUBMIT, { surveyId: survey.id, kind: 'CSAT', score: 3 }, 'ValidationError', 'input.kind'],
      [SUBMIT, { customerId: f.customerId, score: 3 }, 'ValidationError', 'input.kind'],
      [SUBMIT, { kind: 'NPS', score: 3 }, 'ValidationError', 'input.customerId'],
      [SUBMIT, { kind: 'NPS', customerId: f.customerId, conversationId: f.otherConversationId, score: 3 }, 'ValidationError', 'input.conversationId'],
      [SEND, { kind: 'NPS', customerId: f.customerId, ticketId: f.otherTicketId }, 'ValidationError', 'input.ticketId'],
      [SEND, { kind: 'NPS', customerId: theirs.customerId }, 'NotFoundError', 'input.customerId'],
      [SEND, { kind: 'NPS', customerId: f.customerId, conversationId: theirs.conversationId }, 'NotFoundError', 'input.conversationId'],
      [SUBMIT, { kind: 'NPS', customerId: f.customerId, ticketId: theirs.ticketId, score: 3 }, 'NotFoundError', 'input.ticketId'],
      [SUBMIT, { surveyId: gid('SurveyResponse', uuidv7()), score: 3 }, 'NotFoundError', 'input.surveyId'],
    ];
    for (const [mutation, input, typename, field] of cases) {
      const res = await ws.gql(mutation, { input });
      expect(res.errors, JSON.stringify(input)).toBeUndefined();
      expect(Object.values(res.data!)[0], JSON.stringify(input)).toMatchObject({ __typename: typename, field });
    }
    // A 2000-character comment is fine.
    const long = await ws.gql(SUBMIT, { input: { surveyId: survey.id, score: 3, comment: 'y'.repeat(2000) } });
    expect(long.data!.submitSurveyResponse.surveyResponse.comment).toHaveLength(2000);
    const { prisma } = await testDatabase();
    expect(await prisma.surveyResponse.count({ where: { workspaceId: ws.workspaceId } })).toBe(1);
    // An ID of the wrong type is a request error.
    const wrong = await ws.gql(SEND, { input: { kind: 'NPS', customerId: f.conversationId } });
    expect(wrong.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses to survey a merged-away customer', async () => {
    const ws = await createTestWorkspace();
    const [primary, duplicate] = await insertCustomers(ws.workspaceId, 2);
    const { prisma } = await testDatabase();
    await prisma.customer.update({ where: { id: duplicate!.id }, data: { mergedIntoId: primary!.id, mergedAt: new Date() } });
    const res = await ws.gql(SEND, { input: { kind: 'CSAT', customerId: gid('Customer', duplicate!.id) } });
    expect(res.data!.sendSurvey).toMatchObject({ __typename: 'InvalidStateError', field: 'input.customerId' });
  });
});

const LIST = /* GraphQL */ `
  query ($filter: SurveyResponseFilter, $orderBy: SurveyResponseOrderBy, $first: Int, $after: String) {
    surveyResponses(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      edges { node { kind score } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

describe('surveyResponses query', () => {
  async function seed(workspaceId: string) {
    const { prisma } = await testDatabase();
    const [alice, bob] = await insertCustomers(workspaceId, 2);
    const base = Date.UTC(2026, 1, 1);
    const rows = [
      { kind: 'CSAT', customerId: alice!.id, score: 5, sentHour: 0, respondedHour: 1 },
      { kind: 'CSAT', customerId: bob!.id, score: 2, sentHour: 1, respondedHour: 3 },
      { kind: 'NPS', customerId: alice!.id, score: 9, sentHour: 2, respondedHour: 5 },
      { kind: 'NPS', customerId: bob!.id, score: null, sentHour: 3, respondedHour: null },
      { kind: 'CES', customerId: alice!.id, score: null, sentHour: 4, respondedHour: null },
    ] as const;
    await prisma.surveyResponse.createMany({
      data: rows.map((r) => ({
        id: uuidv7(base + r.sentHour * 3_600_000),
        workspaceId,
        kind: r.kind,
        customerId: r.customerId,
        score: r.score,
        sentAt: new Date(base + r.sentHour * 3_600_000),
        respondedAt: r.respondedHour === null ? null : new Date(base + r.respondedHour * 3_600_000),
      })),
    });
    return { alice: alice!, bob: bob!, base };
  }
  const hour = (base: number, h: number) => new Date(base + h * 3_600_000).toISOString();
  const scores = (res: any) => res.data!.surveyResponses.edges.map((e: any) => `${e.node.kind}:${e.node.score}`);

  it('filters by kind, customer, answered and respondedAt range (half-open), newest sent first', async () => {
    const ws = await createTestWorkspace();
    const { alice, base } = await seed(ws.workspaceId);
    expect(scores(await ws.gql(LIST))).toEqual(['CES:null', 'NPS:null', 'NPS:9', 'CSAT:2', 'CSAT:5']);
    expect(scores(await ws.gql(LIST, { filter: { kind: 'CSAT' } }))).toEqual(['CSAT:2', 'CSAT:5']);
    expect(scores(await ws.gql(LIST, { filter: { customerId: gid('Customer', alice.id) } }))).toEqual(['CES:null', 'NPS:9', 'CSAT:5']);
    expect(scores(await ws.gql(LIST, { filter: { answered: true } }))).toEqual(['NPS:9', 'CSAT:2', 'CSAT:5']);
    expect(scores(await ws.gql(LIST, { filter: { answered: false } }))).toEqual(['CES:null', 'NPS:null']);
    // [1h, 5h): the 1h answer is in, the 5h one is out.
    expect(scores(await ws.gql(LIST, { filter: { respondedAt: { from: hour(base, 1), to: hour(base, 5) } } }))).toEqual(['CSAT:2', 'CSAT:5']);
    expect(scores(await ws.gql(LIST, { filter: { respondedAt: { from: hour(base, 3) } } }))).toEqual(['NPS:9', 'CSAT:2']);
    expect(scores(await ws.gql(LIST, { filter: { answered: false, respondedAt: { to: hour(base, 9) } } }))).toEqual([]);
    expect(scores(await ws.gql(LIST, { orderBy: { field: 'SENT_AT', direction: 'ASC' }, filter: { kind: 'NPS' } }))).toEqual(['NPS:9', 'NPS:null']);
    const bad = await ws.gql(LIST, { filter: { respondedAt: { from: hour(base, 5), to: hour(base, 1) } } });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('pages through every survey once and lists a customer\'s surveys newest first', async () => {
    const ws = await createTestWorkspace();
    const { alice } = await seed(ws.workspaceId);
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 5; guard++) {
      const res: any = await ws.gql(LIST, { first: 2, after });
      expect(res.data.surveyResponses.totalCount).toBe(5);
      seen.push(...scores(res));
      if (!res.data.surveyResponses.pageInfo.hasNextPage) break;
      after = res.data.surveyResponses.pageInfo.endCursor;
    }
    expect(seen).toEqual(['CES:null', 'NPS:null', 'NPS:9', 'CSAT:2', 'CSAT:5']);
    const viaCustomer = await ws.gql(
      /* GraphQL */ `query ($id: ID!) { customer(id: $id) { surveyResponses(first: 2) { totalCount edges { node { kind score } } } } }`,
      { id: gid('Customer', alice.id) },
    );
    expect(viaCustomer.data!.customer.surveyResponses).toEqual({ totalCount: 3, edges: [{ node: { kind: 'CES', score: null } }, { node: { kind: 'NPS', score: 9 } }] });
    const customersOnly = await ws.createKey(['customers:read']);
    const denied = await graphql(/* GraphQL */ `query ($id: ID!) { customer(id: $id) { name surveyResponses { totalCount } } }`, { id: gid('Customer', alice.id) }, { apiKey: customersOnly });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('isolates workspaces and enforces survey scopes', async () => {
    const [a, b] = await Promise.all([createTestWorkspace(), createTestWorkspace()]);
    await seed(b.workspaceId);
    const { prisma } = await testDatabase();
    const theirs = await prisma.surveyResponse.findFirstOrThrow({ where: { workspaceId: b.workspaceId, respondedAt: null } });
    const id = gid('SurveyResponse', theirs.id);
    expect((await a.gql(LIST)).data!.surveyResponses.totalCount).toBe(0);
    expect((await a.gql(/* GraphQL */ `query ($id: ID!) { node(id: $id) { id } }`, { id })).data!.node).toBeNull();
    expect((await a.gql(SUBMIT, { input: { surveyId: id, score: 3 } })).data!.submitSurveyResponse).toMatchObject({ __typename: 'NotFoundError', field: 'input.surveyId' });
    expect((await prisma.surveyResponse.findUniqueOrThrow({ where: { id: theirs.id } })).respondedAt).toBeNull();

    const reader = await a.createKey(['surveys:read']);
    const [customer] = await insertCustomers(a.workspaceId, 1);
    const send = await graphql(SEND, { input: { kind: 'CSAT', customerId: gid('Customer', customer!.id) } }, { apiKey: reader });
    expect(send.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const submit = await graphql(SUBMIT, { input: { kind: 'CSAT', customerId: gid('Customer', customer!.id), score: 5 } }, { apiKey: reader });
    expect(submit.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await prisma.surveyResponse.count({ where: { workspaceId: a.workspaceId } })).toBe(0);
    expect((await graphql(LIST, {}, { apiKey: reader })).data!.surveyResponses.totalCount).toBe(0);
    const outsider = await a.createKey(['knowledge:read']);
    expect((await graphql(LIST, {}, { apiKey: outsider })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
