import autocannon from 'autocannon';
import { median } from './stats.ts';

/** Load cells of bench:api (autocannon) and the medians, ratios and tables made of them. */

export interface CellResult {
  rps: number;
  /** Milliseconds (autocannon's histogram, 1 ms resolution). */
  p50: number;
  p99: number;
  requests: number;
  /** Answers that were not 200, connection errors and timeouts: any of them makes the cell suspect. */
  failures: number;
}

export interface Target {
  url: string;
  body: string;
  headers: Record<string, string>;
}

async function cannon(target: Target, connections: number, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: target.url,
    method: 'POST',
    body: target.body,
    headers: target.headers,
    connections,
    pipelining: 1,
    duration: seconds,
    timeout: 30,
  });
}

/** A short untimed warm-up at the same concurrency, then `seconds` of measured load. */
export async function runCell(target: Target, connections: number, seconds: number, warmupSeconds: number): Promise<CellResult> {
  if (warmupSeconds > 0) await cannon(target, connections, warmupSeconds);
  const r = await cannon(target, connections, seconds);
  return {
    rps: r.requests.total / Math.max(r.duration, 1e-9),
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    failures: r.non2xx + r.errors + r.timeouts,
  };
}

export interface Summary {
  rps: number | null;
  p50: number | null;
  p99: number | null;
  failures: number;
}

export function summarize(cells: CellResult[]): Summary {
  return {
    rps: median(cells.map((c) => c.rps)),
    p50: median(cells.map((c) => c.p50)),
    p99: median(cells.map((c) => c.p99)),
    failures: cells.reduce((n, c) => n + c.failures, 0),
  };
}

export const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);
const x = (r: number | null) => (r === null ? '—' : `${r < 0.1 ? r.toFixed(3) : r.toFixed(2)}×`);
const n0 = (v: number | null) => (v === null ? '—' : Math.round(v).toLocaleString('en-US'));
const ms = (v: number | null) => (v === null ? '—' : String(v));

/** One markdown table for all shapes and concurrencies; columns per side present, then the ratios. */
export function resultTable(
  rows: Array<{ label: string; connections: number; sides: Record<string, Summary> }>,
  sides: string[],
): string {
  const hasBaseline = sides.includes('baseline');
  const head = ['shape', 'c', ...sides.flatMap((s) => [`${s} rps`, `${s} p50 / p99 ms`]), 'cxgraph ÷ floor rps', 'p99 cxgraph ÷ floor'];
  if (hasBaseline) head.push('baseline ÷ floor rps', 'p99 baseline ÷ floor', 'cxgraph ÷ baseline rps');
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const row of rows) {
    const s = row.sides;
    const cells = [row.label, String(row.connections), ...sides.flatMap((side) => [n0(s[side]!.rps), `${ms(s[side]!.p50)} / ${ms(s[side]!.p99)}`])];
    cells.push(x(ratio(s.cxgraph!.rps, s.floor!.rps)), x(ratio(s.cxgraph!.p99, s.floor!.p99)));
    if (hasBaseline) cells.push(x(ratio(s.baseline!.rps, s.floor!.rps)), x(ratio(s.baseline!.p99, s.floor!.p99)), x(ratio(s.cxgraph!.rps, s.baseline!.rps)));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
