-- CreateTable
CREATE TABLE "BusinessOpenSpan" (
    "calendarId" UUID NOT NULL,
    "openAt" TIMESTAMPTZ(6) NOT NULL,
    "closeAt" TIMESTAMPTZ(6) NOT NULL,
    "openedBefore" BIGINT NOT NULL,
    "openedAfter" BIGINT NOT NULL,

    CONSTRAINT "BusinessOpenSpan_pkey" PRIMARY KEY ("calendarId","openAt")
);

-- CreateIndex
CREATE INDEX "BusinessOpenSpan_calendarId_openedAfter_idx" ON "BusinessOpenSpan"("calendarId", "openedAfter");

-- AddForeignKey
ALTER TABLE "BusinessOpenSpan" ADD CONSTRAINT "BusinessOpenSpan_calendarId_fkey" FOREIGN KEY ("calendarId") REFERENCES "BusinessCalendar"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ───────────── business open spans (hand-written) ─────────────
-- Business time as index lookups. The calendar's open time is laid out once per calendar, for
-- local dates 1990-01-01 … 2100-12-31, with the interval construction of the walk in migrations
-- 20261123050100_business_time and 20261123055000_sla_due (local dates, each interval's open and
-- close = (date + minutes) AT TIME ZONE tz, holidays skipped, empty or inverted intervals dropped,
-- overlapping or touching intervals merged by range_agg). With the open microseconds before each
-- span, "open time up to t" is one index probe, a duration is a difference of two, and a due time
-- is one probe on openedAfter. The walk stays, renamed, for instants outside the laid-out range.

-- Instants inside every time zone's laid-out range: local 1990-01-01 00:00 is at the latest
-- 1990-01-01 12:00 UTC (UTC-12) and local 2101-01-01 00:00 at the earliest 2100-12-31 10:00 UTC
-- (UTC+14), so between these two UTC bounds the spans hold all of the calendar's open time.
CREATE FUNCTION cx_open_spans_cover(at timestamptz) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
  SELECT at >= timestamptz '1990-01-02 00:00:00+00' AND at <= timestamptz '2100-12-31 00:00:00+00'
$$;

-- Lays the calendars' open time out again. One INSERT ... SELECT per calendar (over
-- generate_series of the 40,542 local dates), so one statement never holds the intervals of
-- every calendar at once; work_mem is raised so the ~80,000-row merge and sort of a calendar
-- open twice a day, every day, stay in memory. The running sums are float8 (numeric ones take
-- most of the rebuild's CPU): every length and partial sum is a whole number of microseconds
-- below 2^53 (111 years are 3.5e15 µs), so each addition is exact.
CREATE FUNCTION cx_rebuild_open_spans(calendars uuid[]) RETURNS void
LANGUAGE plpgsql
SET work_mem = '64MB'
AS $$
DECLARE
  calendar uuid;
  tz text;
  locked uuid[];
BEGIN
  -- Two transactions rebuilding one calendar would insert the same keys: the second waits here
  -- until the first commits, then replaces its rows. (NO KEY UPDATE leaves foreign-key checks
  -- against the calendar, e.g. a new SLA policy, unblocked.)
  locked := ARRAY(SELECT c.id FROM "BusinessCalendar" c WHERE c.id = ANY(calendars) ORDER BY c.id FOR NO KEY UPDATE);
  DELETE FROM "BusinessOpenSpan" WHERE "calendarId" = ANY(calendars);
  FOR calendar, tz IN SELECT c.id, c."timeZone" FROM "BusinessCalendar" c WHERE c.id = ANY(locked) LOOP
    INSERT INTO "BusinessOpenSpan" ("calendarId", "openAt", "closeAt", "openedBefore", "openedAfter")
    SELECT calendar, lower(r), upper(r), (sum(len) OVER w - len)::bigint, (sum(len) OVER w)::bigint
    FROM (
      SELECT r, (extract(epoch FROM upper(r) - lower(r)) * 1000000)::float8 AS len
      FROM unnest((
        SELECT range_agg(tstzrange(i.open_at, i.close_at, '[)'))
        FROM (
          SELECT (d.day + make_interval(mins => h."startMinute")) AT TIME ZONE tz AS open_at,
                 (d.day + make_interval(mins => h."endMinute")) AT TIME ZONE tz AS close_at
          FROM "BusinessHoursInterval" h
          JOIN (
            SELECT date '1990-01-01' + n AS day, extract(isodow FROM date '1990-01-01' + n)::int AS dow
            FROM generate_series(0, date '2100-12-31' - date '1990-01-01') AS n
          ) d ON d.dow = h."dayOfWeek"
          WHERE h."calendarId" = calendar
            AND NOT EXISTS (SELECT 1 FROM "BusinessHoliday" x WHERE x."calendarId" = calendar AND x.date = d.day)
          -- Keeps each AT TIME ZONE computed once (the filter below would otherwise repeat it).
          OFFSET 0
        ) i
        -- A local time skipped by a DST change can map an interval to nothing or backwards.
        WHERE i.open_at < i.close_at
      )) AS r
    ) spans
    WINDOW w AS (ORDER BY lower(r));
  END LOOP;
END
$$;

-- CreateTable (model PendingSlaRefresh)
CREATE TABLE "PendingSlaRefresh" (
    "id" UUID NOT NULL,
    "isCalendar" BOOLEAN NOT NULL,

    CONSTRAINT "PendingSlaRefresh_pkey" PRIMARY KEY ("id")
);

-- ───────────── deferred refresh of calendars and policies ─────────────
-- Editing a calendar or a policy takes several statements (the API replaces hours, holidays and
-- targets: a delete and an insert each). Rebuilding the spans and recomputing every SLA clock
-- counted in the calendar (or made from the policy) after each statement did the whole work up
-- to four times per edit, with intermediate states (a calendar without hours) in between — at
-- 1,000,000 tickets, minutes. So the statements only note what changed, and a deferred
-- constraint trigger does the work once per calendar or policy, at commit, on the final state.
-- This replaces the immediate calendar, policy and target triggers of
-- 20261123080100_reply_waits_sla_clocks_maintained (ticket, comment and message triggers stay
-- immediate: they touch only their own items).
DROP TRIGGER "SlaTarget_clocks_insert" ON "SlaTarget";
DROP TRIGGER "SlaTarget_clocks_update" ON "SlaTarget";
DROP TRIGGER "SlaTarget_clocks_delete" ON "SlaTarget";
DROP TRIGGER "SlaPolicy_clocks_update" ON "SlaPolicy";
DROP TRIGGER "BusinessCalendar_clocks_update" ON "BusinessCalendar";
DROP TRIGGER "BusinessHoursInterval_clocks_insert" ON "BusinessHoursInterval";
DROP TRIGGER "BusinessHoursInterval_clocks_update" ON "BusinessHoursInterval";
DROP TRIGGER "BusinessHoursInterval_clocks_delete" ON "BusinessHoursInterval";
DROP TRIGGER "BusinessHoliday_clocks_insert" ON "BusinessHoliday";
DROP TRIGGER "BusinessHoliday_clocks_update" ON "BusinessHoliday";
DROP TRIGGER "BusinessHoliday_clocks_delete" ON "BusinessHoliday";
DROP FUNCTION cx_sla_targets_changed();
DROP FUNCTION cx_sla_policies_updated();
DROP FUNCTION cx_calendars_updated();
DROP FUNCTION cx_calendar_days_changed();

CREATE FUNCTION cx_note_sla_refresh(ids uuid[], is_calendar boolean) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO "PendingSlaRefresh" (id, "isCalendar")
  SELECT DISTINCT id, is_calendar FROM unnest(ids) AS id WHERE id IS NOT NULL
  ON CONFLICT (id) DO NOTHING;
$$;

-- At commit, per noted id: a calendar's spans first, then the clocks counted in it; a policy's
-- clocks. Each is a full recomputation from the committed state, so the order among ids does not
-- matter (a policy refreshed before its calendar is corrected by the calendar's refresh, which
-- recomputes every clock counted in the calendar). A calendar or policy deleted in the meantime
-- leaves nothing to do: its spans are gone with it, and its tickets were updated by the cascade.
CREATE FUNCTION cx_apply_sla_refresh() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "PendingSlaRefresh" WHERE id = NEW.id;
  IF NEW."isCalendar" THEN
    PERFORM cx_rebuild_open_spans(ARRAY[NEW.id]);
    PERFORM cx_refresh_calendar_sla(ARRAY[NEW.id]);
  ELSE
    PERFORM cx_refresh_policy_sla(ARRAY[NEW.id]);
  END IF;
  RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER "PendingSlaRefresh_apply" AFTER INSERT ON "PendingSlaRefresh"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cx_apply_sla_refresh();

-- A calendar: created, or its time zone changed (a new calendar gets its hours in the same
-- transaction; noting it also covers a write path that adds them later).
CREATE FUNCTION cx_calendars_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM cx_note_sla_refresh(ARRAY(SELECT id FROM new_rows), true);
  ELSE
    PERFORM cx_note_sla_refresh(ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n."timeZone" IS DISTINCT FROM o."timeZone"), true);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "BusinessCalendar_sla_refresh_insert" AFTER INSERT ON "BusinessCalendar"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_calendars_changed();
CREATE TRIGGER "BusinessCalendar_sla_refresh_update" AFTER UPDATE ON "BusinessCalendar"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_calendars_changed();

-- Hours and holidays: any row written, except an update that changes nothing the spans are made
-- of (a holiday's name). Transition tables rule out UPDATE OF column lists, hence the diff.
CREATE FUNCTION cx_calendar_days_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM cx_note_sla_refresh(ARRAY(SELECT "calendarId" FROM new_rows), true);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM cx_note_sla_refresh(ARRAY(SELECT "calendarId" FROM old_rows), true);
  ELSE
    PERFORM cx_note_sla_refresh(ARRAY(
      SELECT n."calendarId" FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE to_jsonb(n) - 'id' - 'name' IS DISTINCT FROM to_jsonb(o) - 'id' - 'name'
      UNION SELECT o."calendarId" FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n."calendarId" <> o."calendarId"), true);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "BusinessHoursInterval_sla_refresh_insert" AFTER INSERT ON "BusinessHoursInterval"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_calendar_days_changed();
CREATE TRIGGER "BusinessHoursInterval_sla_refresh_update" AFTER UPDATE ON "BusinessHoursInterval"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_calendar_days_changed();
CREATE TRIGGER "BusinessHoursInterval_sla_refresh_delete" AFTER DELETE ON "BusinessHoursInterval"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_calendar_days_changed();
CREATE TRIGGER "BusinessHoliday_sla_refresh_insert" AFTER INSERT ON "BusinessHoliday"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_calendar_days_changed();
CREATE TRIGGER "BusinessHoliday_sla_refresh_update" AFTER UPDATE ON "BusinessHoliday"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_calendar_days_changed();
CREATE TRIGGER "BusinessHoliday_sla_refresh_delete" AFTER DELETE ON "BusinessHoliday"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_calendar_days_changed();

-- A policy: its calendar changed, or any of its targets was written.
CREATE FUNCTION cx_sla_policies_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM cx_note_sla_refresh(ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n."calendarId" IS DISTINCT FROM o."calendarId"), false);
  RETURN NULL;
END
$$;

CREATE TRIGGER "SlaPolicy_sla_refresh_update" AFTER UPDATE ON "SlaPolicy"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_sla_policies_updated();

CREATE FUNCTION cx_sla_targets_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM cx_note_sla_refresh(ARRAY(SELECT "policyId" FROM new_rows), false);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM cx_note_sla_refresh(ARRAY(SELECT "policyId" FROM old_rows), false);
  ELSE
    PERFORM cx_note_sla_refresh(ARRAY(
      SELECT n."policyId" FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE (n."policyId", n.priority, n.kind, n.minutes, n."businessHours") IS DISTINCT FROM (o."policyId", o.priority, o.kind, o.minutes, o."businessHours")
      UNION SELECT o."policyId" FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n."policyId" <> o."policyId"), false);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "SlaTarget_sla_refresh_insert" AFTER INSERT ON "SlaTarget"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_sla_targets_changed();
CREATE TRIGGER "SlaTarget_sla_refresh_update" AFTER UPDATE ON "SlaTarget"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_sla_targets_changed();
CREATE TRIGGER "SlaTarget_sla_refresh_delete" AFTER DELETE ON "SlaTarget"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cx_sla_targets_changed();

-- ───────────── business time from the spans ─────────────
-- The walks stay as the reference and for instants outside the laid-out range.
ALTER FUNCTION cx_business_seconds(uuid, timestamptz, timestamptz) RENAME TO cx_business_seconds_walk;
ALTER FUNCTION cx_business_add(uuid, timestamptz, float8) RENAME TO cx_business_add_walk;

-- Open microseconds of the calendar's spans before `at`: the last span opened at or before it,
-- up to `at` or its close. A table function, so callers get it inlined as a subquery.
CREATE FUNCTION cx_business_opened_before(calendar uuid, at timestamptz)
RETURNS TABLE (opened bigint)
LANGUAGE sql STABLE AS $$
  SELECT coalesce((
    SELECT s."openedBefore" + (extract(epoch FROM least(at, s."closeAt") - s."openAt") * 1000000)::bigint
    FROM "BusinessOpenSpan" s
    WHERE s."calendarId" = calendar AND s."openAt" <= at
    ORDER BY s."openAt" DESC
    LIMIT 1
  ), 0)
$$;

-- The seconds of [from_at, to_at) inside the calendar's open hours, as before: 0 for an empty or
-- reversed range, NULL inputs and unknown calendars. The microsecond difference divided in float8
-- is the same correctly rounded value the walk's numeric sum converts to.
CREATE FUNCTION cx_business_seconds(calendar uuid, from_at timestamptz, to_at timestamptz)
RETURNS float8
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN NOT coalesce(from_at < to_at, false) THEN 0::float8
    WHEN cx_open_spans_cover(from_at) AND cx_open_spans_cover(to_at) THEN (b.opened - a.opened)::float8 / 1000000
    ELSE cx_business_seconds_walk(calendar, from_at, to_at)
  END
  FROM cx_business_opened_before(calendar, from_at) a, cx_business_opened_before(calendar, to_at) b
$$;

-- The walk's ten-year horizon: the instant after the last local date it looks at (it gives up
-- after 118 chunks of 31 local dates from the one holding from_at).
CREATE FUNCTION cx_business_add_horizon(calendar uuid, from_at timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
  SELECT ((from_at AT TIME ZONE c."timeZone")::date + 118 * 31)::timestamp AT TIME ZONE c."timeZone"
  FROM "BusinessCalendar" c WHERE c.id = calendar
$$;

-- The due time of `business_seconds` of open time from `from_at`, with the walk's contract: the
-- first span whose openedAfter reaches the open time before from_at plus the target, and a
-- target that ends exactly at a closing time is due at that closing time. Zero or negative
-- seconds give from_at; a NULL input gives NULL; so do an unknown calendar, one without open
-- hours, and a target that does not run out within the walk's ten years (the lookup itself needs
-- no limit; it is kept so that both paths answer alike). The horizon is looked up only for a
-- due time more than 3,655 days out (it is at least 3,656 days after from_at: 3,657 local days
-- less at most a day of offset change) or when no span is found, where the walk answers if the
-- horizon lies past the laid-out range.
CREATE FUNCTION cx_business_add(calendar uuid, from_at timestamptz, business_seconds float8)
RETURNS timestamptz
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN from_at IS NULL OR business_seconds IS NULL THEN NULL
    WHEN business_seconds <= 0 THEN from_at
    WHEN NOT cx_open_spans_cover(from_at) THEN cx_business_add_walk(calendar, from_at, business_seconds)
    WHEN s.due IS NULL THEN
      CASE WHEN cx_open_spans_cover(cx_business_add_horizon(calendar, from_at)) THEN NULL
           ELSE cx_business_add_walk(calendar, from_at, business_seconds) END
    -- In hours, not days: timestamptz + days follows the session time zone's DST.
    WHEN s.due <= from_at + interval '87720 hours' OR s.due <= cx_business_add_horizon(calendar, from_at) THEN s.due
  END
  FROM (
    -- Clamped so that no input overflows bigint (this is computed for every call): 1e10 s is
    -- more than the 111 laid-out years hold.
    SELECT a.opened + (greatest(least(business_seconds, 1e10), 0) * 1000000)::bigint AS opened
    FROM cx_business_opened_before(calendar, from_at) a
    -- Computed once: flattened, each use of target.opened would repeat the lookup.
    OFFSET 0
  ) target
  LEFT JOIN LATERAL (
    SELECT s."openAt" + (target.opened - s."openedBefore") * interval '1 microsecond' AS due
    FROM "BusinessOpenSpan" s
    WHERE s."calendarId" = calendar AND s."openedAfter" >= target.opened
    ORDER BY s."openedAfter"
    LIMIT 1
  ) s ON true
$$;

-- ───────────── backfill ─────────────
-- One calendar at a time, so no statement carries more than one calendar's intervals.
DO $$
DECLARE
  calendar uuid;
BEGIN
  FOR calendar IN SELECT id FROM "BusinessCalendar" ORDER BY id LOOP
    PERFORM cx_rebuild_open_spans(ARRAY[calendar]);
  END LOOP;
END
$$;
