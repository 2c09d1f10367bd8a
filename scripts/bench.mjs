#!/usr/bin/env node
// `npm run bench`: load scenarios against a RUNNING service (it starts nothing itself), with the
// tenant prepared by `npm run seed:bench`. For each scenario: a warm-up, then autocannon with 32
// connections; prints req/s, p50, p99, non-2xx and the service's peak RSS as a table, and writes
// the same as JSON to .bench/results/.
//
//   npm run seed:bench -- --tenant bench --users 1000000
//   SCIM_RATE_LIMIT_PER_SECOND=0 npm start            # the rate limit would cap the scenarios
//   npm run bench -- --tenant bench [--url http://localhost:3000] [--duration 20] [--only lookup,post]
//
// Options: --seed FILE (default .bench/<tenant>-seed.json), --url (default: the seed's PUBLIC_URL),
// --connections 32, --duration 20 (s), --warmup 5 (s), --pid PID (default: every `dist/main.js`
// process of this checkout, workers included), --acs-responses 6000 (pre-signed, each with a
// fresh assertion ID).
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadTestHelpers } from './lib/test-helpers.mjs';

const { values } = parseArgs({
  options: {
    tenant: { type: 'string', default: 'bench' },
    seed: { type: 'string' },
    url: { type: 'string' },
    connections: { type: 'string', default: '32' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    pid: { type: 'string' },
    only: { type: 'string' },
    'acs-responses': { type: 'string', default: '6000' },
  },
});
const root = resolve(import.meta.dirname, '..');
const seed = JSON.parse(readFileSync(values.seed ?? join(root, '.bench', `${values.tenant}-seed.json`), 'utf8'));
const base = (values.url ?? seed.baseUrl).replace(/\/+$/, '');
const scimBase = `${base}/scim/v2/${seed.tenant}`;
const auth = { authorization: `Bearer ${seed.scimToken}` };
const N = seed.users;
const connections = Number(values.connections);
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const runId = randomBytes(3).toString('hex');
const randomUser = () => 1 + Math.floor(Math.random() * N);
// The deprovisioning scenario deactivates users of the upper half; sign-ins use the lower half,
// so one scenario never turns the other's users into (correctly) refused ones.
const upperHalfUser = () => Math.ceil(N / 2) + 1 + Math.floor(Math.random() * Math.floor(N / 2));
const lowerHalfUser = () => 1 + Math.floor(Math.random() * Math.max(1, Math.floor(N / 2)));

/**
 * Resident memory of the service: the given pid, or every `dist/main.js` process started from this
 * checkout (cluster workers too; another checkout's service on the same machine is not counted).
 */
function serviceRssBytes() {
  let pids = values.pid ? [values.pid] : [];
  if (pids.length === 0) {
    try {
      pids = execFileSync('pgrep', ['-f', 'dist/main.js'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    } catch {
      return null;
    }
    pids = pids.filter((pid) => {
      try {
        return realpathSync(`/proc/${pid}/cwd`) === realpathSync(root);
      } catch {
        return false;
      }
    });
  }
  let total = 0;
  for (const pid of pids) {
    try {
      const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      total += Number(kb ?? 0) * 1024;
    } catch {
      // gone
    }
  }
  return total || null;
}

async function scimJson(path, init = {}) {
  const res = await fetch(`${scimBase}${path}`, { ...init, headers: { ...auth, 'content-type': 'application/scim+json', ...(init.headers ?? {}) } });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

function run(opts) {
  return new Promise((resolvePromise, reject) => {
    const instance = autocannon({ connections, ...opts }, (err, result) => (err ? reject(err) : resolvePromise(result)));
    autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

async function measure(name, requestsFor, options = {}) {
  if (warmup > 0) await run({ url: base, duration: warmup, requests: requestsFor('warm'), ...options });
  let peak = serviceRssBytes() ?? 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, serviceRssBytes() ?? 0);
  }, 500);
  const result = await run({ url: base, duration, requests: requestsFor('run'), ...options });
  clearInterval(sampler);
  const row = {
    scenario: name,
    reqPerSec: Math.round(result.requests.average),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    non2xx: result.non2xx,
    // A 302 is the ACS's success: failures are the 4xx and 5xx answers.
    failures: Object.entries(result.statusCodeStats ?? {}).reduce((n, [code, s]) => n + (Number(code) >= 400 ? s.count : 0), 0),
    errors: result.errors + result.timeouts,
    requests: result.requests.total,
    rssMB: peak ? Math.round(peak / 1048576) : null,
    connections: options.connections ?? connections,
    mbPerSec: Math.round((result.throughput.average / 1048576) * 10) / 10,
  };
  process.stdout.write(`${JSON.stringify(row)}\n`);
  return row;
}

/** The groups seed:bench made (bench-groups.ts), and a sample of user ids to add as members. */
const groups = seed.groups;
let sampledIds = null;
function userIds() {
  sampledIds ??= JSON.parse(readFileSync(seed.userIdsFile, 'utf8'));
  return sampledIds;
}
const groupLookup = (name) => `/scim/v2/${seed.tenant}/Groups?filter=${encodeURIComponent(`displayName eq "${name}"`)}&excludedAttributes=members`;

const scenarios = {
  lookup: () =>
    measure('SCIM userName eq (random existing user)', () => [
      { method: 'GET', headers: auth, setupRequest: (req) => ({ ...req, path: `/scim/v2/${seed.tenant}/Users?filter=${encodeURIComponent(`userName eq "user${randomUser()}@bench.test"`)}` }) },
    ]),
  'get-id': async () => {
    // Ids of random existing users, fetched once before the run.
    const ids = [];
    for (let i = 0; i < 10; i++) {
      const page = await scimJson(`/Users?count=100&startIndex=${1 + Math.floor(Math.random() * Math.max(1, N - 100))}`);
      ids.push(...page.Resources.map((u) => u.id));
    }
    return measure('SCIM GET /Users/{id}', () => [
      { method: 'GET', headers: auth, setupRequest: (req) => ({ ...req, path: `/scim/v2/${seed.tenant}/Users/${ids[Math.floor(Math.random() * ids.length)]}` }) },
    ]);
  },
  'list-first': () => measure('SCIM list page 1 (count=100)', () => [{ method: 'GET', headers: auth, path: `/scim/v2/${seed.tenant}/Users?startIndex=1&count=100` }]),
  'list-deep': () =>
    measure(`SCIM list at startIndex ${Math.max(1, N - 99)} (count=100)`, () => [
      { method: 'GET', headers: auth, path: `/scim/v2/${seed.tenant}/Users?startIndex=${Math.max(1, N - 99)}&count=100` },
    ]),
  post: () => {
    let i = 0;
    return measure('SCIM POST /Users (new users)', (phase) => [
      {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/scim+json' },
        setupRequest: (req) => {
          i += 1;
          return {
            ...req,
            path: `/scim/v2/${seed.tenant}/Users`,
            body: JSON.stringify({
              schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
              userName: `new-${runId}-${phase}-${i}@bench.test`,
              name: { givenName: 'New', familyName: `User${i}` },
              active: true,
            }),
          };
        },
      },
    ]);
  },
  'patch-deactivate': () =>
    measure('SCIM PATCH active false (Entra deprovision)', () => [
      {
        method: 'GET',
        headers: auth,
        setupRequest: (req) => ({ ...req, path: `/scim/v2/${seed.tenant}/Users?filter=${encodeURIComponent(`userName eq "user${upperHalfUser()}@bench.test"`)}` }),
        onResponse: (status, body, context) => {
          const id = status === 200 ? JSON.parse(body).Resources[0]?.id : undefined;
          context.id = id;
        },
      },
      {
        method: 'PATCH',
        headers: { ...auth, 'content-type': 'application/scim+json' },
        setupRequest: (req, context) => ({
          ...req,
          path: `/scim/v2/${seed.tenant}/Users/${context.id}`,
          body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] }),
        }),
      },
    ]),
  // Entra's batch: one PATCH adding 1,000 members (random users of the sample) to one of 32 groups.
  // 4 connections: an IdP sends a group's changes one after another, and 32 transactions of 1,000
  // rows each would only queue for the database pool (DATABASE_POOL_SIZE).
  'group-patch-add-1000': () =>
    measure('SCIM PATCH Group: Add 1,000 members (4 connections)', () => [
      {
        method: 'PATCH',
        headers: { ...auth, 'content-type': 'application/scim+json' },
        setupRequest: (req) => {
          const ids = userIds();
          const from = Math.floor(Math.random() * (ids.length - 1000));
          return {
            ...req,
            path: `/scim/v2/${seed.tenant}/Groups/${groups.patchTargets[Math.floor(Math.random() * groups.patchTargets.length)]}`,
            body: JSON.stringify({
              schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
              Operations: [{ op: 'Add', path: 'members', value: ids.slice(from, from + 1000).map((value) => ({ value })) }],
            }),
          };
        },
      },
    ], { connections: 4, timeout: 120 }),
  // Entra's group lookup: the same cost whatever the group's size.
  'group-lookup-big': () => measure('SCIM GET /Groups displayName eq, excludedAttributes=members (100,000 members)', () => [{ method: 'GET', headers: auth, path: groupLookup('bench-group-100000') }]),
  'group-lookup-small': () => measure('SCIM GET /Groups displayName eq, excludedAttributes=members (10 members)', () => [{ method: 'GET', headers: auth, path: groupLookup('bench-group-10') }]),
  'group-get-excluded-big': () =>
    measure('SCIM GET /Groups/{id}?excludedAttributes=members (100,000 members)', () => [{ method: 'GET', headers: auth, path: `/scim/v2/${seed.tenant}/Groups/${groups.big}?excludedAttributes=members` }]),
  // The whole group, members streamed in chunks, one read at a time: time per read (p50) and the
  // service's peak memory while 18.7 MB bodies go out back to back.
  'group-full-read': () =>
    measure('SCIM GET /Groups/{id}, all 100,000 members (1 connection)', () => [{ method: 'GET', headers: auth, path: `/scim/v2/${seed.tenant}/Groups/${groups.big}` }], { connections: 1, timeout: 120 }),
  acs: async () => {
    const { buildIdpResponse } = await loadTestHelpers();
    const key = readFileSync(seed.idpKeyFile, 'utf8');
    const cert = readFileSync(seed.idpCertFile, 'utf8');
    const count = Number(values['acs-responses']);
    process.stdout.write(`pre-signing ${count} SAML responses (RSA-2048, RSA-SHA256)...\n`);
    const bodies = [];
    for (let k = 0; k < count; k++) {
      const r = await buildIdpResponse({ preset: 'okta', key, cert, acsUrl: seed.acsUrl, nameId: `user${lowerHalfUser()}@bench.test` });
      bodies.push(new URLSearchParams({ SAMLResponse: r.base64 }).toString());
    }
    let next = 0;
    const row = await measure('SAML ACS sign-in (pre-signed, unique assertion IDs)', () => [
      {
        method: 'POST',
        path: `/saml/${seed.tenant}/acs`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'null' },
        setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }),
      },
    ]);
    if (next > bodies.length) {
      process.stdout.write(`note: ${next} posts for ${bodies.length} pre-signed responses; the reused ones were (rightly) refused as replays: raise --acs-responses\n`);
    }
    return row;
  },
};

async function main() {
  const health = await fetch(`${base}/health/ready`).catch(() => null);
  if (!health?.ok) throw new Error(`${base}/health/ready does not answer 200: start the service first (npm start)`);
  const only = values.only ? values.only.split(',') : Object.keys(scenarios);
  process.stdout.write(`Latchkey bench: ${base}, tenant ${seed.tenant} (${N} seeded users), ${connections} connections, ${warmup} s warm-up + ${duration} s per scenario\n`);
  const rows = [];
  for (const name of only) {
    if (!scenarios[name]) throw new Error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`);
    rows.push(await scenarios[name]());
  }
  process.stdout.write('\n| scenario | req/s | p50 ms | p99 ms | non-2xx | 4xx/5xx | errors | RSS MB | MB/s |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n');
  for (const r of rows) {
    process.stdout.write(`| ${r.scenario} | ${r.reqPerSec} | ${r.p50ms} | ${r.p99ms} | ${r.non2xx} | ${r.failures} | ${r.errors} | ${r.rssMB ?? '?'} | ${r.mbPerSec} |\n`);
  }
  const dir = join(root, '.bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${seed.tenant}-${N}.json`);
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), base, tenant: seed.tenant, users: N, connections, duration, warmup, rows }, null, 2)}\n`);
  process.stdout.write(`\nwritten to ${file}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
