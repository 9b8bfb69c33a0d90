import { expect } from 'vitest';
import { encodeGlobalId } from '../../src/schema/global-id.ts';
import { insertCustomers, type TestWorkspace } from './factories.ts';

/** Shared operations and fixtures of the ticket test files. */
export const TICKET = /* GraphQL */ `
  id number subject description status priority type function tags customFields version
  reopenCount lastReopenedAt publicAgentReplyCount firstResponseAt firstSolvedAt solvedAt closedAt createdAt updatedAt
  requester { id } organization { id }
`;
export const CREATE = /* GraphQL */ `
  mutation ($input: CreateTicketInput!) {
    createTicket(input: $input) { __typename ... on TicketPayload { ticket { ${TICKET} } } ... on Error { code message field } }
  }
`;
export const UPDATE = /* GraphQL */ `
  mutation ($input: UpdateTicketInput!) {
    updateTicket(input: $input) {
      __typename
      ... on TicketPayload { ticket { ${TICKET} } }
      ... on Error { code message field }
      ... on ConflictError { currentVersion }
    }
  }
`;
export const COMMENT = /* GraphQL */ `
  mutation ($input: AddTicketCommentInput!) {
    addTicketComment(input: $input) {
      __typename
      ... on AddTicketCommentPayload { comment { id body isPublic authorKind authorAgent { id } authorCustomer { id } } ticket { ${TICKET} } }
      ... on Error { code message field }
    }
  }
`;
export const HISTORY = /* GraphQL */ `
  query ($id: ID!) {
    ticket(id: $id) { history(first: 100) { totalCount edges { node { kind field oldValue newValue actorKind actorAgent { id } } } } }
  }
`;

export const gid = encodeGlobalId;

export async function newTicket(ws: TestWorkspace, input: Record<string, unknown> = {}) {
  const customerId = input.requesterId ?? gid('Customer', (await insertCustomers(ws.workspaceId, 1))[0]!.id);
  const res = await ws.gql(CREATE, { input: { subject: 'Printer on fire', requesterId: customerId, ...input } });
  expect(res.errors).toBeUndefined();
  expect(res.data!.createTicket.__typename).toBe('TicketPayload');
  return res.data!.createTicket.ticket;
}

export async function history(ws: TestWorkspace, id: string) {
  const res = await ws.gql(HISTORY, { id });
  expect(res.errors).toBeUndefined();
  return res.data!.ticket.history.edges.map((e: any) => e.node);
}
