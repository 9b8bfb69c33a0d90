import { randomBytes } from 'node:crypto';

/**
 * UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits. Ids sort by creation time, so
 * `(createdAt, id)` orderings stay index-friendly. `random` may be supplied (16 bytes, only the
 * last 10 are used) to make ids deterministic, as the seed does.
 */
export function uuidv7(at: Date | number = Date.now(), random: Uint8Array = randomBytes(16)): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  const b = new Uint8Array(16);
  b.set(random.subarray(0, 16));
  let t = BigInt(Math.max(0, Math.floor(ms)));
  for (let i = 5; i >= 0; i--) {
    b[i] = Number(t & 0xffn);
    t >>= 8n;
  }
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Buffer.from(b).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
