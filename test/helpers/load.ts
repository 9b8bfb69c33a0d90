import os from 'node:os';

/**
 * A time limit for CPU-bound work (seeding, laying out calendars, migrating an embedded database)
 * that scales with how busy the machine is when the test file loads: `ms` on an idle machine,
 * up to 8× that when the load average is 8× the cores. A limit catches a hang, not slowness.
 */
export function scaledTimeout(ms: number): number {
  const busy = os.loadavg()[0]! / Math.max(1, os.cpus().length);
  return Math.round(ms * Math.min(8, Math.max(1, busy)));
}
