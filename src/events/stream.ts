import { GraphQLError } from 'graphql';
import type { Event, PrismaClient } from '../generated/prisma/client.ts';
import { ErrorCode, requestError } from '../errors.ts';
import { deliveryUnavailable, jittered, RETRY_DELAYS_MS, sleep } from './delivery.ts';
import { acceptedEvents, CompiledRoute, type EventCheck, type EventRoute, type FeedRegistry, type FeedSubscriber, type WorkspaceFeed } from './feed.ts';

/**
 * A subscriber's stream of its workspace's events: replay of every matching event with id >
 * `after` (pages of 200, id ascending), then live delivery from the workspace's shared feed
 * (src/events/feed.ts). Both read the table by id only, and within a workspace ids become visible
 * in commit order (src/events/outbox.ts), so there is no gap and no duplicate at the seam between
 * replay and live delivery, and none after a resume.
 */

export const PAGE_SIZE = 200;

/** Clients branch on these codes. */
export const CURSOR_EXPIRED = 'CURSOR_EXPIRED';
export const SUBSCRIBER_TOO_SLOW = 'SUBSCRIBER_TOO_SLOW';

export function encodeEventCursor(id: bigint): string {
  return Buffer.from(`Event:${id.toString()}`, 'utf8').toString('base64url');
}

export function decodeEventCursor(cursor: string, argument = 'after'): bigint {
  const invalid = () => requestError(ErrorCode.BAD_USER_INPUT, `\`${argument}\` is not a valid event cursor`, { argument });
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 100 || !/^[A-Za-z0-9_-]+=*$/.test(cursor)) throw invalid();
  const match = /^Event:(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw invalid();
  return BigInt(match[1]!);
}

export function cursorExpired(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: CURSOR_EXPIRED } });
}

/**
 * Where a new stream starts: after the client's cursor (which must name an event of this
 * workspace inside the retention window), or after the workspace's newest event.
 */
export async function startingPoint(
  prisma: PrismaClient,
  feeds: FeedRegistry,
  workspaceId: string,
  after: string | null | undefined,
  retentionMs: number,
  now = new Date(),
): Promise<bigint> {
  const feed = feeds.get(workspaceId);
  if (after === null || after === undefined) {
    // "Now" is where this instance's reader is (it reads every new event at once), or the newest event.
    if (feed) return feed.position;
    const newest = await prisma.event.findFirst({ where: { workspaceId }, orderBy: { id: 'desc' }, select: { id: true } });
    return newest?.id ?? 0n;
  }
  const id = decodeEventCursor(after);
  const event = feed?.recentEvent(id) ?? (await prisma.event.findFirst({ where: { id, workspaceId }, select: { createdAt: true } }));
  if (!event || event.createdAt.getTime() < now.getTime() - retentionMs) {
    throw cursorExpired('This cursor is older than the event retention window or no longer exists: refetch the data, then subscribe again without `after`.');
  }
  return id;
}

/**
 * Either an event, or the error that ends the stream (delivered as a GraphQL error, then the
 * stream completes). An event pulled from a stream carries `resumeAfter`: the id of the event
 * the subscriber received before it (or the stream's starting point), so a stream that cannot
 * deliver it can end with the cursor that gets it again.
 */
export type StreamItem = { event: Event; error?: undefined; resumeAfter?: bigint } | { event?: undefined; error: GraphQLError };

/** The cursor to resume with, in front of this item's event; null when there is none to give (an empty workspace at start). */
export function resumeCursorOf(payload: unknown): string | null {
  const after = (payload as { resumeAfter?: unknown } | null)?.resumeAfter;
  return typeof after === 'bigint' && after > 0n ? encodeEventCursor(after) : null;
}

/** The durable event of a subscription payload, when it is a stream item carrying one (typing signals and metric updates are not). */
export function eventOfItem(payload: unknown): Event | null {
  const event = (payload as Partial<StreamItem> | null)?.event;
  return event && typeof event.id === 'bigint' ? event : null;
}

export interface EventStreamOptions<S = never> {
  prisma: PrismaClient;
  feeds: FeedRegistry;
  workspaceId: string;
  /** Start strictly after this id (see `startingPoint`). */
  after: bigint;
  route: EventRoute;
  /** Final check per event on the object's current state (status, channel...), loaded once per batch for all subscribers. */
  check?: EventCheck<S>;
  maxBuffered: number;
  /** Keep only the newest undelivered event (for consumers that only need "something changed"): never too slow. */
  coalesce?: boolean;
  track?: (stream: { end(): void }) => () => void;
}

export type EventStreamHandle = AsyncIterableIterator<StreamItem> & {
  end(): void;
  /** Takes the events waiting to be pulled, returning the newest (a coalescing consumer catching up at once); null if none. */
  drain(): Event | null;
};

export function eventStream<S = never>(options: EventStreamOptions<S>): EventStreamHandle {
  return new EventStream(options as EventStreamOptions<unknown>);
}

/**
 * One subscriber. It first replays from the table by itself (one page per pull, paced by the
 * client), then joins its workspace's feed (src/events/feed.ts), which hands it every later event
 * it accepts. Live events wait in a bounded queue; past `maxBuffered` the stream ends with
 * SUBSCRIBER_TOO_SLOW instead of growing.
 */
class EventStream implements AsyncIterableIterator<StreamItem>, FeedSubscriber {
  cursor: bigint;
  readonly route: CompiledRoute;
  readonly check?: EventCheck<unknown>;
  private readonly queue: StreamItem[] = [];
  private feed: WorkspaceFeed | null = null;
  /** The last join attempt was refused: read the table before trying again. */
  private joinFailed = false;
  private finished = false;
  /** The last event handed to the consumer (or the starting point): where a resume must start. */
  private delivered: bigint;
  /** Consecutive failed reads of the table (database blip); reset by a successful one. */
  private failures = 0;
  private waiter: (() => void) | null = null;
  private readonly untrack: () => void;

  constructor(private readonly o: EventStreamOptions<unknown>) {
    this.cursor = this.delivered = o.after;
    this.route = new CompiledRoute(o.route);
    this.check = o.check;
    this.untrack = o.track?.(this) ?? (() => undefined);
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  /** Reads one page of the table after the cursor; true when it was the last one. */
  private async replayPage(): Promise<boolean> {
    // Where the workspace's feed has read up to, noted before the query: every event up to it was
    // committed before the query started, so the last page has seen all of them that match.
    const read = this.o.feeds.get(this.o.workspaceId)?.position;
    const rows = await this.o.prisma.event.findMany({
      where: { workspaceId: this.o.workspaceId, id: { gt: this.cursor }, ...this.route.where() },
      orderBy: { id: 'asc' },
      take: PAGE_SIZE,
    });
    const accepted = await acceptedEvents(this.o.prisma, this.o.workspaceId, rows, this);
    if (this.finished) return true;
    for (const event of accepted) this.queue.push({ event });
    if (rows.length > 0) this.cursor = rows[rows.length - 1]!.id;
    if (rows.length >= PAGE_SIZE) return false;
    // The filter runs in the query, so the cursor only passed the events that match. Past the
    // last page it moves to the feed's position too: a cursor left behind the feed's memory (no
    // matching event since) could never join it, and the stream would replay and retry forever.
    if (read !== undefined && read > this.cursor) this.cursor = read;
    return true;
  }

  /** Joins the feed (from memory when it still holds the events after the cursor); false: replay more first. */
  private async join(): Promise<boolean> {
    const feed = this.o.feeds.open(this.o.prisma, this.o.workspaceId, this.cursor);
    if (!(await feed.attach(this))) return false;
    if (this.finished) {
      feed.detach(this);
      return true;
    }
    this.feed = feed;
    return true;
  }

  push(event: Event): void {
    if (this.finished) return;
    if (this.o.coalesce) this.queue.length = 0;
    this.queue.push({ event });
    if (this.queue.length > this.o.maxBuffered) {
      this.fail(
        new GraphQLError(
          `This subscriber fell more than ${this.o.maxBuffered} events behind; the stream ended. Subscribe again with \`after\` set to the last cursor you received.`,
          { extensions: { code: SUBSCRIBER_TOO_SLOW } },
        ),
      );
      return;
    }
    this.signal();
  }

  private fail(error: GraphQLError): void {
    // What is queued is dropped: the client resumes from the last cursor it actually received.
    this.queue.length = 0;
    this.queue.push({ error });
    this.stop();
    this.signal();
  }

  private signal(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }

  private stop(): void {
    if (this.finished) return;
    this.finished = true;
    this.feed?.detach(this);
    this.feed = null;
    this.untrack();
  }

  end(): void {
    this.stop();
    this.signal();
  }

  drain(): Event | null {
    if (this.finished) return null;
    const newest = this.queue.at(-1)?.event ?? null;
    this.queue.length = 0;
    return newest;
  }

  async next(): Promise<IteratorResult<StreamItem>> {
    for (;;) {
      const item = this.queue.shift();
      if (item?.event) {
        const resumeAfter = this.delivered;
        this.delivered = item.event.id;
        return { value: { event: item.event, resumeAfter }, done: false };
      }
      if (item) return { value: item, done: false };
      if (this.finished) return { value: undefined, done: true };
      if (!this.feed) {
        // Replay is paced by the consumer: one page per pull, nothing buffered ahead. A feed that
        // still holds everything after the cursor is joined at once, without reading the table.
        try {
          const fromMemory = !this.joinFailed && (this.o.feeds.get(this.o.workspaceId)?.covers(this.cursor) ?? false);
          if ((fromMemory || (await this.replayPage())) && !this.finished) this.joinFailed = !(await this.join());
          this.failures = 0;
        } catch {
          // The table could not be read (nothing was queued from the failed page): try again a few
          // times, then end with the cursor of the last event delivered, never skipping one.
          const delay = RETRY_DELAYS_MS[this.failures++];
          if (delay === undefined || this.finished) {
            this.fail(deliveryUnavailable(this.delivered > 0n ? encodeEventCursor(this.delivered) : null));
          } else {
            await sleep(jittered(delay));
          }
        }
        continue;
      }
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        if (this.queue.length > 0 || this.finished) this.signal();
      });
    }
  }

  async return(): Promise<IteratorResult<StreamItem>> {
    this.end();
    return { value: undefined, done: true };
  }

  async throw(error?: unknown): Promise<IteratorResult<StreamItem>> {
    this.end();
    throw error;
  }
}
