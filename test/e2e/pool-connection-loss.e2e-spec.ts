import { afterEach, describe, expect, it } from '@jest/globals';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { queryDatabase } from '../utils/test-database.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

/**
 * A pooled connection lost while it is checked out (a transaction between two statements, when
 * PostgreSQL restarts or the backend is terminated) emits 'error' on its pg Client, which pg.Pool
 * does not listen for then: unhandled, that 'error' event ends the process. Seen when the
 * machine's PostgreSQL was restarted under a benchmark; reproduced here by terminating the
 * backend of an open transaction, with metrics off (pg's Client) and on (the timed client).
 */
describe('a connection lost while checked out from the pool', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  for (const [label, env] of [
    ['metrics off', {}],
    ['metrics on', { METRICS_PORT: '0' }],
  ] as const) {
    it(`fails that transaction and leaves the process serving (${label})`, async () => {
      t = await startTestApp(env);
      const app = t;
      const dataSource = app.app.get<DataSource>(getDataSourceToken());
      const uncaught: unknown[] = [];
      const onUncaught = (err: unknown) => uncaught.push(err);
      process.on('uncaughtException', onUncaught);
      try {
        const transaction = dataSource.transaction(async (m) => {
          const [row] = (await m.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[];
          // Idle in transaction, checked out: the backend is terminated from outside.
          await queryDatabase(app.db, 'SELECT pg_terminate_backend($1)', [row!.pid]);
          await waitFor(async () => (await queryDatabase(app.db, 'SELECT 1 FROM pg_stat_activity WHERE pid = $1', [row!.pid])).length === 0);
          // The client has had the server's notice and the socket's end by now.
          await new Promise((r) => setTimeout(r, 100));
          await m.query('SELECT 1');
        });
        await expect(transaction).rejects.toThrow(/terminat|not queryable|Connection/i);
        expect(uncaught).toEqual([]);
        const res = await request(app.http).get('/health/ready');
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ status: 'ok', database: 'up' });
      } finally {
        process.off('uncaughtException', onUncaught);
      }
    });

    it(`leaves the process up when a client checked out of the pool itself loses its connection (${label})`, async () => {
      t = await startTestApp(env);
      const app = t;
      const pool = (app.app.get<DataSource>(getDataSourceToken()).driver as unknown as { master: Pool }).master;
      const uncaught: unknown[] = [];
      const onUncaught = (err: unknown) => uncaught.push(err);
      process.on('uncaughtException', onUncaught);
      try {
        // No TypeORM runner around it: pg.Pool listens for 'error' only while a client is idle.
        const client = await pool.connect();
        const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await queryDatabase(app.db, 'SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        await waitFor(async () => (await queryDatabase(app.db, 'SELECT 1 FROM pg_stat_activity WHERE pid = $1', [rows[0]!.pid])).length === 0);
        await new Promise((r) => setTimeout(r, 100));
        await expect(client.query('SELECT 1')).rejects.toThrow(/terminat|not queryable|Connection/i);
        client.release(true);
        expect(uncaught).toEqual([]);
        expect((await request(app.http).get('/health/ready')).status).toBe(200);
      } finally {
        process.off('uncaughtException', onUncaught);
      }
    });
  }
});

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('condition not met within 5 s');
}
