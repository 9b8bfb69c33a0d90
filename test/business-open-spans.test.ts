import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, type TestWorkspace } from './helpers/factories.ts';
import { createCalendar, createPolicy, dbId, insertTickets, OFFICE } from './sla-helpers.ts';
import { scaledTimeout } from './helpers/load.ts';

/**
 * BusinessOpenSpan: each calendar's open hours laid out for local dates 1990-01-01 … 2100-12-31,
 * so that cx_business_add and cx_business_seconds are index lookups. The reference is the walk
 * through local days they replaced (cx_business_add_walk, cx_business_seconds_walk), which
 * test/sla-due.test.ts and test/metrics-business-time.test.ts verify by hand: on a grid of
 * instants, including every opening and closing ±1 µs, both must agree to the microsecond.
 *
 * Berlin changes to CEST on Sun 2026-03-29 (02:00 → 03:00) and back on Sun 2026-10-25
 * (03:00 → 02:00); New York on Sun 2026-03-08 and Sun 2026-11-01. 1990-01-01 was a Monday.
 */

type Hours = Array<{ dayOfWeek: number; startMinute: number; endMinute: number }>;
const days = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const LUNCH_OFFICE = {
  name: 'Office with lunch',
  timeZone: 'Europe/Berlin',
  hours: days(1, 5).flatMap((dayOfWeek) => [
    { dayOfWeek, startMinute: 540, endMinute: 720 },
    { dayOfWeek, startMinute: 780, endMinute: 1020 },
  ]),
  // The Friday before spring forward and the Monday after falling back.
  holidays: [{ date: '2026-03-27', name: 'Spring' }, { date: '2026-10-26', name: 'Autumn' }],
};
const ROUND_THE_CLOCK = { name: 'Always open', timeZone: 'America/New_York', hours: days(1, 7).map((dayOfWeek) => ({ dayOfWeek, startMinute: 0, endMinute: 1440 })) };
/**
 * Sat 22:00–24:00 touching Sun 00:00–00:30 (one span across midnight), Sun 01:00–04:00 across
 * the DST changes, and Sun 02:30–03:00 overlapping it — on 2026-03-29 that one lies in the
 * skipped hour and maps backwards (02:30 CET = 01:30Z, 03:00 CEST = 01:00Z), so it is dropped.
 * The API refuses overlapping hours; the data model does not, so the rows go in directly.
 */
const NIGHT_SHIFT: Hours = [
  { dayOfWeek: 6, startMinute: 1320, endMinute: 1440 },
  { dayOfWeek: 7, startMinute: 0, endMinute: 30 },
  { dayOfWeek: 7, startMinute: 60, endMinute: 240 },
  { dayOfWeek: 7, startMinute: 150, endMinute: 180 },
];

async function insertCalendar(ws: TestWorkspace, timeZone: string, hours: Hours): Promise<string> {
  const { prisma } = await testDatabase();
  const id = uuidv7();
  await prisma.businessCalendar.create({ data: { id, workspaceId: ws.workspaceId, name: `Direct ${id}`, timeZone } });
  await prisma.businessHoursInterval.createMany({ data: hours.map((h) => ({ id: uuidv7(), workspaceId: ws.workspaceId, calendarId: id, ...h })) });
  return id;
}

/** Epoch microseconds of an instant as text, so nothing is rounded to the millisecond on the way. */
const US = (sql: string) => `(extract(epoch FROM ${sql}) * 1000000)::bigint::text`;
const us = (iso: string) => String(BigInt(Date.parse(iso)) * 1000n);

async function add(calendar: string, from: string, seconds: number): Promise<string | null> {
  const { prisma } = await testDatabase();
  const [row] = await prisma.$queryRawUnsafe<{ due: string | null }[]>(`SELECT ${US('cx_business_add($1::uuid, $2::timestamptz, $3::float8)')} AS due`, calendar, from, seconds);
  return row!.due;
}

async function seconds(calendar: string, from: string, to: string): Promise<number> {
  const { prisma } = await testDatabase();
  const [row] = await prisma.$queryRawUnsafe<{ s: number }[]>('SELECT cx_business_seconds($1::uuid, $2::timestamptz, $3::timestamptz) AS s', calendar, from, to);
  return Number(row!.s);
}

// Durations in seconds: none, negative, 1 µs, fractions, across lunch, a day, several weeks.
const DURATIONS = [-60, 0, 0.000001, 1, 59.999999, 1234.567891, 1800, 3600, 10800, 25200, 28800, 90000, 360000];
// Lengths of [a, b) besides each instant's next and seventh-next neighbour; reversed and empty too.
const SPANS = ['-1 hour', '0', '1 microsecond', '59 minutes', '1 hour', '4 hours 30 minutes', '1 day', '3 days', '9 days'];

/**
 * Compares the lookups with the walks for one calendar on instants in two windows of local dates:
 * every interval's opening and closing (built from the hours, not from the spans) and 1 µs either
 * side, plus 15 instants a day, 97 minutes apart, with a scattered microsecond part.
 */
async function compare(calendar: string, windows: Array<[string, string]>) {
  const { prisma } = await testDatabase();
  const dates = windows.map(([from, to]) => `SELECT date '${from}' + n AS day FROM generate_series(0, date '${to}' - date '${from}') AS n`).join(' UNION ');
  const [row] = await prisma.$queryRawUnsafe<Record<string, unknown>[]>(
    `WITH c AS (SELECT id, "timeZone" AS tz FROM "BusinessCalendar" WHERE id = $1::uuid),
     d AS (${dates}),
     instants AS (
       SELECT DISTINCT at FROM (
         SELECT ((d.day + make_interval(mins => m)) AT TIME ZONE c.tz) + e * interval '1 microsecond' AS at
         FROM c CROSS JOIN d
         JOIN "BusinessHoursInterval" h ON h."calendarId" = c.id AND h."dayOfWeek" = extract(isodow FROM d.day)::int
         CROSS JOIN LATERAL unnest(ARRAY[h."startMinute", h."endMinute"]) AS m
         CROSS JOIN unnest(ARRAY[-1, 0, 1]) AS e
         UNION ALL
         SELECT ((d.day + make_interval(mins => k * 97)) AT TIME ZONE c.tz) + ((k * 7919 + (d.day - date '2026-01-01') * 104729) % 1000000) * interval '1 microsecond'
         FROM c CROSS JOIN d CROSS JOIN generate_series(0, 14) AS k
       ) x
     ),
     adds AS (
       SELECT i.at, s.secs, cx_business_add(c.id, i.at, s.secs) AS fast, cx_business_add_walk(c.id, i.at, s.secs) AS walk
       FROM c CROSS JOIN instants i CROSS JOIN (VALUES ${DURATIONS.map((s) => `(${s}::float8)`).join(', ')}) AS s(secs)
     ),
     pairs AS (
       SELECT i.at AS a, i.at + l.len AS b FROM instants i CROSS JOIN (VALUES ${SPANS.map((s) => `(interval '${s}')`).join(', ')}) AS l(len)
       UNION ALL SELECT at, lead(at) OVER (ORDER BY at) FROM instants
       UNION ALL SELECT at, lead(at, 7) OVER (ORDER BY at) FROM instants
     ),
     -- The walk documents 0 for a reversed or NULL-ended range, but on PGlite its range
     -- constructor raises for a reversed one, so that contract is the reference there.
     secs AS (
       SELECT p.a, p.b, cx_business_seconds(c.id, p.a, p.b) AS fast,
              CASE WHEN p.a < p.b THEN cx_business_seconds_walk(c.id, p.a, p.b) ELSE 0 END AS walk
       FROM c CROSS JOIN pairs p
     )
     SELECT (SELECT count(*) FROM instants)::int AS instants,
            (SELECT count(*) FROM adds)::int AS adds,
            (SELECT count(*) FROM adds WHERE walk > at)::int AS "addsLater",
            (SELECT json_agg(json_build_object('at', at::text, 'secs', secs, 'fast', fast::text, 'walk', walk::text))
               FROM (SELECT * FROM adds WHERE fast IS DISTINCT FROM walk LIMIT 5) m) AS "addMismatches",
            (SELECT count(*) FROM secs)::int AS seconds,
            (SELECT count(*) FROM secs WHERE walk > 0)::int AS "secondsOpen",
            (SELECT json_agg(json_build_object('a', a::text, 'b', b::text, 'fast', fast, 'walk', walk))
               FROM (SELECT * FROM secs WHERE fast IS DISTINCT FROM walk LIMIT 5) m) AS "secondsMismatches"`,
    calendar,
  );
  return row as { instants: number; adds: number; addsLater: number; addMismatches: unknown; seconds: number; secondsOpen: number; secondsMismatches: unknown };
}

const BERLIN_DST_WEEKS: Array<[string, string]> = [['2026-03-25', '2026-03-31'], ['2026-10-22', '2026-10-28']];
const NEW_YORK_DST_WEEKS: Array<[string, string]> = [['2026-03-05', '2026-03-10'], ['2026-10-29', '2026-11-03']];

describe('business time from open spans', () => {
  it.each([
    ['an office with a lunch break and holidays around both DST changes', BERLIN_DST_WEEKS, (ws: TestWorkspace) => createCalendar(ws, LUNCH_OFFICE).then(dbId)],
    ['a 24-hour calendar across 23- and 25-hour days', NEW_YORK_DST_WEEKS, (ws: TestWorkspace) => createCalendar(ws, ROUND_THE_CLOCK).then(dbId)],
    ['night hours across the DST gap, touching and overlapping', BERLIN_DST_WEEKS, (ws: TestWorkspace) => insertCalendar(ws, 'Europe/Berlin', NIGHT_SHIFT)],
    ['a calendar without hours', BERLIN_DST_WEEKS, (ws: TestWorkspace) => insertCalendar(ws, 'Europe/Berlin', [])],
    // Laying out a calendar's open spans is CPU-bound: the limit follows the machine's load.
  ] as const)('agree with the walk to the microsecond: %s', { timeout: scaledTimeout(60_000) }, async (name, windows, make) => {
    const calendar = await make(await createTestWorkspace());
    const result = await compare(calendar, [...windows]);
    expect(result.addMismatches).toBeNull();
    expect(result.secondsMismatches).toBeNull();
    // Enough ground covered: 2 windows × 7 or 6 dates × 15 grid instants alone are 180 or 210.
    expect(result.instants).toBeGreaterThanOrEqual(180);
    expect(result.adds).toBe(result.instants * DURATIONS.length);
    expect(result.seconds).toBe(result.instants * (SPANS.length + 2));
    if (name === 'a calendar without hours') {
      expect(result.addsLater).toBe(0);
      expect(result.secondsOpen).toBe(0);
    } else {
      // Most answers are real due times and durations, not the edge cases.
      expect(result.addsLater).toBeGreaterThan(result.instants * 8);
      expect(result.secondsOpen).toBeGreaterThan(result.instants);
    }
  });

  it('answers DST days, boundaries and the edge cases by hand', async () => {
    const ws = await createTestWorkspace();
    const night = await insertCalendar(ws, 'Europe/Berlin', NIGHT_SHIFT);
    const always = dbId(await createCalendar(ws, ROUND_THE_CLOCK));
    const none = await insertCalendar(ws, 'Europe/Berlin', []);
    // Spring: Sat 22:00 CET–Sun 00:30 CET (2.5 h) and Sun 01:00 CET–04:00 CEST (2 h); autumn:
    // Sat 22:00 CEST–Sun 00:30 CEST (2.5 h) and Sun 01:00 CEST–04:00 CET (4 h). Normal: 2.5 h + 3 h.
    expect(await seconds(night, '2026-03-28T00:00:00+01:00', '2026-03-30T00:00:00+02:00')).toBe(16200);
    expect(await seconds(night, '2026-10-24T00:00:00+02:00', '2026-10-26T00:00:00+01:00')).toBe(23400);
    expect(await seconds(night, '2026-03-21T00:00:00+01:00', '2026-03-23T00:00:00+01:00')).toBe(19800);
    // 2.5 h run out exactly at Sunday 00:30: due at that closing time, not at the 01:00 opening.
    expect(await add(night, '2026-03-28T22:00:00+01:00', 9000)).toBe(us('2026-03-29T00:30:00+01:00'));
    expect(await add(night, '2026-03-28T22:00:00+01:00', 9000.000001)).toBe(String(BigInt(Date.parse('2026-03-29T01:00:00+01:00')) * 1000n + 1n));
    // From the closing instant itself: next Sunday's 01:00 CEST + 1 h, after Sat 22:00–Sun 00:30 (2.5 h).
    expect(await add(night, '2026-03-29T04:00:00+02:00', 3.5 * 3600)).toBe(us('2026-04-05T02:00:00+02:00'));
    // The 25-hour day: 00:00 EDT + 25 h is the next local midnight.
    expect(await add(always, '2026-11-01T00:00:00-04:00', 25 * 3600)).toBe(us('2026-11-02T00:00:00-05:00'));
    expect(await seconds(always, '2026-03-08T00:00:00-05:00', '2026-03-09T00:00:00-04:00')).toBe(23 * 3600);
    expect(await seconds(always, '2026-03-08T00:00:00.000001-05:00', '2026-03-08T00:00:00.000002-05:00')).toBe(0.000001);
    // Zero or negative seconds give the start; never open or unknown gives NULL; NULL gives NULL.
    expect(await add(always, '2026-03-08T12:34:56.789Z', 0)).toBe(us('2026-03-08T12:34:56.789Z'));
    expect(await add(night, '2026-03-08T12:34:56.789Z', -5)).toBe(us('2026-03-08T12:34:56.789Z'));
    expect(await add(none, '2026-03-08T12:00:00Z', 60)).toBeNull();
    expect(await add(uuidv7(), '2026-03-08T12:00:00Z', 60)).toBeNull();
    expect(await add(always, null as never, 60)).toBeNull();
    expect(await add(always, '2026-03-08T12:00:00Z', null as never)).toBeNull();
    // Durations are 0 when reversed, empty, NULL-ended, never open or of an unknown calendar.
    expect(await seconds(always, '2026-03-09T00:00:00Z', '2026-03-08T00:00:00Z')).toBe(0);
    expect(await seconds(always, '2026-03-08T00:00:00Z', null as never)).toBe(0);
    expect(await seconds(none, '2026-03-08T00:00:00Z', '2026-03-10T00:00:00Z')).toBe(0);
    expect(await seconds(uuidv7(), '2026-03-08T00:00:00Z', '2026-03-10T00:00:00Z')).toBe(0);
  });

  it('keeps the walk’s ten-year horizon: a target that does not run out within it is NULL', async () => {
    const ws = await createTestWorkspace();
    const office = dbId(await createCalendar(ws, { ...OFFICE, holidays: [] }));
    const { prisma } = await testDatabase();
    // The walk looks at 118 × 31 local dates from the start's: all the open time up to the
    // midnight after the last one is reachable (due at that date's closing), 1 µs more is not.
    const [row] = await prisma.$queryRawUnsafe<{ horizon: number }[]>(
      `SELECT cx_business_seconds_walk($1::uuid, timestamptz '2026-03-02 09:00:00+01', (date '2026-03-02' + 118 * 31)::timestamp AT TIME ZONE 'Europe/Berlin') AS horizon`,
      office,
    );
    const horizon = Number(row!.horizon);
    expect(horizon).toBeGreaterThan(9 * 52 * 40 * 3600);
    // The last local date looked at, 3,657 days after Monday 2026-03-02, is Thursday 2036-03-06;
    // its closing is 17:00 CET.
    expect(await add(office, '2026-03-02T09:00:00+01:00', horizon)).toBe(us('2036-03-06T17:00:00+01:00'));
    expect(await add(office, '2026-03-02T09:00:00+01:00', horizon + 0.000001)).toBeNull();
    expect(await add(office, '2026-03-02T09:00:00+01:00', 11 * 52 * 40 * 3600)).toBeNull();
  });

  it('lays out one span per open day, merged across midnights, with exact cumulative microseconds', async () => {
    const ws = await createTestWorkspace();
    const office = dbId(await createCalendar(ws));
    const always = dbId(await createCalendar(ws, ROUND_THE_CLOCK));
    const { prisma } = await testDatabase();
    const spans = (calendarId: string) =>
      prisma.$queryRawUnsafe<Array<{ n: number; first: string; last: string; total: string }>>(
        `SELECT count(*)::int AS n, ${US('min("openAt")')} AS first, ${US('max("closeAt")')} AS last, max("openedAfter")::text AS total
         FROM "BusinessOpenSpan" WHERE "calendarId" = $1::uuid`,
        calendarId,
      );
    // 40,542 local dates = 5,791 weeks + Mon–Fri; 5,791 × 5 + 5 weekdays, less Thu 2026-03-12.
    const [o] = await spans(office);
    expect(o!.n).toBe(28959);
    expect(o!.first).toBe(us('1990-01-01T09:00:00+01:00'));
    expect(o!.last).toBe(us('2100-12-31T17:00:00+01:00')); // 2100-12-31 is a Friday
    expect(o!.total).toBe(String(28959n * 8n * 3600n * 1000000n));
    // Open around the clock: one span from local 1990-01-01 00:00 EST to 2101-01-01 00:00 EST.
    const [a] = await spans(always);
    expect(a!.n).toBe(1);
    expect([a!.first, a!.last]).toEqual([us('1990-01-01T00:00:00-05:00'), us('2101-01-01T00:00:00-05:00')]);
    expect(a!.total).toBe(String(40542n * 86400n * 1000000n));
    // Deleting a calendar takes its spans along.
    await prisma.businessCalendar.delete({ where: { id: always } });
    expect((await spans(always))[0]!.n).toBe(0);
  });

  it('answers inside the laid-out range from the spans alone, outside it through the walk', async () => {
    const ws = await createTestWorkspace();
    const office = dbId(await createCalendar(ws));
    const { prisma } = await testDatabase();
    // With its spans gone (never done outside this test), the calendar looks closed in range.
    await prisma.$executeRawUnsafe('DELETE FROM "BusinessOpenSpan" WHERE "calendarId" = $1::uuid', office);
    expect(await add(office, '2026-03-03T16:00:00+01:00', 7200)).toBeNull();
    expect(await seconds(office, '2026-03-03T10:00:00+01:00', '2026-03-04T10:00:00+01:00')).toBe(0);
    // 1980-03-04 and 2150-03-03 are Tuesdays in CET: Tue 16–17 and Wed 09–10.
    expect(await add(office, '1980-03-04T16:00:00+01:00', 7200)).toBe(us('1980-03-05T10:00:00+01:00'));
    expect(await seconds(office, '1980-03-04T10:00:00+01:00', '1980-03-05T10:00:00+01:00')).toBe(28800);
    expect(await add(office, '2150-03-03T16:00:00+01:00', 7200)).toBe(us('2150-03-04T10:00:00+01:00'));
    expect(await seconds(office, '2150-03-03T10:00:00+01:00', '2150-03-04T10:00:00+01:00')).toBe(28800);
    // Across the start: Fri 1989-12-29 16–17, Mon 1990-01-01 09–17, Tue 09–10 = 10 h.
    expect(await seconds(office, '1989-12-29T16:00:00+01:00', '1990-01-02T10:00:00+01:00')).toBe(36000);
    expect(await add(office, '1989-12-29T16:00:00+01:00', 36000)).toBe(us('1990-01-02T10:00:00+01:00'));
    // Across the end: Fri 2100-12-31 16–17, then Mon 2101-01-03 09–10, past the last span.
    expect(await add(office, '2100-12-31T16:00:00+01:00', 7200)).toBe(us('2101-01-03T10:00:00+01:00'));
    expect(await seconds(office, '2100-12-31T16:00:00+01:00', '2101-01-03T10:00:00+01:00')).toBe(7200);
  });
});

const UPDATE_CALENDAR = /* GraphQL */ `
  mutation ($input: UpdateBusinessCalendarInput!) { updateBusinessCalendar(input: $input) { __typename ... on Error { code message } } }
`;

describe('open spans follow calendar edits', () => {
  it('rebuild when holidays, hours or the time zone change, before SLA clocks are recomputed', async () => {
    const ws = await createTestWorkspace();
    const calendarId = await createCalendar(ws);
    const calendar = dbId(calendarId);
    const policy = await createPolicy(ws, { name: 'Business', calendarId, targets: [{ priority: 'NORMAL', kind: 'FIRST_RESPONSE', minutes: 120, businessHours: true }] });
    // Wed 2026-03-11 18:30 CET = 17:30Z, after closing; the ticket's first response is due 2 open hours later.
    const from = '2026-03-11T17:30:00Z';
    const [ticket] = await insertTickets(ws, [{ createdAt: from, slaPolicyId: policy }]);
    const { prisma } = await testDatabase();
    const dueNow = async () => {
      const clock = await prisma.ticketSlaClock.findFirstOrThrow({ where: { ticketId: ticket! } });
      const lookup = await add(calendar, from, 7200);
      expect(lookup).toBe(us(clock.dueAt!.toISOString()));
      return clock.dueAt!.toISOString();
    };
    const update = async (input: Record<string, unknown>) => {
      const res = await ws.gql(UPDATE_CALENDAR, { input: { id: calendarId, ...input } });
      expect(res.errors).toBeUndefined();
      expect(res.data!.updateBusinessCalendar.__typename, JSON.stringify(res.data)).toBe('BusinessCalendarPayload');
    };
    // 09–17 CET = 08–16Z; Thursday is a holiday: Fri 08:00Z + 2 h.
    expect(await dueNow()).toBe('2026-03-13T10:00:00.000Z');
    await update({ holidays: [] }); // Thu 08:00Z + 2 h
    expect(await dueNow()).toBe('2026-03-12T10:00:00.000Z');
    await update({ hours: days(1, 5).map((dayOfWeek) => ({ dayOfWeek, startMinute: 600, endMinute: 1080 })) }); // 09–17Z: Thu 09:00Z + 2 h
    expect(await dueNow()).toBe('2026-03-12T11:00:00.000Z');
    await update({ timeZone: 'Europe/London' }); // 10–18Z: Wed 17:30–18:00, Thu 10:00Z + 1.5 h
    expect(await dueNow()).toBe('2026-03-12T11:30:00.000Z');
    await update({ holidays: [{ date: '2026-03-12', name: 'Back again' }] }); // Fri 10:00Z + 1.5 h
    expect(await dueNow()).toBe('2026-03-13T11:30:00.000Z');
  });
});
