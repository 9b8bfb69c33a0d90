import { createServer, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { createApp } from './app.ts';
import { runCli } from './cli/run.ts';
import { loadConfig, StartupError, type Config } from './config.ts';
import { openDatabase, type Database } from './db/index.ts';
import { applyMigrations } from './db/migrations.ts';
import { createWakeupBus } from './events/bus.ts';
import { ApiKeyCache } from './auth/key-cache.ts';
import { ApiKeyWatch } from './events/key-watch.ts';
import { createLiveEvents } from './events/live.ts';
import { createSlaBreachSweeper, type SlaBreachSweeper } from './events/sla-breaches.ts';
import { attachWebSockets } from './events/websocket.ts';
import { createIdempotencyKeySweeper, type IdempotencyKeySweeper } from './jobs/idempotency-keys.ts';
import { createLogger, type Logger } from './logger.ts';

/**
 * The only module that listens. Start-up order: configuration → database → migrations (the
 * server never serves an unmigrated schema) → demo seed on an empty database → HTTP.
 */

export interface RunningServer {
  server: Server;
  db: Database;
  url: string;
  /** This instance's `ticket.sla_breached` sweeper (running unless CXGRAPH_SLA_SWEEP_MS is 0; `sweep()` sweeps now). */
  slaBreaches: SlaBreachSweeper;
  /** Deletes expired idempotency keys (running unless CXGRAPH_IDEMPOTENCY_SWEEP_MS is 0). */
  idempotencyKeys: IdempotencyKeySweeper;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), closes the database. */
  stop(): Promise<void>;
}

async function seedIfEmpty(db: Database, config: Config, log: Logger): Promise<{ apiKey: string } | null> {
  if (!config.seedDemo) return null;
  if ((await db.prisma.workspace.count()) > 0) return null;
  const { seedDemoWorkspace } = await import('../prisma/seed.ts');
  const started = Date.now();
  try {
    const seeded = await seedDemoWorkspace(db.prisma, { apiKey: config.demoApiKey });
    log.info({ workspace: seeded.workspaceName, counts: seeded.counts, ms: Date.now() - started }, 'seeded the demo workspace');
    return { apiKey: seeded.apiKey };
  } catch (error) {
    // Several instances starting on one empty database race to seed; the loser finds the
    // winner's workspace and carries on.
    if ((await db.prisma.workspace.count({ where: { slug: 'demo' } })) > 0) {
      log.info('demo workspace was seeded by another instance');
      return null;
    }
    throw error;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') reject(new StartupError(`port ${port} on ${host} is already in use; set PORT to a free port`));
      else if (error.code === 'EACCES') reject(new StartupError(`no permission to listen on port ${port}; use a port above 1023`));
      else if (error.code === 'EADDRNOTAVAIL') reject(new StartupError(`HOST ${host} is not an address of this machine`));
      else reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

export interface StartOptions {
  /** An already open database (tests share theirs); it is left open on stop. */
  db?: Database;
}

export async function startServer(config: Config, log: Logger, options: StartOptions = {}): Promise<RunningServer & { demoApiKey: string | null }> {
  const started = Date.now();
  const db = options.db ?? (await openDatabase(config.database, config.databaseTimeouts));
  const closeDb = options.db ? async () => undefined : () => db.close();
  const bus = createWakeupBus(config.events.redisUrl, log);
  try {
    const applied = await applyMigrations(db.migrationFactory());
    log.info({ database: db.kind, location: db.location, applied }, applied.length ? 'applied migrations' : 'database schema is up to date');
    const seeded = await seedIfEmpty(db, config, log);

    const events = createLiveEvents(bus, config.events);
    // One watch for the API keys of WebSocket connections and SSE streams alike.
    const keyWatch = new ApiKeyWatch(db.prisma, config.events.keyRecheckMs, log);
    const apiKeys = new ApiKeyCache(db.prisma, bus, { ttlMs: config.apiKeyCacheMs }, log);
    const app = createApp({
      db,
      logger: log,
      events,
      keyWatch,
      apiKeys,
      http: config.http,
      concurrency: config.concurrency,
      input: config.input,
      limits: config.limits,
      rateLimit: { ...config.rateLimit, redisUrl: config.events.redisUrl },
    });
    const server = createServer(app);
    // Slow clients must not pin sockets forever; these bound a request's header and body time.
    server.headersTimeout = 30_000;
    server.requestTimeout = 120_000;
    await listen(server, config.port, config.host);
    // Attached once listening: a failed listen stays one clear start-up error, not a WebSocket server error too.
    const sockets = attachWebSockets(server, app, { prisma: db.prisma, log, limits: config.events, keyWatch });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}/graphql`;
    log.info({ url, ms: Date.now() - started }, 'cxgraph is serving');
    const { sweepMs, batchSize, lookbackMs } = config.slaBreaches;
    const slaBreaches = createSlaBreachSweeper({ prisma: db.prisma, bus, log, intervalMs: sweepMs, batchSize, lookbackMs });
    // Its first sweep announces what became due while no instance was running.
    if (sweepMs > 0) slaBreaches.start();
    const idempotencyKeys = createIdempotencyKeySweeper({ prisma: db.prisma, log, intervalMs: config.http.idempotency.sweepMs });
    if (config.http.idempotency.sweepMs > 0) idempotencyKeys.start();

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        log.info('shutting down: no new connections, finishing in-flight requests');
        // No new sweep; one in progress finishes (its events commit) before the database closes.
        const sweeperStopped = Promise.all([slaBreaches.stop(), idempotencyKeys.stop()]);
        // Subscriptions never finish by themselves: end the streams (SSE responses complete) and
        // say "going away" on every WebSocket, so clients reconnect elsewhere with their cursor.
        events.endAll();
        // No 4401 from a late key check races the 1001 below.
        keyWatch.close();
        apiKeys.close();
        await sockets.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const grace = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), config.shutdownGraceMs).unref());
        if ((await Promise.race([closed, grace])) === 'timeout') {
          log.warn('grace period over: closing remaining connections');
          server.closeAllConnections();
          await closed;
        }
        await sweeperStopped;
        await app.dispose();
        await bus.close();
        await closeDb();
        log.info('stopped');
      })();
      return stopping;
    };
    return { server, db, url, slaBreaches, idempotencyKeys, stop, demoApiKey: seeded?.apiKey ?? null };
  } catch (error) {
    await bus.close().catch(() => undefined);
    await closeDb().catch(() => undefined);
    throw error;
  }
}

async function main(): Promise<number | void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const running = await startServer(config, log);
  const key = running.demoApiKey ?? config.demoApiKey;
  // Humans read this part: plain lines on stderr, next to the JSON logs on stdout.
  process.stderr.write(
    `\n  cxgraph is running: ${running.url}  (GraphiQL in a browser)\n` +
      (key
        ? `  demo API key: ${key}\n  try: curl -s ${running.url} -H 'authorization: Bearer ${key}' -H 'content-type: application/json' \\\n         -d '{"query":"{ viewer { workspace { name } } customers(first: 5) { totalCount edges { node { id name email } } } }"}'\n\n`
        : `  (the demo API key was printed when the database was first seeded; set CXGRAPH_DEMO_API_KEY to fix its value)\n\n`),
  );
  await new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      log.info({ signal }, 'received signal');
      running.stop().then(resolve, resolve);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runCli(main);
}
