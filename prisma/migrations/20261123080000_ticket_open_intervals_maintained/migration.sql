-- Ticket open intervals, maintained by a trigger in the transaction that appends to a ticket's
-- audit trail (see the model in prisma/schema.prisma). The backlog reads them as plain rows
-- instead of replaying every ticket's trail on each read.
--
-- The replay: a ticket's status points are its CREATED (status from newValue, default NEW),
-- FIELD_CHANGED status, REOPENED and MERGED_INTO (= CLOSED) entries; each point holds from its
-- createdAt until the next point, in (createdAt, id) order. Unsolved statuses: NEW, OPEN, PENDING,
-- ON_HOLD. A point followed by another at the same instant never holds (a reopen writes a status
-- change and a REOPENED entry together), so it is dropped first; the remaining points are cut
-- into runs of open and not-open, and each open run is one interval, from its first point to the
-- first point of the next run (NULL while the ticket is still unsolved). The intervals cover
-- exactly the instants at which some open point held, so any level read from them equals the
-- level replayed from the points.
--
-- The view is the definition; the backfill reads all of it, the refresh a few tickets of it (a
-- filter on "ticketId" is pushed below the windows, which all partition by it, down to the
-- ("ticketId", "createdAt", id) index).
CREATE VIEW cx_ticket_open_intervals_replayed AS
SELECT r.workspace_id AS "workspaceId", r.ticket_id AS "ticketId", r.at AS "openedAt", r.next_run_at AS "closedAt"
FROM (
  SELECT runs.*, lead(runs.at) OVER w AS next_run_at
  FROM (
    SELECT held.*, lag(held.is_open, 1, false) OVER w AS was_open
    FROM (
      SELECT p.*, lead(p.at) OVER w AS next_at
      FROM (
        SELECT e."workspaceId" AS workspace_id, e."ticketId" AS ticket_id, e."createdAt" AS at, e.id,
          coalesce(CASE e.kind
            WHEN 'CREATED' THEN coalesce(e."newValue"->>'status', 'NEW')
            WHEN 'MERGED_INTO' THEN 'CLOSED'
            ELSE e."newValue" #>> '{}'
          END IN ('NEW', 'OPEN', 'PENDING', 'ON_HOLD'), false) AS is_open
        FROM "TicketEvent" e
        WHERE e.kind IN ('CREATED', 'REOPENED', 'MERGED_INTO') OR (e.kind = 'FIELD_CHANGED' AND e.field = 'status')
      ) p
      WINDOW w AS (PARTITION BY p.ticket_id ORDER BY p.at, p.id)
    ) held
    WHERE held.next_at IS DISTINCT FROM held.at
    WINDOW w AS (PARTITION BY held.ticket_id ORDER BY held.at, held.id)
  ) runs
  WHERE runs.is_open <> runs.was_open
  WINDOW w AS (PARTITION BY runs.ticket_id ORDER BY runs.at, runs.id)
) r
WHERE r.is_open;

-- Recomputes the intervals of the tickets from their trails: idempotent and independent of the
-- order of writes. Writers of one ticket are serialized by the ticket row lock the API takes
-- before it appends to the trail, so two refreshes of one ticket never interleave.
CREATE FUNCTION cx_refresh_open_intervals(ticket_ids uuid[]) RETURNS void
LANGUAGE sql AS $$
  DELETE FROM "TicketOpenInterval" WHERE "ticketId" = ANY(ticket_ids);
  INSERT INTO "TicketOpenInterval" ("workspaceId", "ticketId", "openedAt", "closedAt")
  SELECT "workspaceId", "ticketId", "openedAt", "closedAt" FROM cx_ticket_open_intervals_replayed WHERE "ticketId" = ANY(ticket_ids);
$$;

-- The trail is append-only (updates are rejected; deletes come only from a ticket's deletion,
-- which cascades to its intervals as well), so inserts are the only change to follow. Entries
-- that are not status points (comments, other fields) leave the intervals as they are.
CREATE FUNCTION cx_ticket_events_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  ids uuid[];
BEGIN
  ids := ARRAY(SELECT DISTINCT "ticketId" FROM new_rows
               WHERE kind IN ('CREATED', 'REOPENED', 'MERGED_INTO') OR (kind = 'FIELD_CHANGED' AND field = 'status'));
  IF cardinality(ids) > 0 THEN
    PERFORM cx_refresh_open_intervals(ids);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "TicketEvent_open_intervals" AFTER INSERT ON "TicketEvent"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_ticket_events_inserted();

-- Backfill: one pass over the whole trail. The table's foreign key and indexes are dropped for
-- the load and built once afterwards (same names and definitions as in 20261123075532): checking
-- the key row by row cost more than the replay itself, and locked every ticket row on the way.
-- The sort of the trail by ticket gets the memory to stay off disk.
SET LOCAL work_mem = '512MB';
SET LOCAL maintenance_work_mem = '256MB';
ALTER TABLE "TicketOpenInterval" DROP CONSTRAINT "TicketOpenInterval_ticketId_fkey";
DROP INDEX "TicketOpenInterval_workspaceId_openedAt_idx";
DROP INDEX "TicketOpenInterval_ticketId_idx";

INSERT INTO "TicketOpenInterval" ("workspaceId", "ticketId", "openedAt", "closedAt")
SELECT "workspaceId", "ticketId", "openedAt", "closedAt" FROM cx_ticket_open_intervals_replayed;

CREATE INDEX "TicketOpenInterval_workspaceId_openedAt_idx" ON "TicketOpenInterval"("workspaceId", "openedAt");
CREATE INDEX "TicketOpenInterval_ticketId_idx" ON "TicketOpenInterval"("ticketId");
ALTER TABLE "TicketOpenInterval" ADD CONSTRAINT "TicketOpenInterval_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket"("id") ON DELETE CASCADE ON UPDATE CASCADE;
-- The backlog's first reads should not plan against an empty table's statistics.
ANALYZE "TicketOpenInterval";
