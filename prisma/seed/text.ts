/** Lower-case ASCII for email local parts, domains and slugs ("Zoë O'Neil" → "zoe-oneil"). */
export function asciiSlug(text: string, separator = '-'): string {
  const replaced = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, separator);
  return separator ? replaced.split(separator).filter(Boolean).join(separator) : replaced;
}
