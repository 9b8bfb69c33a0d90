import http from 'node:http';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { SHAPES, type Shape, type ShapeName } from './api-shapes.ts';

/**
 * The raw-SQL floor of bench:api: node `http` + `pg`, one named (prepared) statement per request
 * that returns the whole `data` object as JSON text (bench/api-floor-sql.ts), so the process
 * only parses the request and copies bytes. It serves one workspace and checks no API key: it
 * is the lower bound of what any server on this machine and database can do for these bodies.
 *
 * Run by bench/api.ts as its own process: `POST /<shape>` with the same GraphQL request body
 * cxgraph gets; `GET /healthz`; `GET /stats` (requests and SQL statements sent so far).
 */

export interface FloorAnswer {
  body: string;
  statements: number;
}

/** The response body the floor sends for `shape` with these variables. */
export async function floorAnswer(db: pg.Pool | pg.Client, shape: Shape, workspaceId: string, variables: Record<string, unknown>): Promise<FloorAnswer> {
  const { rows } = await db.query<{ data: string }>({ name: `floor_${shape.name}`, text: shape.sql, values: [workspaceId, ...shape.params(variables)] });
  return { body: `{"data":${rows[0]!.data}}`, statements: 1 };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function startFloor(options: { databaseUrl: string; workspaceId: string; port: number; host?: string; poolMax?: number }): Promise<http.Server> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolMax ?? 10 });
  const stats = { requests: 0, statements: 0 };
  const send = (res: http.ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') return send(res, 200, '{"ok":true}');
    if (req.method === 'GET' && req.url === '/stats') return send(res, 200, JSON.stringify(stats));
    const shape = SHAPES[(req.url ?? '').slice(1) as ShapeName];
    if (req.method !== 'POST' || !shape) return send(res, 404, '{"errors":[{"message":"unknown shape"}]}');
    readBody(req)
      .then(async (text) => {
        const { variables = {} } = JSON.parse(text) as { variables?: Record<string, unknown> };
        const answer = await floorAnswer(pool, shape, options.workspaceId, variables);
        stats.requests += 1;
        stats.statements += answer.statements;
        send(res, 200, answer.body);
      })
      .catch((error: Error) => send(res, 500, JSON.stringify({ errors: [{ message: error.message }] })));
  });
  server.on('close', () => void pool.end());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve(server));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { DATABASE_URL, PORT, FLOOR_WORKSPACE_ID, DATABASE_POOL_MAX } = process.env;
  if (!DATABASE_URL || !PORT || !FLOOR_WORKSPACE_ID) {
    console.error('usage: DATABASE_URL=… PORT=… FLOOR_WORKSPACE_ID=… tsx bench/api-floor.ts');
    process.exit(2);
  }
  const server = await startFloor({ databaseUrl: DATABASE_URL, workspaceId: FLOOR_WORKSPACE_ID, port: Number(PORT), poolMax: Number(DATABASE_POOL_MAX ?? 10) });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
