import type { CxFunction, TicketType } from '../../src/generated/prisma/client.ts';
import { arrivalTime, DAY, HOUR, MINUTE, type Rng } from './rng.ts';
import type { SeedContext } from './types.ts';

/**
 * The skeleton of a workspace, drawn before any row: when each customer appeared and when each
 * ticket was opened. Ticket numbers must follow creation order (the API hands them out from
 * Workspace.ticketSequence as tickets are created), and the bulk seed writes customers in
 * batches, so every ticket's time is fixed up front and numbered by sorting.
 */

/** How a ticket came to be: written in by the customer, escalated from a conversation by an agent or the bot, or opened by an agent. */
export type TicketOrigin = 'CUSTOMER' | 'ESCALATION' | 'BOT' | 'AGENT';

export interface TicketPlan {
  number: number;
  customer: number;
  createdAt: number;
  origin: TicketOrigin;
  type: TicketType;
  function: CxFunction;
}

export interface CustomerPlan {
  index: number;
  firstSeenAt: number;
  /** Merged duplicate (demo only): no activity of its own. */
  tombstone: boolean;
  tickets: TicketPlan[];
  /** Conversations that do not become tickets. */
  conversations: number;
}

export interface WorkspacePlan {
  customers: CustomerPlan[];
  ticketCount: number;
  lastTicketAt: number;
}

export interface PlanOptions {
  customers: number;
  tombstones: number;
  /** Tickets per customer (bulk) or a total spread unevenly over customers (demo). */
  tickets: Volume;
  conversations: Volume;
}

type Volume = { perCustomer: number } | { total: number };

const ORIGINS: readonly (readonly [TicketOrigin, number])[] = [['CUSTOMER', 45], ['ESCALATION', 30], ['AGENT', 18], ['BOT', 7]];

function ticketType(rng: Rng, origin: TicketOrigin): TicketType {
  switch (origin) {
    case 'CUSTOMER':
      return rng.weighted([['QUESTION', 80], ['INCIDENT', 20]] as const);
    case 'ESCALATION':
      return rng.weighted([['QUESTION', 60], ['INCIDENT', 25], ['TASK', 15]] as const);
    case 'BOT':
      return 'QUESTION';
    case 'AGENT':
      return rng.weighted([['TASK', 55], ['QUESTION', 35], ['PROBLEM', 10]] as const);
  }
}

/** Spreads `total` over customers with a long tail: a few customers contact you a lot. */
function spread(rng: Rng, weights: readonly number[], total: number): number[] {
  const counts = weights.map(() => 0);
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) cumulative.push((sum += w));
  for (let i = 0; i < total; i++) {
    const r = rng.next() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    counts[lo]! += 1;
  }
  return counts;
}

function perCustomer(volume: Volume): number {
  return 'perCustomer' in volume ? volume.perCustomer : 0;
}

export function planWorkspace(ctx: SeedContext, options: PlanOptions): WorkspacePlan {
  const rng = ctx.rng.fork('plan');
  const customers: CustomerPlan[] = [];
  for (let index = 0; index < options.customers; index++) {
    // Over half of the customer base predates the window; the rest signs up during it.
    const firstSeenAt = rng.chance(0.55)
      ? Math.floor(rng.between(ctx.setupAt + DAY, ctx.windowStart))
      : arrivalTime(rng, ctx.windowStart, ctx.now - 5 * DAY);
    customers.push({ index, firstSeenAt, tombstone: index >= options.customers - options.tombstones, tickets: [], conversations: 0 });
  }
  const active = customers.filter((c) => !c.tombstone);
  const weights = active.map(() => rng.duration(1, 0.9));
  const ticketCounts = 'total' in options.tickets ? spread(rng, weights, options.tickets.total) : active.map(() => perCustomer(options.tickets));

  const all: TicketPlan[] = [];
  active.forEach((customer, i) => {
    for (let k = 0; k < ticketCounts[i]!; k++) {
      const origin = rng.weighted(ORIGINS);
      const type = ticketType(rng, origin);
      const fn: CxFunction = type === 'INCIDENT' || type === 'PROBLEM' ? 'SUPPORT' : rng.chance(0.8) ? 'SUPPORT' : 'SERVICE';
      // Escalations need room for the conversation that precedes them.
      const earliest = Math.max(ctx.windowStart, customer.firstSeenAt + (origin === 'ESCALATION' || origin === 'BOT' ? 2 * DAY : HOUR));
      const createdAt = arrivalTime(rng, earliest, ctx.now - 10 * MINUTE);
      const plan: TicketPlan = { number: 0, customer: customer.index, createdAt, origin, type, function: fn };
      customer.tickets.push(plan);
      all.push(plan);
    }
  });
  all.sort((a, b) => a.createdAt - b.createdAt || a.customer - b.customer);
  all.forEach((t, i) => (t.number = i + 1));

  if ('total' in options.conversations) {
    // The total includes the conversations that tickets were escalated from.
    const escalations = all.filter((t) => t.origin === 'ESCALATION' || t.origin === 'BOT').length;
    spread(rng, weights, Math.max(0, options.conversations.total - escalations)).forEach((n, i) => (active[i]!.conversations = n));
  } else {
    for (const customer of active) customer.conversations = perCustomer(options.conversations);
  }
  return { customers, ticketCount: all.length, lastTicketAt: all.length ? all[all.length - 1]!.createdAt : ctx.setupAt };
}
