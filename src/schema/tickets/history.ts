import { randomBytes } from 'node:crypto';
import { uuidv7 } from '../../db/ids.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import type { ActorKind, TicketEventKind } from '../../generated/prisma/enums.ts';
import type { Actor } from '../service-kit.ts';

/**
 * Writes a ticket's audit trail. One writer per transaction: every entry of one mutation shares
 * its timestamp, and ids carry a per-writer counter in the UUIDv7 `rand_a` bits (RFC 9562,
 * method 1), so the trail sorted by (createdAt, id) shows entries in the order they were added
 * rather than in random order within the same millisecond.
 */
export class TicketHistory {
  private entries: Prisma.TicketEventCreateManyInput[] = [];
  private counter = 0;

  constructor(
    private readonly tx: Prisma.TransactionClient,
    private readonly actor: Actor,
    readonly now: Date,
  ) {}

  /** A UUIDv7 at `now` that sorts after every id this writer handed out before. */
  nextId(): string {
    const random = randomBytes(16);
    const n = this.counter++;
    random[6] = (n >> 8) & 0x0f;
    random[7] = n & 0xff;
    return uuidv7(this.now, random);
  }

  add(
    ticketId: string,
    kind: TicketEventKind,
    entry: { field?: string; oldValue?: unknown; newValue?: unknown; actorKind?: ActorKind } = {},
  ): void {
    this.entries.push({
      id: this.nextId(),
      workspaceId: this.actor.workspaceId,
      ticketId,
      kind,
      field: entry.field ?? null,
      oldValue: jsonValue(entry.oldValue),
      newValue: jsonValue(entry.newValue),
      // A customer's comment can cause an entry (a reopen); the key that relayed it is still recorded.
      actorKind: entry.actorKind ?? this.actor.kind,
      actorAgentId: entry.actorKind === 'CUSTOMER' ? null : this.actor.agentId,
      actorApiKeyId: this.actor.apiKeyId,
      createdAt: this.now,
    });
  }

  fieldChanged(ticketId: string, field: string, oldValue: unknown, newValue: unknown, actorKind?: ActorKind): void {
    this.add(ticketId, 'FIELD_CHANGED', { field, oldValue, newValue, actorKind });
  }

  async flush(): Promise<void> {
    if (this.entries.length === 0) return;
    const batch = this.entries;
    this.entries = [];
    await this.tx.ticketEvent.createMany({ data: batch });
  }
}

// JSON null and "no value" are different in Prisma: absent values are stored as SQL NULL.
function jsonValue(value: unknown): Prisma.InputJsonValue | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return value.toISOString();
  return value as Prisma.InputJsonValue;
}
