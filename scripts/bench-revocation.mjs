#!/usr/bin/env node
// How long a revoked SCIM token still works on a second instance. Starts two built services
// (`node dist/main.js`, A and B) on one seeded database, then, N times: B has the tenant's gate
// cached; the token is regenerated through A; B is polled with the old token, one request after
// the other, until it answers 401; the time from A's response to B's 401 is recorded. Then the
// same with B's settings-change listener killed first (pg_terminate_backend by application_name,
// then waiting for B's latchkey_scim_gate_listener_up to read 0): the first poll must be a 401.
//
//   npm run build && npm run seed:bench -- --tenant bench --users 100000   (once, same DATABASE_URL)
//   DATABASE_URL=postgres://… node scripts/bench-revocation.mjs [--tenant bench] [--rounds 50] [--killed-rounds 20] [--port 3100]
//
// Uses ports --port (A), +1 (B) and +2 (B's metrics). Stops both services at the end.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    tenant: { type: 'string', default: 'bench' },
    rounds: { type: 'string', default: '50' },
    'killed-rounds': { type: 'string', default: '20' },
    port: { type: 'string', default: '3100' },
  },
});
const root = resolve(import.meta.dirname, '..');
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('set DATABASE_URL to the database seed:bench wrote to');
const slug = values.tenant;
const password = readFileSync(join(root, '.bench', `${slug}-admin-password`), 'utf8').trim();
const portA = Number(values.port);
const [portB, metricsB] = [portA + 1, portA + 2];
const LISTENER = 'latchkey-gate-listener';

function start(name, env) {
  const child = spawn(process.execPath, [join(root, 'dist', 'main.js')], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', SCIM_RATE_LIMIT_PER_SECOND: '0', SHUTDOWN_DELAY_SECONDS: '0', WEB_CONCURRENCY: '1', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (!stopping) process.stderr.write(`service ${name} exited (${code ?? signal})\n`);
  });
  return child;
}

async function until(done, what, ms = 60_000) {
  const started = performance.now();
  for (;;) {
    if (await done().catch(() => false)) return;
    if (performance.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let stopping = false;
const a = start('A', { PORT: String(portA) });
const b = start('B', { PORT: String(portB), METRICS_PORT: String(metricsB) });
const admin = new pg.Client({ connectionString: databaseUrl });
try {
  await until(async () => (await fetch(`http://127.0.0.1:${portA}/health/ready`)).ok, 'A to be ready');
  await until(async () => (await fetch(`http://127.0.0.1:${portB}/health/ready`)).ok, 'B to be ready');
  await admin.connect();

  // A System Admin session on A.
  const login = await fetch(`http://127.0.0.1:${portA}/api/t/${slug}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `admin@${slug}.test`, password }),
  });
  if (login.status !== 200) throw new Error(`sign-in on A failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { csrfToken } = await login.json();
  const regenerate = async () => {
    const res = await fetch(`http://127.0.0.1:${portA}/api/t/${slug}/settings/scim/token`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken } });
    if (res.status !== 200) throw new Error(`regenerate on A failed: ${res.status} ${await res.text()}`);
    const done = performance.now();
    return { at: done, token: (await res.json()).scim.token };
  };
  // A token of our own to start from (whatever the seed or earlier runs left).
  let { token } = await regenerate();

  const lookupB = async (t) =>
    (await fetch(`http://127.0.0.1:${portB}/scim/v2/${slug}/Users?filter=userName%20eq%20%22user1%40${slug}.test%22`, { headers: { authorization: `Bearer ${t}` } })).status;
  const listenerUp = async () => /^latchkey_scim_gate_listener_up 1$/m.test(await (await fetch(`http://127.0.0.1:${metricsB}/metrics`)).text());

  /** One revocation: B admits `token` (cached when the listener is up); A regenerates; B is polled until 401. */
  async function revoke() {
    if ((await lookupB(token)) !== 200 || (await lookupB(token)) !== 200) throw new Error('B does not admit the current token');
    return revokeNow();
  }
  async function revokeNow() {
    const old = token;
    const { at, token: next } = await regenerate();
    token = next;
    for (let polls = 1; ; polls++) {
      const status = await lookupB(old);
      if (status === 401) return { ms: performance.now() - at, polls };
      if (status !== 200) throw new Error(`B answered ${status} to the old token`);
    }
  }

  const report = (label, samples) => {
    const ms = samples.map((s) => s.ms).sort((x, y) => x - y);
    const q = (p) => ms[Math.min(ms.length - 1, Math.ceil(p * ms.length) - 1)];
    const firstPoll = samples.filter((s) => s.polls === 1).length;
    process.stdout.write(
      `${label}: n=${ms.length} p50 ${q(0.5).toFixed(1)} ms, p99 ${q(0.99).toFixed(1)} ms, max ${ms.at(-1).toFixed(1)} ms; refused on the first poll ${firstPoll}/${ms.length}, most polls ${Math.max(...samples.map((s) => s.polls))}\n`,
    );
  };

  // Listener up: B serves the gate from its cache until the notice arrives.
  await lookupB(token);
  await until(listenerUp, "B's listener to be up");
  const up = [];
  for (let i = 0; i < Number(values.rounds); i++) up.push(await revoke());
  report('listener up (cache on)    ', up);

  // Listener killed: B must read the database at once.
  const killed = [];
  for (let i = 0; i < Number(values['killed-rounds']); i++) {
    await until(listenerUp, "B's listener to reconnect");
    if ((await lookupB(token)) !== 200 || (await lookupB(token)) !== 200) throw new Error('B does not admit the current token');
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()', [LISTENER]);
    await until(async () => !(await listenerUp()), "B's listener to be seen down", 5_000);
    killed.push(await revokeNow());
  }
  report('listener killed (cache off)', killed);
} finally {
  stopping = true;
  await admin.end().catch(() => undefined);
  for (const child of [a, b]) child.kill('SIGTERM');
  await Promise.all([a, b].map((child) => new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)))));
}
