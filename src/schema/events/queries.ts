import { builder } from '../../builder.ts';
import { ErrorCode, requestError } from '../../errors.ts';
import { EVENT_TYPES } from '../../events/outbox.ts';
import { inWorkspace } from '../tenancy.ts';
import { subjectLoader } from './subjects.ts';
import { decodeEventCursor, EventConnectionRef } from './types.ts';

export const MAX_FEED_PAGE = 500;
export const DEFAULT_FEED_PAGE = 100;

builder.queryField('events', (t) =>
  t.field({
    type: EventConnectionRef,
    description:
      'The change feed: every committed change in the workspace, in commit order (oldest first). Keep the last `endCursor` and pass it as `after` to read only what happened since; nothing is skipped or repeated. Merged-away customers and tickets appear as `customer.merged` / `ticket.merged` tombstones whose payload names `mergedIntoId`.',
    authScopes: { scope: 'events:read' },
    args: {
      after: t.arg.string({ description: 'Return events after this cursor (an `endCursor` or edge `cursor` of an earlier page).' }),
      types: t.arg.stringList({
        description: `Only events of these types, e.g. ["ticket.created", "ticket.updated"]. Valid types: ${EVENT_TYPES.join(', ')}.`,
      }),
      first: t.arg.int({ defaultValue: DEFAULT_FEED_PAGE, description: `Page size (1–${MAX_FEED_PAGE}, default ${DEFAULT_FEED_PAGE}).` }),
    },
    resolve: async (_root, args, ctx) => {
      const first = args.first ?? DEFAULT_FEED_PAGE;
      if (first < 1 || first > MAX_FEED_PAGE) {
        throw requestError(ErrorCode.BAD_USER_INPUT, `\`first\` must be between 1 and ${MAX_FEED_PAGE}, got ${first}`, { argument: 'first' });
      }
      let afterId: bigint | null = null;
      if (args.after != null) {
        afterId = decodeEventCursor(args.after);
        if (afterId === null) throw requestError(ErrorCode.BAD_USER_INPUT, '`after` is not a valid cursor', { argument: 'after' });
      }
      if (args.types) {
        const unknown = args.types.filter((type) => !(EVENT_TYPES as readonly string[]).includes(type));
        if (unknown.length > 0) {
          throw requestError(
            ErrorCode.BAD_USER_INPUT,
            `\`types\`: unknown event type(s) ${unknown.map((u) => JSON.stringify(u)).join(', ')}; valid types are ${EVENT_TYPES.join(', ')}`,
            { argument: 'types' },
          );
        }
      }
      const rows = await ctx.prisma.event.findMany({
        where: {
          ...inWorkspace(ctx),
          ...(afterId !== null ? { id: { gt: afterId } } : {}),
          ...(args.types ? { type: { in: args.types } } : {}),
        },
        orderBy: { id: 'asc' },
        take: first + 1,
      });
      const page = rows.slice(0, first);
      const loadSubject = subjectLoader(ctx, page);
      return {
        events: page.map((event) => ({ event, loadSubject })),
        hasNextPage: rows.length > first,
        after: args.after ?? null,
      };
    },
  }),
);
