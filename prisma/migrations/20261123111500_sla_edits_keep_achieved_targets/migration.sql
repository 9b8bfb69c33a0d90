-- Achieved SLA targets keep the due time they were measured against.
--
-- Until now every edit recomputed due times from the current policy and calendar, achieved
-- targets included: changing this week's office hours rewrote last quarter's compliance, and a
-- calendar edit at 1,000,000 tickets recomputed all 1,990,000 clocks counted in it at commit
-- (148 s). A target that was met or missed is history, as in the helpdesks teams come from:
--
--   * a policy's targets edited, a calendar's hours, holidays or time zone edited, the ticket's
--     priority changed: targets not achieved yet (running, or breached and still running) get
--     the new due time; achieved ones keep theirs (and the minutes, clock and calendar it was
--     counted with);
--   * a different policy set on the ticket: every clock starts from the new policy;
--   * a target removed from the policy, a merge, a reopen (which un-achieves the resolution)
--     still remove or restart clocks as before.

DROP FUNCTION cx_refresh_ticket_sla(uuid[]);

-- Replaces the clocks of the tickets with the wanted ones. A clock achieved at the same instant
-- as before is kept as it was when `keep_achieved`; any other clock's due time is carried over
-- from the ticket's previous clock with the same kind, start and inputs (minutes, business hours,
-- calendar), and computed only for new ones (the expensive part: a business-hours lookup).
CREATE FUNCTION cx_refresh_ticket_sla(ids uuid[], keep_achieved boolean DEFAULT true) RETURNS void
LANGUAGE sql AS $$
  WITH old AS (
    DELETE FROM "TicketSlaClock" WHERE "ticketId" = ANY(ids)
    RETURNING "ticketId", kind, "startedAt", "achievedAt", "targetMinutes", "businessHours", "calendarId", "dueAt"
  ),
  kept AS (
    SELECT DISTINCT ON ("ticketId", kind, "startedAt") * FROM old WHERE keep_achieved AND "achievedAt" IS NOT NULL
  ),
  known AS (
    SELECT DISTINCT ON ("ticketId", kind, "startedAt", "targetMinutes", "businessHours", "calendarId") * FROM old
  )
  INSERT INTO "TicketSlaClock" ("workspaceId", "ticketId", kind, "startedAt", "dueAt", "achievedAt", "targetMinutes", "businessHours", "calendarId")
  SELECT w.workspace_id, w.ticket_id, w.kind, w.started_at,
    CASE
      WHEN a."ticketId" IS NOT NULL THEN a."dueAt"
      WHEN k."ticketId" IS NOT NULL THEN k."dueAt"
      WHEN w.calendar_id IS NULL THEN w.started_at + make_interval(mins => w.target_minutes)
      ELSE cx_business_add(w.calendar_id, w.started_at, w.target_minutes * 60.0)
    END,
    w.achieved_at,
    CASE WHEN a."ticketId" IS NOT NULL THEN a."targetMinutes" ELSE w.target_minutes END,
    CASE WHEN a."ticketId" IS NOT NULL THEN a."businessHours" ELSE w.business_hours END,
    CASE WHEN a."ticketId" IS NOT NULL THEN a."calendarId" ELSE w.calendar_id END
  FROM cx_ticket_sla_wanted(ids) w
  LEFT JOIN kept a ON a."ticketId" = w.ticket_id AND a.kind = w.kind AND a."startedAt" = w.started_at AND a."achievedAt" = w.achieved_at
  LEFT JOIN known k ON a."ticketId" IS NULL AND k."ticketId" = w.ticket_id AND k.kind = w.kind AND k."startedAt" = w.started_at
    AND k."targetMinutes" = w.target_minutes AND k."businessHours" = w.business_hours
    AND k."calendarId" IS NOT DISTINCT FROM w.calendar_id;
$$;

-- Tickets: a different policy starts every clock afresh; other changes keep achieved targets.
CREATE OR REPLACE FUNCTION cx_tickets_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  repoliced uuid[];
  changed uuid[];
BEGIN
  repoliced := ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n."slaPolicyId" IS DISTINCT FROM o."slaPolicyId");
  changed := ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n."slaPolicyId" IS NOT DISTINCT FROM o."slaPolicyId" AND n."slaPolicyId" IS NOT NULL
      AND (n.priority, n."createdAt", n."firstResponseAt", n."solvedAt", n."mergedIntoId")
          IS DISTINCT FROM (o.priority, o."createdAt", o."firstResponseAt", o."solvedAt", o."mergedIntoId"));
  IF cardinality(repoliced) > 0 THEN
    PERFORM cx_refresh_ticket_sla(repoliced, false);
  END IF;
  IF cardinality(changed) > 0 THEN
    PERFORM cx_refresh_ticket_sla(changed, true);
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION cx_tickets_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  ids uuid[] := ARRAY(SELECT id FROM new_rows WHERE "slaPolicyId" IS NOT NULL);
BEGIN
  IF cardinality(ids) > 0 THEN
    PERFORM cx_refresh_ticket_sla(ids, false);
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION cx_refresh_policy_sla(policies uuid[]) RETURNS void
LANGUAGE sql AS $$
  SELECT cx_refresh_ticket_sla(ARRAY(SELECT id FROM "Ticket" WHERE "slaPolicyId" = ANY(policies)), true);
$$;

-- Calendars: only the clocks counted in the calendar that are not achieved yet move; they are
-- deleted first (their due time must not be carried over) and their tickets refreshed.
CREATE OR REPLACE FUNCTION cx_refresh_calendar_sla(calendars uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  tickets uuid[];
BEGIN
  tickets := ARRAY(SELECT DISTINCT "ticketId" FROM "TicketSlaClock" WHERE "calendarId" = ANY(calendars) AND "achievedAt" IS NULL);
  IF cardinality(tickets) > 0 THEN
    DELETE FROM "TicketSlaClock" WHERE "calendarId" = ANY(calendars) AND "achievedAt" IS NULL;
    PERFORM cx_refresh_ticket_sla(tickets, true);
  END IF;
END
$$;
