import { createClient } from 'graphql-ws';

export interface MessageEvent {
  cursor: string;
  eventId: string;
  message: { id: string; body: string; authorKind: string; createdAt: string };
}

export interface FollowConversationOptions {
  url: string; // ws://127.0.0.1:4000/graphql
  apiKey: string;
  conversationId: string;
  /** The last cursor you stored (e.g. before a page reload); null: new messages only. */
  after?: string | null;
  onMessage: (event: MessageEvent) => void;
  /** CURSOR_EXPIRED: refetch the conversation; the subscription goes on with new messages. */
  onExpired?: () => void;
  /** A failure retrying cannot fix (revoked key, lost access, bad id): following stops. */
  onFatal?: (error: unknown) => void;
  /** Node.js only: `WebSocket` from the `ws` package (browsers have their own). */
  webSocketImpl?: unknown;
}

const MESSAGE_ADDED = /* GraphQL */ `
  subscription ($id: ID!, $after: String) {
    messageAdded(conversationId: $id, after: $after) { cursor eventId message { id body authorKind createdAt } }
  }
`;

/** Answers that retrying cannot change. */
const FATAL_CODES = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'NOT_FOUND', 'GRAPHQL_VALIDATION_FAILED']);

/**
 * Follows a conversation's messages, each exactly once and in order, across reconnects, server
 * restarts and database outages. graphql-ws' own retries (`retryAttempts`) would re-send the
 * `after` of the first subscribe and replay or skip events, so the client never retries by
 * itself: every (re)subscribe below sends the latest cursor received.
 */
export function followConversation(options: FollowConversationOptions) {
  const client = createClient({
    url: options.url,
    connectionParams: { authorization: `Bearer ${options.apiKey}` },
    retryAttempts: 0,
    ...(options.webSocketImpl ? { webSocketImpl: options.webSocketImpl } : {}),
  });
  let cursor = options.after ?? null;
  let stopped = false;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let unsubscribe = () => {};

  const retry = () => {
    if (stopped) return;
    // Exponential backoff with jitter, 0.25 s up to 10 s; reset by the next event.
    const delay = Math.min(10_000, 250 * 2 ** failures++) * (0.5 + Math.random());
    timer = setTimeout(subscribe, delay);
  };
  const fatal = (error: unknown) => {
    stopped = true;
    options.onFatal?.(error);
  };

  const subscribe = () => {
    unsubscribe = client.subscribe<{ messageAdded: MessageEvent }>(
      { query: MESSAGE_ADDED, variables: { id: options.conversationId, after: cursor } },
      {
        next: ({ data, errors }) => {
          const event = data?.messageAdded;
          if (event) {
            cursor = event.cursor;
            failures = 0;
            options.onMessage(event);
            return;
          }
          // The stream ends after this error (SERVICE_UNAVAILABLE, SUBSCRIBER_TOO_SLOW) and
          // `complete` subscribes again, from the cursor the server names when it names one.
          const resumeAfter = errors?.[0]?.extensions?.resumeAfter;
          if (typeof resumeAfter === 'string') cursor = resumeAfter;
        },
        error: (error) => {
          if (Array.isArray(error)) {
            // The subscribe itself was refused.
            const code = error[0]?.extensions?.code;
            if (code === 'CURSOR_EXPIRED') {
              cursor = null;
              options.onExpired?.();
            } else if (FATAL_CODES.has(String(code))) return fatal(error);
          } else if ((error as { code?: number })?.code === 4401) {
            return fatal(error); // the key was revoked: reconnecting cannot help
          }
          retry(); // the connection dropped, or the server is restarting
        },
        complete: retry,
      },
    );
  };

  subscribe();
  return {
    /** The cursor to store, to resume after a page reload. */
    cursor: () => cursor,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      unsubscribe();
      await client.dispose();
    },
  };
}
