import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../src/db/ids.ts';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidv7', () => {
  it('keeps creation order within one millisecond, so lists ordered by id follow creation', () => {
    const at = Date.parse('2026-11-23T12:00:00Z');
    const ids = Array.from({ length: 5_000 }, () => uuidv7(at));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(V7);
    // Every id starts with its millisecond, 48 bits in hex.
    expect(ids[0]!.replace(/-/g, '').slice(0, 12)).toBe(at.toString(16).padStart(12, '0'));
  });

  it('sorts by time across milliseconds, and supplied random bytes give the same id every time', () => {
    const a = uuidv7(Date.parse('2026-11-23T12:00:00.001Z'));
    const b = uuidv7(Date.parse('2026-11-23T12:00:00.000Z'));
    expect(b < a).toBe(true);
    const bytes = new Uint8Array(16).fill(0xff);
    expect(uuidv7(0, bytes)).toBe('00000000-0000-7fff-bfff-ffffffffffff');
    expect(uuidv7(0, bytes)).toBe(uuidv7(0, bytes));
  });
});
