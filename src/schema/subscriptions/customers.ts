import { builder } from '../../builder.ts';
import { CUSTOMER_JOURNEY_EVENT_TYPES } from '../../events/outbox.ts';
import { idOfType } from '../global-id.ts';
import { AFTER_DESCRIPTION, eventOf, subscribeToEvents } from './kit.ts';
import { CustomerTimelineEventRef } from './types.ts';


builder.subscriptionField('customerTimelineUpdated', (t) =>
  t.field({
    type: CustomerTimelineEventRef,
    description: "Anything added to or changed on one customer's timeline: the record itself, their conversations, messages, tickets and surveys.",
    authScopes: { scope: 'customers:read' },
    args: {
      customerId: t.arg.globalID({ required: true, description: 'The customer to follow.' }),
      after: t.arg.string({ required: false, description: AFTER_DESCRIPTION }),
    },
    subscribe: async (_root, args, ctx) => {
      const customerId = idOfType(args.customerId, 'Customer', 'customerId');
      return subscribeToEvents(ctx, args.after, {
        scope: 'customers:read',
        // Everything that lands on a customer's timeline; knowledge-base events belong to no customer.
        route: { types: CUSTOMER_JOURNEY_EVENT_TYPES, anyOf: [{ subjectType: 'Customer', subjectId: customerId }, { payloadKey: 'customerId', id: customerId }] },
      });
    },
    resolve: eventOf,
  }),
);
