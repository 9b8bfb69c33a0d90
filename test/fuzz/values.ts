import { encodeGlobalId } from '../../src/schema/global-id.ts';
import type { Prng } from './prng.ts';

/** Boundary and hostile values per kind of argument; the fuzzer also draws real ids and cursors. */

const deep = (levels: number): unknown => {
  let v: unknown = 'leaf';
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { k: v };
  return v;
};

export const STRINGS: readonly string[] = [
  '',
  ' ',
  'a',
  'Printer on fire',
  'x'.repeat(501),
  'y'.repeat(70_000),
  'a'.repeat(256),
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfff',
  '\udbff\udbff',
  '\u202eevil\u202c',
  '\u200f\u05e9\u05dc\u05d5\u05dd',
  '🔥🙂👩‍👩‍👧',
  'e\u0301\u0301\u0301\u0301',
  '\ufeffbom',
  '%_\\',
  "' OR 1=1 --",
  '"; DROP TABLE "Ticket"; --',
  '#1',
  '#99999999999999999999',
  'c0@example.test',
  'not an email',
  '<script>alert(1)</script>',
  'null',
  '名前',
  '\n\t\r',
  'a:b & c | !d',
];

export const INTS: readonly number[] = [0, 1, -1, 2, 5, 20, 100, 101, 2_147_483_647, -2_147_483_648, 2_147_483_648, -2_147_483_649, 1e15, 3.5];
/** For `first`/`last`: valid small pages mostly, and every boundary. */
export const PAGE_SIZES: readonly number[] = [1, 2, 5, 20, 0, -1, -20, 101, 1000, 2_147_483_647, 2_147_483_648, -2_147_483_649];
export const NESTED_PAGE_SIZES: readonly number[] = [1, 3, 5, 20, 0, -1];
export const FLOATS: readonly number[] = [0, 1.5, -1.5, 100, 101, 1e308, -1e308, 5e-324, 1.7976931348623157e308, 1e-7, 2_147_483_648];

export const DATE_TIMES: readonly string[] = [
  '1970-01-01T00:00:00Z',
  '1969-12-31T23:59:59Z',
  '9999-12-31T23:59:59.999Z',
  '0001-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '+275760-09-13T00:00:00.001Z',
  '2026-02-30T00:00:00Z',
  '2026-12-08',
  '2026-12-08T00:00:00+14:00',
  'yesterday',
  '',
  '\u0000',
  new Date(Date.UTC(2026, 11, 8)).toISOString(),
];

export const JSONS: readonly unknown[] = [
  {},
  { a: 1 },
  { plan: 'pro', seats: 10, trial: false, tags: ['a', 'b'] },
  [1, 2, 3],
  'a string',
  42,
  null,
  true,
  { nested: deep(10) },
  { nested: deep(40) },
  deep(1_000),
  { blob: 'x'.repeat(70_000) },
  { ['k\u0000']: 1 },
  { v: '\ud800' },
  { '': 1 },
  { ['k'.repeat(100)]: 1 },
  { a: { b: [1, { c: 'd' }] } },
  Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`f${i}`, i])),
];

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const RANDOM_UUID = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

/** Ids that are not ids of anything: undecodable, of no type, of no row. */
export const BAD_IDS: readonly unknown[] = [
  '',
  'abc',
  '123',
  42,
  '\u0000',
  'x'.repeat(1_000),
  encodeGlobalId('Ticket', 'not-a-uuid'),
  encodeGlobalId('Ticket', ZERO_UUID),
  encodeGlobalId('Customer', RANDOM_UUID),
  encodeGlobalId('Nope', RANDOM_UUID),
  encodeGlobalId('Customer', ''),
  encodeGlobalId('Event', '99999999999999999999999'),
  encodeGlobalId('Event', '-1'),
  Buffer.from(':').toString('base64url'),
  Buffer.from('Ticket:\u0000').toString('base64url'),
];

export const BAD_CURSORS: readonly string[] = [
  '',
  'abc',
  '\ud800',
  'x'.repeat(500),
  Buffer.from('cursor:garbage').toString('base64url'),
  Buffer.from('{"id":"not-a-uuid"}').toString('base64url'),
  Buffer.from('[1,2,3]').toString('base64'),
  Buffer.from(`["9999-99-99",""]`).toString('base64url'),
];

export interface IdPools {
  own: readonly string[];
  other: readonly string[];
  cursors: readonly string[];
}

export function idValue(rng: Prng, pools: IdPools): unknown {
  const r = rng.next();
  if (r < 0.5) return rng.pick(pools.own);
  if (r < 0.7) return rng.pick(pools.other);
  return rng.pick(BAD_IDS);
}

export function cursorValue(rng: Prng, pools: IdPools): string {
  return rng.chance(0.5) ? rng.pick(pools.cursors) : rng.pick(BAD_CURSORS);
}

/** Well-formed values, so operations also get past validation into the services and the database. */
export const SANE = {
  strings: ['Printer on fire', 'billing', 'hello world', 'c1@example.test', 'Ünïcödé 🔥', 'x'.repeat(300), 'e\u0301', 'Europe/Berlin', 'en', '+15555550100', 'acme.test', '#1'],
  ints: [1, 5, 20, 0, 100, 3],
  floats: [0, 1, 4.5, 10],
  pageSizes: [1, 5, 20],
  dateTimes: ['2026-12-08T00:00:00Z', '2026-01-01T00:00:00Z', '2025-06-30T12:00:00+02:00', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z'],
  jsons: [{}, { a: 1 }, { plan: 'pro', seats: 3 }, { nested: { list: [1, 2] } }],
} as const;
