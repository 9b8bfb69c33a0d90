import { readFileSync } from 'node:fs';
import { decodeGlobalId } from '../src/schema/global-id.ts';
import { AGENT_INBOX, CUSTOMER_360, CUSTOMERS_WITH_TICKETS, TICKET_WITH_REQUESTER } from './api-floor-sql.ts';

/**
 * The request shapes of bench:api: the GraphQL operation cxgraph runs, and the floor's single
 * statement with its parameters taken from the same variables (so both sides answer the same
 * request body).
 */

export type ShapeName = 'customers50x10' | 'ticketById' | 'agentInbox' | 'customer360';
export const SHAPE_NAMES: ShapeName[] = ['customers50x10', 'ticketById', 'agentInbox', 'customer360'];

export interface Shape {
  name: ShapeName;
  /** What the table calls it. */
  label: string;
  query: string;
  /** SQL of the floor; `$1` is always the workspace id. */
  sql: string;
  params(variables: Record<string, unknown>): unknown[];
}

const operation = (file: string) => readFileSync(new URL(`../schema/operations/${file}`, import.meta.url), 'utf8');
const uuidOf = (id: unknown) => decodeGlobalId(String(id)).id;

export const SHAPES: Record<ShapeName, Shape> = {
  customers50x10: {
    name: 'customers50x10',
    label: 'customers(first: 50) × tickets(first: 10)',
    query: /* GraphQL */ `
      query BenchCustomersWithTickets($first: Int!, $tickets: Int!) {
        customers(first: $first) {
          edges { node { id name email tickets(first: $tickets) { edges { node { id number subject status priority createdAt } } } } }
          pageInfo { hasNextPage endCursor }
        }
      }`,
    sql: CUSTOMERS_WITH_TICKETS,
    params: (v) => [v.first, v.tickets],
  },
  ticketById: {
    name: 'ticketById',
    label: 'ticket(id:) with its requester',
    query: /* GraphQL */ `
      query BenchTicketWithRequester($id: ID!) {
        ticket(id: $id) { id number subject status priority requester { name } }
      }`,
    sql: TICKET_WITH_REQUESTER,
    params: (v) => [uuidOf(v.id)],
  },
  agentInbox: {
    name: 'agentInbox',
    label: 'AgentInbox (schema/operations)',
    query: operation('agent-inbox.graphql'),
    sql: AGENT_INBOX,
    // The operation's defaults: first 25, two suggestions per conversation.
    params: (v) => [uuidOf(v.teamId), v.first ?? 25, 2],
  },
  customer360: {
    name: 'customer360',
    label: 'Customer360 (schema/operations)',
    query: operation('customer-360.graphql'),
    sql: CUSTOMER_360,
    params: (v) => [uuidOf(v.id)],
  },
};

/** The JSON request body both sides receive. */
export function requestBody(shape: Shape, variables: Record<string, unknown>): string {
  return JSON.stringify({ query: shape.query, variables });
}
