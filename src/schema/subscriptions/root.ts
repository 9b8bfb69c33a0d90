import { builder } from '../../builder.ts';

builder.subscriptionType({
  description:
    'Live updates, over graphql-ws (WebSocket, protocol graphql-transport-ws) or server-sent events (POST /graphql with Accept: text/event-stream). Durable subscriptions replay what happened after `after` (a cursor from an earlier event) before going live.',
});
