// The target the fuzzer and the hostile-input benchmark attack: a production-mode service they
// spawn themselves (fresh database, known secrets), set up through the public API only, and the
// process figures read from /proc (CPU time, RSS).
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';

const root = resolve(import.meta.dirname, '..', '..');
const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * The V8 heap flags production starts the service with (package.json "start:prod", the Dockerfile,
 * src/bootstrap/heap-settings.ts), so that a spawned target's memory behaves as deployed.
 */
export function serviceHeapFlags() {
  const script = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).scripts['start:prod'];
  return script.split(/\s+/).filter((arg) => arg.startsWith('--max-'));
}

/**
 * The environment production starts the service with: the `VAR=value` words that open
 * package.json's "start:prod" (SERVICE_ENV in src/bootstrap/heap-settings.ts, e.g. MALLOC_ARENA_MAX).
 */
export function serviceEnv() {
  const script = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).scripts['start:prod'];
  const words = script.split(/\s+/);
  return Object.fromEntries(words.slice(0, words.indexOf('node')).map((word) => [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]));
}

/** A fresh empty database on the local server (the service migrates it at start). */
export async function createDatabase(adminUrl = process.env.FUZZ_ADMIN_DATABASE_URL ?? DEFAULT_ADMIN_URL) {
  const name = `lk_fuzz_${randomBytes(4).toString('hex')}`;
  const admin = async (sql) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function waitForHealth(base, child) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${base}/health did not answer`);
}

/**
 * Starts `node <heap flags> dist/main.js` with production's environment (serviceEnv), in
 * production mode on 127.0.0.1:<port>. DATABASE_URL from the environment is used as it is;
 * otherwise a fresh database is created (and dropped at stop).
 */
export async function spawnService({ port = 3918, env = {} } = {}) {
  const database = process.env.DATABASE_URL ? { url: process.env.DATABASE_URL, drop: async () => undefined } : await createDatabase();
  const base = `http://127.0.0.1:${port}`;
  const operatorToken = `fuzz-operator-${randomBytes(12).toString('hex')}`;
  const stderr = [];
  const child = spawn(process.execPath, [...serviceHeapFlags(), 'dist/main.js'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...serviceEnv(),
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: base,
      APP_SECRET: randomBytes(32).toString('hex'),
      OPERATOR_TOKEN: operatorToken,
      DATABASE_URL: database.url,
      SCIM_RATE_LIMIT_PER_SECOND: '0',
      WEB_CONCURRENCY: '1',
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
  child.stderr.on('data', (d) => {
    stderr.push(d);
    if (stderr.length > 200) stderr.shift();
  });
  try {
    await waitForHealth(base, child);
  } catch (err) {
    child.kill('SIGTERM');
    await database.drop().catch(() => undefined);
    throw new Error(`${err.message}\n${Buffer.concat(stderr).toString('utf8').slice(-2000)}`, { cause: err });
  }
  return {
    base,
    operatorToken,
    pid: child.pid,
    child,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      await database.drop().catch(() => undefined);
    },
  };
}

let clockTicks;
/** CPU time (user + system, ms) and resident memory (bytes) of a process, from /proc. */
export function processStats(pid) {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ": state is field 3, so utime (14) and stime (15) are at 11 and 12.
  const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuMs, rssBytes: rss ? Number(rss[1]) * 1024 : 0 };
}

async function call(base, method, path, { headers = {}, body } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`setup: ${method} ${path} answered ${res.status} ${text.slice(0, 300)}`);
  return { res, json: text ? JSON.parse(text) : null };
}

/**
 * Sets up one tenant as its people would, through the public API only: the operator creates it
 * with a System Admin; the admin signs in, uploads the IdP certificate (whose key the attacker
 * tools hold), enables SAML and SCIM and reads the token; a few users exist by SCIM and by hand.
 * `helpers` are the test helpers (generateTestCertificate, buildIdpResponse): compiled from
 * TypeScript by scripts/lib/test-helpers.mjs, or imported directly under jest.
 */
export async function setUpTarget({ base, operatorToken, helpers, slug = `fuzz-${randomBytes(3).toString('hex')}` }) {
  const adminEmail = `admin@${slug}.test`;
  const adminPassword = `pw-${randomBytes(9).toString('hex')}`;
  const opHeaders = { authorization: `Bearer ${operatorToken}` };
  await call(base, 'POST', '/api/operator/tenants', {
    headers: opHeaders,
    body: { slug, name: 'Fuzz target', admin: { email: adminEmail, password: adminPassword, givenName: 'Fuzz', familyName: 'Admin' } },
  });
  const login = await call(base, 'POST', `/api/t/${slug}/auth/login`, { body: { email: adminEmail, password: adminPassword } });
  const cookie = (login.res.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
  const { csrfToken, user } = login.json;
  const admin = { cookie, 'x-csrf-token': csrfToken };
  const cert = helpers.generateTestCertificate({ type: 'rsa', cn: 'Fuzz IdP', modulusLength: 2048 });
  await call(base, 'POST', `/api/t/${slug}/settings/saml/certificate`, { headers: admin, body: { certificate: cert.certPem } });
  const saml = await call(base, 'PUT', `/api/t/${slug}/settings/saml`, { headers: admin, body: { enabled: true } });
  const scim = await call(base, 'PUT', `/api/t/${slug}/settings/scim`, { headers: admin, body: { enabled: true } });
  const scimToken = scim.json.scim.token;
  const scimHeaders = { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' };

  const scimUsers = [];
  for (let i = 0; i < 4; i++) {
    const userName = `scim${i}@${slug}.test`;
    const res = await fetch(`${base}/scim/v2/${slug}/Users`, {
      method: 'POST',
      headers: scimHeaders,
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, name: { givenName: 'Scim', familyName: `User${i}` }, emails: [{ value: userName, type: 'work', primary: true }], active: true }),
    });
    const body = await res.json();
    if (res.status !== 201) throw new Error(`setup: SCIM POST answered ${res.status} ${JSON.stringify(body)}`);
    scimUsers.push({ id: body.id, userName, etag: res.headers.get('etag') });
  }
  const users = [];
  for (let i = 0; i < 2; i++) {
    const created = await call(base, 'POST', `/api/t/${slug}/users`, { headers: admin, body: { email: `manual${i}@${slug}.test`, givenName: 'Manual', familyName: `User${i}` } });
    users.push({ id: created.json.id, email: created.json.email });
  }
  return {
    base,
    slug,
    operatorToken,
    adminEmail,
    adminPassword,
    adminId: user.id,
    cookie,
    csrfToken,
    scimToken,
    scimUsers,
    users,
    certPem: cert.certPem,
    keyPem: cert.keyPem,
    acsUrl: saml.json.saml.signOnUrl,
  };
}

/**
 * Signed SAML responses for the target, made once: signing is the fuzzer's most expensive step,
 * so each SAML case mutates a copy of one of these. Both IdP shapes and every signed part.
 */
export async function presignSaml(helpers, target) {
  const variants = [
    { preset: 'okta', sign: 'response', nameId: target.adminEmail },
    { preset: 'entra', sign: 'assertion', nameId: target.scimUsers[0].userName },
    { preset: 'okta', sign: 'both', nameId: target.scimUsers[1].userName },
    { preset: 'entra', sign: 'both', nameId: target.users[0].email },
    { preset: 'okta', sign: 'assertion', nameId: `nobody@${target.slug}.test` },
    { preset: 'entra', sign: 'response', nameId: target.adminEmail, attributes: Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`http://schemas.microsoft.com/ws/2008/06/identity/claims/groups${i % 2 ? '' : i}`, `group-${i}`])) },
  ];
  const out = [];
  for (const v of variants) {
    const r = await helpers.buildIdpResponse({ ...v, key: target.keyPem, cert: target.certPem, acsUrl: target.acsUrl });
    out.push(r.xml);
  }
  return out;
}
