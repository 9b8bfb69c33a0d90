import { uuidv7 } from '../../src/db/ids.ts';
import type { Prisma, WorkEntrySource } from '../../src/generated/prisma/client.ts';
import { Rng, SECOND } from './rng.ts';
import type { RowBag, SeedContext, Staff } from './types.ts';

/**
 * Work entries (the input of handle time), as agents' tools log them: on most solved tickets
 * and resolved conversations that a human worked, 1–4 sittings by the assignee or a colleague
 * of the team, each 60 s … 1 h, laid out one after another between the item's creation and its
 * (latest) solve or resolution, so every entry lies inside the item's lifetime.
 *
 * Two ways to the same kind of rows: `buildWorkEntries` draws them with the seed's generator
 * while a workspace is generated, and `addWorkEntries` adds them to a workspace seeded before the
 * seed wrote any, in one set-based statement drawing from md5 of the item's id — a large
 * benchmark workspace takes half an hour to seed, and replaying it through JavaScript would too.
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

/** Uniform in [0, 1) from the `n`-th 32 bits of a hex string (an md5). */
const unit = (hex: string, n: number) => `(('x' || substr(${hex}, ${1 + 8 * n}, 8))::bit(32)::bigint / 4294967296.0::float8)`;

/** The same cumulative-weight pick as Rng.weighted, on a uniform `u`. */
function weighted<T>(u: string, entries: readonly (readonly [T, number])[], literal: (value: T) => string): string {
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let cumulative = 0;
  const whens = entries.slice(0, -1).map(([value, w]) => `WHEN ${u} < ${(cumulative += w) / total} THEN ${literal(value)}`);
  return `CASE ${whens.join(' ')} ELSE ${literal(entries.at(-1)![0])} END`;
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * Adds work entries to an already seeded workspace, for its solved tickets and resolved
 * conversations that have none yet (so running it again adds nothing), in ONE statement. The
 * draws come from md5 of the item's id and the entry's number, so the rows, ids included, are
 * the same on every run. Returns the number of entries added.
 */
export async function addWorkEntries(sql: Pick<Prisma.TransactionClient, '$executeRawUnsafe'>, workspaceId: string): Promise<number> {
  const u = (n: number) => unit('x.r', n);
  const pool = 'coalesce(w.agents, ev.agents)';
  const started = `x.opened_at + (x.n * x.slot_ms + floor(${u(2)} * (x.slot_ms - x.seconds * 1000 + 1))::bigint) * interval '1 millisecond'`;
  const logged = `${started} + make_interval(secs => x.seconds)`;
  const ms = `lpad(to_hex((extract(epoch FROM ${logged}) * 1000)::bigint), 12, '0')`;
  const source = weighted(u(4), SOURCES, quote);
  // The draws are MATERIALIZED: an inlined CTE would compute its md5s and arithmetic again at
  // every use of a drawn column.
  const statement = `
    INSERT INTO "WorkEntry" ("id", "workspaceId", "agentId", "ticketId", "conversationId", "startedAt", "seconds", "source", "note", "createdByApiKeyId", "createdAt")
    WITH workers AS (
      SELECT m."teamId" AS team_id, array_agg(m."agentId" ORDER BY m."agentId") AS agents
      FROM "TeamMembership" m JOIN "Agent" a ON a.id = m."agentId"
      WHERE m."workspaceId" = $1::uuid AND a.role <> 'VIEWER'
      GROUP BY 1
    ),
    everyone AS (
      SELECT array_agg(a.id ORDER BY a.id) AS agents FROM "Agent" a
      WHERE a."workspaceId" = $1::uuid AND a.role <> 'VIEWER' AND EXISTS (SELECT 1 FROM "TeamMembership" m WHERE m."agentId" = a.id)
    ),
    items AS MATERIALIZED (
      SELECT i.*, md5(i.id::text || '/work') AS h, (extract(epoch FROM i.closed_at - i.opened_at) * 1000)::bigint AS span_ms
      FROM (
        SELECT t.id, t.id AS ticket_id, NULL::uuid AS conversation_id, t."createdAt" AS opened_at, coalesce(t."solvedAt", t."firstSolvedAt") AS closed_at,
          t."assigneeId" AS assignee_id, t."teamId" AS team_id, ${MEDIAN_SECONDS.ticket} AS median
        FROM "Ticket" t
        WHERE t."workspaceId" = $1::uuid AND t."firstSolvedAt" IS NOT NULL AND t."mergedIntoId" IS NULL
          AND NOT EXISTS (SELECT 1 FROM "WorkEntry" e WHERE e."ticketId" = t.id)
        UNION ALL
        SELECT c.id, NULL, c.id, c."createdAt", coalesce(c."resolvedAt", c."firstResolvedAt"), c."assigneeId", c."teamId", ${MEDIAN_SECONDS.conversation}
        FROM "Conversation" c
        WHERE c."workspaceId" = $1::uuid AND c."firstResolvedAt" IS NOT NULL AND c."teamId" IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM "WorkEntry" e WHERE e."conversationId" = c.id)
      ) i
    ),
    planned AS MATERIALIZED (
      SELECT i.*, least(${weighted(unit('i.h', 1), ENTRY_COUNTS, String)}, i.span_ms / ${MIN_SECONDS * 1000}) AS k
      FROM items i WHERE ${unit('i.h', 0)} < ${LOGGED_SHARE}
    ),
    entries AS MATERIALIZED (
      SELECT p.*, n, p.span_ms / p.k AS slot_ms, md5(p.id::text || '/work/' || n) || md5(p.id::text || '/work/' || n || '/more') AS r
      -- Not generate_series: its estimate of 1,000 rows per item made the planner expect millions
      -- of entries for a small workspace and spend seconds compiling the statement (JIT).
      FROM planned p JOIN (VALUES ${Array.from({ length: Math.max(...ENTRY_COUNTS.map(([k]) => k)) }, (_, n) => `(${n})`).join(', ')}) AS s(n) ON s.n < p.k
    ),
    sized AS MATERIALIZED (
      SELECT e.*, least(greatest(round(e.median * exp(${SPREAD} * sqrt(-2 * ln(greatest(${unit('e.r', 0)}, 1e-12))) * cos(2 * pi() * ${unit('e.r', 1)}))), ${MIN_SECONDS}),
        ${MAX_SECONDS}, e.slot_ms / 1000)::int AS seconds
      FROM entries e
    )
    SELECT
      -- A UUIDv7 like the seed's: the time it was logged, then random bits from the entry's md5.
      (substr(${ms}, 1, 8) || '-' || substr(${ms}, 9, 4) || '-7' || substr(x.r, 1, 3) || '-'
        || substr('89ab', 1 + ('x' || substr(x.r, 4, 1))::bit(4)::int % 4, 1) || substr(x.r, 5, 3) || '-' || substr(x.r, 8, 12))::uuid,
      $1::uuid,
      CASE WHEN x.assignee_id IS NOT NULL AND ${u(3)} < ${ASSIGNEE_SHARE} THEN x.assignee_id
        ELSE (${pool})[1 + floor(${u(5)} * cardinality(${pool}))::int] END,
      x.ticket_id, x.conversation_id, ${started}, x.seconds, (${source})::"WorkEntrySource",
      CASE WHEN ${source} = 'MANUAL' AND ${u(6)} < ${NOTED_SHARE}
        THEN (ARRAY[${MANUAL_NOTES.map(quote).join(', ')}])[1 + floor(${u(7)} * ${MANUAL_NOTES.length})::int] END,
      NULL, ${logged}
    FROM sized x
    LEFT JOIN workers w ON w.team_id = x.team_id
    CROSS JOIN everyone ev
    WHERE ${pool} IS NOT NULL`;
  return sql.$executeRawUnsafe(statement, workspaceId);
}
