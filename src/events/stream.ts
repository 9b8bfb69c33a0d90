import { GraphQLError } from 'graphql';
import type { Event, Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { ErrorCode, requestError } from '../errors.ts';
import type { WakeupBus } from './bus.ts';

/**
 * One subscriber's view of its workspace's event table. It replays every matching event with
 * id > `after` (pages of 200, id ascending), then re-reads from the last id it read whenever
 * the bus wakes it (or its poll timer fires). The table is read by id only, and within a
 * workspace ids become visible in commit order (src/events/outbox.ts), so there is no gap and
 * no duplicate at the seam between replay and live delivery, and none after a resume.
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
  workspaceId: string,
  after: string | null | undefined,
  retentionMs: number,
  now = new Date(),
): Promise<bigint> {
  if (after === null || after === undefined) {
    const newest = await prisma.event.findFirst({ where: { workspaceId }, orderBy: { id: 'desc' }, select: { id: true } });
    return newest?.id ?? 0n;
  }
  const id = decodeEventCursor(after);
  const event = await prisma.event.findFirst({ where: { id, workspaceId }, select: { createdAt: true } });
  if (!event || event.createdAt.getTime() < now.getTime() - retentionMs) {
    throw cursorExpired('This cursor is older than the event retention window or no longer exists: refetch the data, then subscribe again without `after`.');
  }
  return id;
}

/** Either an event, or the error that ends the stream (delivered as a GraphQL error, then the stream completes). */
export type StreamItem = { event: Event; error?: undefined } | { event?: undefined; error: GraphQLError };

export interface EventStreamOptions {
  prisma: PrismaClient;
  bus: WakeupBus;
  workspaceId: string;
  /** Start strictly after this id (see `startingPoint`). */
  after: bigint;
  types: readonly string[];
  /** Extra SQL narrowing (payload ids), so other conversations' events are not even read. */
  where?: Prisma.EventWhereInput;
  /** Final check per event (may re-fetch the object: status, channel...). */
  filter?: (event: Event) => boolean | Promise<boolean>;
  maxBuffered: number;
  pollMs: number;
  track?: (stream: { end(): void }) => () => void;
}

export function eventStream(options: EventStreamOptions): AsyncIterableIterator<StreamItem> & { end(): void } {
  return new EventStream(options);
}

class EventStream implements AsyncIterableIterator<StreamItem> {
  private readonly queue: StreamItem[] = [];
  private cursor: bigint;
  private live = false;
  private finished = false;
  private reading: Promise<void> | null = null;
  private wokenWhileReading = false;
  private waiter: (() => void) | null = null;
  private readonly unsubscribe: () => void;
  private readonly untrack: () => void;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly o: EventStreamOptions) {
    this.cursor = o.after;
    // Subscribed before the first read: a wake-up during replay is remembered, not lost.
    this.unsubscribe = o.bus.subscribe(o.workspaceId, () => this.wake());
    this.timer = setInterval(() => this.wake(), o.pollMs);
    this.timer.unref();
    this.untrack = o.track?.(this) ?? (() => undefined);
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  private async readPage(): Promise<number> {
    const rows = await this.o.prisma.event.findMany({
      where: { workspaceId: this.o.workspaceId, id: { gt: this.cursor }, type: { in: [...this.o.types] }, ...(this.o.where ? { AND: [this.o.where] } : {}) },
      orderBy: { id: 'asc' },
      take: PAGE_SIZE,
    });
    for (const event of rows) {
      if (this.finished) return 0;
      this.cursor = event.id;
      if (!this.o.filter || (await this.o.filter(event))) this.queue.push({ event });
    }
    return rows.length;
  }

  private wake(): void {
    if (!this.live || this.finished) return;
    if (this.reading) {
      this.wokenWhileReading = true;
      return;
    }
    this.reading = this.readLive().finally(() => {
      this.reading = null;
    });
  }

  private async readLive(): Promise<void> {
    try {
      do {
        this.wokenWhileReading = false;
        while (!this.finished && (await this.readPage()) === PAGE_SIZE && this.queue.length <= this.o.maxBuffered);
        if (this.queue.length > this.o.maxBuffered) {
          this.fail(
            new GraphQLError(
              `This subscriber fell more than ${this.o.maxBuffered} events behind; the stream ended. Subscribe again with \`after\` set to the last cursor you received.`,
              { extensions: { code: SUBSCRIBER_TOO_SLOW } },
            ),
          );
          return;
        }
      } while (this.wokenWhileReading && !this.finished);
    } catch {
      // A failed read (database blip) is retried by the next wake-up or poll; the cursor did not move past unread rows.
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
    this.unsubscribe();
    clearInterval(this.timer);
    this.untrack();
  }

  end(): void {
    this.stop();
    this.signal();
  }

  async next(): Promise<IteratorResult<StreamItem>> {
    for (;;) {
      const item = this.queue.shift();
      if (item) return { value: item, done: false };
      if (this.finished) return { value: undefined, done: true };
      if (!this.live) {
        // Replay is paced by the consumer: one page per pull, nothing buffered ahead.
        if ((await this.readPage()) < PAGE_SIZE) {
          this.live = true;
          // Events committed during the replay's last read are picked up at once.
          this.wake();
        }
        continue;
      }
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        if (!this.reading && (this.queue.length > 0 || this.finished)) this.signal();
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
