import { randomBytes } from 'node:crypto';
import { uuidv7 } from '../../db/ids.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import type { ActorKind, TicketEventKind } from '../../generated/prisma/enums.ts';
import { recordEvents, type NewEvent } from '../../events/outbox.ts';
import type { Actor } from '../service-kit.ts';

/**
 * Writes a ticket's audit trail. One writer per transaction: every entry of one mutation shares
 * its timestamp, and ids carry a per-writer counter in the UUIDv7 `rand_a` bits (RFC 9562,
 * method 1), so the trail sorted by (createdAt, id) shows entries in the order they were added
 * rather than in random order within the same millisecond.
 *
 * The trail also yields the mutation's outbox events (see `outboxEvents`), written by `flush`
 * as the last step of the transaction, so the trail, the events and the change commit together.
 */
export class TicketHistory {
  private entries: Prisma.TicketEventCreateManyInput[] = [];
  private counter = 0;
  /** Per ticket, in the order first touched: what the outbox reports about it. */
  private touched = new Map<string, { kinds: Set<TicketEventKind>; fields: Set<string>; extra: Record<string, unknown> }>();

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
    const touch = this.touch(ticketId);
    touch.kinds.add(kind);
    if (entry.field) touch.fields.add(entry.field);
    if (kind === 'COMMENT_ADDED') Object.assign(touch.extra, { commentId: (entry.newValue as { commentId?: string })?.commentId });
    if (kind === 'MERGED_INTO') touch.extra.mergedIntoId = (entry.newValue as { ticketId: string }).ticketId;
    if (kind === 'MERGED_FROM') touch.extra.mergedFromId = (entry.newValue as { ticketId: string }).ticketId;
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

  /** A change the outbox reports (as a changed field) that the audit trail does not record, e.g. firstResponseAt. */
  changedWithoutTrail(ticketId: string, field: string): void {
    this.touch(ticketId).fields.add(field);
  }

  private touch(ticketId: string) {
    let touch = this.touched.get(ticketId);
    if (!touch) this.touched.set(ticketId, (touch = { kinds: new Set(), fields: new Set(), extra: {} }));
    return touch;
  }

  /**
   * Writes the trail, then the outbox events (with `extra` events of other domains after the
   * tickets'); the outbox write must be the last write of the transaction.
   */
  async flush(extra: NewEvent[] = []): Promise<void> {
    const batch = this.entries;
    this.entries = [];
    if (batch.length > 0) await this.tx.ticketEvent.createMany({ data: batch });
    const events = [...(await this.outboxEvents()), ...extra];
    this.touched.clear();
    await recordEvents(this.tx, { workspaceId: this.actor.workspaceId, kind: this.actor.kind, agentId: this.actor.agentId }, events);
  }

  /**
   * One event per ticket and kind of change: ticket.created for a new ticket, ticket.merged for a
   * merged-away source (a tombstone), ticket.commented for a comment, and one ticket.updated
   * listing every field that changed (as in the trail). Routing ids come from the tickets as
   * they are at the end of the transaction.
   */
  private async outboxEvents(): Promise<NewEvent[]> {
    if (this.touched.size === 0) return [];
    const rows = await this.tx.ticket.findMany({
      where: { id: { in: [...this.touched.keys()] }, workspaceId: this.actor.workspaceId },
      select: { id: true, status: true, requesterId: true, assigneeId: true, teamId: true, organizationId: true, sourceConversationId: true },
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    const events: NewEvent[] = [];
    for (const [ticketId, touch] of this.touched) {
      const t = byId.get(ticketId);
      if (!t) continue;
      const routing = { customerId: t.requesterId, assigneeId: t.assigneeId, teamId: t.teamId, organizationId: t.organizationId, status: t.status };
      const event = (type: NewEvent['type'], payload: Record<string, unknown> = {}) =>
        events.push({ type, subjectType: 'Ticket', subjectId: ticketId, payload: { ...routing, ...payload } });
      if (touch.kinds.has('CREATED')) {
        event('ticket.created', { conversationId: t.sourceConversationId });
        continue;
      }
      if (touch.kinds.has('MERGED_INTO')) {
        event('ticket.merged', { mergedIntoId: touch.extra.mergedIntoId });
        continue;
      }
      if (touch.kinds.has('COMMENT_ADDED')) event('ticket.commented', { commentId: touch.extra.commentId });
      if (touch.fields.size > 0 || touch.kinds.has('MERGED_FROM')) {
        event('ticket.updated', {
          changedFields: [...touch.fields],
          ...(touch.extra.mergedFromId ? { mergedFromId: touch.extra.mergedFromId } : {}),
        });
      }
    }
    return events;
  }
}

// JSON null and "no value" are different in Prisma: absent values are stored as SQL NULL.
function jsonValue(value: unknown): Prisma.InputJsonValue | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return value.toISOString();
  return value as Prisma.InputJsonValue;
}
