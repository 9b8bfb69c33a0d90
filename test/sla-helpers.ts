import { expect } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import type { ActorKind, MessageAuthorKind, TicketPriority } from '../src/generated/prisma/enums.ts';
import { decodeGlobalId, encodeGlobalId } from '../src/schema/global-id.ts';
import { testDatabase } from './helpers/database.ts';
import { insertCustomers, type TestWorkspace } from './helpers/factories.ts';

/**
 * Fixtures of the SLA and next-reply tests. Calendars and policies are made through the API;
 * tickets, comments and messages are inserted with the times a test needs.
 *
 * Europe/Berlin is UTC+1 (CET) until 2026-03-29 02:00 local, then UTC+2 (CEST) until 2026-10-25
 * 03:00 local. March 2026: Mon = 2, 9, 16, 23, 30. The office calendar is open Mon–Fri
 * 09:00–17:00 and closed on Thursday 2026-03-12 (a holiday).
 */
export const gid = encodeGlobalId;

/** March 2026 instants in Berlin local time: `CET('09T10:00:00')` is Mon 03-09 10:00 CET. */
export const CET = (local: string) => `2026-03-${local}+01:00`;
export const CEST = (local: string) => `2026-03-${local}+02:00`;

/**
 * A ticket thread with two customer waits after agent replies: agent Mon 03-09 10:00; customer
 * 16:30 and 16:45; bot Tue 09:05 and an internal note 09:10 (neither counts); agent 09:20;
 * customer 10:00; agent 11:30.
 */
export const TWO_WAITS: Array<[string, ActorKind, boolean?]> = [
  [CET('09T10:00:00'), 'AGENT'],
  [CET('09T16:30:00'), 'CUSTOMER'],
  [CET('09T16:45:00'), 'CUSTOMER'],
  [CET('10T09:05:00'), 'BOT'],
  [CET('10T09:10:00'), 'AGENT', false],
  [CET('10T09:20:00'), 'AGENT'],
  [CET('10T10:00:00'), 'CUSTOMER'],
  [CET('10T11:30:00'), 'AGENT'],
];
export const dbId = (globalId: string) => decodeGlobalId(globalId).id;

export const OFFICE = {
  name: 'Office',
  timeZone: 'Europe/Berlin',
  hours: [1, 2, 3, 4, 5].map((dayOfWeek) => ({ dayOfWeek, startMinute: 540, endMinute: 1020 })),
  holidays: [{ date: '2026-03-12', name: 'Founders\' Day' }],
};

export const CALENDAR_FIELDS = /* GraphQL */ `id name timeZone hours { dayOfWeek startMinute endMinute } holidays { date name } createdAt updatedAt`;
export const POLICY_FIELDS = /* GraphQL */ `id name description active calendar { id } targets { id priority kind minutes businessHours policy { id } }`;

export const CREATE_CALENDAR = /* GraphQL */ `
  mutation ($input: CreateBusinessCalendarInput!) {
    createBusinessCalendar(input: $input) { __typename ... on BusinessCalendarPayload { calendar { ${CALENDAR_FIELDS} } } ... on Error { code field message } }
  }
`;
export const CREATE_POLICY = /* GraphQL */ `
  mutation ($input: CreateSlaPolicyInput!) {
    createSlaPolicy(input: $input) { __typename ... on SlaPolicyPayload { policy { ${POLICY_FIELDS} } } ... on Error { code field message } }
  }
`;
export const SET_POLICY = /* GraphQL */ `
  mutation ($input: SetTicketSlaPolicyInput!) {
    setTicketSlaPolicy(input: $input) {
      __typename
      ... on SetTicketSlaPolicyPayload { ticket { id version slaPolicy { id name } } }
      ... on Error { code field message }
      ... on ConflictError { currentVersion }
    }
  }
`;

export async function createCalendar(ws: TestWorkspace, input: Record<string, unknown> = OFFICE): Promise<string> {
  const res = await ws.gql(CREATE_CALENDAR, { input });
  expect(res.errors).toBeUndefined();
  expect(res.data!.createBusinessCalendar.__typename, JSON.stringify(res.data)).toBe('BusinessCalendarPayload');
  return res.data!.createBusinessCalendar.calendar.id;
}

export async function createPolicy(ws: TestWorkspace, input: Record<string, unknown>): Promise<string> {
  const res = await ws.gql(CREATE_POLICY, { input });
  expect(res.errors).toBeUndefined();
  expect(res.data!.createSlaPolicy.__typename, JSON.stringify(res.data)).toBe('SlaPolicyPayload');
  return res.data!.createSlaPolicy.policy.id;
}

export interface TicketFixture {
  createdAt: string;
  priority?: TicketPriority;
  slaPolicyId?: string | null;
  firstResponseAt?: string;
  solvedAt?: string;
  mergedIntoId?: string;
  /** [time, author, public?]: comments in the order written. */
  comments?: Array<[string, ActorKind, boolean?]>;
}

let ticketNumber = 0;

/** Inserts tickets (and their comments) as given; returns their database ids in order. */
export async function insertTickets(ws: TestWorkspace, tickets: TicketFixture[]): Promise<string[]> {
  const { prisma } = await testDatabase();
  const [customer] = await insertCustomers(ws.workspaceId, 1);
  const ids: string[] = [];
  for (const f of tickets) {
    const id = uuidv7(new Date(f.createdAt));
    ids.push(id);
    await prisma.ticket.create({
      data: {
        id,
        workspaceId: ws.workspaceId,
        number: ++ticketNumber,
        subject: 'SLA fixture',
        requesterId: customer!.id,
        priority: f.priority ?? 'NORMAL',
        slaPolicyId: f.slaPolicyId ? dbId(f.slaPolicyId) : null,
        createdAt: new Date(f.createdAt),
        firstResponseAt: f.firstResponseAt ? new Date(f.firstResponseAt) : null,
        ...(f.solvedAt ? { status: 'SOLVED' as const, solvedAt: new Date(f.solvedAt), firstSolvedAt: new Date(f.solvedAt) } : { status: 'OPEN' as const }),
        mergedIntoId: f.mergedIntoId ?? null,
      },
    });
    await prisma.ticketComment.createMany({
      data: (f.comments ?? []).map(([at, authorKind, isPublic]) => ({
        id: uuidv7(new Date(at)),
        workspaceId: ws.workspaceId,
        ticketId: id,
        authorKind,
        authorAgentId: authorKind === 'AGENT' ? ws.agentId : null,
        authorCustomerId: authorKind === 'CUSTOMER' ? customer!.id : null,
        body: 'x',
        isPublic: isPublic ?? true,
        createdAt: new Date(at),
      })),
    });
  }
  return ids;
}

/** Inserts a conversation with its messages ([time, author, internal note?]). */
export async function insertConversation(ws: TestWorkspace, messages: Array<[string, MessageAuthorKind, boolean?]>): Promise<string> {
  const { prisma } = await testDatabase();
  const [customer] = await insertCustomers(ws.workspaceId, 1);
  const id = uuidv7(new Date(messages[0]![0]));
  await prisma.conversation.create({
    data: { id, workspaceId: ws.workspaceId, customerId: customer!.id, channel: 'CHAT', createdAt: new Date(messages[0]![0]) },
  });
  await prisma.message.createMany({
    data: messages.map(([at, authorKind, isInternalNote]) => ({
      id: uuidv7(new Date(at)),
      workspaceId: ws.workspaceId,
      conversationId: id,
      authorKind,
      authorAgentId: authorKind === 'AGENT' ? ws.agentId : null,
      authorCustomerId: authorKind === 'CUSTOMER' ? customer!.id : null,
      authorName: authorKind === 'BOT' ? 'Bot' : null,
      direction: authorKind === 'CUSTOMER' ? 'INBOUND' : 'OUTBOUND',
      body: 'x',
      isInternalNote: isInternalNote ?? false,
      createdAt: new Date(at),
    })),
  });
  return id;
}

export const METRIC = /* GraphQL */ `
  query ($input: MetricInput!) { metric(input: $input) { value sampleSize } }
`;

export async function metric(ws: TestWorkspace, input: Record<string, unknown>) {
  const res = await ws.gql(METRIC, { input });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.metric as { value: number | null; sampleSize: number };
}
