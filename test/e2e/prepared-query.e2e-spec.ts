import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditRepository } from '../../src/audit/audit.repository.js';
import { preparedQuery } from '../../src/common/database/prepared-query.js';
import { createTenant } from '../factories/tenant.factory.js';
import { queryDatabase } from '../utils/test-database.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';

describe('prepared statements on the hot paths', () => {
  let t: TestApp;
  let dataSource: DataSource;
  beforeAll(async () => {
    t = await startTestApp();
    dataSource = t.app.get<DataSource>(getDataSourceToken());
  });
  afterAll(async () => {
    await t.close();
  });

  it('run inside the caller\'s transaction: on its connection, undone with it', async () => {
    const tenant = await createTenant(t);
    const audit = t.app.get(AuditRepository);
    await expect(
      dataSource.transaction(async (m) => {
        const [inside] = await preparedQuery<{ pid: number }>(dataSource, 'SELECT pg_backend_pid() AS pid', [], m);
        const [own] = (await m.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[];
        expect(inside?.pid).toBe(own?.pid);
        await audit.insert(tenant.id, { kind: 'settings', action: 'probe.rollback', outcome: 'success' }, m);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await queryDatabase(t.db, "SELECT 1 FROM audit_events WHERE action = 'probe.rollback'")).toHaveLength(0);
  });

  it('are prepared once per connection and reused', async () => {
    const text = 'SELECT $1::int + 1 AS n';
    await dataSource.transaction(async (m) => {
      // One connection throughout (the transaction's): five executions, one prepared statement.
      for (let i = 0; i < 5; i++) expect((await preparedQuery<{ n: number }>(dataSource, text, [i], m))[0]?.n).toBe(i + 1);
      const rows = (await m.query('SELECT count(*) AS n FROM pg_prepared_statements WHERE statement = $1', [text])) as { n: string }[];
      expect(rows[0]?.n).toBe('1');
    });
  });
});
