import type { Event, Prisma, PrismaClient } from '../generated/prisma/client.ts';
import type { WakeupBus } from './bus.ts';

/**
 * One reader per workspace per instance. Every live subscriber of a workspace is attached to its
 * feed; the feed reads each new batch of events from the table ONCE (on a wake-up from the bus or
 * its poll timer), loads the objects that subscribers' filters depend on ONCE per batch, and fans
 * the events out in memory. The cost of an event is therefore independent of how many
 * subscribers listen; only the per-subscriber GraphQL execution remains (and its object
 * re-fetches are shared too, see `LiveEvents.snapshot`).
 *
 * Ordering and the seam: within a workspace, ids become visible in commit order
 * (src/events/outbox.ts), the feed reads strictly by id and processes reads and attachments one
 * at a time, in order. It keeps the most recent events in memory, so a subscriber that catches up
 * from the table (replay, or a resume) joins from there with no gap and no duplicate: it is handed
 * exactly the events after its own cursor, then every later batch.
 */

/** Narrows which events a subscriber wants, by the ids an event names; usable in SQL and in memory. */
export type EventMatch = { subjectType: string; subjectId?: string } | { payloadKey: string; id: string };

export interface EventRoute {
  types: readonly string[];
  /** At least one must hold; omitted or empty: every event of these types. */
  anyOf?: readonly EventMatch[];
}

/** Loads the current state of some objects of one workspace in one query (missing ones: absent). */
export interface StateLoader<S> {
  load(prisma: PrismaClient, workspaceId: string, ids: readonly string[]): Promise<Map<string, S>>;
}

/** A final check per event on the object as it is at delivery; a missing object is never delivered. */
export interface EventCheck<S = never> {
  loader: StateLoader<S>;
  idOf(event: Event): string;
  test(state: S): boolean;
}

function payloadValue(event: Event, key: string): unknown {
  const p = event.payload;
  return p && typeof p === 'object' && !Array.isArray(p) ? (p as Record<string, unknown>)[key] : undefined;
}

/** A route prepared for matching many events quickly. */
export class CompiledRoute {
  private readonly types: ReadonlySet<string>;
  constructor(readonly route: EventRoute) {
    this.types = new Set(route.types);
  }

  /** The same condition as `matches`, for reading the table. */
  where(): Prisma.EventWhereInput {
    const anyOf = this.route.anyOf ?? [];
    return {
      type: { in: [...this.route.types] },
      ...(anyOf.length
        ? {
            OR: anyOf.map((m) =>
              'payloadKey' in m ? { payload: { path: [m.payloadKey], equals: m.id } } : { subjectType: m.subjectType, ...(m.subjectId ? { subjectId: m.subjectId } : {}) },
            ),
          }
        : {}),
    };
  }

  matches(event: Event): boolean {
    if (!this.types.has(event.type)) return false;
    const anyOf = this.route.anyOf;
    if (!anyOf?.length) return true;
    return anyOf.some((m) =>
      'payloadKey' in m ? payloadValue(event, m.payloadKey) === m.id : event.subjectType === m.subjectType && (m.subjectId === undefined || event.subjectId === m.subjectId),
    );
  }
}

/** What the feed needs of a subscriber. */
export interface FeedSubscriber {
  /** Last event id this subscriber has considered; the feed only hands it later ones. */
  cursor: bigint;
  readonly route: CompiledRoute;
  readonly check?: EventCheck<unknown>;
  /** A matching event, in id order. */
  push(event: Event): void;
}

type States = Map<StateLoader<unknown>, Map<string, unknown>>;

/** Loads, once per loader, every object the checks of these (event, subscriber) pairs depend on. */
async function loadStates(prisma: PrismaClient, workspaceId: string, pairs: Iterable<[Event, EventCheck<unknown>]>): Promise<States> {
  const wanted = new Map<StateLoader<unknown>, Set<string>>();
  for (const [event, check] of pairs) {
    let ids = wanted.get(check.loader);
    if (!ids) wanted.set(check.loader, (ids = new Set()));
    ids.add(check.idOf(event));
  }
  const states: States = new Map();
  await Promise.all([...wanted].map(async ([loader, ids]) => states.set(loader, await loader.load(prisma, workspaceId, [...ids]))));
  return states;
}

/** The final check of an event whose route already matched: no check, or the object's current state passes it. */
function passes(check: EventCheck<unknown> | undefined, event: Event, states: States): boolean {
  if (!check) return true;
  const state = states.get(check.loader)?.get(check.idOf(event));
  return state !== undefined && check.test(state);
}

/**
 * The events of a page that a subscriber accepts: route, then the check on the objects' current
 * state (loaded in one query per loader). Used by the feed for many subscribers and by a
 * replaying subscriber for itself, so both deliver exactly the same events.
 */
export async function acceptedEvents(prisma: PrismaClient, workspaceId: string, events: readonly Event[], subscriber: Pick<FeedSubscriber, 'route' | 'check'>): Promise<Event[]> {
  const routed = events.filter((e) => subscriber.route.matches(e));
  const check = subscriber.check;
  if (!check || routed.length === 0) return routed;
  const states = await loadStates(prisma, workspaceId, routed.map((e) => [e, check] as [Event, EventCheck<unknown>]));
  return routed.filter((e) => passes(check, e, states));
}

export const FEED_PAGE_SIZE = 500;
/** How many of the latest events a feed keeps, so attaching subscribers catch up from memory. */
export const FEED_RECENT = 2_000;
/** At most this many accepted events are handed over from memory when a subscriber joins. */
export const JOIN_BACKLOG = 200;

export class WorkspaceFeed {
  private head: bigint;
  /** Every event of the workspace with floor < id <= head is in `recent`. */
  private floor: bigint;
  private readonly recent: Event[] = [];
  private readonly subscribers = new Set<FeedSubscriber>();
  private readonly attaching: Array<{ subscriber: FeedSubscriber; done: (attached: boolean) => void }> = [];
  private readPending = false;
  private draining: Promise<void> | null = null;
  private closed = false;
  private readonly unsubscribe: () => void;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly prisma: PrismaClient,
    bus: WakeupBus,
    readonly workspaceId: string,
    start: bigint,
    pollMs: number,
    private readonly onClose: (feed: WorkspaceFeed) => void,
  ) {
    this.head = this.floor = start;
    this.unsubscribe = bus.subscribe(workspaceId, () => this.wake());
    this.timer = setInterval(() => this.wake(), pollMs);
    this.timer.unref();
  }

  /** The last event id read: a subscriber starting "now" starts here. */
  get position(): bigint {
    return this.head;
  }

  get size(): number {
    return this.subscribers.size;
  }

  /** Can a subscriber at this cursor join from memory (as of now)? */
  covers(cursor: bigint): boolean {
    return cursor >= this.floor;
  }

  /** A recent event of this workspace, if still in memory (lets a resume skip a query). */
  recentEvent(id: bigint): Event | undefined {
    if (id <= this.floor || id > this.head) return undefined;
    return this.recent.find((e) => e.id === id);
  }

  /**
   * Joins a subscriber: resolves true once it is live (having been handed every event after its
   * cursor that it accepts), false when its cursor is older than the feed's memory — it must read
   * more from the table, then try again.
   */
  attach(subscriber: FeedSubscriber): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((done) => {
      this.attaching.push({ subscriber, done });
      this.drain();
    });
  }

  detach(subscriber: FeedSubscriber): void {
    this.subscribers.delete(subscriber);
    this.closeIfIdle();
  }

  wake(): void {
    if (this.closed) return;
    this.readPending = true;
    this.drain();
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = (async () => {
      try {
        while (!this.closed && (this.attaching.length > 0 || this.readPending)) {
          const join = this.attaching.shift();
          if (join) await this.join(join.subscriber).then(join.done, () => join.done(false));
          else await this.read();
        }
      } finally {
        this.draining = null;
        this.closeIfIdle();
      }
    })();
  }

  private async join(subscriber: FeedSubscriber): Promise<boolean> {
    if (subscriber.cursor < this.floor) return false;
    if (subscriber.cursor < this.head) {
      const missed = await acceptedEvents(this.prisma, this.workspaceId, this.recent.filter((e) => e.id > subscriber.cursor), subscriber);
      // More than a replay page behind: the subscriber reads the table at its own pace instead of being flooded.
      if (missed.length > JOIN_BACKLOG) return false;
      for (const event of missed) subscriber.push(event);
      subscriber.cursor = this.head;
    }
    this.subscribers.add(subscriber);
    return true;
  }

  private async read(): Promise<void> {
    this.readPending = false;
    try {
      for (;;) {
        const rows = await this.prisma.event.findMany({
          where: { workspaceId: this.workspaceId, id: { gt: this.head } },
          orderBy: { id: 'asc' },
          take: FEED_PAGE_SIZE,
        });
        if (rows.length > 0) await this.deliver(rows);
        if (rows.length < FEED_PAGE_SIZE || this.closed) return;
      }
    } catch {
      // A failed read (database blip) is retried on the next wake-up or poll: head has not moved past unread rows.
    }
  }

  private async deliver(rows: Event[]): Promise<void> {
    const subscribers = [...this.subscribers];
    // Routes are matched once per (event, subscriber); the list is event-major, so each
    // subscriber's events stay in id order.
    const matched: Array<[Event, FeedSubscriber]> = [];
    for (const event of rows) for (const s of subscribers) if (event.id > s.cursor && s.route.matches(event)) matched.push([event, s]);
    const checked = matched.filter(([, s]) => s.check).map(([event, s]) => [event, s.check!] as [Event, EventCheck<unknown>]);
    const states: States = checked.length ? await loadStates(this.prisma, this.workspaceId, checked) : new Map();
    for (const [event, s] of matched) if (this.subscribers.has(s) && passes(s.check, event, states)) s.push(event);
    const last = rows[rows.length - 1]!.id;
    for (const s of subscribers) if (s.cursor < last) s.cursor = last;
    this.head = rows[rows.length - 1]!.id;
    this.recent.push(...rows);
    if (this.recent.length > FEED_RECENT) this.floor = this.recent.splice(0, this.recent.length - FEED_RECENT).at(-1)!.id;
  }

  private closeIfIdle(): void {
    if (this.subscribers.size > 0 || this.attaching.length > 0 || this.draining || this.closed) return;
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    clearInterval(this.timer);
    for (const join of this.attaching.splice(0)) join.done(false);
    this.subscribers.clear();
    this.onClose(this);
  }
}

/** The feeds of one instance, one per workspace with live subscribers. */
export class FeedRegistry {
  private readonly feeds = new Map<string, WorkspaceFeed>();

  constructor(
    private readonly bus: WakeupBus,
    private readonly pollMs: number,
  ) {}

  get(workspaceId: string): WorkspaceFeed | undefined {
    return this.feeds.get(workspaceId);
  }

  /** The workspace's feed, created starting at `start` when there is none. */
  open(prisma: PrismaClient, workspaceId: string, start: bigint): WorkspaceFeed {
    let feed = this.feeds.get(workspaceId);
    if (!feed) {
      feed = new WorkspaceFeed(prisma, this.bus, workspaceId, start, this.pollMs, (f) => {
        if (this.feeds.get(workspaceId) === f) this.feeds.delete(workspaceId);
      });
      this.feeds.set(workspaceId, feed);
    }
    return feed;
  }

  closeAll(): void {
    for (const feed of [...this.feeds.values()]) feed.close();
  }
}
