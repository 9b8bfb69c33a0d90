import { expect } from 'vitest';
import { uuidv7 } from '../../src/db/ids.ts';
import type { Prisma } from '../../src/generated/prisma/client.ts';
import { encodeGlobalId } from '../../src/schema/global-id.ts';
import { testDatabase } from './database.ts';
import { insertCustomers, type TestWorkspace } from './factories.ts';

/** Fixtures of the workload metric tests (handle time, backlog, agent and team metrics). */

export type TicketRow = Omit<Prisma.TicketUncheckedCreateInput, 'workspaceId' | 'requesterId' | 'subject' | 'number'>;

/** Inserts tickets numbered 1, 2, … in the given order; returns their ids. */
export async function insertTickets(ws: TestWorkspace, rows: TicketRow[]): Promise<string[]> {
  const { prisma } = await testDatabase();
  const [customer] = await insertCustomers(ws.workspaceId, 1);
  const data = rows.map((row, i) => ({ id: uuidv7(), workspaceId: ws.workspaceId, requesterId: customer!.id, subject: `T${i + 1}`, number: i + 1, ...row }));
  await prisma.ticket.createMany({ data });
  return data.map((d) => d.id);
}

export async function insertTeams(ws: TestWorkspace, names: string[]): Promise<string[]> {
  const { prisma } = await testDatabase();
  const ids = names.map(() => uuidv7());
  await prisma.team.createMany({ data: names.map((name, i) => ({ id: ids[i]!, workspaceId: ws.workspaceId, name, function: 'SUPPORT' as const })) });
  return ids;
}

export async function insertAgents(ws: TestWorkspace, names: string[]): Promise<string[]> {
  const { prisma } = await testDatabase();
  const ids = names.map(() => uuidv7());
  await prisma.agent.createMany({
    data: names.map((name, i) => ({ id: ids[i]!, workspaceId: ws.workspaceId, name, email: `${name.toLowerCase()}-${ids[i]}@example.test` })),
  });
  return ids;
}

const LOG_WORK = /* GraphQL */ `
  mutation ($input: LogWorkInput!) { logWork(input: $input) { __typename ... on Error { message } } }
`;

/** Logs work through the API on a ticket (or a conversation), as `agentId` (database ids). */
export async function logWork(ws: TestWorkspace, targetId: string, agentId: string, startedAt: string, seconds: number, on: 'Ticket' | 'Conversation' = 'Ticket') {
  const target = on === 'Ticket' ? { ticketId: encodeGlobalId('Ticket', targetId) } : { conversationId: encodeGlobalId('Conversation', targetId) };
  const res = await ws.gql(LOG_WORK, { input: { ...target, agentId: encodeGlobalId('Agent', agentId), startedAt, seconds } });
  expect(res.errors).toBeUndefined();
  expect(res.data!.logWork.__typename).toBe('LogWorkPayload');
}

export const METRIC = /* GraphQL */ `
  query ($input: MetricInput!) {
    metric(input: $input) { value sampleSize statistic clock asOf groups { key value sampleSize } series { bucketStart value sampleSize } }
  }
`;

export async function metric(ws: TestWorkspace, input: Record<string, unknown>) {
  const res = await ws.gql(METRIC, { input });
  expect(res.errors).toBeUndefined();
  return res.data!.metric;
}
