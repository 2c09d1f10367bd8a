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
// --connections 32, --duration 20 (s), --warmup 5 (s), --pid PID[,PID…] (default: every
// `dist/main.js` process started from this checkout, workers included),
// --acs-responses 6000 (pre-signed per side, each with a fresh assertion ID).
//
// Every row also gives CPU ms per request: utime+stime of the measured process(es) over the run,
// divided by the requests answered; unlike req/s, it stays readable on a busy machine. With
// DATABASE_URL set (PostgreSQL on this machine), the same for the PostgreSQL backends serving it
// (by application_name: latchkey for the service, latchkey-bare for a bare twin).
//
// --baseline (issue 14): each scenario with a bare twin (lookup, get-id, post, acs: see
// scripts/bench-bare.mjs) is measured against that twin, spawned here on DATABASE_URL (the
// seeded database, required) for the scenario: a warm-up each, then --rounds rounds (default 4)
// of --duration s per side, alternating which side goes first, on the same data; the table adds
// the ratios service/bare of req/s and of p99, and the bare's CPU per request (Node + PostgreSQL)
// over the service's (the req/s ratio of a CPU-bound machine, steadier on a shared one). Other
// scenarios run as without --baseline.
//
//   DATABASE_URL=postgres://… npm run bench -- --baseline --duration 10 [--rounds 4] [--only lookup,acs] [--bare-port 0]
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { bareStatements, fromDist } from './lib/bare-statements.mjs';
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
    baseline: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '4' },
    'bare-port': { type: 'string', default: '0' },
  },
});
const root = resolve(import.meta.dirname, '..');
const seedFile = values.seed ?? join(root, '.bench', `${values.tenant}-seed.json`);
const seed = JSON.parse(readFileSync(seedFile, 'utf8'));
const base = (values.url ?? seed.baseUrl).replace(/\/+$/, '');
const scimBase = `${base}/scim/v2/${seed.tenant}`;
const auth = { authorization: `Bearer ${seed.scimToken}` };
const N = seed.users;
const connections = Number(values.connections);
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const rounds = Number(values.rounds);
const runId = randomBytes(3).toString('hex');
const randomUser = () => 1 + Math.floor(Math.random() * N);
// The deprovisioning scenario deactivates users of the upper half; sign-ins use the lower half,
// so one scenario never turns the other's users into (correctly) refused ones.
const upperHalfUser = () => Math.ceil(N / 2) + 1 + Math.floor(Math.random() * Math.floor(N / 2));
const lowerHalfUser = () => 1 + Math.floor(Math.random() * Math.max(1, Math.floor(N / 2)));

/**
 * The service's processes: the given pids, or every `dist/main.js` process started from this
 * checkout (cluster workers too; another checkout's service on the same machine is not counted).
 */
function servicePids() {
  if (values.pid) return values.pid.split(',');
  try {
    return execFileSync('pgrep', ['-f', 'dist/main.js'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .filter((pid) => {
        try {
          return realpathSync(`/proc/${pid}/cwd`) === realpathSync(root);
        } catch {
          return false;
        }
      });
  } catch {
    return [];
  }
}

/** Resident memory of the processes, summed; null when none is found. */
function rssBytes(pids) {
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

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system) the processes have used so far, in ms (/proc/<pid>/stat fields 14 and 15). */
function cpuMs(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return (ticks * 1000) / clockTicks;
}

/**
 * The PostgreSQL backends serving a side (by application_name, in the seeded database): their CPU
 * per request is the database's share. Only with DATABASE_URL, and only for a server on this machine.
 */
const db = process.env.DATABASE_URL ? new pg.Client({ connectionString: process.env.DATABASE_URL, application_name: 'latchkey-bench' }) : null;
// A restart of PostgreSQL ends this connection: the DB column then shows '?', the bench goes on.
db?.on('error', () => undefined);
async function backendCpuMs(applicationName) {
  if (!db) return null;
  try {
    const { rows } = await db.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1', [applicationName]);
    return new Map(rows.map((r) => [r.pid, cpuMs([String(r.pid)])]));
  } catch {
    return null;
  }
}
/** CPU the backends used between two readings; one that connected in between counts from 0. */
function backendDelta(before, after) {
  if (!before || !after) return null;
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** What is measured: the service (at --url) or a bare twin (its own base URL and pid). */
const SERVICE = { side: 'service', base, pids: servicePids, applicationName: 'latchkey' };

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

/** A scenario: its name, its requests (per phase and side), autocannon options, and its bare twin's mode if it has one. */
const spec = (name, requestsFor, options = {}, twin = null, after = () => {}) => ({ name, requestsFor, options, twin, after });

async function warm(s, target) {
  if (warmup > 0) await run({ url: target.base, duration: warmup, requests: s.requestsFor('warm', target.side), ...s.options });
}

/** One measured run of a scenario against one target. */
async function measure(s, target) {
  const pids = target.pids();
  let peak = rssBytes(pids) ?? 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssBytes(pids) ?? 0);
  }, 500);
  const cpuBefore = cpuMs(pids);
  const dbBefore = await backendCpuMs(target.applicationName);
  const result = await run({ url: target.base, duration, requests: s.requestsFor('run', target.side), ...s.options });
  const cpu = cpuMs(pids) - cpuBefore;
  const dbCpu = backendDelta(dbBefore, await backendCpuMs(target.applicationName));
  clearInterval(sampler);
  const options = s.options;
  const row = {
    scenario: s.name,
    side: target.side,
    reqPerSec: Math.round(result.requests.average),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    non2xx: result.non2xx,
    // A 302 is the ACS's success: failures are the 4xx and 5xx answers.
    failures: Object.entries(result.statusCodeStats ?? {}).reduce((n, [code, s]) => n + (Number(code) >= 400 ? s.count : 0), 0),
    errors: result.errors + result.timeouts,
    requests: result.requests.total,
    rssMB: peak ? Math.round(peak / 1048576) : null,
    cpuMsPerReq: result.requests.total > 0 ? Math.round((cpu / result.requests.total) * 1000) / 1000 : null,
    dbCpuMsPerReq: result.requests.total > 0 && dbCpu !== null ? Math.round((dbCpu / result.requests.total) * 1000) / 1000 : null,
    connections: options.connections ?? connections,
    mbPerSec: Math.round((result.throughput.average / 1048576) * 10) / 10,
  };
  process.stdout.write(`${JSON.stringify(row)}\n`);
  return row;
}

/**
 * Starts the bare twin of a scenario (scripts/bench-bare.mjs) and waits until it serves. It gets
 * the service's statements from here, and for the ACS a response signed here for its self-check,
 * so that it loads neither the service's modules nor the signing helpers.
 */
async function spawnBare(mode) {
  const statements = await bareStatements(fromDist(root));
  if (mode === 'acs') {
    const { buildIdpResponse } = await loadTestHelpers();
    const signed = await buildIdpResponse({ preset: 'okta', key: readFileSync(seed.idpKeyFile, 'utf8'), cert: readFileSync(seed.idpCertFile, 'utf8'), acsUrl: seed.acsUrl, nameId: 'user1@bench.test' });
    statements.selfCheck = signed.base64;
  }
  const child = spawn(process.execPath, [join(root, 'scripts', 'bench-bare.mjs'), '--mode', mode, '--tenant', seed.tenant, '--seed', seedFile, '--port', values['bare-port']], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, LATCHKEY_BARE: JSON.stringify(statements) },
  });
  return new Promise((resolveBare, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`the bare ${mode} server exited (${code}) before it served`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      child.removeAllListeners('exit');
      const { listening } = JSON.parse(line);
      resolveBare({ side: 'bare', base: `http://127.0.0.1:${listening}`, pids: () => [String(child.pid)], applicationName: 'latchkey-bare', child });
    });
  });
}

function stopBare(bare) {
  return new Promise((r) => {
    bare.child.once('exit', r);
    bare.child.kill('SIGTERM');
  });
}

const mean = (xs) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 100) / 100;

/** One side's rounds as one row: req/s, p50 and p99 the means of the rounds, RSS the peak, CPU over all requests. */
function combine(rows) {
  const requests = rows.reduce((n, r) => n + r.requests, 0);
  const perRequest = (key) => (rows.every((r) => r[key] !== null) ? Math.round((rows.reduce((n, r) => n + r[key] * r.requests, 0) / requests) * 1000) / 1000 : null);
  return {
    scenario: rows[0].scenario,
    side: rows[0].side,
    reqPerSec: Math.round(mean(rows.map((r) => r.reqPerSec))),
    p50ms: mean(rows.map((r) => r.p50ms)),
    p99ms: mean(rows.map((r) => r.p99ms)),
    non2xx: rows.reduce((n, r) => n + r.non2xx, 0),
    failures: rows.reduce((n, r) => n + r.failures, 0),
    errors: rows.reduce((n, r) => n + r.errors, 0),
    requests,
    rssMB: Math.max(...rows.map((r) => r.rssMB ?? 0)) || null,
    cpuMsPerReq: perRequest('cpuMsPerReq'),
    dbCpuMsPerReq: perRequest('dbCpuMsPerReq'),
    connections: rows[0].connections,
    mbPerSec: mean(rows.map((r) => r.mbPerSec)),
    rounds: rows,
  };
}

/** A scenario against its bare twin: warm-ups, then alternating rounds; the service's row carries the ratios. */
async function measureBaseline(s) {
  const bare = await spawnBare(s.twin);
  try {
    await warm(s, SERVICE);
    await warm(s, bare);
    const runs = { service: [], bare: [] };
    for (let r = 0; r < rounds; r++) {
      for (const target of r % 2 === 0 ? [SERVICE, bare] : [bare, SERVICE]) runs[target.side].push(await measure(s, target));
    }
    const service = combine(runs.service);
    const twin = combine(runs.bare);
    service.ratioReqPerSec = Math.round((service.reqPerSec / twin.reqPerSec) * 100) / 100;
    service.ratioP99 = Math.round((service.p99ms / twin.p99ms) * 100) / 100;
    // The bare's CPU per request (Node and PostgreSQL) over the service's: what the req/s ratio
    // comes to when the CPU is the limit, and far steadier than req/s on a shared machine.
    const total = (r) => (r.cpuMsPerReq === null || r.dbCpuMsPerReq === null ? null : r.cpuMsPerReq + r.dbCpuMsPerReq);
    service.ratioCpu = total(service) && total(twin) ? Math.round((total(twin) / total(service)) * 100) / 100 : null;
    return [service, twin];
  } finally {
    await stopBare(bare);
  }
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
    spec('SCIM userName eq (random existing user)', () => [
      { method: 'GET', headers: auth, setupRequest: (req) => ({ ...req, path: `/scim/v2/${seed.tenant}/Users?filter=${encodeURIComponent(`userName eq "user${randomUser()}@bench.test"`)}` }) },
    ], {}, 'lookup'),
  'get-id': async () => {
    // Ids of random existing users, fetched once before the run.
    const ids = [];
    for (let i = 0; i < 10; i++) {
      const page = await scimJson(`/Users?count=100&startIndex=${1 + Math.floor(Math.random() * Math.max(1, N - 100))}`);
      ids.push(...page.Resources.map((u) => u.id));
    }
    return spec('SCIM GET /Users/{id}', () => [
      { method: 'GET', headers: auth, setupRequest: (req) => ({ ...req, path: `/scim/v2/${seed.tenant}/Users/${ids[Math.floor(Math.random() * ids.length)]}` }) },
    ], {}, 'get-id');
  },
  'list-first': () => spec('SCIM list page 1 (count=100)', () => [{ method: 'GET', headers: auth, path: `/scim/v2/${seed.tenant}/Users?startIndex=1&count=100` }]),
  'list-deep': () =>
    spec(`SCIM list at startIndex ${Math.max(1, N - 99)} (count=100)`, () => [
      { method: 'GET', headers: auth, path: `/scim/v2/${seed.tenant}/Users?startIndex=${Math.max(1, N - 99)}&count=100` },
    ]),
  post: () => {
    let i = 0;
    // Unique userNames on both sides: run, side and phase in each.
    return spec('SCIM POST /Users (new users)', (phase, side) => [
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
              userName: `new-${runId}-${side}-${phase}-${i}@bench.test`,
              name: { givenName: 'New', familyName: `User${i}` },
              active: true,
            }),
          };
        },
      },
    ], {}, 'post');
  },
  'patch-deactivate': () =>
    spec('SCIM PATCH active false (Entra deprovision)', () => [
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
    spec('SCIM PATCH Group: Add 1,000 members (4 connections)', () => [
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
  'group-lookup-big': () => spec('SCIM GET /Groups displayName eq, excludedAttributes=members (100,000 members)', () => [{ method: 'GET', headers: auth, path: groupLookup('bench-group-100000') }]),
  'group-lookup-small': () => spec('SCIM GET /Groups displayName eq, excludedAttributes=members (10 members)', () => [{ method: 'GET', headers: auth, path: groupLookup('bench-group-10') }]),
  'group-get-excluded-big': () =>
    spec('SCIM GET /Groups/{id}?excludedAttributes=members (100,000 members)', () => [{ method: 'GET', headers: auth, path: `/scim/v2/${seed.tenant}/Groups/${groups.big}?excludedAttributes=members` }]),
  // The whole group, members streamed in chunks, one read at a time: time per read (p50) and the
  // service's peak memory while 18.7 MB bodies go out back to back.
  'group-full-read': () =>
    spec('SCIM GET /Groups/{id}, all 100,000 members (1 connection)', () => [{ method: 'GET', headers: auth, path: `/scim/v2/${seed.tenant}/Groups/${groups.big}` }], { connections: 1, timeout: 120 }),
  acs: async () => {
    const { buildIdpResponse } = await loadTestHelpers();
    const key = readFileSync(seed.idpKeyFile, 'utf8');
    const cert = readFileSync(seed.idpCertFile, 'utf8');
    const count = Number(values['acs-responses']);
    // Each side its own set (an assertion ID one side used would be a refused replay on the other),
    // signed in turns so that the k-th response of either side is as old as the other's: both
    // meet the same assertion age (SAML_MAX_ASSERTION_AGE_SECONDS) at the same point of their run.
    const sides = values.baseline ? ['service', 'bare'] : ['service'];
    const sets = Object.fromEntries(sides.map((side) => [side, { bodies: [], next: 0 }]));
    process.stdout.write(`pre-signing ${count} SAML responses for ${sides.join(' and ')} (RSA-2048, RSA-SHA256)...\n`);
    const started = Date.now();
    for (let k = 0; k < count; k++) {
      for (const side of sides) {
        const r = await buildIdpResponse({ preset: 'okta', key, cert, acsUrl: seed.acsUrl, nameId: `user${lowerHalfUser()}@bench.test` });
        sets[side].bodies.push(new URLSearchParams({ SAMLResponse: r.base64 }).toString());
      }
    }
    process.stdout.write(`signed in ${Math.round((Date.now() - started) / 1000)} s (responses older than SAML_MAX_ASSERTION_AGE_SECONDS are refused: keep this well under it)\n`);
    return spec(
      'SAML ACS sign-in (pre-signed, unique assertion IDs)',
      (phase, side) => [
        {
          method: 'POST',
          path: `/saml/${seed.tenant}/acs`,
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'null' },
          setupRequest: (req) => ({ ...req, body: sets[side].bodies[sets[side].next++ % sets[side].bodies.length] }),
        },
      ],
      {},
      'acs',
      () => {
        for (const [side, set] of Object.entries(sets)) {
          if (set.next > set.bodies.length) {
            process.stdout.write(`note: ${set.next} posts to the ${side} for ${set.bodies.length} pre-signed responses; the reused ones were (rightly) refused as replays: raise --acs-responses\n`);
          }
        }
      },
    );
  },
};

async function main() {
  if (values.baseline && !process.env.DATABASE_URL) throw new Error('--baseline needs DATABASE_URL: the database seed:bench wrote to (the bare servers read it)');
  if (!(rounds >= 1)) throw new Error(`--rounds must be at least 1, not ${values.rounds}`);
  const health = await fetch(`${base}/health/ready`).catch(() => null);
  if (!health?.ok) throw new Error(`${base}/health/ready does not answer 200: start the service first (npm start)`);
  await db?.connect();
  const only = values.only ? values.only.split(',') : Object.keys(scenarios);
  for (const name of only) {
    if (!scenarios[name]) throw new Error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`);
  }
  const shape = values.baseline ? `${warmup} s warm-up + ${rounds} rounds of ${duration} s per side against a bare twin` : `${warmup} s warm-up + ${duration} s per scenario`;
  process.stdout.write(`Latchkey bench: ${base}, tenant ${seed.tenant} (${N} seeded users), ${connections} connections, ${shape}\n`);
  const rows = [];
  for (const name of only) {
    const s = await scenarios[name]();
    if (values.baseline && s.twin) {
      rows.push(...(await measureBaseline(s)));
    } else {
      await warm(s, SERVICE);
      rows.push(await measure(s, SERVICE));
    }
    s.after();
  }
  if (values.baseline) {
    process.stdout.write('\n| scenario | side | req/s | p50 ms | p99 ms | 4xx/5xx | errors | RSS MB | CPU ms/req | DB CPU ms/req | req/s ÷ bare | p99 ÷ bare | bare CPU ÷ service CPU |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n');
    for (const r of rows) {
      const ratios = r.ratioReqPerSec === undefined ? '| | | |' : `| ${r.ratioReqPerSec}× | ${r.ratioP99}× | ${r.ratioCpu === null ? '?' : `${r.ratioCpu}×`} |`;
      process.stdout.write(`| ${r.scenario} | ${r.side} | ${r.reqPerSec} | ${r.p50ms} | ${r.p99ms} | ${r.failures} | ${r.errors} | ${r.rssMB ?? '?'} | ${r.cpuMsPerReq ?? '?'} | ${r.dbCpuMsPerReq ?? '?'} ${ratios}\n`);
    }
  } else {
    process.stdout.write('\n| scenario | req/s | p50 ms | p99 ms | non-2xx | 4xx/5xx | errors | RSS MB | CPU ms/req | DB CPU ms/req | MB/s |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n');
    for (const r of rows) {
      process.stdout.write(`| ${r.scenario} | ${r.reqPerSec} | ${r.p50ms} | ${r.p99ms} | ${r.non2xx} | ${r.failures} | ${r.errors} | ${r.rssMB ?? '?'} | ${r.cpuMsPerReq ?? '?'} | ${r.dbCpuMsPerReq ?? '?'} | ${r.mbPerSec} |\n`);
    }
  }
  const dir = join(root, '.bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${seed.tenant}-${N}${values.baseline ? '-baseline' : ''}.json`);
  const shapeJson = values.baseline ? { baseline: true, rounds } : {};
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), base, tenant: seed.tenant, users: N, connections, duration, warmup, ...shapeJson, rows }, null, 2)}\n`);
  process.stdout.write(`\nwritten to ${file}\n`);
  await db?.end().catch(() => undefined);
}

main().catch((err) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
