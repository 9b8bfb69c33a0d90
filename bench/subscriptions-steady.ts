import { percentile, sleep } from './stats.ts';

/**
 * Phase 3 of bench/subscriptions.ts: mutations at a steady rate to every live subscriber, then
 * a check by event id that each subscriber got every committed event exactly once, in order.
 * The sender never queues more than MAX_IN_FLIGHT requests: ticks it cannot serve are counted
 * as skipped, so the achieved rate (not the requested one) is what gets reported.
 */

const MAX_IN_FLIGHT = 16;

export interface SteadyPool {
  waitFor(target: number, timeoutMs: number, stallMs?: number): Promise<{ received: number; errors: number; at: number }>;
  collect(expected: string[]): Promise<{ exact: number; missing: number; extra: number; outOfOrder: number; errors: string[]; hist: Map<number, number> }>;
}

export interface SteadyOptions {
  pool: SteadyPool;
  live: number;
  rate: number;
  seconds: number;
  drainMs: number;
  sendMessage(): Promise<boolean>;
  committedSince(): Promise<string[]>;
  log(line: string): void;
}

export async function runSteady(o: SteadyOptions): Promise<Record<string, unknown>> {
  const interval = 1000 / o.rate;
  const start = Date.now();
  const end = start + o.seconds * 1000;
  let next = start;
  let inFlight = 0;
  let sent = 0;
  let skipped = 0;
  let failed = 0;
  while (Date.now() < end) {
    const now = Date.now();
    while (next <= now) {
      next += interval;
      if (inFlight >= MAX_IN_FLIGHT) {
        skipped += 1;
        continue;
      }
      inFlight += 1;
      sent += 1;
      o.sendMessage()
        .then((ok) => void (ok || (failed += 1)))
        .catch(() => void (failed += 1))
        .finally(() => void (inFlight -= 1));
    }
    await sleep(Math.max(1, Math.min(10, next - Date.now())));
  }
  while (inFlight > 0) await sleep(5);
  const sendSeconds = (Date.now() - start) / 1000;
  const expected = await o.committedSince();
  const target = expected.length * o.live;
  o.log(`steady: requested ${o.rate}/s for ${o.seconds}s; committed ${expected.length} events in ${sendSeconds}s (${Math.round(expected.length / sendSeconds)}/s), ${skipped} ticks skipped (sender saturated), ${failed} failed; waiting for ${target} deliveries`);
  const drained = await o.pool.waitFor(target, o.drainMs);
  const deliverySeconds = (drained.at - start) / 1000;
  const check = await o.pool.collect(expected);
  const result = {
    requestedRate: o.rate,
    committedEvents: expected.length,
    committedPerSecond: Math.round(expected.length / sendSeconds),
    skippedTicks: skipped,
    failedMutations: failed,
    expectedDeliveries: target,
    delivered: drained.received,
    deliveriesPerSecond: Math.round(drained.received / deliverySeconds),
    drainedWithinTimeout: drained.received >= target,
    zeroLoss: drained.received >= target && check.missing === 0 && check.extra === 0 && check.outOfOrder === 0,
    subscribersExact: check.exact,
    subscribers: o.live,
    // Before the drain finished these are late, not lost: only a drained run proves zero loss.
    notDelivered: check.missing,
    extra: check.extra,
    outOfOrder: check.outOfOrder,
    streamErrors: check.errors,
    latencyP50: percentile(check.hist, 50),
    latencyP99: percentile(check.hist, 99),
  };
  o.log(`steady: ${JSON.stringify(result)}`);
  return result;
}
