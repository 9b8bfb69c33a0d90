import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { pino } from 'pino';
import { createApp } from '../src/app.ts';
import { runCli } from '../src/cli/run.ts';
import { parseDatabaseUrl } from '../src/config.ts';
import { openDatabase } from '../src/db/index.ts';
import { createWorkspaceIn, privatePostgresUnavailable, startPrivatePostgres, type StopMode } from '../test/helpers/private-postgres.ts';
import { parseFlags, sleep } from './stats.ts';

/**
 * Writes through database restarts (issue 13, "a database-restart run with acknowledged, missing
 * and duplicated writes and events"). On a private PostgreSQL server this script starts (never
 * the shared one), `--clients` loops send `createTicket` over HTTP for `--seconds`, each request
 * with a unique subject and its own `Idempotency-Key`, retrying the same request with the same key
 * on a retryable answer (HTTP 503/409/429, SERVICE_UNAVAILABLE, TIMEOUT, IDEMPOTENCY_KEY_IN_USE,
 * RATE_LIMITED, or a network error) until it is acknowledged or `--deadline-ms` has passed.
 * Meanwhile the database restarts `--restarts` times, evenly spaced (fast, immediate, fast, …).
 * Afterwards the database is checked: every acknowledged subject exactly once, tickets written
 * but never acknowledged, and for every ticket its CREATED audit entry ("TicketEvent") and its
 * `ticket.created` outbox event ("Event") exactly once. See bench/README.md.
 */

const flags = parseFlags(process.argv.slice(2), {
  clients: '8',
  seconds: '30',
  restarts: '3',
  /** A request not acknowledged this long after its first attempt is given up (and reported). */
  'deadline-ms': '30000',
  /** The client's own timeout for one attempt (then it retries with the same key). */
  'attempt-timeout-ms': '10000',
  pool: '10',
});
const CLIENTS = Number(flags.clients);
const SECONDS = Number(flags.seconds);
const RESTARTS = Number(flags.restarts);
const DEADLINE_MS = Number(flags['deadline-ms']);
const ATTEMPT_TIMEOUT_MS = Number(flags['attempt-timeout-ms']);
const MODES: StopMode[] = ['fast', 'immediate'];

const log = (line: string) => console.log(`[bench] ${line}`);

const CREATE_CUSTOMER = /* GraphQL */ `
  mutation { createCustomer(input: { name: "Restart bench", email: "restart-bench@example.test" }) {
    __typename ... on CustomerPayload { customer { id } } } }`;
const CREATE_TICKET = /* GraphQL */ `
  mutation ($input: CreateTicketInput!) {
    createTicket(input: $input) { __typename ... on TicketPayload { ticket { id number } } ... on Error { code message } }
  }`;

const RETRYABLE_STATUS = new Set([503, 409, 429]);
const RETRYABLE_CODES = new Set(['SERVICE_UNAVAILABLE', 'TIMEOUT', 'IDEMPOTENCY_KEY_IN_USE', 'RATE_LIMITED']);

interface Sent {
  subject: string;
  attempts: number;
  acknowledged: boolean;
  /** The acknowledgement was a replay of a stored first response (`Idempotent-Replayed: true`). */
  replayed: boolean;
  /** Why it was not acknowledged: `gave up` after the deadline, or the non-retryable answer. */
  failure?: string;
  ms: number;
}

const inc = (map: Map<string, number>, key: string, by = 1) => map.set(key, (map.get(key) ?? 0) + by);
const sorted = (map: Map<string, number>) => Object.fromEntries([...map].sort((a, b) => b[1] - a[1]));

async function main(): Promise<void> {
  const unavailable = privatePostgresUnavailable();
  if (unavailable) throw new Error(`needs a private PostgreSQL: ${unavailable}`);
  const load = [os.loadavg()[0]!];
  // An unhandled 'error' event of a pg client (a connection cut by the restart) would end the
  // process, as it would end a server: counted and reported instead, so the run can finish.
  const uncaught = new Map<string, number>();
  process.on('uncaughtException', (error) => void inc(uncaught, error.message));
  const server = await startPrivatePostgres();
  /** What the server logs at warn and above, by message: where a restart hurt it. */
  const serverLog = new Map<string, number>();
  const logger = pino({ level: 'warn' }, { write: (line: string) => void inc(serverLog, (JSON.parse(line) as { msg?: string }).msg ?? '?') });
  let http: ReturnType<typeof createServer> | null = null;
  const checker = new pg.Client({ connectionString: server.url });
  try {
    await server.migrate();
    const db = await openDatabase(parseDatabaseUrl(server.url, Number(flags.pool)));
    const { workspaceId, apiKey } = await createWorkspaceIn(db.prisma, 'Restart bench');
    const app = createApp({ db, logger, rateLimit: { bucketSize: 100_000_000, restorePerSecond: 10_000_000 } });
    http = createServer(app);
    await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
    const customer = (await (await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query: CREATE_CUSTOMER }) })).json()) as {
      data?: { createCustomer?: { customer?: { id: string } } };
    };
    const requesterId = customer.data?.createCustomer?.customer?.id;
    if (!requesterId) throw new Error(`could not create the customer: ${JSON.stringify(customer)}`);

    const runId = randomUUID().slice(0, 8);
    const sent: Sent[] = [];
    /** Every non-acknowledging answer of an attempt, by HTTP status and code (or network error). */
    const answers = new Map<string, number>();
    const start = performance.now();
    const endAt = start + SECONDS * 1000;
    const elapsed = () => ((performance.now() - start) / 1000).toFixed(1);

    async function attempt(body: string, key: string): Promise<{ acknowledged: boolean; replayed: boolean; answer: string; retryable: boolean }> {
      try {
        const res = await fetch(url, { method: 'POST', headers: { ...headers, 'idempotency-key': key }, body, signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
        const text = await res.text();
        let parsed: { data?: { createTicket?: { __typename?: string; code?: string } }; errors?: Array<{ extensions?: { code?: string } }> } = {};
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: reported by status below
        }
        const typename = parsed.data?.createTicket?.__typename;
        if (res.status === 200 && typename === 'TicketPayload') {
          return { acknowledged: true, replayed: res.headers.get('idempotent-replayed') === 'true', answer: 'ok', retryable: false };
        }
        const code = parsed.errors?.[0]?.extensions?.code ?? (typename ? `${typename} ${parsed.data?.createTicket?.code ?? ''}`.trim() : 'no code');
        return { acknowledged: false, replayed: false, answer: `HTTP ${res.status} ${code}`, retryable: RETRYABLE_STATUS.has(res.status) || RETRYABLE_CODES.has(code) };
      } catch (error) {
        const e = error as { name?: string; cause?: { code?: string } };
        return { acknowledged: false, replayed: false, answer: `network ${e.cause?.code ?? e.name ?? 'error'}`, retryable: true };
      }
    }

    async function client(n: number): Promise<void> {
      for (let seq = 0; performance.now() < endAt; seq += 1) {
        const subject = `restart ${runId} c${n} #${seq}`;
        const key = randomUUID();
        const body = JSON.stringify({ query: CREATE_TICKET, variables: { input: { subject, requesterId } } });
        const first = performance.now();
        const record: Sent = { subject, attempts: 0, acknowledged: false, replayed: false, ms: 0 };
        sent.push(record);
        for (let backoff = 50; ; backoff = Math.min(backoff * 2, 1_000)) {
          record.attempts += 1;
          const outcome = await attempt(body, key);
          if (outcome.acknowledged) {
            record.acknowledged = true;
            record.replayed = outcome.replayed;
            break;
          }
          inc(answers, outcome.answer);
          if (!outcome.retryable) {
            record.failure = outcome.answer;
            break;
          }
          if (performance.now() - first > DEADLINE_MS) {
            record.failure = 'gave up';
            break;
          }
          await sleep(backoff / 2 + Math.random() * backoff);
        }
        record.ms = performance.now() - first;
      }
    }

    const restarts: Array<{ mode: StopMode; atS: number; downMs: number }> = [];
    async function restarter(): Promise<void> {
      for (let i = 0; i < RESTARTS; i += 1) {
        const at = start + ((i + 1) * SECONDS * 1000) / (RESTARTS + 1);
        await sleep(Math.max(0, at - performance.now()));
        const mode = MODES[i % MODES.length]!;
        const began = performance.now();
        await server.restart(mode);
        restarts.push({ mode, atS: (began - start) / 1000, downMs: performance.now() - began });
        log(`${elapsed()} s: restarted PostgreSQL (${mode}) in ${(performance.now() - began).toFixed(0)} ms; ${sent.filter((s) => s.acknowledged).length} acknowledged so far`);
      }
    }

    log(`${CLIENTS} clients for ${SECONDS} s, ${RESTARTS} restarts, deadline ${DEADLINE_MS} ms per request, load ${load[0]!.toFixed(1)}`);
    await Promise.all([restarter(), ...Array.from({ length: CLIENTS }, (_, n) => client(n))]);
    const wallS = (performance.now() - start) / 1000;
    load.push(os.loadavg()[0]!);

    // The database, read directly (not through the API): what was really written.
    await checker.connect();
    const tickets = (
      await checker.query<{ id: string; subject: string; audit: number; outbox: number }>(
        `SELECT t.id, t.subject,
                (SELECT count(*)::int FROM "TicketEvent" e WHERE e."ticketId" = t.id AND e.kind = 'CREATED') AS audit,
                (SELECT count(*)::int FROM "Event" v WHERE v."workspaceId" = t."workspaceId" AND v.type = 'ticket.created' AND v."subjectId" = t.id) AS outbox
         FROM "Ticket" t WHERE t."workspaceId" = $1`,
        [workspaceId],
      )
    ).rows;
    const orphanEvents = Number(
      (
        await checker.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM "Event" v WHERE v."workspaceId" = $1 AND v.type = 'ticket.created'
             AND NOT EXISTS (SELECT 1 FROM "Ticket" t WHERE t.id = v."subjectId")`,
          [workspaceId],
        )
      ).rows[0]!.n,
    );
    const stuckKeys = Number(
      (await checker.query<{ n: number }>(`SELECT count(*)::int AS n FROM "IdempotencyKey" WHERE "lockToken" IS NOT NULL`)).rows[0]!.n,
    );

    const bySubject = new Map<string, number>();
    for (const t of tickets) inc(bySubject, t.subject);
    const acknowledged = sent.filter((s) => s.acknowledged);
    const unacknowledged = sent.filter((s) => !s.acknowledged);
    const ourSubjects = new Set(sent.map((s) => s.subject));
    const duplicated = [...bySubject].filter(([, n]) => n > 1);
    const failures = new Map<string, number>();
    for (const s of unacknowledged) inc(failures, s.failure ?? '?');
    const summary = {
      clients: CLIENTS,
      seconds: SECONDS,
      wallSeconds: Number(wallS.toFixed(1)),
      restarts,
      requests: sent.length,
      attempts: sent.reduce((a, s) => a + s.attempts, 0),
      acknowledged: acknowledged.length,
      acknowledgedAfterRetry: acknowledged.filter((s) => s.attempts > 1).length,
      acknowledgedAsReplay: acknowledged.filter((s) => s.replayed).length,
      maxAttempts: Math.max(0, ...sent.map((s) => s.attempts)),
      maxMsToAcknowledge: Math.round(Math.max(0, ...acknowledged.map((s) => s.ms))),
      notAcknowledged: unacknowledged.length,
      notAcknowledgedBy: sorted(failures),
      retriedAnswers: sorted(answers),
      ticketsInDatabase: tickets.length,
      missing: acknowledged.filter((s) => !bySubject.has(s.subject)).length,
      duplicatedSubjects: duplicated.length,
      extraRows: duplicated.reduce((a, [, n]) => a + n - 1, 0),
      writtenNotAcknowledged: unacknowledged.filter((s) => bySubject.has(s.subject)).length,
      unknownSubjects: [...bySubject.keys()].filter((subject) => !ourSubjects.has(subject)).length,
      ticketsWithoutAudit: tickets.filter((t) => t.audit === 0).length,
      ticketsWithAuditTwice: tickets.filter((t) => t.audit > 1).length,
      ticketsWithoutOutbox: tickets.filter((t) => t.outbox === 0).length,
      ticketsWithOutboxTwice: tickets.filter((t) => t.outbox > 1).length,
      outboxEventsWithoutTicket: orphanEvents,
      idempotencyKeysStillHeld: stuckKeys,
      serverWarnings: sorted(serverLog),
      uncaughtExceptions: sorted(uncaught),
      loadAverage: load.map((l) => Number(l.toFixed(1))),
    };

    const rows: Array<[string, string | number]> = [
      ['requests sent (unique subject + key)', summary.requests],
      ['attempts (incl. retries)', summary.attempts],
      ['acknowledged', summary.acknowledged],
      ['  after at least one retry', summary.acknowledgedAfterRetry],
      ['  as a replay (Idempotent-Replayed)', summary.acknowledgedAsReplay],
      ['  slowest, first attempt to ack (ms)', summary.maxMsToAcknowledge],
      ['not acknowledged', `${summary.notAcknowledged} ${JSON.stringify(summary.notAcknowledgedBy)}`],
      ['tickets in the database', summary.ticketsInDatabase],
      ['missing (acknowledged, not in the database)', summary.missing],
      ['duplicated subjects (extra rows)', `${summary.duplicatedSubjects} (${summary.extraRows})`],
      ['written but never acknowledged', summary.writtenNotAcknowledged],
      ['tickets without / with 2+ CREATED audit entries', `${summary.ticketsWithoutAudit} / ${summary.ticketsWithAuditTwice}`],
      ['tickets without / with 2+ ticket.created events', `${summary.ticketsWithoutOutbox} / ${summary.ticketsWithOutboxTwice}`],
      ['ticket.created events without a ticket', summary.outboxEventsWithoutTicket],
      ['idempotency keys still held at the end', summary.idempotencyKeysStillHeld],
    ];
    console.log('\n| Figure | Value |\n|---|---|');
    for (const [name, value] of rows) console.log(`| ${name} | ${value} |`);
    console.log('\n| Retried answer (each attempt) | Count |\n|---|---|');
    for (const [answer, n] of Object.entries(summary.retriedAnswers)) console.log(`| ${answer} | ${n} |`);
    console.log('\n| Server log (warn and above) | Count |\n|---|---|');
    for (const [msg, n] of Object.entries(summary.serverWarnings)) console.log(`| ${msg} | ${n} |`);
    console.log('\n| Uncaught exception (would crash a server) | Count |\n|---|---|');
    for (const [msg, n] of Object.entries(summary.uncaughtExceptions)) console.log(`| ${msg} | ${n} |`);
    console.log(`\nload average ${summary.loadAverage.join(' → ')} (1 min, before → after)\n`);
    console.log(JSON.stringify(summary));

    await new Promise<void>((resolve) => http!.close(() => resolve()));
    http = null;
    await db.close();
  } finally {
    await checker.end().catch(() => undefined);
    http?.closeAllConnections();
    http?.close();
    await server.destroy();
  }
}

runCli(main);
