import { z } from 'zod';
import type { Scope } from '../../auth/scopes.ts';
import { viewerCan } from '../../auth/viewer.ts';
import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import { loadById } from '../batch-load.ts';
import { searchText } from '../inputs.ts';
import { workspaceIdOf } from '../tenancy.ts';
import { SEARCH_KINDS, searchEverything, type SearchHit, type SearchKind } from './service.ts';
import { cost } from '../../guards/cost-spec.ts';

const KIND_SCOPE: Record<SearchKind, Scope> = {
  CUSTOMER: 'customers:read',
  ORGANIZATION: 'customers:read',
  TICKET: 'tickets:read',
  CONVERSATION: 'conversations:read',
  ARTICLE: 'knowledge:read',
};

const SearchKindEnum = builder.enumType('SearchResultKind', {
  description: 'What a search result is.',
  values: {
    CUSTOMER: { description: 'A customer (name, email, phone, external id).' },
    ORGANIZATION: { description: 'An organization (name, domains).' },
    TICKET: { description: 'A ticket (number, subject, description).' },
    CONVERSATION: { description: 'A conversation (subject).' },
    ARTICLE: { description: 'A knowledge-base article (title and body, in its language).' },
  } as const,
});

type Hit = SearchHit;

const MODEL_OF = { CUSTOMER: 'customer', ORGANIZATION: 'organization', TICKET: 'ticket', CONVERSATION: 'conversation', ARTICLE: 'article' } as const;

const rowIf = (ctx: Context, query: object, hit: Hit, kind: SearchKind) =>
  hit.kind === kind ? (loadById(ctx, MODEL_OF[kind], query, hit.id) as never) : null;

const SearchResultRef = builder.objectRef<Hit>('SearchResult').implement({
  description: 'One match of `search`. Exactly the field matching `kind` is set.',
  fields: (t) => ({
    kind: t.field({ type: SearchKindEnum, description: 'What matched.', resolve: (h) => h.kind }),
    rank: t.float({ description: 'Relevance; higher is better. Comparable across kinds within one search.', resolve: (h) => h.rank }),
    title: t.exposeString('title', { description: 'A one-line label for the match (name, "#12 Subject", article title).' }),
    customer: t.prismaField({ type: 'Customer', nullable: true, description: 'Set for CUSTOMER.', resolve: (q, h, _a, ctx) => rowIf(ctx, q, h, 'CUSTOMER') }),
    organization: t.prismaField({ type: 'Organization', nullable: true, description: 'Set for ORGANIZATION.', resolve: (q, h, _a, ctx) => rowIf(ctx, q, h, 'ORGANIZATION') }),
    ticket: t.prismaField({ type: 'Ticket', nullable: true, description: 'Set for TICKET.', resolve: (q, h, _a, ctx) => rowIf(ctx, q, h, 'TICKET') }),
    conversation: t.prismaField({ type: 'Conversation', nullable: true, description: 'Set for CONVERSATION.', resolve: (q, h, _a, ctx) => rowIf(ctx, q, h, 'CONVERSATION') }),
    article: t.prismaField({ type: 'Article', nullable: true, description: 'Set for ARTICLE.', resolve: (q, h, _a, ctx) => rowIf(ctx, q, h, 'ARTICLE') }),
  }),
});

builder.queryField('search', (t) =>
  t.field({
    type: [SearchResultRef],
    description:
      'One ranked list across customers, organizations, tickets, conversations and published knowledge-base articles (drafts too for keys with knowledge:write). Kinds the key may not read are left out. Best match first; ties by kind and id. Not paginated: ask for up to 50.',
    authScopes: { authenticated: true },
    // One full-text statement over five kinds: a search weighs ten row loads, plus its hits.
    extensions: cost({ complexity: 10, listSize: 'first' }),
    args: {
      query: t.arg.string({ required: true, description: 'Words, a phrase in quotes, an email, a domain or a ticket number (#123).', validate: searchText }),
      types: t.arg({ type: [SearchKindEnum], required: false, description: 'Only these kinds (default: all).' }),
      first: t.arg.int({ required: false, defaultValue: 10, description: 'How many results (1–50, default 10).', validate: z.number().int().min(1).max(50) }),
    },
    resolve: async (_root, args, ctx) => {
      const requested = args.types?.length ? [...new Set(args.types as SearchKind[])] : [...SEARCH_KINDS];
      const kinds = requested.filter((k) => viewerCan(ctx.viewer, KIND_SCOPE[k]));
      const workspaceId = workspaceIdOf(ctx);
      const hits = await ctx.expensive.run(workspaceId, () =>
        searchEverything(ctx.prisma, {
          workspaceId,
          query: args.query,
          kinds,
          first: args.first ?? 10,
          includeDraftArticles: viewerCan(ctx.viewer, 'knowledge:write'),
        }),
      );
      return hits;
    },
  }),
);
