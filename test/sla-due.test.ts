import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace } from './helpers/factories.ts';
import { createCalendar, dbId, OFFICE } from './sla-helpers.ts';

/**
 * cx_business_add(calendar, from, seconds): the instant at which `seconds` of open time have
 * passed — an SLA target's due time. Office: Mon–Fri 09:00–17:00 Europe/Berlin, holiday Thu
 * 2026-03-12. Lunch: every day 09:00–12:00 and 13:00–17:00. Worked out by hand:
 *
 *   start (Berlin)            + open time   open time taken from                        due (Berlin)
 *   Tue 03-03 10:00 CET         1.5 h       Tue 10:00–11:30                            Tue 03-03 11:30 CET
 *   Tue 03-03 16:00 CET         1 h         Tue 16:00–17:00 (ends at closing)          Tue 03-03 17:00 CET
 *   Tue 03-03 16:00 CET         2 h         Tue 16–17, Wed 09–10                       Wed 03-04 10:00 CET
 *   Fri 03-06 16:30 CET         1 h         Fri 16:30–17:00, weekend, Mon 09:00–09:30  Mon 03-09 09:30 CET
 *   Wed 03-11 16:00 CET         2 h         Wed 16–17, Thu holiday, Fri 09–10          Fri 03-13 10:00 CET
 *   Fri 03-27 16:00 CET         2 h         Fri 16–17, weekend + DST, Mon 09–10        Mon 03-30 10:00 CEST
 *   Sat 03-14 10:00 CET         1 min       closed until Mon 09:00                     Mon 03-16 09:01 CET
 *   Tue 03-03 20:00 CET         49 h        Wed–Fri 24, Mon–Wed 24, Thu holiday, Fri 1 Fri 03-13 10:00 CET
 * Lunch calendar:
 *   Tue 03-03 11:30 CET         30 min      Tue 11:30–12:00 (ends at the break)        Tue 03-03 12:00 CET
 *   Tue 03-03 11:30 CET         31 min      11:30–12:00, break, 13:00–13:01            Tue 03-03 13:01 CET
 *   Sat 03-28 11:00 CET         9 h         Sat 11–12, 13–17 (5 h); Sun 09–12 CEST (3 h), 13–14   Sun 03-29 14:00 CEST
 *   Sun 10-25 00:00 CEST        7 h         the 25-hour day still has 3 h + 4 h       Sun 10-25 17:00 CET
 */
const OFFICE_CASES: Array<[string, number, string]> = [
  ['2026-03-03T10:00:00+01:00', 5400, '2026-03-03T11:30:00+01:00'],
  ['2026-03-03T16:00:00+01:00', 3600, '2026-03-03T17:00:00+01:00'],
  ['2026-03-03T16:00:00+01:00', 7200, '2026-03-04T10:00:00+01:00'],
  ['2026-03-06T16:30:00+01:00', 3600, '2026-03-09T09:30:00+01:00'],
  ['2026-03-11T16:00:00+01:00', 7200, '2026-03-13T10:00:00+01:00'],
  ['2026-03-27T16:00:00+01:00', 7200, '2026-03-30T10:00:00+02:00'],
  ['2026-03-14T10:00:00+01:00', 60, '2026-03-16T09:01:00+01:00'],
  ['2026-03-03T20:00:00+01:00', 49 * 3600, '2026-03-13T10:00:00+01:00'],
];
const LUNCH_CASES: Array<[string, number, string]> = [
  ['2026-03-03T11:30:00+01:00', 1800, '2026-03-03T12:00:00+01:00'],
  ['2026-03-03T11:30:00+01:00', 1860, '2026-03-03T13:01:00+01:00'],
  ['2026-03-28T11:00:00+01:00', 9 * 3600, '2026-03-29T14:00:00+02:00'],
  ['2026-10-25T00:00:00+02:00', 7 * 3600, '2026-10-25T17:00:00+01:00'],
];
const LUNCH = {
  name: 'Lunch break',
  timeZone: 'Europe/Berlin',
  hours: [1, 2, 3, 4, 5, 6, 7].flatMap((dayOfWeek) => [
    { dayOfWeek, startMinute: 540, endMinute: 720 },
    { dayOfWeek, startMinute: 780, endMinute: 1020 },
  ]),
};

async function due(calendar: string, from: string, seconds: number): Promise<{ due: Date | null; back: number | null }> {
  const { prisma } = await testDatabase();
  const [row] = await prisma.$queryRaw<{ due: Date | null; back: number | null }[]>`
    SELECT d AS due, cx_business_seconds(${calendar}::uuid, ${from}::timestamptz, d) AS back
    FROM cx_business_add(${calendar}::uuid, ${from}::timestamptz, ${seconds}::float8) AS d`;
  return { due: row!.due && new Date(row!.due), back: row!.back === null ? null : Number(row!.back) };
}

/**
 * The table-driven cases only read their calendar, so each is made once per file: laying out a
 * calendar's open hours (BusinessOpenSpan, 1990–2100) takes seconds on the embedded database.
 */
const calendars = new Map<string, Promise<string>>();
function sharedCalendar(name: string, input: Record<string, unknown>): Promise<string> {
  if (!calendars.has(name)) calendars.set(name, createTestWorkspace().then(async (ws) => dbId(await createCalendar(ws, input))));
  return calendars.get(name)!;
}

describe('cx_business_add', () => {
  it.each(OFFICE_CASES)('office: %s + %i s of open time is due at %s', async (from, seconds, expected) => {
    const office = await sharedCalendar('office', OFFICE);
    const result = await due(office, from, seconds);
    expect(result.due?.toISOString()).toBe(new Date(expected).toISOString());
    // The inverse of cx_business_seconds: exactly that much open time lies in between.
    expect(result.back).toBe(seconds);
  });

  it.each(LUNCH_CASES)('lunch breaks and DST days: %s + %i s is due at %s', async (from, seconds, expected) => {
    const lunch = await sharedCalendar('lunch', LUNCH);
    const result = await due(lunch, from, seconds);
    expect(result.due?.toISOString()).toBe(new Date(expected).toISOString());
    expect(result.back).toBe(seconds);
  });

  it('is the start for zero seconds, and null for an unknown calendar or one that is never open', async () => {
    const ws = await createTestWorkspace();
    const office = dbId(await createCalendar(ws));
    expect((await due(office, '2026-03-14T10:00:00+01:00', 0)).due?.toISOString()).toBe('2026-03-14T09:00:00.000Z');
    expect((await due(uuidv7(), '2026-03-03T10:00:00+01:00', 60)).due).toBeNull();
    // Without open hours the time never runs out.
    const { prisma } = await testDatabase();
    await prisma.businessHoursInterval.deleteMany({ where: { calendarId: office } });
    expect((await due(office, '2026-03-03T10:00:00+01:00', 60)).due).toBeNull();
  });

  it('crosses many weeks in one call (a long target)', async () => {
    const ws = await createTestWorkspace();
    const office = dbId(await createCalendar(ws, { ...OFFICE, holidays: [] }));
    // 40 open hours a week: 400 h from Mon 2026-01-05 09:00 CET is exactly 10 weeks later,
    // ending at the close of Fri 2026-03-13 17:00 CET.
    const result = await due(office, '2026-01-05T09:00:00+01:00', 400 * 3600);
    expect(result.due?.toISOString()).toBe(new Date('2026-03-13T17:00:00+01:00').toISOString());
  });
});
