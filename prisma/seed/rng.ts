import { uuidv7 } from '../../src/db/ids.ts';

/**
 * Seeded randomness for the seed data. Everything the seed generates comes from these streams,
 * never from Math.random or crypto, so the same seed and `now` give byte-identical rows.
 */

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** cyrb128: spreads a string over four 32-bit words to seed sfc32. */
function hashSeed(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  return [(h1 ^ h2 ^ h3 ^ h4) >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0];
}

/** sfc32: small, fast and good enough for test data; the state is four 32-bit words. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: string) {
    [this.a, this.b, this.c, this.d] = hashSeed(seed);
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /**
   * An independent stream named by `label`. Each part of the seed draws from its own fork, so
   * changing how one table is generated does not reshuffle every table generated after it.
   */
  fork(label: string): Rng {
    return new Rng(`${this.seed}/${label}`);
  }

  uint32(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Picks by relative weight: `[[value, weight], ...]`. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of entries) total += w;
    let r = this.next() * total;
    for (const [value, w] of entries) {
      r -= w;
      if (r < 0) return value;
    }
    return entries[entries.length - 1]![0];
  }

  /** `count` distinct items in random order (fewer if the list is shorter). */
  sample<T>(items: readonly T[], count: number): T[] {
    const copy = items.slice();
    const n = Math.min(count, copy.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (copy.length - i));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, n);
  }

  /**
   * A log-normal duration: most values near `median`, a long tail to the right, which is how
   * response and resolution times are distributed in practice. `spread` ~0.5 tight, ~1.2 wide.
   */
  duration(median: number, spread = 0.8): number {
    const u1 = Math.max(this.next(), 1e-12);
    const u2 = this.next();
    const gaussian = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return Math.max(SECOND, Math.round(median * Math.exp(gaussian * spread)));
  }

  /** 16 bytes for the random part of a UUIDv7. */
  bytes16(): Uint8Array {
    const out = new Uint8Array(16);
    for (let i = 0; i < 16; i += 4) {
      const v = this.uint32();
      out[i] = v & 0xff;
      out[i + 1] = (v >>> 8) & 0xff;
      out[i + 2] = (v >>> 16) & 0xff;
      out[i + 3] = v >>> 24;
    }
    return out;
  }
}

/** Deterministic UUIDv7 ids: the timestamp part is the row's creation time. */
export class IdFactory {
  constructor(private readonly rng: Rng) {}

  at(ms: number): string {
    return uuidv7(ms, this.rng.bytes16());
  }
}

/**
 * Moves a time into staffed hours: customer care works 07:00–18:00 UTC on weekdays (08:00 or
 * 09:00 to 19:00 or 20:00 in Berlin), a little longer than the 09:00–17:00 business calendar
 * the SLAs are measured in. Human agents answer then; customers and bots write at any time.
 */
export function nextWorkingTime(ms: number, rng: Rng): number {
  const d = new Date(ms);
  const hour = d.getUTCHours();
  const weekday = d.getUTCDay();
  if (weekday >= 1 && weekday <= 5 && hour >= 7 && hour < 18) return ms;
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  if (hour >= 18 || weekday === 0 || weekday === 6) day.setUTCDate(day.getUTCDate() + 1);
  while (day.getUTCDay() === 0 || day.getUTCDay() === 6) day.setUTCDate(day.getUTCDate() + 1);
  // The overnight queue is worked through during the first hours of the morning.
  return day.getTime() + 7 * HOUR + rng.int(2, 150) * MINUTE + rng.int(0, 59) * SECOND;
}

/**
 * A moment when customers get in touch, in [from, to]: weekdays and daytime (in Europe and
 * the Americas) are busier than nights and weekends, as real inbound volume is.
 */
export function arrivalTime(rng: Rng, from: number, to: number): number {
  if (to <= from) return from;
  let candidate = from;
  for (let attempt = 0; attempt < 8; attempt++) {
    candidate = Math.floor(rng.between(from, to));
    const d = new Date(candidate);
    const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
    const hour = d.getUTCHours();
    const odds = hour < 6 || hour >= 21 ? 0.2 : hour >= 18 ? 0.6 : 1;
    if ((!weekend || rng.chance(0.35)) && rng.chance(odds)) return candidate;
  }
  return candidate;
}
