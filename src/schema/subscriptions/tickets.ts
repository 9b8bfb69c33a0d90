import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import type { Event, Prisma } from '../../generated/prisma/client.ts';
import type { CxFunction, TicketPriority } from '../../generated/prisma/enums.ts';
import { CxFunctionEnum, TicketPriorityEnum } from '../enums.ts';
import { optionalIdOfType } from '../global-id.ts';
import { AFTER_DESCRIPTION, eventOf, payloadIs, subscribeToEvents } from './kit.ts';
import { TicketChangedEventRef, TicketCreatedEventRef, ticketIdOf } from './types.ts';

const TicketSubscriptionFilter = builder.inputType('TicketSubscriptionFilter', {
  description: 'Which tickets to follow; every given condition must hold for the ticket as it is when the event is delivered.',
  fields: (t) => ({
    teamId: t.globalID({ required: false, description: 'Only tickets routed to this team.' }),
    priority: t.field({ type: [TicketPriorityEnum], required: false, description: 'Only tickets with one of these priorities.' }),
    function: t.field({ type: CxFunctionEnum, required: false, description: 'Only service or only support tickets.' }),
  }),
});

interface TicketFilter {
  teamId?: string | null;
  priority?: TicketPriority[] | null;
  function?: CxFunction | null;
}

function ticketMatcher(ctx: Context, filter: TicketFilter) {
  return async (event: Event): Promise<boolean> => {
    const ticket = await ctx.prisma.ticket.findFirst({
      where: { id: ticketIdOf(event), workspaceId: event.workspaceId },
      select: { teamId: true, priority: true, function: true },
    });
    if (!ticket) return false;
    if (filter.teamId && ticket.teamId !== filter.teamId) return false;
    if (filter.priority?.length && !filter.priority.includes(ticket.priority)) return false;
    if (filter.function && ticket.function !== filter.function) return false;
    return true;
  };
}

function ticketFilterOf(raw: { teamId?: { typename: string; id: string } | null; priority?: TicketPriority[] | null; function?: CxFunction | null } | null | undefined): TicketFilter {
  return { teamId: optionalIdOfType(raw?.teamId, 'Team', 'filter.teamId'), priority: raw?.priority, function: raw?.function };
}

builder.subscriptionFields((t) => ({
  ticketCreated: t.field({
    type: TicketCreatedEventRef,
    description: 'Tickets opened in the workspace, narrowed by `filter`.',
    authScopes: { scope: 'tickets:read' },
    args: {
      filter: t.arg({ type: TicketSubscriptionFilter, required: false, description: 'Which tickets to follow (default: all).' }),
      after: t.arg.string({ required: false, description: AFTER_DESCRIPTION }),
    },
    subscribe: async (_root, args, ctx) =>
      subscribeToEvents(ctx, args.after, {
        scope: 'tickets:read',
        types: ['ticket.created'],
        where: { subjectType: 'Ticket' },
        filter: ticketMatcher(ctx, ticketFilterOf(args.filter)),
      }),
    resolve: eventOf,
  }),
  ticketUpdated: t.field({
    type: TicketChangedEventRef,
    description: 'Changes to tickets (updates, comments, merges): of one ticket with `ticketId`, otherwise of every ticket matching `filter`.',
    authScopes: { scope: 'tickets:read' },
    args: {
      ticketId: t.arg.globalID({ required: false, description: 'Follow only this ticket.' }),
      filter: t.arg({ type: TicketSubscriptionFilter, required: false, description: 'Which tickets to follow (default: all).' }),
      after: t.arg.string({ required: false, description: AFTER_DESCRIPTION }),
    },
    subscribe: async (_root, args, ctx) => {
      const ticketId = optionalIdOfType(args.ticketId, 'Ticket', 'ticketId');
      const where: Prisma.EventWhereInput | undefined = ticketId
        ? { OR: [{ subjectType: 'Ticket', subjectId: ticketId }, payloadIs('ticketId', ticketId)] }
        : undefined;
      return subscribeToEvents(ctx, args.after, {
        scope: 'tickets:read',
        types: ['ticket.updated', 'ticket.commented', 'ticket.merged'],
        where,
        filter: ticketMatcher(ctx, ticketFilterOf(args.filter)),
      });
    },
    resolve: eventOf,
  }),
}));
