#!/usr/bin/env node
// The yardsticks of `npm run bench -- --baseline` (issue 14): bare node:http + pg servers doing only
// what a request must do, one process, a pg.Pool of the service's size (DATABASE_POOL_SIZE), and the
// service's very statements, read from dist/ so they cannot drift (lib/bare-statements.mjs; the
// bench hands them over as JSON in LATCHKEY_BARE, so this process does not load the service's
// modules: run alone, it loads them itself and its RSS grows by theirs). `bench.mjs --baseline`
// spawns one per scenario and sends it the same requests it sends the service; the ratio of the two
// is what a reader compares across machines. One mode per process:
//
//   lookup  GET …/Users?filter=userName eq "x": the SCIM list's statement for that filter
//           (userSearchSql, page 1 of SCIM_DEFAULT_COUNT), rows as ListResponse JSON.
//   get-id  GET …/Users/{id}: USERS_SQL.byId; 404 for none or a user the IdP removed.
//   post    POST …/Users: JSON body; in one transaction, like the service's SCIM create:
//           USERS_SQL.insertUnlessTaken (the row and the list-version bump; no row: 409, the name is
//           taken), the audit row (INSERT_AUDIT_EVENT_SQL); 201 with the row as JSON.
//   acs     POST …/acs: the urlencoded form, node-saml validatePostResponseAsync with the service's
//           settings (saml-response.validator.ts) and the tenant's stored certificates, the replay
//           claim (CLAIM_ASSERTION_SQL), the user by NameID (USERS_SQL.byEmailKey: sessions.user_id
//           needs it), the session row (INSERT_SESSION_SQL); 302 with the cookie. No XML pre-scan,
//           no throttle, no audit: those are the service's own costs, which the ratio shows. At
//           start-up it signs a response, tampers with it and exits unless node-saml refuses it.
//
// No token check in any mode: the gate is part of what the service must make cheap.
// Prepared where the service prepares (preparedQuery), plain where it does not (the insert).
//
//   DATABASE_URL=postgres://… node scripts/bench-bare.mjs --mode lookup [--tenant bench] [--port 0]
// Prints one JSON line {"listening": port} once it serves.
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { bareStatements, fromDist, TENANT, VALUE } from './lib/bare-statements.mjs';

const { values } = parseArgs({
  options: {
    mode: { type: 'string' },
    tenant: { type: 'string', default: 'bench' },
    seed: { type: 'string' },
    port: { type: 'string', default: '0' },
  },
});
const MODES = ['lookup', 'get-id', 'post', 'acs'];
if (!MODES.includes(values.mode)) throw new Error(`--mode must be one of ${MODES.join(', ')}`);
if (!process.env.DATABASE_URL) throw new Error('set DATABASE_URL to the database the seed wrote to');

const root = resolve(import.meta.dirname, '..');
const SQL = process.env.LATCHKEY_BARE ? JSON.parse(process.env.LATCHKEY_BARE) : await bareStatements(fromDist(root));
// The one function of the service's this process loads (it imports nothing): the email key.
const { emailKey } = await import(pathToFileURL(join(root, 'dist', 'users', 'email-key.js')).href);

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: SQL.poolSize, application_name: 'latchkey-bare' });
// An idle connection PostgreSQL ended (a restart): the pool drops it and opens another on demand.
pool.on('error', (err) => process.stderr.write(`bench-bare ${values.mode}: idle connection lost: ${err.message}\n`));
const tenantRows = (await pool.query('SELECT id FROM tenants WHERE slug = $1', [values.tenant])).rows;
if (tenantRows.length === 0) throw new Error(`no tenant "${values.tenant}" in DATABASE_URL: run npm run seed:bench first`);
const tenantId = tenantRows[0].id;
const lookupParams = (key) => SQL.lookup.params.map((p) => (p === TENANT ? tenantId : p === VALUE ? key : p));

/** A named statement per text, as the service's preparedQuery does (parsed and planned once per connection). */
const prepared = (text, params) => ({ name: `bare_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text, values: params });

function send(res, status, body, headers = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function readBody(req) {
  return new Promise((resolveBody, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const USER_EQ = /^userName eq "(.*)"$/;

async function lookup(req, res) {
  const filter = new URL(req.url, 'http://bare').searchParams.get('filter') ?? '';
  const value = USER_EQ.exec(filter)?.[1];
  if (value === undefined) return send(res, 400, { detail: 'filter must be userName eq "…"' });
  const { rows } = await pool.query(prepared(SQL.lookup.sql, lookupParams(emailKey(value))));
  send(res, 200, { totalResults: rows.length, startIndex: 1, itemsPerPage: rows.length, Resources: rows });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function getById(req, res) {
  const id = new URL(req.url, 'http://bare').pathname.split('/').pop();
  if (!UUID.test(id)) return send(res, 404, { detail: `no user ${id}` });
  const { rows } = await pool.query(prepared(SQL.byId, [tenantId, id]));
  if (!rows[0] || rows[0].scim_removed_at) return send(res, 404, { detail: `no user ${id}` });
  send(res, 200, rows[0]);
}

async function post(req, res) {
  let body;
  try {
    body = JSON.parse(await readBody(req));
  } catch {
    return send(res, 400, { detail: 'the body is not JSON' });
  }
  const userName = typeof body?.userName === 'string' ? body.userName.trim() : '';
  if (!userName) return send(res, 400, { detail: 'userName is required' });
  const client = await pool.connect();
  try {
    await client.query('START TRANSACTION');
    const params = [tenantId, userName, String(body.name?.givenName ?? '').trim(), String(body.name?.familyName ?? '').trim(), true, 'user', null, [], 'scim', body.externalId ?? null, body.displayName ?? null];
    const { rows } = await client.query(prepared(SQL.insertUser, params));
    if (rows.length === 0) {
      await client.query('ROLLBACK');
      return send(res, 409, { detail: `userName ${userName} is taken` });
    }
    await client.query(prepared(SQL.insertAudit, [tenantId, 'scim', 'user.create', 'success', 'scim', userName, null, '{}', null, SQL.auditCoalesceWindowSeconds]));
    await client.query('COMMIT');
    send(res, 201, rows[0]);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** The service's node-saml settings (src/saml/saml-response.validator.ts), built once here. */
async function samlFor() {
  const seed = JSON.parse(readFileSync(values.seed ?? join(root, '.bench', `${values.tenant}-seed.json`), 'utf8'));
  const { rows } = await pool.query('SELECT saml_certificates FROM tenant_security_settings WHERE tenant_id = $1', [tenantId]);
  const acsUrl = seed.acsUrl;
  const saml = new SAML({
    idpCert: rows[0].saml_certificates.map((c) => c.pem),
    issuer: acsUrl,
    audience: acsUrl,
    callbackUrl: acsUrl,
    wantAssertionsSigned: false,
    wantAuthnResponseSigned: false,
    validateInResponseTo: ValidateInResponseTo.never,
    acceptedClockSkewMs: SQL.clockSkewMs,
    maxAssertionAgeMs: 0,
    disableRequestedAuthnContext: true,
    identifierFormat: null,
    signatureAlgorithm: 'sha256',
  });
  // The self-check: a genuine response validates, the same one with its NameID changed does not.
  // The bench signs that response (SQL.selfCheck); alone, this process loads the test helpers.
  let signed = SQL.selfCheck;
  if (!signed) {
    const { loadTestHelpers } = await import('./lib/test-helpers.mjs');
    const { buildIdpResponse } = await loadTestHelpers();
    signed = (await buildIdpResponse({ preset: 'okta', key: readFileSync(seed.idpKeyFile, 'utf8'), cert: readFileSync(seed.idpCertFile, 'utf8'), acsUrl, nameId: 'user1@bench.test' })).base64;
  }
  await saml.validatePostResponseAsync({ SAMLResponse: signed });
  const tampered = Buffer.from(Buffer.from(signed, 'base64').toString('utf8').replaceAll('user1@bench.test', 'user2@bench.test')).toString('base64');
  const refused = await saml.validatePostResponseAsync({ SAMLResponse: tampered }).then(() => false, () => true);
  if (!refused) throw new Error('self-check failed: node-saml accepted a tampered response');
  return saml;
}

const saml = values.mode === 'acs' ? await samlFor() : null;
// The replay row is kept while the assertion could still be accepted (the validator's bound).
const maxAgeMs = SQL.maxAssertionAgeMs + SQL.clockSkewMs;

async function acs(req, res) {
  const form = new URLSearchParams(await readBody(req));
  let profile;
  try {
    ({ profile } = await saml.validatePostResponseAsync({ SAMLResponse: form.get('SAMLResponse') ?? '' }));
  } catch (err) {
    return send(res, 400, { detail: `node-saml: ${err.message}` });
  }
  const assertionId = profile?.getAssertion?.()?.Assertion?.$?.ID;
  if (!assertionId) return send(res, 400, { detail: 'the assertion has no ID' });
  const claimed = await pool.query(prepared(SQL.claimAssertion, [tenantId, assertionId, new Date(Date.now() + maxAgeMs)]));
  if (claimed.rows.length !== 1) return send(res, 400, { detail: `assertion ${assertionId} was already used` });
  const users = await pool.query(prepared(SQL.byEmailKey, [tenantId, emailKey(String(profile.nameID ?? '').trim())]));
  const user = users.rows[0];
  if (!user || !user.active) return send(res, 403, { detail: `no active user ${profile.nameID}` });
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SQL.sessionAbsoluteSeconds * 1000);
  await pool.query(prepared(SQL.insertSession, [tenantId, createHash('sha256').update(token).digest(), user.id, 'saml', expiresAt]));
  res.writeHead(302, { location: '/app', 'set-cookie': `latchkey_session=${token}; Path=/; Expires=${expiresAt.toUTCString()}; HttpOnly; SameSite=Lax`, 'content-length': 0 });
  res.end();
}

const handler = { lookup, 'get-id': getById, post, acs }[values.mode];
const server = createServer((req, res) => {
  handler(req, res).catch((err) => {
    process.stderr.write(`bench-bare ${values.mode}: ${err.stack ?? err}\n`);
    if (!res.headersSent) send(res, 500, { detail: 'internal error' });
  });
});
server.keepAliveTimeout = 72_000;
await new Promise((r) => server.listen(Number(values.port), '127.0.0.1', r));
process.stdout.write(`${JSON.stringify({ listening: server.address().port, mode: values.mode, pool: SQL.poolSize })}\n`);

function stop() {
  server.close();
  server.closeAllConnections();
  pool.end().finally(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
