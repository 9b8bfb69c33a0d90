import DataLoader from 'dataloader';
import { builder } from '../../builder.ts';
import type { Context } from '../../context.ts';
import { Prisma } from '../../generated/prisma/client.ts';

/**
 * Historical customer lifetime value: the sum of the customer's recorded purchase and refund
 * values (customer events of type "purchase" and "refund", refunds negative), per currency —
 * amounts in different currencies are never added together. One statement per page of
 * customers, however many are selected.
 */
interface Money {
  amount: number;
  currency: string;
}

const MoneyRef = builder.objectRef<Money>('Money').implement({
  description: 'An amount in one currency.',
  fields: (t) => ({
    amount: t.float({ description: 'Amount, in the currency\'s main unit (e.g. 49.9).', resolve: (m) => m.amount }),
    currency: t.string({ description: 'ISO 4217 code.', resolve: (m) => m.currency }),
  }),
});

const loaders = new WeakMap<Context, DataLoader<string, Money[]>>();

function lifetimeValueLoader(ctx: Context): DataLoader<string, Money[]> {
  let loader = loaders.get(ctx);
  if (!loader) {
    loader = new DataLoader(async (customerIds) => {
      const rows = await ctx.prisma.$queryRaw<{ customer_id: string; currency: string; amount: string }[]>`
        SELECT "customerId" AS customer_id, currency, sum(value)::text AS amount
        FROM "CustomerEvent"
        WHERE "customerId" = ANY(${[...customerIds]}::uuid[]) AND type IN ('purchase', 'refund') AND value IS NOT NULL
        GROUP BY 1, 2 ORDER BY 2`;
      const byCustomer = new Map<string, Money[]>();
      for (const r of rows) {
        byCustomer.set(r.customer_id, [...(byCustomer.get(r.customer_id) ?? []), { currency: r.currency, amount: Number(new Prisma.Decimal(r.amount).toFixed(2)) }]);
      }
      return customerIds.map((id) => byCustomer.get(id) ?? []);
    });
    loaders.set(ctx, loader);
  }
  return loader;
}

builder.prismaObjectFields('Customer', (t) => ({
  lifetimeValue: t.field({
    type: [MoneyRef],
    description:
      'Historical lifetime value: the sum of recorded purchases minus refunds (customer events "purchase" and "refund"), one entry per currency; empty when nothing was bought.',
    select: { id: true },
    resolve: (customer, _args, ctx) => lifetimeValueLoader(ctx).load(customer.id),
  }),
}));
