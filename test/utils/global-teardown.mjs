import { rm } from 'node:fs/promises';
import pg from 'pg';

/** Drops every database this run created (template and per-file clones), then any embedded server. */
export default async function globalTeardown() {
  // Named by the e2e and the browser project: tear down once.
  if (globalThis.__LATCHKEY_TEST_TEARDOWN_DONE__) return;
  globalThis.__LATCHKEY_TEST_TEARDOWN_DONE__ = true;
  const runId = process.env.LATCHKEY_TEST_RUN;
  const url = process.env.TEST_DATABASE_URL;
  if (runId && url) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT datname FROM pg_database WHERE datname LIKE 'lk_test_' || $1 || '%'", [runId]);
      for (const { datname } of rows) {
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(datname)} WITH (FORCE)`);
      }
    } finally {
      await client.end();
    }
  }
  const embedded = globalThis.__LATCHKEY_EMBEDDED_PG__;
  if (embedded) {
    await embedded.server.stop();
    await rm(embedded.dir, { recursive: true, force: true });
  }
}
