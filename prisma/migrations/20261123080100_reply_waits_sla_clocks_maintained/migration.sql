-- Reply waits and SLA clocks, maintained by triggers in the transaction that changes their
-- sources (see the models in prisma/schema.prisma). Metrics read them as plain rows instead of
-- replaying comments and computing a business-hours due time per target on every read.
--
-- Every refresh is "recompute these items from their sources": idempotent and independent of
-- the order of writes, so any write path (API, seed, cascades) leaves the same rows a full
-- recomputation would. The triggers are per statement, so a multi-row INSERT refreshes its
-- items in one set-based pass.

ALTER TABLE "ReplyWait"
  ADD CONSTRAINT "ReplyWait_one_item" CHECK (("ticketId" IS NULL) <> ("conversationId" IS NULL));

-- ───────────── reply waits ─────────────
-- A wait starts at a public customer comment (message) that follows a public human agent reply
-- and ends at the next public human agent reply (NULL while unanswered); customer comments in a
-- row are one wait, from the first. Bot, integration and system authors and internal notes
-- neither start nor end a wait. The wait before the first agent reply is the first response,
-- not a next reply, so it is not listed.

CREATE FUNCTION cx_refresh_ticket_waits(ids uuid[]) RETURNS void
LANGUAGE sql AS $$
  DELETE FROM "ReplyWait" WHERE "ticketId" = ANY(ids);
  INSERT INTO "ReplyWait" ("workspaceId", "ticketId", "waitingSince", "repliedAt")
  SELECT s.workspace_id, s.ticket_id, s.created_at, s.next_agent_at
  FROM (
    SELECT c."workspaceId" AS workspace_id, c."ticketId" AS ticket_id, c."createdAt" AS created_at, c."authorKind" AS author_kind,
           lag(c."authorKind") OVER w AS previous_kind,
           min(c."createdAt") FILTER (WHERE c."authorKind" = 'AGENT')
             OVER (w ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_agent_at
    FROM "TicketComment" c
    WHERE c."ticketId" = ANY(ids) AND c."isPublic" AND c."authorKind" IN ('CUSTOMER', 'AGENT')
    WINDOW w AS (PARTITION BY c."ticketId" ORDER BY c."createdAt", c.id)
  ) s
  WHERE s.author_kind = 'CUSTOMER' AND s.previous_kind = 'AGENT';
$$;

CREATE FUNCTION cx_refresh_conversation_waits(ids uuid[]) RETURNS void
LANGUAGE sql AS $$
  DELETE FROM "ReplyWait" WHERE "conversationId" = ANY(ids);
  INSERT INTO "ReplyWait" ("workspaceId", "conversationId", "waitingSince", "repliedAt")
  SELECT s.workspace_id, s.conversation_id, s.created_at, s.next_agent_at
  FROM (
    SELECT m."workspaceId" AS workspace_id, m."conversationId" AS conversation_id, m."createdAt" AS created_at, m."authorKind" AS author_kind,
           lag(m."authorKind") OVER w AS previous_kind,
           min(m."createdAt") FILTER (WHERE m."authorKind" = 'AGENT')
             OVER (w ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_agent_at
    FROM "Message" m
    WHERE m."conversationId" = ANY(ids) AND NOT m."isInternalNote" AND m."authorKind" IN ('CUSTOMER', 'AGENT')
    WINDOW w AS (PARTITION BY m."conversationId" ORDER BY m."createdAt", m.id)
  ) s
  WHERE s.author_kind = 'CUSTOMER' AND s.previous_kind = 'AGENT';
$$;

-- The functions above hold the definition now; the per-read versions go.
DROP FUNCTION cx_ticket_reply_waits(uuid);
DROP FUNCTION cx_conversation_reply_waits(uuid);

-- ───────────── SLA clocks ─────────────
-- The clocks a ticket should have: one per target of its policy for its current priority —
-- FIRST_RESPONSE and RESOLUTION from creation (achieved by the first public human agent reply
-- and by SOLVED, which a reopen clears), NEXT_RESPONSE per reply wait. Merged-away duplicates
-- have none. calendar_id is the calendar the due time is counted in: the policy's, for a
-- business-hours target of a policy that has one; otherwise NULL (calendar time).
CREATE FUNCTION cx_ticket_sla_wanted(ids uuid[])
RETURNS TABLE (workspace_id uuid, ticket_id uuid, kind "SlaTargetKind", started_at timestamptz, achieved_at timestamptz,
               target_minutes int, business_hours boolean, calendar_id uuid)
LANGUAGE sql STABLE AS $$
  SELECT t."workspaceId", t.id, st.kind, i.started_at, i.achieved_at, st.minutes, st."businessHours",
         CASE WHEN st."businessHours" THEN p."calendarId" END
  FROM "Ticket" t
  JOIN "SlaPolicy" p ON p.id = t."slaPolicyId"
  JOIN "SlaTarget" st ON st."policyId" = p.id AND st.priority = t.priority
  CROSS JOIN LATERAL (
    SELECT t."createdAt" AS started_at, t."firstResponseAt" AS achieved_at WHERE st.kind = 'FIRST_RESPONSE'
    UNION ALL
    SELECT t."createdAt", t."solvedAt" WHERE st.kind = 'RESOLUTION'
    UNION ALL
    SELECT w."waitingSince", w."repliedAt" FROM "ReplyWait" w WHERE st.kind = 'NEXT_RESPONSE' AND w."ticketId" = t.id
  ) i
  WHERE t.id = ANY(ids) AND t."mergedIntoId" IS NULL
$$;

-- Replaces the clocks of the tickets with the wanted ones. A due time is the expensive part (a
-- business-hours walk through the calendar), so it is carried over from the ticket's previous
-- clock with the same kind, start and inputs (minutes, business hours, calendar) and computed
-- only for new ones; a calendar edit first deletes the clocks counted in it (see below).
CREATE FUNCTION cx_refresh_ticket_sla(ids uuid[]) RETURNS void
LANGUAGE sql AS $$
  WITH old AS (
    DELETE FROM "TicketSlaClock" WHERE "ticketId" = ANY(ids)
    RETURNING "ticketId", kind, "startedAt", "targetMinutes", "businessHours", "calendarId", "dueAt"
  ),
  known AS (
    SELECT DISTINCT ON ("ticketId", kind, "startedAt", "targetMinutes", "businessHours", "calendarId") * FROM old
  )
  INSERT INTO "TicketSlaClock" ("workspaceId", "ticketId", kind, "startedAt", "dueAt", "achievedAt", "targetMinutes", "businessHours", "calendarId")
  SELECT w.workspace_id, w.ticket_id, w.kind, w.started_at,
    CASE
      WHEN k."ticketId" IS NOT NULL THEN k."dueAt"
      WHEN w.calendar_id IS NULL THEN w.started_at + make_interval(mins => w.target_minutes)
      ELSE cx_business_add(w.calendar_id, w.started_at, w.target_minutes * 60.0)
    END,
    w.achieved_at, w.target_minutes, w.business_hours, w.calendar_id
  FROM cx_ticket_sla_wanted(ids) w
  LEFT JOIN known k ON k."ticketId" = w.ticket_id AND k.kind = w.kind AND k."startedAt" = w.started_at
    AND k."targetMinutes" = w.target_minutes AND k."businessHours" = w.business_hours
    AND k."calendarId" IS NOT DISTINCT FROM w.calendar_id;
$$;

-- ───────────── triggers ─────────────
-- Tickets: a new ticket with a policy gets its clocks; an update refreshes them when anything
-- they are made of changed. (Transition tables rule out UPDATE OF column lists, hence the diff.)
CREATE FUNCTION cx_tickets_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  ids uuid[] := ARRAY(SELECT id FROM new_rows WHERE "slaPolicyId" IS NOT NULL);
BEGIN
  IF cardinality(ids) > 0 THEN
    PERFORM cx_refresh_ticket_sla(ids);
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION cx_tickets_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  changed uuid[];
BEGIN
  changed := ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (n."slaPolicyId" IS NOT NULL OR o."slaPolicyId" IS NOT NULL)
      AND (n."slaPolicyId", n.priority, n."createdAt", n."firstResponseAt", n."solvedAt", n."mergedIntoId")
          IS DISTINCT FROM (o."slaPolicyId", o.priority, o."createdAt", o."firstResponseAt", o."solvedAt", o."mergedIntoId"));
  IF cardinality(changed) > 0 THEN
    PERFORM cx_refresh_ticket_sla(changed);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "Ticket_sla_clocks_insert" AFTER INSERT ON "Ticket"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_tickets_inserted();
CREATE TRIGGER "Ticket_sla_clocks_update" AFTER UPDATE ON "Ticket"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_tickets_updated();

-- Comments: the waits of the tickets whose reply-relevant comments changed, then their
-- NEXT_RESPONSE clocks. Tickets already deleted (a cascade) are skipped.
CREATE FUNCTION cx_ticket_comments_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  ids uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    ids := ARRAY(SELECT DISTINCT "ticketId" FROM new_rows WHERE "isPublic" AND "authorKind" IN ('CUSTOMER', 'AGENT'));
  ELSIF TG_OP = 'DELETE' THEN
    ids := ARRAY(SELECT DISTINCT o."ticketId" FROM old_rows o JOIN "Ticket" t ON t.id = o."ticketId"
                 WHERE o."isPublic" AND o."authorKind" IN ('CUSTOMER', 'AGENT'));
  ELSE
    ids := ARRAY(SELECT n."ticketId" FROM new_rows n JOIN old_rows o ON o.id = n.id
                 WHERE (n."ticketId", n."isPublic", n."authorKind", n."createdAt") IS DISTINCT FROM (o."ticketId", o."isPublic", o."authorKind", o."createdAt")
                 UNION SELECT o."ticketId" FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n."ticketId" <> o."ticketId");
  END IF;
  IF cardinality(ids) > 0 THEN
    PERFORM cx_refresh_ticket_waits(ids);
    PERFORM cx_refresh_ticket_sla(ARRAY(SELECT id FROM "Ticket" WHERE id = ANY(ids) AND "slaPolicyId" IS NOT NULL));
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "TicketComment_waits_insert" AFTER INSERT ON "TicketComment"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_ticket_comments_changed();
CREATE TRIGGER "TicketComment_waits_update" AFTER UPDATE ON "TicketComment"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_ticket_comments_changed();
CREATE TRIGGER "TicketComment_waits_delete" AFTER DELETE ON "TicketComment"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_ticket_comments_changed();

CREATE FUNCTION cx_messages_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  ids uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    ids := ARRAY(SELECT DISTINCT "conversationId" FROM new_rows WHERE NOT "isInternalNote" AND "authorKind" IN ('CUSTOMER', 'AGENT'));
  ELSIF TG_OP = 'DELETE' THEN
    ids := ARRAY(SELECT DISTINCT o."conversationId" FROM old_rows o JOIN "Conversation" c ON c.id = o."conversationId"
                 WHERE NOT o."isInternalNote" AND o."authorKind" IN ('CUSTOMER', 'AGENT'));
  ELSE
    ids := ARRAY(SELECT n."conversationId" FROM new_rows n JOIN old_rows o ON o.id = n.id
                 WHERE (n."conversationId", n."isInternalNote", n."authorKind", n."createdAt") IS DISTINCT FROM (o."conversationId", o."isInternalNote", o."authorKind", o."createdAt")
                 UNION SELECT o."conversationId" FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n."conversationId" <> o."conversationId");
  END IF;
  IF cardinality(ids) > 0 THEN
    PERFORM cx_refresh_conversation_waits(ids);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "Message_waits_insert" AFTER INSERT ON "Message"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_messages_changed();
CREATE TRIGGER "Message_waits_update" AFTER UPDATE ON "Message"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_messages_changed();
CREATE TRIGGER "Message_waits_delete" AFTER DELETE ON "Message"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_messages_changed();

-- Policies and targets: the tickets of a policy whose targets or calendar changed. A deleted
-- policy needs nothing here: its tickets' slaPolicyId is set to NULL, which the ticket trigger sees.
CREATE FUNCTION cx_refresh_policy_sla(policies uuid[]) RETURNS void
LANGUAGE sql AS $$
  SELECT cx_refresh_ticket_sla(ARRAY(SELECT id FROM "Ticket" WHERE "slaPolicyId" = ANY(policies)));
$$;

CREATE FUNCTION cx_sla_targets_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM cx_refresh_policy_sla(ARRAY(SELECT DISTINCT "policyId" FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM cx_refresh_policy_sla(ARRAY(SELECT DISTINCT "policyId" FROM old_rows));
  ELSE
    PERFORM cx_refresh_policy_sla(ARRAY(
      SELECT n."policyId" FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE (n."policyId", n.priority, n.kind, n.minutes, n."businessHours") IS DISTINCT FROM (o."policyId", o.priority, o.kind, o.minutes, o."businessHours")
      UNION SELECT o."policyId" FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n."policyId" <> o."policyId"));
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "SlaTarget_clocks_insert" AFTER INSERT ON "SlaTarget"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_sla_targets_changed();
CREATE TRIGGER "SlaTarget_clocks_update" AFTER UPDATE ON "SlaTarget"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_sla_targets_changed();
CREATE TRIGGER "SlaTarget_clocks_delete" AFTER DELETE ON "SlaTarget"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_sla_targets_changed();

CREATE FUNCTION cx_sla_policies_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM cx_refresh_policy_sla(ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n."calendarId" IS DISTINCT FROM o."calendarId"));
  RETURN NULL;
END
$$;

CREATE TRIGGER "SlaPolicy_clocks_update" AFTER UPDATE ON "SlaPolicy"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_sla_policies_updated();

-- Calendars: a change of time zone, hours or holidays moves every due time counted in the
-- calendar, so those clocks are deleted (nothing to carry over) and their tickets recomputed.
CREATE FUNCTION cx_refresh_calendar_sla(calendars uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  tickets uuid[];
BEGIN
  tickets := ARRAY(SELECT DISTINCT "ticketId" FROM "TicketSlaClock" WHERE "calendarId" = ANY(calendars));
  IF cardinality(tickets) > 0 THEN
    DELETE FROM "TicketSlaClock" WHERE "calendarId" = ANY(calendars);
    PERFORM cx_refresh_ticket_sla(tickets);
  END IF;
END
$$;

CREATE FUNCTION cx_calendars_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM cx_refresh_calendar_sla(ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n."timeZone" IS DISTINCT FROM o."timeZone"));
  RETURN NULL;
END
$$;

CREATE TRIGGER "BusinessCalendar_clocks_update" AFTER UPDATE ON "BusinessCalendar"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_calendars_updated();

CREATE FUNCTION cx_calendar_days_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM cx_refresh_calendar_sla(ARRAY(SELECT DISTINCT "calendarId" FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM cx_refresh_calendar_sla(ARRAY(SELECT DISTINCT "calendarId" FROM old_rows));
  ELSE
    PERFORM cx_refresh_calendar_sla(ARRAY(SELECT "calendarId" FROM new_rows UNION SELECT "calendarId" FROM old_rows));
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "BusinessHoursInterval_clocks_insert" AFTER INSERT ON "BusinessHoursInterval"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_calendar_days_changed();
CREATE TRIGGER "BusinessHoursInterval_clocks_update" AFTER UPDATE ON "BusinessHoursInterval"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_calendar_days_changed();
CREATE TRIGGER "BusinessHoursInterval_clocks_delete" AFTER DELETE ON "BusinessHoursInterval"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_calendar_days_changed();
CREATE TRIGGER "BusinessHoliday_clocks_insert" AFTER INSERT ON "BusinessHoliday"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_calendar_days_changed();
CREATE TRIGGER "BusinessHoliday_clocks_update" AFTER UPDATE ON "BusinessHoliday"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_calendar_days_changed();
CREATE TRIGGER "BusinessHoliday_clocks_delete" AFTER DELETE ON "BusinessHoliday"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_calendar_days_changed();

-- ───────────── backfill ─────────────
-- Existing rows, in chunks of tickets and conversations (id order) so no statement carries an
-- unbounded array. Waits first: the NEXT_RESPONSE clocks are made from them.
DO $$
DECLARE
  chunk uuid[];
  last_id uuid := NULL;
BEGIN
  LOOP
    chunk := ARRAY(SELECT id FROM "Conversation" WHERE last_id IS NULL OR id > last_id ORDER BY id LIMIT 5000);
    EXIT WHEN cardinality(chunk) = 0;
    PERFORM cx_refresh_conversation_waits(chunk);
    last_id := chunk[cardinality(chunk)];
  END LOOP;
  last_id := NULL;
  LOOP
    chunk := ARRAY(SELECT id FROM "Ticket" WHERE last_id IS NULL OR id > last_id ORDER BY id LIMIT 5000);
    EXIT WHEN cardinality(chunk) = 0;
    PERFORM cx_refresh_ticket_waits(chunk);
    PERFORM cx_refresh_ticket_sla(ARRAY(SELECT id FROM "Ticket" WHERE id = ANY(chunk) AND "slaPolicyId" IS NOT NULL));
    last_id := chunk[cardinality(chunk)];
  END LOOP;
END
$$;
