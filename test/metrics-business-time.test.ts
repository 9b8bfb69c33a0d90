import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';
import { METRICS } from '../src/metrics/definitions.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { testDatabase } from './helpers/database.ts';
import { createTestWorkspace, insertCustomers, type TestWorkspace } from './helpers/factories.ts';

/**
 * Business-hours clock, against hand-computed values. Europe/Berlin is UTC+1 (CET) until
 * 2026-03-29 02:00 local, UTC+2 (CEST) until 2026-10-25 03:00 local. March 2026 starts on a
 * Sunday, so Mon = 2, 9, 16, 23, 30. Office calendar: Mon–Fri 09:00–17:00, holiday Thu 03-12.
 *
 *        local start (Berlin)      local stop                open seconds inside
 *   (a)  Tue 03-03 10:00 CET   →  Tue 03-03 11:30 CET        1.5 h                       =  5400
 *   (b)  Tue 03-03 16:00 CET   →  Wed 03-04 10:00 CET        1 h (Tue) + 1 h (Wed)       =  7200
 *   (c)  Fri 03-06 16:30 CET   →  Mon 03-09 09:30 CET        0.5 h + weekend 0 + 0.5 h   =  3600
 *   (d)  Wed 03-11 16:00 CET   →  Fri 03-13 10:00 CET        1 h + holiday 0 + 1 h       =  7200
 *   (e)  Fri 03-27 16:00 CET   →  Mon 03-30 10:00 CEST       1 h + weekend/DST 0 + 1 h   =  7200
 *   (f)  Sat 03-14 10:00 CET   →  Sun 03-15 18:00 CET        weekend                     =     0
 * Wall-clock seconds of the same samples: 5400, 18 h = 64800, 65 h = 234000, 42 h = 151200,
 * 65 h = 234000 (one hour is skipped on 03-29), 32 h = 115200.
 */
const CASES = {
  a: ['2026-03-03T10:00:00+01:00', '2026-03-03T11:30:00+01:00', 5400],
  b: ['2026-03-03T16:00:00+01:00', '2026-03-04T10:00:00+01:00', 7200],
  c: ['2026-03-06T16:30:00+01:00', '2026-03-09T09:30:00+01:00', 3600],
  d: ['2026-03-11T16:00:00+01:00', '2026-03-13T10:00:00+01:00', 7200],
  e: ['2026-03-27T16:00:00+01:00', '2026-03-30T10:00:00+02:00', 7200],
  f: ['2026-03-14T10:00:00+01:00', '2026-03-15T18:00:00+01:00', 0],
} as const;

async function calendar(workspaceId: string, name: string, hours: Array<[number, number, number]>, holidays: string[] = []) {
  const { prisma } = await testDatabase();
  const id = uuidv7();
  // One transaction, as the API writes a calendar: its open spans are laid out once, at commit.
  await prisma.$transaction([
    prisma.businessCalendar.create({ data: { id, workspaceId, name, timeZone: 'Europe/Berlin' } }),
    prisma.businessHoursInterval.createMany({
      data: hours.map(([dayOfWeek, startMinute, endMinute]) => ({ id: uuidv7(), workspaceId, calendarId: id, dayOfWeek, startMinute, endMinute })),
    }),
    prisma.businessHoliday.createMany({ data: holidays.map((d) => ({ id: uuidv7(), workspaceId, calendarId: id, date: new Date(d), name: 'Holiday' })) }),
  ]);
  return id;
}

const weekdays = [1, 2, 3, 4, 5];
const allDays = [1, 2, 3, 4, 5, 6, 7];

async function fixture(ws: TestWorkspace) {
  const { prisma } = await testDatabase();
  const w = ws.workspaceId;
  const office = await calendar(w, 'Office', weekdays.map((d) => [d, 9 * 60, 17 * 60] as [number, number, number]), ['2026-03-12']);
  // Every day 09:00–12:00 and 13:00–17:00 (7 h), no holidays.
  const lunch = await calendar(w, 'Lunch break', allDays.flatMap((d) => [[d, 540, 720], [d, 780, 1020]] as Array<[number, number, number]>));
  const [customer] = await insertCustomers(w, 1);
  await prisma.ticket.createMany({
    data: Object.values(CASES).map(([start, stop], i) => ({
      id: uuidv7(), workspaceId: w, number: i + 1, subject: 'x', requesterId: customer!.id,
      createdAt: new Date(start), firstResponseAt: new Date(stop),
      // Only (a) and (b) are solved: first resolution samples 5400 and 7200.
      ...(i < 2 ? { firstSolvedAt: new Date(stop), solvedAt: new Date(stop), status: 'SOLVED' as const } : {}),
    })),
  });
  // Same shape as (b), as a conversation: 1 h + 1 h = 7200.
  await prisma.conversation.create({
    data: { id: uuidv7(), workspaceId: w, customerId: customer!.id, channel: 'EMAIL', function: 'SERVICE', createdAt: new Date(CASES.b[0]), firstCustomerMessageAt: new Date(CASES.b[0]), firstAgentResponseAt: new Date(CASES.b[1]) },
  });
  return { office, lunch, officeId: encodeGlobalId('BusinessCalendar', office), lunchId: encodeGlobalId('BusinessCalendar', lunch) };
}

/**
 * The fixture is only read, so the file builds it once: laying out a calendar's open hours
 * (BusinessOpenSpan, 1990–2100) takes seconds on the embedded database.
 */
let shared: Promise<{ ws: TestWorkspace } & Awaited<ReturnType<typeof fixture>>> | undefined;
function sharedFixture() {
  shared ??= (async () => {
    const ws = await createTestWorkspace();
    return { ws, ...(await fixture(ws)) };
  })();
  return shared;
}

async function businessSeconds(calendarId: string, from: string, to: string): Promise<number> {
  const { prisma } = await testDatabase();
  const [row] = await prisma.$queryRaw<{ s: number }[]>`SELECT cx_business_seconds(${calendarId}::uuid, ${from}::timestamptz, ${to}::timestamptz) AS s`;
  return Number(row!.s);
}

const METRIC = /* GraphQL */ `
  query ($input: MetricInput!) {
    metric(input: $input) { value sampleSize clock statistic }
  }
`;
const MARCH = { from: '2026-03-01T00:00:00+01:00', to: '2026-03-31T00:00:00+02:00' };

async function metric(ws: TestWorkspace, input: Record<string, unknown>) {
  const res = await ws.gql(METRIC, { input: { ...MARCH, ...input } });
  expect(res.errors).toBeUndefined();
  return res.data!.metric;
}

describe('cx_business_seconds', () => {
  it.each(Object.entries(CASES))('case (%s) counts only open hours', async (_name, [from, to, expected]) => {
    const { office } = await sharedFixture();
    expect(await businessSeconds(office, from, to)).toBe(expected);
  });

  it('splits days at the lunch break and keeps 7 open hours on both DST days', async () => {
    const { lunch } = await sharedFixture();
    // Inside the break 12:15–12:45: nothing. 11:30–13:30: 0.5 h + 0.5 h = 3600.
    expect(await businessSeconds(lunch, '2026-03-03T12:15:00+01:00', '2026-03-03T12:45:00+01:00')).toBe(0);
    expect(await businessSeconds(lunch, '2026-03-03T11:30:00+01:00', '2026-03-03T13:30:00+01:00')).toBe(3600);
    // Sun 03-29 (23 h long) and Sun 10-25 (25 h long), local midnight to midnight: 3 h + 4 h = 25200 each.
    expect(await businessSeconds(lunch, '2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00')).toBe(25200);
    expect(await businessSeconds(lunch, '2026-10-25T00:00:00+02:00', '2026-10-26T00:00:00+01:00')).toBe(25200);
    // Sat 03-28 11:00 CET → Sun 03-29 14:00 CEST: Sat 1 h + 4 h, Sun 3 h + 1 h = 9 h = 32400.
    expect(await businessSeconds(lunch, '2026-03-28T11:00:00+01:00', '2026-03-29T14:00:00+02:00')).toBe(32400);
  });

  it('is 0 for an empty or reversed range and for an unknown calendar', async () => {
    const { office } = await sharedFixture();
    expect(await businessSeconds(office, CASES.a[1], CASES.a[0])).toBe(0);
    expect(await businessSeconds(office, CASES.a[0], CASES.a[0])).toBe(0);
    expect(await businessSeconds(uuidv7(), CASES.a[0], CASES.a[1])).toBe(0);
  });
});

describe('metric with clock: BUSINESS', () => {
  it('computes MEAN and MEDIAN of business seconds, and leaves the calendar clock unchanged', async () => {
    const { ws, officeId } = await sharedFixture();
    const key = 'ticket_first_response_time';
    const business = { key, clock: 'BUSINESS', calendarId: officeId };
    // (5400 + 7200 + 3600 + 7200 + 7200 + 0) / 6 = 30600 / 6 = 5100.
    expect(await metric(ws, { ...business, statistic: 'MEAN' })).toEqual({ value: 5100, sampleSize: 6, clock: 'BUSINESS', statistic: 'MEAN' });
    // Sorted 0, 3600, 5400, 7200, 7200, 7200 → (5400 + 7200) / 2 = 6300.
    expect((await metric(ws, business)).value).toBe(6300);
    // Wall clock: (5400 + 64800 + 234000 + 151200 + 234000 + 115200) / 6 = 804600 / 6 = 134100.
    expect(await metric(ws, { key, statistic: 'MEAN' })).toMatchObject({ value: 134100, clock: 'CALENDAR' });
  });

  it('applies to every duration metric', async () => {
    const { ws, officeId, lunchId } = await sharedFixture();
    const business = { clock: 'BUSINESS', calendarId: officeId, statistic: 'MEAN' };
    expect((await metric(ws, { key: 'ticket_first_resolution_time', ...business })).value).toBe(6300); // (5400 + 7200) / 2
    expect((await metric(ws, { key: 'ticket_full_resolution_time', ...business })).value).toBe(6300);
    expect((await metric(ws, { key: 'conversation_first_response_time', ...business })).value).toBe(7200);
    // Lunch calendar, (a) 10:00–11:30 → 5400; (b) Tue 16:00–17:00 + Wed 09:00–10:00 → 7200.
    expect((await metric(ws, { key: 'ticket_first_resolution_time', ...business, calendarId: lunchId })).value).toBe(6300);
    for (const m of METRICS.filter((d) => d.unit === 'SECONDS')) {
      const sql = m.samples(ws.workspaceId, { firstResponseFrom: 'FIRST_CUSTOMER_MESSAGE', businessCalendarId: uuidv7() }).sql;
      expect(sql, m.key).toContain('cx_business_seconds(');
    }
  });

  it('lists BUSINESS among the clocks of duration metrics only', async () => {
    const ws = await createTestWorkspace();
    const res = await ws.gql(/* GraphQL */ `{ metricDefinitions { key unit clocks } }`);
    for (const d of res.data!.metricDefinitions) {
      expect(d.clocks, d.key).toEqual(d.unit === 'SECONDS' ? ['CALENDAR', 'BUSINESS'] : ['CALENDAR']);
    }
  });

  it('rejects invalid clock and calendar combinations, naming the input field', async () => {
    const { ws, officeId } = await sharedFixture();
    const other = await createTestWorkspace();
    const foreign = encodeGlobalId('BusinessCalendar', await calendar(other.workspaceId, 'Theirs', [[1, 540, 1020]]));
    const key = 'ticket_first_response_time';
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ key, clock: 'BUSINESS' }, 'BAD_USER_INPUT', 'input.calendarId'],
      [{ key: 'ticket_volume', clock: 'BUSINESS', calendarId: officeId }, 'BAD_USER_INPUT', 'input.clock'],
      [{ key, calendarId: officeId }, 'BAD_USER_INPUT', 'input.calendarId'],
      [{ key, clock: 'BUSINESS', calendarId: encodeGlobalId('Team', uuidv7()) }, 'BAD_USER_INPUT', 'input.calendarId'],
      [{ key, clock: 'BUSINESS', calendarId: foreign }, 'NOT_FOUND', 'input.calendarId'],
    ];
    for (const [input, code, argument] of cases) {
      const res = await ws.gql(METRIC, { input: { ...MARCH, ...input } });
      expect(res.errors?.[0]?.extensions, JSON.stringify(input)).toMatchObject({ code, argument });
      expect(res.data?.metric ?? null).toBeNull();
    }
    // A malformed ID is rejected by the shared global-ID decoder before any SQL.
    const malformed = await ws.gql(METRIC, { input: { ...MARCH, key, clock: 'BUSINESS', calendarId: encodeGlobalId('BusinessCalendar', 'not-a-uuid') } });
    expect(malformed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // The owner's calendar works for the owner only.
    expect((await metric(other, { key, clock: 'BUSINESS', calendarId: foreign })).sampleSize).toBe(0);
  });
});
