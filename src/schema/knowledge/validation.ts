import { z } from 'zod';

/** Validation rules shared by the knowledge-base arguments and services. */

export const localeTag = z
  .string()
  .trim()
  .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'must be a BCP 47 language tag, e.g. "en" or "de-CH"')
  .max(35, 'must be at most 35 characters');

export const slug = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lower-case letters and digits separated by single hyphens, e.g. "reset-your-password"');

/**
 * A URL-safe slug from a title: accents dropped ("Über" → "uber"), anything else that is not a
 * letter or digit becomes a hyphen. Titles with no Latin letters or digits get `fallback`.
 */
export function slugify(text: string, fallback: string): string {
  const base = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .replace(/[æÆ]/g, 'ae')
    .replace(/[øØ]/g, 'o')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
  return base || fallback;
}
