import { describe, expect, it } from '@jest/globals';
import { unroutedStatements } from '../utils/tenant-sql.js';

// The check itself (test/setup/sql-capture.ts runs it on every statement the app sends during
// each end-to-end file): it must catch what Citus could not route to one shard.
describe('tenant routing check', () => {
  it('passes statements that pin tenant_id, DDL, global tables and the listed purges', () => {
    expect(
      unroutedStatements([
        'SELECT u.id FROM users u WHERE u.tenant_id = $1 AND u.id = $2',
        'SELECT "User"."id" FROM "users" "User" WHERE ( ("User"."tenant_id" = $1) )',
        'INSERT INTO audit_events (tenant_id, kind) VALUES ($1, $2)',
        'INSERT INTO login_throttle AS t (tenant_id, key) SELECT $1, k FROM unnest($2::text[]) AS k',
        'WITH opened AS (INSERT INTO sessions (tenant_id, token_hash) VALUES ($1, $2)) UPDATE users SET x = 1 WHERE tenant_id = $1',
        'CREATE INDEX users_x ON users (tenant_id, email)',
        'SELECT id FROM tenants WHERE slug = $1',
        'DELETE FROM sessions WHERE expires_at <= now()',
      ]),
    ).toEqual([]);
  });

  it('names statements that reach a tenant table without pinning tenant_id', () => {
    const bad = [
      'SELECT * FROM users WHERE email = $1',
      'SELECT t.id FROM tenants t JOIN tenant_security_settings s ON s.tenant_id = t.id WHERE t.slug = $1',
      'UPDATE users SET active = false WHERE id = $1',
      'DELETE FROM audit_events WHERE at < now()',
      'INSERT INTO users (email, tenant_id) VALUES ($1, $2)',
    ];
    expect(unroutedStatements(bad)).toEqual(bad);
  });
});
