import { writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/cli/run.ts';
import { StartupError } from '../src/config.ts';
import { jsonDifferences } from './api-compare.ts';
import { resultTable, runCell, summarize, ratio, type CellResult, type Target } from './api-load.ts';
import { startCxgraph, startFloorProcess, waitReady, type Server } from './api-servers.ts';
import { countStatements, createBenchKey, ensureDatabase, ensureWorkspace, openBenchDatabase, pickVariables } from './api-setup.ts';
import { requestBody, SHAPE_NAMES, SHAPES, type ShapeName } from './api-shapes.ts';
import { median, parseFlags } from './stats.ts';

/**
 * bench:api — cxgraph's read path against a raw-SQL floor (bench/api-floor.ts) on the same
 * PostgreSQL database, in one run: interleaved rounds of autocannon at each concurrency, every
 * body checked equal first. See bench/README.md.
 */

const flags = parseFlags(process.argv.slice(2), {
  'database-url': 'postgres://postgres@127.0.0.1:5432/cxgraph_bench_api',
  rounds: '3',
  duration: '5',
  warmup: '1',
  connections: '1,10',
  shapes: SHAPE_NAMES.join(','),
  baseline: '',
  json: '',
  port: '4310',
  pglite: 'true',
  customers: '10000',
  'tickets-per-customer': '10',
  'ready-timeout': '300',
});
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEMO_KEY = 'bench-api-demo-key-0123456789';
const started = Date.now();
const log = (line: string) => console.log(`[bench:api ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

function positive(name: string): number {
  const v = flags[name]!;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new StartupError(`--${name} must be a positive whole number, got "${v}"`);
  return Number(v);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer().once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

const load1 = () => os.loadavg().map((l) => l.toFixed(2)).join(' / ');

async function main(): Promise<number> {
  const rounds = positive('rounds');
  const duration = positive('duration');
  const warmup = Number(flags.warmup);
  const connections = flags.connections!.split(',').map((c) => Number(c.trim()));
  if (connections.some((c) => !Number.isInteger(c) || c < 1)) throw new StartupError('--connections takes positive whole numbers, e.g. 1,10');
  const shapeNames = flags.shapes!.split(',').map((s) => s.trim()) as ShapeName[];
  const unknown = shapeNames.filter((s) => !SHAPE_NAMES.includes(s));
  if (unknown.length) throw new StartupError(`--shapes: unknown ${unknown.join(', ')}; known: ${SHAPE_NAMES.join(', ')}`);
  const baselineDir = flags.baseline ? path.resolve(flags.baseline) : null;
  const port = positive('port');
  const ports = { cxgraph: port, floor: port + 1, baseline: port + 2, pglite: port + 3 };
  for (const p of Object.values(ports)) if (!(await portFree(p))) throw new StartupError(`port ${p} is in use; pass --port`);
  const url = flags['database-url']!;
  log(`node ${process.version}, ${os.cpus().length} cores, load ${load1()}; flags ${JSON.stringify(flags)}`);

  await ensureDatabase(url);
  const db = await openBenchDatabase(url);
  const servers: Server[] = [];
  const stopAll = async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  };
  let keyId: string | null = null;
  const dropKey = async () => {
    if (keyId) await db.prisma.apiKey.delete({ where: { id: keyId } }).catch(() => undefined);
    keyId = null;
  };
  // Interrupted: the servers' process groups and the run's key go too.
  const onSignal = () => void Promise.all([stopAll(), dropKey()]).then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const workspaceId = await ensureWorkspace(db, positive('customers'), positive('tickets-per-customer'));
    const key = await createBenchKey(db, workspaceId);
    keyId = key.id;
    const variables = await pickVariables(db, workspaceId);
    log(`variables ${JSON.stringify(variables)}`);
    const shapes = shapeNames.map((n) => SHAPES[n]);
    const statements = await countStatements(db, key.key, shapes, variables);
    log(`SQL statements per request, cxgraph (this checkout, API key lookup included): ${JSON.stringify(statements)}; floor: 1 each`);
    if (statements.customers5x2 !== undefined && statements.customers5x2 !== statements.customers50x10) {
      log(`WARNING: the 50×10 shape costs ${statements.customers50x10} statements but 5×2 costs ${statements.customers5x2}: the count grows with the page (an N+1)`);
    }

    const env = { DATABASE_URL: url, CXGRAPH_SEED_DEMO: 'false' };
    log('starting cxgraph (npm start) and the floor');
    const cx = startCxgraph('cxgraph', ROOT, ports.cxgraph, env);
    const floor = startFloorProcess(ports.floor, url, workspaceId);
    servers.push(cx, floor);
    const [cxMs] = await Promise.all([waitReady(cx, positive('ready-timeout') * 1000), waitReady(floor, 60_000)]);
    log(`cxgraph ready in ${(cxMs / 1000).toFixed(1)} s`);
    if (baselineDir) {
      const base = startCxgraph('baseline', baselineDir, ports.baseline, env);
      servers.push(base);
      log(`baseline (${baselineDir}) ready in ${((await waitReady(base, positive('ready-timeout') * 1000)) / 1000).toFixed(1)} s`);
    }
    const sides = servers.map((s) => s.side);
    const headers = { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${key.key}` };
    const targetOf = (server: Server, shape: ShapeName): Target => ({ url: server.urlOf(shape), body: requestBody(SHAPES[shape], variables[shape]), headers });

    // Same ids, same order, same formatting: otherwise the comparison would be of different work.
    for (const shape of shapeNames) {
      const bodies: Record<string, unknown> = {};
      for (const server of servers) {
        const t = targetOf(server, shape);
        const res = await fetch(t.url, { method: 'POST', headers: t.headers, body: t.body });
        const { extensions: _cost, ...body } = (await res.json()) as { data?: unknown; errors?: { message: string }[]; extensions?: unknown };
        if (res.status !== 200 || body.errors) throw new Error(`${server.side} answered ${shape} with ${res.status}: ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
        // What is compared is the answer; cxgraph's `extensions.cost` (a few hundred bytes) is still sent and timed.
        bodies[server.side] = body;
      }
      for (const side of sides.filter((s) => s !== 'floor')) {
        const diff = jsonDifferences(bodies[side], bodies.floor);
        if (diff.length) throw new Error(`${shape}: ${side}'s body differs from the floor's (${side} vs floor):\n  ${diff.join('\n  ')}`);
      }
      log(`${shape}: bodies equal on ${sides.join(', ')} (${JSON.stringify(bodies.floor).length.toLocaleString('en-US')} bytes)`);
    }

    const cells: Record<string, CellResult[]> = {};
    const cellKey = (shape: string, c: number, side: string) => `${shape}|${c}|${side}`;
    const loads: Array<{ round: number; start: number[]; end: number[] }> = [];
    const total = rounds * shapeNames.length * connections.length * sides.length;
    let done = 0;
    for (let round = 0; round < rounds; round += 1) {
      const start = os.loadavg();
      // Who goes first rotates with the round, so no side always runs right after another warmed the cache.
      const order = [...sides.slice(round % sides.length), ...sides.slice(0, round % sides.length)];
      for (const shape of shapeNames) {
        for (const c of connections) {
          for (const side of order) {
            const cell = await runCell(targetOf(servers.find((s) => s.side === side)!, shape), c, duration, warmup);
            (cells[cellKey(shape, c, side)] ??= []).push(cell);
            done += 1;
            log(`round ${round + 1}/${rounds} ${shape} c=${c} ${side}: ${Math.round(cell.rps)} rps, p50 ${cell.p50} ms, p99 ${cell.p99} ms${cell.failures ? `, ${cell.failures} FAILED` : ''} [${done}/${total}]`);
          }
        }
      }
      loads.push({ round: round + 1, start, end: os.loadavg() });
      log(`round ${round + 1} load average ${start.map((l) => l.toFixed(2)).join(' ')} → ${load1()}`);
    }
    const floorStats = (await (await fetch(`http://127.0.0.1:${ports.floor}/stats`)).json()) as { requests: number; statements: number };
    await stopAll();

    let pglite: Record<string, unknown> | null = null;
    if (flags.pglite === 'true' && shapeNames.includes('customers50x10')) {
      log('PGlite: starting cxgraph on an in-memory embedded database with the demo workspace');
      const pg = startCxgraph('pglite', ROOT, ports.pglite, { DATABASE_URL: '', CXGRAPH_DATA_DIR: 'memory', CXGRAPH_SEED_DEMO: 'true', CXGRAPH_DEMO_API_KEY: DEMO_KEY });
      servers.push(pg);
      await waitReady(pg, positive('ready-timeout') * 1000);
      const demoHeaders = { ...headers, authorization: `Bearer ${DEMO_KEY}` };
      const count = await fetch(pg.urlOf('customers50x10'), { method: 'POST', headers: demoHeaders, body: JSON.stringify({ query: '{ customers(first: 1) { totalCount } tickets(first: 1) { totalCount } }' }) });
      const sizes = ((await count.json()) as { data: { customers: { totalCount: number }; tickets: { totalCount: number } } }).data;
      const pgCells: CellResult[] = [];
      for (let round = 0; round < rounds; round += 1) {
        pgCells.push(await runCell({ url: pg.urlOf('customers50x10'), body: requestBody(SHAPES.customers50x10, variables.customers50x10), headers: demoHeaders }, 1, duration, warmup));
        log(`PGlite round ${round + 1}/${rounds}: ${Math.round(pgCells.at(-1)!.rps)} rps, p50 ${pgCells.at(-1)!.p50} ms`);
      }
      await stopAll();
      const postgresRps = summarize(cells[cellKey('customers50x10', 1, 'cxgraph')] ?? []).rps;
      const s = summarize(pgCells);
      pglite = { demoCustomers: sizes.customers.totalCount, demoTickets: sizes.tickets.totalCount, ...s, postgresSerialRps: postgresRps, ratio: ratio(s.rps, postgresRps), cells: pgCells };
    }

    const rows = shapeNames.flatMap((shape) =>
      connections.map((c) => ({
        shape,
        label: SHAPES[shape].label,
        connections: c,
        sides: Object.fromEntries(sides.map((side) => [side, summarize(cells[cellKey(shape, c, side)]!)])),
        cells: Object.fromEntries(sides.map((side) => [side, cells[cellKey(shape, c, side)]])),
      })),
    );
    console.log(`\nbench:api — medians over ${rounds} interleaved rounds of ${duration} s per cell (after ${warmup} s warm-up); rps = requests per second; p50/p99 latency in ms`);
    console.log(`PostgreSQL ${new URL(url).host}${new URL(url).pathname}, workspace ${workspaceId}; node ${process.version}, ${os.cpus().length} cores\n`);
    console.log(resultTable(rows, sides));
    console.log(`\nload average (1 / 5 / 15 min) per round: ${loads.map((l) => `round ${l.round}: ${l.start.map((v) => v.toFixed(2)).join(' ')} → ${l.end.map((v) => v.toFixed(2)).join(' ')}`).join('; ')}`);
    console.log(`SQL statements per request: cxgraph ${JSON.stringify(statements)} (customers5x2 = the 50×10 shape at 5×2: the count must not grow with the page); floor ${(floorStats.statements / Math.max(floorStats.requests, 1)).toFixed(2)} (${floorStats.requests.toLocaleString('en-US')} requests)`);
    const failed = rows.flatMap((r) => Object.entries(r.sides).filter(([, s]) => s.failures > 0).map(([side, s]) => `${r.shape} c=${r.connections} ${side}: ${s.failures}`));
    if (failed.length) console.log(`FAILED requests (non-200, errors, timeouts): ${failed.join('; ')}`);
    if (pglite) {
      console.log(
        `PGlite (embedded, in memory), customers50x10 at c=1: ${Math.round(pglite.rps as number)} rps, p50 ${pglite.p50} ms, p99 ${pglite.p99} ms = ${pglite.ratio === null ? '— (run with c=1 for the ratio)' : `${(pglite.ratio as number).toFixed(2)}×`} PostgreSQL's c=1 (${pglite.postgresSerialRps === null ? '—' : Math.round(pglite.postgresSerialRps as number)} rps). ` +
          `Note: on the demo data (${pglite.demoCustomers} customers, ${pglite.demoTickets} tickets), smaller than PostgreSQL's 10,000 × 10; the page is 50 customers either way.`,
      );
    }
    const medianLoad = median(loads.map((l) => l.start[0]!));
    log(`done in ${((Date.now() - started) / 60000).toFixed(1)} min (median 1-min load at round start ${medianLoad?.toFixed(2)})`);
    if (flags.json) {
      writeFileSync(flags.json, JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: os.cpus().length, flags, workspaceId, variables, statements, floorStats, loads, rows, pglite }, null, 2));
      log(`results written to ${flags.json}`);
    }
    return failed.length ? 1 : 0;
  } finally {
    await stopAll();
    await dropKey();
    await db.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

runCli(main);
