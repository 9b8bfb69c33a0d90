import { builder } from '../../builder.ts';
import { ErrorCode, requestError } from '../../errors.ts';
import { METRIC_EVENT_TYPES } from '../../events/outbox.ts';
import type { EventStreamHandle, StreamItem } from '../../events/stream.ts';
import type { MetricDefinition } from '../../metrics/definitions.ts';
import { encodeEventCursor, subscribeToEvents } from '../subscriptions/kit.ts';
import { MetricInput, MetricResultRef, prepareMetric, type MetricResultValue } from './types.ts';
import { cost } from '../../guards/cost-spec.ts';

/**
 * `metricUpdated`: a live dashboard tile. The current value is pushed at once; then, whenever
 * events that can change it commit in the caller's workspace, the metric is recomputed for the
 * same input and pushed again — at most once per interval per subscription, however many events
 * arrive (a busy workspace costs one recomputation per interval, not one per event).
 */

export function triggersOf(definition: MetricDefinition): readonly string[] {
  // Unless the definition names its own: every event but the knowledge base's (SLA policy and calendar edits included).
  return definition.triggers ?? METRIC_EVENT_TYPES;
}

interface MetricUpdate {
  result: MetricResultValue;
  computedAt: Date;
  /** Cursor of the newest event the value accounts for; null for the first push. */
  cursor: string | null;
}

const MetricUpdateRef = builder.objectRef<MetricUpdate>('MetricUpdate').implement({
  description: 'A fresh value of a metric subscribed to with `metricUpdated`.',
  fields: (t) => ({
    result: t.field({ type: MetricResultRef, description: 'The metric, recomputed for the subscribed input.', resolve: (u) => u.result }),
    computedAt: t.field({ type: 'DateTime', description: 'When this value was computed.', resolve: (u) => u.computedAt }),
    cursor: t.string({
      nullable: true,
      description:
        'Position in the event log of the newest change this value accounts for; null for the value pushed on subscribe. Time-dependent metrics (SLA compliance, backlog) are also recomputed every minute without a change, keeping the last cursor.',
      resolve: (u) => u.cursor,
    }),
  }),
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** How often a time-dependent metric (see MetricDefinition.timeDependent) is recomputed without any event. */
export const TIME_REFRESH_MS = 60_000;

async function* updates(compute: () => Promise<MetricResultValue>, stream: EventStreamHandle, intervalMs: number, timeDependent: boolean): AsyncGenerator<MetricUpdate> {
  try {
    let last = Date.now();
    let cursor: string | null = null;
    yield { result: await compute(), computedAt: new Date(last), cursor };
    // One pull is kept across refresh ticks, so no event is taken twice or left behind.
    let pending: Promise<IteratorResult<StreamItem>> | null = null;
    for (;;) {
      pending ??= stream.next();
      const next = timeDependent ? await Promise.race([pending, sleep(Math.max(TIME_REFRESH_MS, intervalMs)).then(() => null)]) : await pending;
      if (next) {
        pending = null;
        if (next.done) return;
        if (next.value.error) throw next.value.error;
        cursor = encodeEventCursor(next.value.event.id);
      }
      // Timers may fire a millisecond early: wait until the interval has really passed.
      for (let wait = last + intervalMs - Date.now(); wait > 0; wait = last + intervalMs - Date.now()) await sleep(wait);
      // Whatever committed while waiting is covered by this recomputation.
      const newest = stream.drain();
      if (newest) cursor = encodeEventCursor(newest.id);
      last = Date.now();
      yield { result: await compute(), computedAt: new Date(last), cursor };
    }
  } finally {
    stream.end();
  }
}

builder.subscriptionField('metricUpdated', (t) =>
  t.field({
    type: MetricUpdateRef,
    description:
      'Live metric: pushes the value for `input` at once, then a recomputed value whenever changes that can affect it commit — coalesced to at most one push per `intervalMs`. Invalid input fails at subscribe, as in `metric`.',
    authScopes: { scope: 'metrics:read' },
    // Starting it computes the metric once, as `metric` does (later pushes are paced by intervalMs).
    extensions: cost({ complexity: 50 }),
    args: {
      input: t.arg({ type: MetricInput, required: true, description: 'What to compute, as in `metric`.' }),
      intervalMs: t.arg.int({
        required: false,
        description: "Least time between two pushes, in milliseconds; default and minimum: the server's CXGRAPH_METRIC_PUSH_MS (2000 unless configured); at most 3600000.",
      }),
    },
    subscribe: async (_root, args, ctx) => {
      const floor = ctx.events.metricPushMs;
      const intervalMs = args.intervalMs ?? floor;
      if (intervalMs < floor || intervalMs > 3_600_000) {
        throw requestError(ErrorCode.BAD_USER_INPUT, `intervalMs: must be between ${floor} and 3600000`, { argument: 'intervalMs' });
      }
      const { definition, compute } = await prepareMetric(ctx, args.input);
      const stream = await subscribeToEvents(ctx, null, { scope: 'metrics:read', route: { types: triggersOf(definition) }, coalesce: true });
      return updates(compute, stream, intervalMs, definition.timeDependent ?? false);
    },
    resolve: (update) => update,
  }),
);
