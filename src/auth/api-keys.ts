import { createHash, randomBytes } from 'node:crypto';

/**
 * API keys look like `cxg_4f9a2b7c1d…` (4-char marker + 40 random base62 characters, ~238
 * bits). Only the SHA-256 of the whole key is stored: keys are high-entropy random strings, so
 * a slow password hash would add latency to every request without adding safety. `prefix`
 * (the first 12 characters) is stored in clear so people can tell keys apart in a UI.
 */
export const API_KEY_MARKER = 'cxg_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function generateApiKey(): string {
  const bytes = randomBytes(60);
  let out = '';
  for (const b of bytes) {
    // 62 * 4 = 248: rejection sampling keeps the characters uniform.
    if (b < 248) out += ALPHABET[b % 62];
    if (out.length === 40) break;
  }
  return out.length === 40 ? API_KEY_MARKER + out : generateApiKey();
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function apiKeyPrefix(key: string): string {
  return key.slice(0, 12);
}
