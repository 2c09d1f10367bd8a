// The seeded fuzzer as a module: `runFuzz` sends `cases` mutated requests to a running service
// (set up by setUpTarget/presignSaml in service.mjs) and returns every 5xx, every request slower
// than `slowMs` and every request the service did not answer, each with its reproducer.
// Used by scripts/fuzz.mjs (the CLI) and test/e2e/fuzz.e2e-spec.ts.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { caseSeed, Rng } from './prng.mjs';
import { adminApi, login } from './families/api.mjs';
import { contentTypes, headers, paths, queries } from './families/http.mjs';
import { certificateUpload, samlAcs } from './families/saml.mjs';
import { scimEtags, scimFilters, scimPatch, scimResources } from './families/scim.mjs';

/** Family name → [weight, generator]. Weights favour the deep handlers (SCIM, SAML, login). */
export const FAMILIES = {
  'scim-resources': [12, scimResources],
  'scim-filters': [12, scimFilters],
  'scim-patch': [12, scimPatch],
  'scim-etags': [4, scimEtags],
  'saml-acs': [14, samlAcs],
  certificate: [7, certificateUpload],
  login: [12, login],
  admin: [10, adminApi],
  'content-types': [5, contentTypes],
  paths: [7, paths],
  queries: [3, queries],
  headers: [4, headers],
};

/** Case `index` of run `seed`: the same request every time for the same target. */
export function generateCase(seed, index, ctx, families = FAMILIES) {
  const rng = new Rng(caseSeed(seed, index));
  const entries = Object.entries(families).map(([name, [weight, gen]]) => [weight, [name, gen]]);
  const [family, gen] = rng.weighted(entries);
  const req = gen(rng, ctx);
  const headers = Object.fromEntries(Object.entries(req.headers ?? {}).filter(([, v]) => v !== undefined));
  return { index, family, method: req.method, path: req.path, headers, body: req.body };
}

/** node:http refuses characters above U+00FF in a path: send them as their raw UTF-8 bytes. */
function wirePath(path) {
  return [...path].some((ch) => ch.codePointAt(0) > 0xff) ? Buffer.from(path, 'utf8').toString('latin1') : path;
}

/** Sends one request; resolves with status and timing, or the client-side error. */
export async function send(base, c, options = {}) {
  const r = await sendOnce(base, c, options);
  // A kept-alive socket the server had closed (after a 4xx it answers with Connection: close, or
  // idle): the request never reached it. Send it again on a new connection.
  if (r.reusedSocket && (r.error === 'ECONNRESET' || r.error === 'EPIPE')) return sendOnce(base, c, { ...options, agent: false });
  return r;
}

function sendOnce(base, c, { agent, timeoutMs = 15_000 } = {}) {
  const url = new URL(base);
  const body = c.body === undefined ? undefined : Buffer.isBuffer(c.body) ? c.body : Buffer.from(c.body, 'utf8');
  return new Promise((resolve) => {
    const start = performance.now();
    const done = (result) => resolve({ ...result, ms: performance.now() - start, reusedSocket: req?.reusedSocket });
    let req;
    try {
      const headers = { ...c.headers };
      if (body !== undefined) headers['content-length'] = String(body.length);
      req = http.request({ host: url.hostname, port: url.port, method: c.method, path: wirePath(c.path), headers, agent });
    } catch (err) {
      // The client itself refuses (an invalid header character): not sent, not the server's fault.
      resolve({ status: 0, ms: 0, skipped: err.code ?? err.message });
      return;
    }
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer in ${timeoutMs} ms`), { code: 'TIMEOUT' })));
    req.on('response', (res) => {
      const chunks = [];
      let size = 0;
      res.on('data', (d) => {
        size += d.length;
        if (size <= 2048) chunks.push(d);
      });
      res.on('end', () => done({ status: res.statusCode, answer: Buffer.concat(chunks).toString('utf8').slice(0, 300) }));
      res.on('error', (err) => done({ status: 0, error: err.code ?? err.message }));
    });
    req.on('error', (err) => done({ status: 0, error: err.code ?? err.message }));
    req.end(body);
  });
}

/**
 * Runs cases [first, first + cases) of `seed` with `concurrency` requests in flight.
 * A slow request is sent again alone after the run: only one that is slow by itself (over slowMs
 * and over three times an honest scrypt-costing request timed beside it) is a finding (the others were waiting
 * behind it, or the machine was busy), reported apart as `slowUnderLoad`.
 */
export async function runFuzz({ base, ctx, seed, cases, first = 0, concurrency = 4, slowMs = 1000, timeoutMs = 15_000, maxDurationMs = Infinity, onProgress, families = FAMILIES }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses = {};
  const byFamily = {};
  const findings = [];
  const slow = [];
  let skipped = 0;
  let sent = 0;
  let next = first;
  const end = first + cases;
  const started = performance.now();
  const slowest = [];
  const worker = async () => {
    while (next < end && performance.now() - started < maxDurationMs) {
      const c = generateCase(seed, next++, ctx, families);
      const r = await send(base, c, { agent, timeoutMs });
      if (r.skipped) {
        skipped++;
        continue;
      }
      sent++;
      const key = r.status ? String(r.status) : `error:${r.error}`;
      statuses[key] = (statuses[key] ?? 0) + 1;
      (byFamily[c.family] ??= {})[key] = (byFamily[c.family][key] ?? 0) + 1;
      slowest.push({ index: c.index, family: c.family, ms: r.ms, status: r.status });
      if (slowest.length > 40) slowest.sort((a, b) => b.ms - a.ms).splice(10);
      // 501 is the contract's answer for SCIM endpoints not implemented (Bulk, Me).
      if (r.status >= 500 && r.status !== 501) findings.push({ kind: '5xx', ...c, status: r.status, ms: r.ms, answer: r.answer });
      else if (r.ms > slowMs || r.status === 0) slow.push({ c, r });
      if (onProgress && sent % 500 === 0) onProgress({ sent, elapsedMs: performance.now() - started });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - started;
  const slowUnderLoad = [];
  // Slow or unanswered under load: sent again alone. Still slow (or unanswered) alone: a finding.
  // "Slow" is relative to the machine's speed at that moment: over slowMs and over three times an
  // honest request costing one scrypt (the costliest honest work: the admin creates a user with a
  // password) timed right beside it, so a machine busy with other work slows both alike and only a
  // request slow by itself is reported. Not a sign-in: by then the fuzzer's failed sign-ins have
  // the address throttled, and a 429 costs nothing.
  const reference = () => ({
    method: 'POST',
    path: `/api/t/${ctx.slug}/users`,
    headers: { 'content-type': 'application/json', cookie: ctx.cookie, 'x-csrf-token': ctx.csrfToken },
    body: JSON.stringify({ email: `reference-${Math.random().toString(36).slice(2, 10)}@${ctx.slug}.test`, givenName: 'Reference', familyName: 'Timing', password: 'reference password 1' }),
  });
  const referenceTime = async () => {
    const r = await send(base, reference(), { agent, timeoutMs });
    return r.status === 201 ? r.ms : 0;
  };
  // Up to three tries, each beside its own reference: a load burst from elsewhere can slow one
  // request three-fold, not every try of it.
  for (const { c, r } of slow.slice(0, 30)) {
    let again;
    let referenceMs = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      again = await send(base, c, { agent, timeoutMs });
      referenceMs = again.status !== 0 && again.ms > slowMs ? await referenceTime() : 0;
      if (again.status === 0 || (again.status >= 500 && again.status !== 501) || again.ms <= Math.max(slowMs, 3 * referenceMs)) break;
    }
    if (again.status === 0) findings.push({ kind: 'no-answer', ...c, status: 0, ms: r.ms, aloneMs: again.ms, answer: again.error });
    else if (again.status >= 500 && again.status !== 501) findings.push({ kind: '5xx', ...c, status: again.status, ms: r.ms, aloneMs: again.ms, answer: again.answer });
    else if (again.ms > Math.max(slowMs, 3 * referenceMs)) findings.push({ kind: 'slow', ...c, status: again.status, ms: r.ms, aloneMs: again.ms, referenceMs, answer: again.answer });
    else slowUnderLoad.push({ index: c.index, family: c.family, status: r.status || r.error, ms: Math.round(r.ms), aloneMs: Math.round(again.ms) });
  }
  agent.destroy();
  findings.sort((a, b) => a.index - b.index);
  return {
    seed,
    first,
    cases: sent,
    skipped,
    requested: cases,
    complete: next >= end,
    elapsedMs,
    statuses,
    byFamily,
    slowest: slowest.sort((a, b) => b.ms - a.ms).slice(0, 10).map((s) => ({ ...s, ms: Math.round(s.ms) })),
    slowUnderLoad,
    unconfirmedSlow: slow.slice(30).map(({ c, r }) => ({ index: c.index, family: c.family, status: r.status || r.error, ms: Math.round(r.ms) })),
    findings,
  };
}
