import { uuidv7 } from '../../src/db/ids.ts';
import type { WorkEntrySource } from '../../src/generated/prisma/client.ts';
import { Rng, SECOND } from './rng.ts';
import type { RowBag, SeedContext, Staff } from './types.ts';

/**
 * Work entries (the input of handle time), as agents' tools log them: on most solved tickets
 * and resolved conversations that a human worked, 1–4 sittings by the assignee or a colleague
 * of the team, each 60 s … 1 h, laid out one after another between the item's creation and its
 * (latest) solve or resolution, so every entry lies inside the item's lifetime.

 */

/** The rest were never captured (no timer running, nobody typed them in): handle time excludes them. */
const LOGGED_SHARE = 0.85;
const ENTRY_COUNTS = [[1, 45], [2, 30], [3, 15], [4, 10]] as const;
const SOURCES: readonly (readonly [WorkEntrySource, number])[] = [['TIMER', 45], ['COMPOSITION', 35], ['MANUAL', 20]];
const MIN_SECONDS = 60;
const MAX_SECONDS = 3_600;
/** Median length of one sitting: a ticket is worked in longer stretches than a conversation turn. */
const MEDIAN_SECONDS = { ticket: 720, conversation: 360 } as const;
const SPREAD = 0.8;
/** The share of entries by the item's assignee; the rest by a colleague (a second opinion, a shift handover). */
const ASSIGNEE_SHARE = 0.8;
const NOTED_SHARE = 0.5;
const MANUAL_NOTES = [
  'Phone call with the customer',
  'Reproduced the issue on a test device',
  'Checked the order with the warehouse',
  'Reviewed the account history',
  'Wrote up the resolution for the knowledge base',
] as const;

interface WorkItem {
  id: string;
  kind: keyof typeof MEDIAN_SECONDS;
  openedAt: number;
  closedAt: number;
  assigneeId: string | null;
  teamId: string | null;
}

/** Where a batch's new tickets and conversations start in the row bag. */
export interface WorkFrom {
  tickets: number;
  conversations: number;
}

export function workFrom(rows: RowBag): WorkFrom {
  return { tickets: rows.Ticket.length, conversations: rows.Conversation.length };
}

/**
 * Work entries for the tickets and conversations added to `rows` since `from`. Each item draws
 * from a stream of its own id, so entries do not shift any other table's randomness or ids, and
 * ids stay distinct between workspaces built from the same seed (item ids are).
 */
export function buildWorkEntries(ctx: SeedContext, staff: Staff, rows: RowBag, from: WorkFrom): void {
  const queueWorkers = staff.agents.filter((a) => a.teams.length > 0).map((a) => a.id);
  const byTeam = new Map(Object.values(staff.teams).map((t) => [t.id, t.workers.map((a) => a.id)]));
  const add = (item: WorkItem) => {
    const team = item.teamId ? byTeam.get(item.teamId) : undefined;
    entriesFor(ctx, item, team?.length ? team : queueWorkers, rows);
  };
  for (const t of rows.Ticket.slice(from.tickets)) {
    if (!t.firstSolvedAt || t.mergedIntoId) continue;
    const closedAt = (t.solvedAt ?? t.firstSolvedAt).getTime();
    add({ id: t.id, kind: 'ticket', openedAt: t.createdAt.getTime(), closedAt, assigneeId: t.assigneeId, teamId: t.teamId });
  }
  for (const c of rows.Conversation.slice(from.conversations)) {
    // Without a team no human was involved (the bot answered): nobody's work to log.
    if (!c.firstResolvedAt || !c.teamId) continue;
    const closedAt = (c.resolvedAt ?? c.firstResolvedAt).getTime();
    add({ id: c.id, kind: 'conversation', openedAt: c.createdAt.getTime(), closedAt, assigneeId: c.assigneeId, teamId: c.teamId });
  }
}

function entriesFor(ctx: SeedContext, item: WorkItem, workers: readonly string[], rows: RowBag): void {
  const rng = new Rng(`${ctx.rng.seed}/work/${item.id}`);
  if (!rng.chance(LOGGED_SHARE) || workers.length === 0) return;
  const span = item.closedAt - item.openedAt;
  const count = Math.min(rng.weighted(ENTRY_COUNTS), Math.floor(span / (MIN_SECONDS * SECOND)));
  if (count < 1) return;
  // One slot per sitting, so sittings never overlap and each fits between creation and solve.
  const slot = Math.floor(span / count);
  for (let n = 0; n < count; n++) {
    const drawn = Math.round(rng.duration(MEDIAN_SECONDS[item.kind] * SECOND, SPREAD) / SECOND);
    const seconds = Math.min(Math.max(drawn, MIN_SECONDS), MAX_SECONDS, Math.floor(slot / SECOND));
    const startedAt = item.openedAt + n * slot + rng.int(0, slot - seconds * SECOND);
    const agentId = item.assigneeId && rng.chance(ASSIGNEE_SHARE) ? item.assigneeId : rng.pick(workers);
    const source = rng.weighted(SOURCES);
    const note = source === 'MANUAL' && rng.chance(NOTED_SHARE) ? rng.pick(MANUAL_NOTES) : null;
    // Logged when the sitting ended (a timer stops, a reply is sent, a form is saved).
    const loggedAt = startedAt + seconds * SECOND;
    rows.WorkEntry.push({
      id: uuidv7(loggedAt, rng.bytes16()), workspaceId: ctx.workspaceId, agentId, ticketId: item.kind === 'ticket' ? item.id : null,
      conversationId: item.kind === 'conversation' ? item.id : null, startedAt: new Date(startedAt), seconds, source, note,
      createdByApiKeyId: null, createdAt: new Date(loggedAt),
    });
  }
}
