import { expect } from 'vitest';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import type { StreamItem } from '../src/events/stream.ts';
import type { TestWorkspace } from './helpers/factories.ts';

/** Shared by the change-feed tests: run a mutation, read the feed, compare events. */

export const gid = encodeGlobalId;

export const FEED = /* GraphQL */ `
  query ($after: String, $first: Int, $types: [String!]) {
    events(after: $after, first: $first, types: $types) {
      edges { cursor node { cursor type subjectType subjectId payload actorKind occurredAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

export interface FeedEvent {
  cursor: string;
  type: string;
  subjectType: string;
  subjectId: string;
  payload: Record<string, any>;
  actorKind: string;
}

/** Every event after `after` (paging with `first`), and the cursor to continue from. */
export async function readFeed(ws: TestWorkspace, after: string | null = null, first = 500, types?: string[]) {
  const events: FeedEvent[] = [];
  let cursor = after;
  for (;;) {
    const res = await ws.gql(FEED, { after: cursor, first, types });
    expect(res.errors).toBeUndefined();
    const page = res.data!.events;
    events.push(...page.edges.map((e: { node: FeedEvent }) => e.node));
    cursor = page.pageInfo.endCursor;
    if (!page.pageInfo.hasNextPage) return { events, cursor };
  }
}

/** The feed position now: events recorded later come after it. */
export async function mark(ws: TestWorkspace): Promise<string | null> {
  return (await readFeed(ws)).cursor;
}

/** Runs a mutation whose input type is `<Name>Input`; returns its result's typename (and error fields). */
export async function run(ws: TestWorkspace, name: string, input: Record<string, unknown>) {
  const inputType = `${name[0]!.toUpperCase()}${name.slice(1)}Input`;
  const res = await ws.gql(
    /* GraphQL */ `mutation ($input: ${inputType}!) { ${name}(input: $input) { __typename ... on Error { code field message } } }`,
    { input },
  );
  expect(res.errors).toBeUndefined();
  return res.data![name] as { __typename: string; code?: string; field?: string; message?: string };
}

/** Events since `after`, as [type, subjectId] pairs, for exact comparison. */
export async function eventsSince(ws: TestWorkspace, after: string | null) {
  const { events, cursor } = await readFeed(ws, after);
  return { events, cursor, pairs: events.map((e) => [e.type, e.subjectId]) };
}

/** The next `n` items of an event stream (fewer if it ends first). */
export async function take(stream: AsyncIterator<StreamItem>, n: number): Promise<StreamItem[]> {
  const items: StreamItem[] = [];
  while (items.length < n) {
    const next = await stream.next();
    if (next.done) break;
    items.push(next.value);
  }
  return items;
}
