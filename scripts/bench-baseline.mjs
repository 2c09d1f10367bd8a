#!/usr/bin/env node
// The yardstick for the SCIM lookup: a bare node:http + pg server doing the same indexed query
// (users by tenant and lower(email)) and answering JSON, measured like `npm run bench` measures
// the service (autocannon, 32 connections, warm-up, random existing users of the seeded tenant).
//
//   DATABASE_URL=postgres://… node scripts/bench-baseline.mjs [--tenant bench] [--duration 20]
import autocannon from 'autocannon';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values } = parseArgs({
  options: { tenant: { type: 'string', default: 'bench' }, duration: { type: 'string', default: '20' }, warmup: { type: 'string', default: '5' } },
});
const root = resolve(import.meta.dirname, '..');
const seed = JSON.parse(readFileSync(join(root, '.bench', `${values.tenant}-seed.json`), 'utf8'));
if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL to the database the seed wrote to');
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
const { rows } = await pool.query('SELECT id FROM tenants WHERE slug = $1', [seed.tenant]);
const tenantId = rows[0].id;

const server = createServer(async (req, res) => {
  const userName = new URL(req.url, 'http://x').searchParams.get('userName') ?? '';
  const result = await pool.query(
    'SELECT id, email, given_name, family_name, active, created_at, updated_at, version FROM users WHERE tenant_id = $1 AND lower(email) = lower($2)',
    [tenantId, userName],
  );
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ totalResults: result.rowCount, Resources: result.rows }));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}`;
const requests = [{ setupRequest: (r) => ({ ...r, path: `/Users?userName=user${1 + Math.floor(Math.random() * seed.users)}@bench.test` }) }];
await autocannon({ url, connections: 32, duration: Number(values.warmup), requests });
const r = await autocannon({ url, connections: 32, duration: Number(values.duration), requests });
process.stdout.write(`bare node:http + pg lookup (${seed.users} users): ${Math.round(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}\n`);
server.close();
await pool.end();
