#!/usr/bin/env node
// ACS latency: the median of N sequential valid SAML sign-ins (RSA-2048, RSA-SHA256, Okta shape,
// each with a fresh assertion ID), measured from the client as the full HTTP round trip.
//
//   npm run build && node scripts/bench-acs.mjs --spawn          # starts node dist/main.js itself
//   node scripts/bench-acs.mjs --url http://localhost:3000       # against a running server
//
// A running server needs OPERATOR_TOKEN (same value in this script's environment) and a
// PUBLIC_URL equal to --url. --spawn uses DATABASE_URL when set, else the embedded PostgreSQL
// under ./data. Options: --requests 200, --port 3917.
// --encrypted: each plain sign-in is followed by one whose assertion is encrypted to the tenant's
// SP certificate (--cipher aes256-gcm, or aes128-gcm, aes128-cbc, aes256-cbc; RSA-OAEP), so both
// medians come from the same server, tenant and moment; the responses are built before timing.
// The test helpers (certificate generator, fake IdP) are TypeScript; they are compiled with swc
// into .bench/ so the responses are exactly the ones the tests use.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadTestHelpers } from './lib/test-helpers.mjs';
import { serviceEnv, serviceHeapFlags } from './fuzz/service.mjs';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    spawn: { type: 'boolean', default: false },
    requests: { type: 'string', default: '200' },
    port: { type: 'string', default: '3917' },
    encrypted: { type: 'boolean', default: false },
    cipher: { type: 'string', default: 'aes256-gcm' },
  },
});
const N = Number(values.requests);
const root = resolve(import.meta.dirname, '..');

async function waitForHealth(base, child) {
  for (let i = 0; i < 300; i++) {
    if (child && child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${base}/health did not answer`);
}

/** CPU time (user + system, ms) the spawned server has used: robust where wall time is not (shared cores). */
function cpuMs(pid) {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return 0;
  }
}

async function json(res) {
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function main() {
  let base = values.url?.replace(/\/+$/, '');
  let operatorToken = process.env.OPERATOR_TOKEN;
  let child;
  if (values.spawn) {
    operatorToken = operatorToken ?? `bench-${randomBytes(12).toString('hex')}`;
    base = `http://127.0.0.1:${values.port}`;
    child = spawn(process.execPath, [...serviceHeapFlags(), 'dist/main.js'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...serviceEnv(), ...process.env, PORT: values.port, HOST: '127.0.0.1', PUBLIC_URL: base, OPERATOR_TOKEN: operatorToken, LOG_LEVEL: 'warn', NODE_ENV: 'production', APP_SECRET: process.env.APP_SECRET ?? randomBytes(32).toString('hex') },
    });
  }
  if (!base) throw new Error('give --url <running server> or --spawn');
  if (!operatorToken) throw new Error('OPERATOR_TOKEN must be set (the running server\'s value)');
  try {
    await waitForHealth(base, child);
    const { generateTestCertificate, buildIdpResponse } = await loadTestHelpers();

    const slug = `bench-${randomBytes(4).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    const email = `admin@${slug}.test`;
    await json(await fetch(`${base}/api/operator/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operatorToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ slug, name: 'ACS bench', admin: { email, password, givenName: 'Bench', familyName: 'Admin' } }),
    }));
    const loginRes = await fetch(`${base}/api/t/${slug}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    const cookie = (loginRes.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
    const { csrfToken } = await json(loginRes);
    const admin = { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' };
    const cert = generateTestCertificate({ type: 'rsa', cn: 'Bench IdP' });
    await json(await fetch(`${base}/api/t/${slug}/settings/saml/certificate`, { method: 'POST', headers: admin, body: JSON.stringify({ certificate: cert.certPem }) }));
    await json(await fetch(`${base}/api/t/${slug}/settings/saml`, { method: 'PUT', headers: admin, body: JSON.stringify({ enabled: true }) }));

    const acsUrl = `${base}/saml/${slug}/acs`;
    // The tenant's SP certificate (made when SAML was enabled), as an IdP reads it from the metadata.
    const metadata = await (await fetch(`${base}/saml/${slug}/metadata`)).text();
    const spCertBody = /use="encryption">[\s\S]*?<ds:X509Certificate>([^<]+)</.exec(metadata)?.[1];
    if (values.encrypted && !spCertBody) throw new Error('the SP metadata publishes no encryption certificate');
    const spCert = spCertBody ? `-----BEGIN CERTIFICATE-----\n${spCertBody.match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE-----\n` : null;
    const cpu = { plain: 0, encrypted: 0 };
    const post = async (encrypted = false) => {
      const r = await buildIdpResponse({
        preset: 'okta',
        key: cert.keyPem,
        cert: cert.certPem,
        acsUrl,
        nameId: email,
        ...(encrypted ? { encryptTo: spCert, dataEncryption: values.cipher } : {}),
      });
      const body = new URLSearchParams({ SAMLResponse: r.base64, RelayState: `/t/${slug}/app` }).toString();
      const cpuBefore = cpuMs(child?.pid);
      const start = process.hrtime.bigint();
      const res = await fetch(acsUrl, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'null' }, body });
      await res.arrayBuffer();
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      cpu[encrypted ? 'encrypted' : 'plain'] += cpuMs(child?.pid) - cpuBefore;
      if (res.status !== 302) throw new Error(`ACS answered ${res.status}${encrypted ? ' (encrypted)' : ''}`);
      return ms;
    };
    for (let i = 0; i < 10; i++) {
      await post(); // warm-up (JIT, connection pool)
      if (values.encrypted) await post(true);
    }
    cpu.plain = 0;
    cpu.encrypted = 0;
    const plain = [];
    const encrypted = [];
    for (let i = 0; i < N; i++) {
      plain.push(await post());
      if (values.encrypted) encrypted.push(await post(true));
    }
    const cpuNote = (kind) => (child ? `  server CPU ${(cpu[kind] / N).toFixed(1)} ms/request` : '');
    const line = (samples, kind) => {
      samples.sort((a, b) => a - b);
      const q = (p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
      const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
      return `median ${q(0.5).toFixed(2)} ms  p90 ${q(0.9).toFixed(2)} ms  p99 ${q(0.99).toFixed(2)} ms  mean ${mean.toFixed(2)} ms  min ${samples[0].toFixed(2)} ms  max ${samples.at(-1).toFixed(2)} ms${cpuNote(kind)}`;
    };
    process.stdout.write(
      `ACS valid sign-in, ${N} sequential requests (RSA-2048, RSA-SHA256, Okta shape, fresh assertion IDs), server ${base}\n` +
        `${values.encrypted ? 'plain:     ' : ''}${line(plain, 'plain')}\n` +
        (values.encrypted ? `encrypted: ${line(encrypted, 'encrypted')}   (${values.cipher}, RSA-OAEP to the tenant's SP key; interleaved with the plain ones)\n` : ''),
    );
  } finally {
    if (child) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }
}

main().catch((err) => {
  process.stderr.write(`bench-acs: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
