/** Deep equality of two JSON answers, with a readable list of where they differ (first `max`). */
export function jsonDifferences(a: unknown, b: unknown, max = 10, path = '$', out: string[] = []): string[] {
  if (out.length >= max) return out;
  const show = (v: unknown) => {
    const text = JSON.stringify(v);
    return text === undefined ? 'undefined' : text.length > 120 ? `${text.slice(0, 117)}…` : text;
  };
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path}: ${a.length} items vs ${b.length}`);
    for (let i = 0; i < Math.min(a.length, b.length); i += 1) jsonDifferences(a[i], b[i], max, `${path}[${i}]`, out);
    return out;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const left = (a as Record<string, unknown>)[key];
      const right = (b as Record<string, unknown>)[key];
      if (!(key in a) || !(key in b)) {
        if (out.length < max) out.push(`${path}.${key}: ${key in a ? show(left) : 'missing'} vs ${key in b ? show(right) : 'missing'}`);
      } else jsonDifferences(left, right, max, `${path}.${key}`, out);
    }
    return out;
  }
  if (a !== b) out.push(`${path}: ${show(a)} vs ${show(b)}`);
  return out;
}
