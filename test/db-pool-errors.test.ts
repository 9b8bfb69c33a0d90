import { describe, expect, it } from 'vitest';
import { createPgPool, pgFieldsFromUrl } from '../src/db/adapters.ts';
import { onPostgres } from './helpers/database.ts';

/**
 * A database restart cuts the connections the pool has handed out. pg-pool listens for errors on
 * idle clients only: without a listener of our own, a checked-out client between two statements
 * (inside a transaction) emits an unhandled 'error' event and the process dies (bench:restart
 * saw it on the first restart). Cut here with pg_terminate_backend on this client's own backend.
 */
describe.skipIf(!onPostgres())('the PostgreSQL pool when a checked-out connection is cut', () => {
  it('keeps the process alive, fails that client\'s next statement, and hands out a working one after', async () => {
    const pool = createPgPool(pgFieldsFromUrl(process.env.DATABASE_URL!), { max: 2 });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const client = await pool.connect();
      expect(client.listenerCount('error')).toBeGreaterThan(0);
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
      await pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      await ended;
      await expect(client.query('SELECT 1')).rejects.toThrow();
      client.release(true);
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await pool.end();
    }
  });
});
