-- Business time between two instants: the seconds of [from_at, to_at) that fall inside the
-- calendar's weekly open intervals (local to its time zone), excluding its holiday dates.
-- Each local date's intervals are turned into instants with AT TIME ZONE for that date, so a
-- 09:00-17:00 interval is 8 hours on DST days too. range_agg merges intervals that overlap
-- (nothing in the data model forbids them), so no second is counted twice. A calendar that
-- does not exist, or an empty or reversed range, yields 0. Prisma ignores functions when
-- diffing, so this hand-written SQL does not cause schema drift.
CREATE FUNCTION cx_business_seconds(calendar uuid, from_at timestamptz, to_at timestamptz)
RETURNS float8
LANGUAGE sql
STABLE
AS $$
  SELECT coalesce(sum(extract(epoch FROM (upper(r) - lower(r)))), 0)::float8
  FROM (
    SELECT unnest(range_agg(tstzrange(o.open_at, o.close_at, '[)') * tstzrange(from_at, to_at, '[)'))) AS r
    FROM "BusinessCalendar" c
    -- Local dates from the one holding from_at to the one holding to_at.
    CROSS JOIN LATERAL generate_series(
      (from_at AT TIME ZONE c."timeZone")::date,
      (to_at AT TIME ZONE c."timeZone")::date,
      interval '1 day'
    ) AS d(day)
    JOIN "BusinessHoursInterval" h
      ON h."calendarId" = c.id AND h."dayOfWeek" = extract(isodow FROM d.day)::int
    CROSS JOIN LATERAL (
      SELECT (d.day::date + make_interval(mins => h."startMinute")) AT TIME ZONE c."timeZone" AS open_at,
             (d.day::date + make_interval(mins => h."endMinute")) AT TIME ZONE c."timeZone" AS close_at
    ) o
    WHERE c.id = calendar
      AND from_at < to_at
      -- A local time skipped by a DST change can map an interval to nothing; skip it.
      AND o.open_at < o.close_at
      AND o.open_at < to_at AND o.close_at > from_at
      AND NOT EXISTS (SELECT 1 FROM "BusinessHoliday" x WHERE x."calendarId" = c.id AND x.date = d.day::date)
  ) merged
$$;
