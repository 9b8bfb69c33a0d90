import { builder } from '../../builder.ts';
import type { EventRoute, StateLoader } from '../../events/feed.ts';
import type { CxFunction, TicketPriority } from '../../generated/prisma/enums.ts';
import { CxFunctionEnum, TicketPriorityEnum } from '../enums.ts';
import { optionalIdOfType } from '../global-id.ts';
import { AFTER_DESCRIPTION, eventOf, subscribeToEvents } from './kit.ts';
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

interface TicketState {
  teamId: string | null;
  priority: TicketPriority;
  function: CxFunction;
}

/** The routing state of tickets as they are now, for every subscriber of a batch at once. */
const ticketStates: StateLoader<TicketState> = {
  async load(prisma, workspaceId, ids) {
    const rows = await prisma.ticket.findMany({ where: { workspaceId, id: { in: [...ids] } }, select: { id: true, teamId: true, priority: true, function: true } });
    return new Map(rows.map((t) => [t.id, t]));
  },
};

/** The ticket must still exist, and match the filter as it is at delivery. */
function ticketCheck(filter: TicketFilter) {
  return {
    loader: ticketStates,
    idOf: ticketIdOf,
    test: (t: TicketState) =>
      (!filter.teamId || t.teamId === filter.teamId) && (!filter.priority?.length || filter.priority.includes(t.priority)) && (!filter.function || t.function === filter.function),
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
        route: { types: ['ticket.created'], anyOf: [{ subjectType: 'Ticket' }] },
        check: ticketCheck(ticketFilterOf(args.filter)),
      }),
    resolve: eventOf,
  }),
  ticketUpdated: t.field({
    type: TicketChangedEventRef,
    description:
      'Changes to tickets (updates, comments, merges) and SLA breaches (`type: "ticket.sla_breached"`, details in `slaBreach`, once per breached target: at the first sweep after its due time passes while it runs, or after it is achieved late): of one ticket with `ticketId`, otherwise of every ticket matching `filter`.',
    authScopes: { scope: 'tickets:read' },
    args: {
      ticketId: t.arg.globalID({ required: false, description: 'Follow only this ticket.' }),
      filter: t.arg({ type: TicketSubscriptionFilter, required: false, description: 'Which tickets to follow (default: all).' }),
      after: t.arg.string({ required: false, description: AFTER_DESCRIPTION }),
    },
    subscribe: async (_root, args, ctx) => {
      const ticketId = optionalIdOfType(args.ticketId, 'Ticket', 'ticketId');
      const route: EventRoute = {
        types: ['ticket.updated', 'ticket.commented', 'ticket.merged', 'ticket.sla_breached'],
        anyOf: ticketId ? [{ subjectType: 'Ticket', subjectId: ticketId }, { payloadKey: 'ticketId', id: ticketId }] : [],
      };
      return subscribeToEvents(ctx, args.after, {
        scope: 'tickets:read',
        route,
        check: ticketCheck(ticketFilterOf(args.filter)),
      });
    },
    resolve: eventOf,
  }),
}));
