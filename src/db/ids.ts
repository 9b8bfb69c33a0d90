import { randomBytes } from 'node:crypto';

/** The 74 random bits of a UUIDv7 (rand_a and rand_b). */
const RANDOM_BITS = 74n;
const RANDOM_LIMIT = 1n << RANDOM_BITS;

/** The last id made from the clock in this process: its millisecond and random bits. */
let last = { ms: -1, random: 0n };

/**
 * UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then 74 random bits. Ids sort by creation time, so
 * `(createdAt, id)` orderings stay index-friendly, and lists ordered by id follow creation order.
 * Within one millisecond, ids made in this process keep that order too (RFC 9562 §6.2, method 2):
 * the next id's random bits are the previous one's plus a random step of up to 2^32, so they still
 * cannot be guessed from one another. `random` may be supplied (16 bytes, only the last 10 are
 * used) to make ids deterministic, as the seed does; such ids take no part in the ordering.
 */
export function uuidv7(at: Date | number = Date.now(), random?: Uint8Array): string {
  const ms = Math.max(0, Math.floor(typeof at === 'number' ? at : at.getTime()));
  const b = new Uint8Array(16);
  if (random) {
    b.set(random.subarray(0, 16));
  } else {
    const fresh = randomBytes(16);
    let bits = BigInt(`0x${Buffer.from(fresh.subarray(6, 16)).toString('hex')}`) & (RANDOM_LIMIT - 1n);
    if (ms === last.ms) {
      const step = 1n + BigInt(fresh.readUInt32BE(0));
      // Overflowing the 74 bits (about 2^42 ids in one millisecond) starts afresh, out of order.
      if (last.random + step < RANDOM_LIMIT) bits = last.random + step;
    }
    last = { ms, random: bits };
    // Most significant first, around the version (high nibble of byte 6) and the variant (top
    // two bits of byte 8): rand_a is 4 + 8 bits, rand_b 6 + 56, so the bytes sort as the number.
    b[6] = Number((bits >> 70n) & 0x0fn);
    b[7] = Number((bits >> 62n) & 0xffn);
    b[8] = Number((bits >> 56n) & 0x3fn);
    for (let i = 15; i >= 9; i--) {
      b[i] = Number(bits & 0xffn);
      bits >>= 8n;
    }
  }
  let t = BigInt(ms);
  for (let i = 5; i >= 0; i--) {
    b[i] = Number(t & 0xffn);
    t >>= 8n;
  }
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Buffer.from(b).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
