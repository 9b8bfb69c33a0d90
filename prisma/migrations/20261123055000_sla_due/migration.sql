-- The instant at which `business_seconds` of the calendar's open time have passed since
-- `from_at`: the inverse of cx_business_seconds, i.e. the earliest t >= from_at with
-- cx_business_seconds(calendar, from_at, t) = business_seconds. It is the due time of a
-- business-hours SLA target. Open intervals are built exactly as in cx_business_seconds (local
-- dates, AT TIME ZONE per date, holidays skipped, overlaps merged), 31 local days at a time:
-- a running total (window function) over each chunk's intervals finds the interval in which the
-- remaining time runs out. A target that ends exactly at a closing time is due at that closing
-- time, not at the next opening. Zero or negative seconds give from_at. NULL when the calendar
-- does not exist, has no open hours, or the time does not run out within ten years.
CREATE FUNCTION cx_business_add(calendar uuid, from_at timestamptz, business_seconds float8)
RETURNS timestamptz
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
  tz text;
  chunk_start date;
  remaining float8 := business_seconds;
  found_at timestamptz;
  chunk_total float8;
BEGIN
  IF from_at IS NULL OR business_seconds IS NULL THEN
    RETURN NULL;
  END IF;
  IF business_seconds <= 0 THEN
    RETURN from_at;
  END IF;
  SELECT c."timeZone" INTO tz FROM "BusinessCalendar" c WHERE c.id = calendar;
  IF tz IS NULL OR NOT EXISTS (SELECT 1 FROM "BusinessHoursInterval" h WHERE h."calendarId" = calendar AND h."startMinute" < h."endMinute") THEN
    RETURN NULL;
  END IF;
  chunk_start := (from_at AT TIME ZONE tz)::date;
  FOR chunk IN 1..118 LOOP
    WITH open_ranges AS (
      SELECT unnest(range_agg(tstzrange(o.open_at, o.close_at, '[)') * tstzrange(from_at, NULL, '[)'))) AS r
      FROM generate_series(chunk_start, chunk_start + 30, interval '1 day') AS d(day)
      JOIN "BusinessHoursInterval" h ON h."calendarId" = calendar AND h."dayOfWeek" = extract(isodow FROM d.day)::int
      CROSS JOIN LATERAL (
        SELECT (d.day::date + make_interval(mins => h."startMinute")) AT TIME ZONE tz AS open_at,
               (d.day::date + make_interval(mins => h."endMinute")) AT TIME ZONE tz AS close_at
      ) o
      WHERE o.open_at < o.close_at
        AND o.close_at > from_at
        AND NOT EXISTS (SELECT 1 FROM "BusinessHoliday" x WHERE x."calendarId" = calendar AND x.date = d.day::date)
    ),
    running AS (
      SELECT lower(r) AS open_at,
             extract(epoch FROM upper(r) - lower(r)) AS len,
             sum(extract(epoch FROM upper(r) - lower(r))) OVER (ORDER BY lower(r)) AS total
      FROM open_ranges
      WHERE NOT isempty(r)
    )
    SELECT (SELECT open_at + make_interval(secs => remaining - (total - len)) FROM running WHERE total >= remaining ORDER BY open_at LIMIT 1),
           (SELECT coalesce(max(total), 0) FROM running)
      INTO found_at, chunk_total;
    IF found_at IS NOT NULL THEN
      RETURN found_at;
    END IF;
    remaining := remaining - chunk_total;
    chunk_start := chunk_start + 31;
  END LOOP;
  RETURN NULL;
END
$$;

-- Customer waits for a next reply on tickets: each public customer comment that follows a
-- public reply by a human agent (ignoring bot, integration and system comments and internal
-- notes), to the next public human agent reply (NULL while unanswered). Customer comments in a
-- row are one wait, measured from the first. The wait before the first agent reply is the
-- first response, not a next reply, so it is not listed. One row per wait; a SQL function so
-- the planner inlines it and pushes ticket filters into the window.
CREATE FUNCTION cx_ticket_reply_waits(workspace uuid)
RETURNS TABLE (ticket_id uuid, waiting_since timestamptz, replied_at timestamptz)
LANGUAGE sql
STABLE
AS $$
  SELECT s.ticket_id, s.created_at, s.next_agent_at
  FROM (
    SELECT c."ticketId" AS ticket_id, c."createdAt" AS created_at, c."authorKind" AS author_kind,
           lag(c."authorKind") OVER w AS previous_kind,
           min(c."createdAt") FILTER (WHERE c."authorKind" = 'AGENT')
             OVER (w ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_agent_at
    FROM "TicketComment" c
    WHERE c."workspaceId" = workspace AND c."isPublic" AND c."authorKind" IN ('CUSTOMER', 'AGENT')
    WINDOW w AS (PARTITION BY c."ticketId" ORDER BY c."createdAt", c.id)
  ) s
  WHERE s.author_kind = 'CUSTOMER' AND s.previous_kind = 'AGENT'
$$;

-- The same for conversations: customer messages after a public human agent message, to the
-- next public human agent message; bot and system messages and internal notes are ignored.
CREATE FUNCTION cx_conversation_reply_waits(workspace uuid)
RETURNS TABLE (conversation_id uuid, waiting_since timestamptz, replied_at timestamptz)
LANGUAGE sql
STABLE
AS $$
  SELECT s.conversation_id, s.created_at, s.next_agent_at
  FROM (
    SELECT m."conversationId" AS conversation_id, m."createdAt" AS created_at, m."authorKind" AS author_kind,
           lag(m."authorKind") OVER w AS previous_kind,
           min(m."createdAt") FILTER (WHERE m."authorKind" = 'AGENT')
             OVER (w ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_agent_at
    FROM "Message" m
    WHERE m."workspaceId" = workspace AND NOT m."isInternalNote" AND m."authorKind" IN ('CUSTOMER', 'AGENT')
    WINDOW w AS (PARTITION BY m."conversationId" ORDER BY m."createdAt", m.id)
  ) s
  WHERE s.author_kind = 'CUSTOMER' AND s.previous_kind = 'AGENT'
$$;
