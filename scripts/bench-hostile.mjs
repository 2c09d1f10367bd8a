#!/usr/bin/env node
// Hostile-input benchmark (issue 9, findings 1 and 2): the server's CPU per request for each
// hostile body shape at the largest size the service accepts, and the latency of normal requests
// alone and while one client sends the worst shape back to back. A benchmark, not a test.
//
//   npm run bench:hostile                       # builds, spawns dist/main.js in production mode
//   node scripts/bench-hostile.mjs --only acs-nested-ns,login-deep --seconds 4
//
// Size: for each shape a cheap filler body of the same route and content type is bisected to
// the largest byte count not refused by size (413, or an "over the … limit" answer); the hostile
// body is then built as large as fits. CPU: /proc/<pid>/stat utime+stime of the service around
// N requests (N until --seconds have passed, 2..20), divided by N. Exit code 1 when any shape
// costs 50 ms of CPU or more per request. Uses a fresh database on 127.0.0.1:5432 (or
// DATABASE_URL). Options: --port 3919, --seconds 4, --normal 200, --only <shape,…>.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadTestHelpers } from './lib/test-helpers.mjs';
import { send } from './fuzz/index.mjs';
import { nestedJson, wideJson } from './fuzz/prng.mjs';
import { nestedNamespaces } from './fuzz/families/saml.mjs';
import { processStats, setUpTarget, spawnService } from './fuzz/service.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3919' },
    seconds: { type: 'string', default: '4' },
    normal: { type: 'string', default: '200' },
    only: { type: 'string' },
  },
});
const CPU_BUDGET_MS = 50;
const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';

const response = (inner, attrs = '') => `<samlp:Response xmlns:samlp="${SAMLP}" ID="_h" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"${attrs}>${inner}</samlp:Response>`;
const metadataXml = (n) => `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://idp.test/">${nestedNamespaces(n)}</md:EntityDescriptor>`;
const acsForm = (xml) => `SAMLResponse=${encodeURIComponent(Buffer.from(xml).toString('base64'))}`;
const multipart = (file) => `--bnd\r\nContent-Disposition: form-data; name="file"; filename="metadata.xml"\r\nContent-Type: application/xml\r\n\r\n${file}\r\n--bnd--\r\n`;
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** Each shape: its route, headers, a cheap filler of `bytes` for the size probe, the hostile body of size parameter n. */
function shapes(t) {
  const acs = { method: 'POST', path: `/saml/${t.slug}/acs`, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'null' }, filler: (b) => `SAMLResponse=${'A'.repeat(b)}` };
  const admin = { cookie: t.cookie, 'x-csrf-token': t.csrfToken };
  const cert = { method: 'POST', path: `/api/t/${t.slug}/settings/saml/certificate` };
  const login = { method: 'POST', path: `/api/t/${t.slug}/auth/login`, headers: { 'content-type': 'application/json' }, filler: (b) => `{"email":"${'a'.repeat(b)}","password":"x"}` };
  const scim = { method: 'POST', path: `/scim/v2/${t.slug}/Users`, headers: { authorization: `Bearer ${t.scimToken}`, 'content-type': 'application/scim+json' }, filler: (b) => `{"x":"${'a'.repeat(b)}"}` };
  return [
    { name: 'acs-nested-ns', ...acs, build: (n) => acsForm(response(nestedNamespaces(n))) },
    { name: 'acs-flat', ...acs, build: (n) => acsForm(response('<x/>'.repeat(n))) },
    { name: 'acs-attrs', ...acs, build: (n) => acsForm(response('', Array.from({ length: n }, (_, i) => ` a${i}="v"`).join(''))) },
    { name: 'metadata-json-nested-ns', ...cert, headers: { ...admin, 'content-type': 'application/json' }, filler: (b) => `{"metadata":"${'a'.repeat(b)}"}`, build: (n) => JSON.stringify({ metadata: metadataXml(n) }) },
    { name: 'metadata-multipart-nested-ns', ...cert, headers: { ...admin, 'content-type': 'multipart/form-data; boundary=bnd' }, filler: (b) => multipart('a'.repeat(b)), build: (n) => multipart(metadataXml(n)) },
    { name: 'login-deep', ...login, build: (n) => `{"email":${nestedJson(n, 'array', '"x"')},"password":"x"}` },
    { name: 'login-wide', ...login, build: (n) => `{"email":${wideJson(n, '[1]')},"password":"x"}` },
    { name: 'scim-post-deep', ...scim, build: (n) => `{"schemas":["${CORE}"],"userName":"deep@${t.slug}.test","name":${nestedJson(n)}}` },
    { name: 'scim-post-wide', ...scim, build: (n) => `{"schemas":["${CORE}"],"userName":"wide@${t.slug}.test","emails":${wideJson(n, '{"value":"a@b.test"}')}}` },
    { name: 'admin-users-deep', method: 'POST', path: `/api/t/${t.slug}/users`, headers: { ...admin, 'content-type': 'application/json' }, filler: (b) => `{"x":"${'a'.repeat(b)}"}`, build: (n) => `{"email":"deep@${t.slug}.test","givenName":${nestedJson(n)},"familyName":"x"}` },
  ];
}

const sizeRefused = (r) => r.status === 413 || /too large|over the [\w -]*limit|exceeds/i.test(r.answer ?? '');
const refusedBySize = (r) => r.status === 0 || sizeRefused(r);

/** Largest filler byte count the route accepts: bisection between 1 KiB and 16 MiB (cheap bodies). */
async function acceptedBytes(base, shape) {
  let lo = 1024;
  let hi = 16 * 1048576;
  // A connection cut before any answer (the server stops reading an over-limit body) is a refusal too.
  const accepted = async (b) => {
    const r = await send(base, { method: shape.method, path: shape.path, headers: shape.headers, body: shape.filler(b) }, { agent: false });
    return r.status !== 0 && !sizeRefused(r);
  };
  if (await accepted(hi)) return hi;
  while (hi - lo > 256) {
    const mid = Math.floor((lo + hi) / 2);
    if (await accepted(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Largest n whose body fits in `bytes` (bodies grow with n; bisection on the local build). */
function largestN(shape, bytes) {
  let lo = 1;
  let hi = 2;
  while (Buffer.byteLength(shape.build(hi)) <= bytes && hi < 1e8) hi *= 2;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (Buffer.byteLength(shape.build(mid)) <= bytes) lo = mid;
    else hi = mid;
  }
  return lo;
}

async function measureCpu(base, pid, shape, body) {
  const req = { method: shape.method, path: shape.path, headers: shape.headers, body };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const before = processStats(pid).cpuMs;
  const start = performance.now();
  let n = 0;
  let last;
  while (n < 20 && (n < 2 || performance.now() - start < Number(values.seconds) * 1000)) {
    last = await send(base, req, { agent, timeoutMs: 60_000 });
    n++;
  }
  const cpu = (processStats(pid).cpuMs - before) / n;
  agent.destroy();
  return { status: last.status || last.error, cpuMs: cpu, wallMs: (performance.now() - start) / n, requests: n, answer: last.answer };
}

const quantile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

/** p50/p99 of `count` sequential normal requests (at most 30 s). */
async function normalLatency(base, t, count) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const lookup = { method: 'GET', path: `/scim/v2/${t.slug}/Users?filter=${encodeURIComponent(`userName eq "${t.scimUsers[0].userName}"`)}`, headers: { authorization: `Bearer ${t.scimToken}` } };
  const options = { method: 'GET', path: `/api/t/${t.slug}/auth/options`, headers: {} };
  const out = { lookup: [], options: [] };
  const start = performance.now();
  for (let i = 0; i < count && performance.now() - start < 30_000; i++) {
    out.lookup.push((await send(base, lookup, { agent, timeoutMs: 30_000 })).ms);
    out.options.push((await send(base, options, { agent, timeoutMs: 30_000 })).ms);
  }
  agent.destroy();
  const fmt = (xs) => `${quantile(xs, 0.5).toFixed(1)} / ${quantile(xs, 0.99).toFixed(1)} ms`;
  return { lookup: fmt(out.lookup), options: fmt(out.options), n: out.lookup.length };
}

/** Normal-request latency while one client sends `body` to the shape's route back to back. */
async function latencyUnderAttack(base, t, shape, body) {
  let stop = false;
  let attacks = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const attacker = (async () => {
    while (!stop) {
      await send(base, { method: shape.method, path: shape.path, headers: shape.headers, body }, { agent, timeoutMs: 30_000 });
      attacks++;
    }
  })();
  await new Promise((r) => setTimeout(r, 200));
  const result = await normalLatency(base, t, Math.min(100, Number(values.normal)));
  stop = true;
  await attacker;
  agent.destroy();
  return { ...result, attacks };
}

async function main() {
  const service = await spawnService({ port: Number(values.port) });
  try {
    const helpers = await loadTestHelpers();
    const t = await setUpTarget({ base: service.base, operatorToken: service.operatorToken, helpers });
    const only = values.only?.split(',');
    const rows = [];
    const worst = {};
    for (const shape of shapes(t).filter((s) => !only || only.includes(s.name))) {
      const bytes = await acceptedBytes(service.base, shape);
      let n = largestN(shape, bytes);
      let body = shape.build(n);
      // The filler's limit can differ a little from the shape's (a rule on the decoded size): step
      // down until the hostile body itself is accepted. This first request is also the warm-up.
      for (let i = 0; i < 8 && refusedBySize(await send(service.base, { method: shape.method, path: shape.path, headers: shape.headers, body }, { agent: false, timeoutMs: 60_000 })); i++) {
        n = Math.floor(n * 0.9);
        body = shape.build(n);
      }
      const m = await measureCpu(service.base, service.pid, shape, body);
      rows.push({ shape: shape.name, n, bytes: Buffer.byteLength(body), ...m });
      worst[shape.name] = { shape, body };
      process.stderr.write(`  ${shape.name}: n=${n}, ${Buffer.byteLength(body)} bytes, ${m.status}, ${m.cpuMs.toFixed(1)} ms CPU/request (${m.requests} requests)\n`);
    }
    const alone = await normalLatency(service.base, t, Number(values.normal));
    const attacked = [];
    for (const name of ['acs-nested-ns', 'login-deep', 'login-wide']) {
      if (worst[name]) attacked.push({ name, ...(await latencyUnderAttack(service.base, t, worst[name].shape, worst[name].body)) });
    }

    const pad = (s, w) => String(s).padEnd(w);
    const lines = [];
    lines.push(`Hostile input, server ${service.base} (production mode, one process), CPU from /proc per request`);
    lines.push(`${pad('shape', 30)}${pad('size n', 10)}${pad('body bytes', 12)}${pad('status', 10)}${pad('CPU ms/req', 12)}${pad('wall ms/req', 12)}requests`);
    for (const r of rows) lines.push(`${pad(r.shape, 30)}${pad(r.n, 10)}${pad(r.bytes, 12)}${pad(r.status, 10)}${pad(r.cpuMs.toFixed(1), 12)}${pad(r.wallMs.toFixed(1), 12)}${r.requests}`);
    lines.push('');
    lines.push(`normal requests, p50 / p99 (sequential, one client)`);
    lines.push(`${pad('condition', 56)}${pad('SCIM userName lookup', 24)}${pad('GET /auth/options', 24)}samples`);
    lines.push(`${pad('alone', 56)}${pad(alone.lookup, 24)}${pad(alone.options, 24)}${alone.n}`);
    for (const a of attacked) lines.push(`${pad(`while one client sends ${a.name} (${a.attacks} sent)`, 56)}${pad(a.lookup, 24)}${pad(a.options, 24)}${a.n}`);
    const over = rows.filter((r) => r.cpuMs >= CPU_BUDGET_MS);
    lines.push('');
    lines.push(over.length === 0 ? `VERDICT: PASS, every hostile shape costs under ${CPU_BUDGET_MS} ms of CPU per request` : `VERDICT: FAIL, ${over.length} shape(s) cost ${CPU_BUDGET_MS} ms of CPU or more per request: ${over.map((r) => `${r.shape} ${r.cpuMs.toFixed(0)} ms`).join(', ')}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    process.exitCode = over.length === 0 ? 0 : 1;
  } finally {
    await service.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`bench-hostile: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(2);
});
