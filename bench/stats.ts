/** Small helpers shared by the benchmarks: percentiles over 1 ms histograms, medians, flags. */

export function mergeHist(into: Map<number, number>, part: Record<string, number>): void {
  for (const [ms, n] of Object.entries(part)) into.set(Number(ms), (into.get(Number(ms)) ?? 0) + n);
}

export function percentile(hist: Map<number, number>, p: number): number | null {
  const total = [...hist.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.ceil((p / 100) * total);
  let seen = 0;
  for (const ms of [...hist.keys()].sort((a, b) => a - b)) {
    seen += hist.get(ms)!;
    if (seen >= rank) return ms;
  }
  return null;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `--name value` flags; unknown flags are an error so a typo never silently runs the default. */
export function parseFlags(argv: string[], defaults: Record<string, string>): Record<string, string> {
  const flags = { ...defaults };
  for (let i = 0; i < argv.length; i += 1) {
    const name = argv[i]!.replace(/^--/, '');
    if (!argv[i]!.startsWith('--') || !(name in defaults)) throw new Error(`unknown flag ${argv[i]}; known: ${Object.keys(defaults).map((k) => `--${k}`).join(' ')}`);
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    flags[name] = value;
    i += 1;
  }
  return flags;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
