#!/usr/bin/env node
// Seeded fuzzer: sends mutated requests to the service and reports every 5xx, every request
// slower than 1 s (by itself) and every request left unanswered, with a reproducer for each.
//
//   npm run fuzz -- --cases 20000 --seed 7                 # spawns dist/main.js in production mode
//   OPERATOR_TOKEN=… npm run fuzz -- --url http://127.0.0.1:3000 --cases 2000 --seed 7
//   npm run fuzz -- --seed 7 --case 1234                    # one case again (same request body)
//
// Options: --concurrency 4, --port 3918 (spawned), --slow-ms 1000, --timeout-ms 15000,
// --out .fuzz/<seed>-<time>, --warmup-cases 2000, --idle-s 10. A running server needs OPERATOR_TOKEN (its value) in this
// environment: the fuzzer sets its target up through the public API (tenant, SAML, SCIM).
// Without --url a fresh database is created on 127.0.0.1:5432 (or DATABASE_URL is used).
// Findings: <out>/findings.jsonl (one JSON line each) and body-<case>.bin for large bodies.
// Exit code 1 when there is any finding.
//
// Memory (spawned service only): RSS right after setup; the run's START figure after the first
// --warmup-cases cases (rounded up to 500), which reach every family (the rarest, 3 of 102 by
// weight, ~60 times), so lazily loaded code, first JIT tiers and first prepared statements are in
// it rather than counted as growth; the peak, sampled every second; the END figure when the last
// case and re-check are answered; and IDLE after --idle-s seconds with no request (whatever V8's
// memory reducer or the allocator gives back by itself: nothing is forced from outside).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadTestHelpers } from './lib/test-helpers.mjs';
import { generateCase, runFuzz } from './fuzz/index.mjs';
import { summaryText, writeFindings } from './fuzz/report.mjs';
import { presignSaml, processStats, setUpTarget, spawnService } from './fuzz/service.mjs';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    url: { type: 'string' },
    concurrency: { type: 'string', default: '4' },
    port: { type: 'string', default: '3918' },
    case: { type: 'string' },
    first: { type: 'string', default: '0' },
    'slow-ms': { type: 'string', default: '1000' },
    'timeout-ms': { type: 'string', default: '15000' },
    'warmup-cases': { type: 'string', default: '2000' },
    'idle-s': { type: 'string', default: '10' },
    out: { type: 'string' },
  },
});

async function main() {
  const seed = Number(values.seed) >>> 0;
  let service;
  let base = values.url?.replace(/\/+$/, '');
  let operatorToken = process.env.OPERATOR_TOKEN;
  if (!base) {
    service = await spawnService({ port: Number(values.port) });
    base = service.base;
    operatorToken = service.operatorToken;
  }
  if (!operatorToken) throw new Error('OPERATOR_TOKEN must be set to the running server\'s value (the fuzzer sets up its tenant through the operator API)');
  try {
    const helpers = await loadTestHelpers();
    const target = await setUpTarget({ base, operatorToken, helpers });
    const ctx = { ...target, saml: await presignSaml(helpers, target) };
    const single = values.case !== undefined;
    const first = single ? Number(values.case) : Number(values.first);
    const cases = single ? 1 : Number(values.cases);
    if (single) {
      const c = generateCase(seed, first, ctx);
      const size = c.body === undefined ? 0 : Buffer.byteLength(c.body);
      process.stdout.write(`case ${first} (${c.family}): ${c.method} ${c.path.slice(0, 300)} body ${size} bytes\n`);
    }
    const rss = () => (service ? processStats(service.pid).rssBytes : undefined);
    const warmupCases = single ? 0 : Number(values['warmup-cases']);
    const rssSetUp = rss();
    let rssStart = warmupCases > 0 ? undefined : rssSetUp;
    let rssPeak = rssSetUp;
    const peakSampler = service && setInterval(() => (rssPeak = Math.max(rssPeak, rss())), 1000);
    process.stdout.write(`fuzzing ${base} (tenant ${target.slug}) with seed ${seed}, ${cases} cases, concurrency ${values.concurrency}\n`);
    const result = await runFuzz({
      base,
      ctx,
      seed,
      cases,
      first,
      concurrency: Number(values.concurrency),
      slowMs: Number(values['slow-ms']),
      timeoutMs: Number(values['timeout-ms']),
      onProgress: ({ sent, elapsedMs }) => {
        if (rssStart === undefined && sent >= warmupCases) rssStart = rss();
        process.stderr.write(`  ${sent} sent, ${(elapsedMs / 1000).toFixed(0)} s\n`);
      },
    });
    if (peakSampler) clearInterval(peakSampler);
    const rssEnd = rss();
    const idleS = Number(values['idle-s']);
    if (service && idleS > 0) await new Promise((r) => setTimeout(r, idleS * 1000));
    const memory = service && { setUp: rssSetUp, start: rssStart ?? rssSetUp, warmupCases: rssStart === undefined ? 0 : warmupCases, peak: Math.max(rssPeak, rssEnd), end: rssEnd, idle: idleS > 0 ? rss() : undefined, idleS };
    const out = resolve(values.out ?? `.fuzz/${seed}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    const { file, lines } = writeFindings(result.findings, base, out);
    for (const [i, f] of result.findings.entries()) {
      if (i >= 40) {
        process.stdout.write(`… ${result.findings.length - 40} more in ${file}\n`);
        break;
      }
      process.stdout.write(`#${f.index} ${f.family} ${f.kind} ${f.status} ${Math.round(f.ms)} ms${f.aloneMs ? ` (alone ${Math.round(f.aloneMs)} ms)` : ''}\n  ${lines[i].length > 600 ? `${lines[i].slice(0, 600)}…` : lines[i]}\n`);
    }
    process.stdout.write(`\n${summaryText(result, { memory })}\nreproducers: ${file} (replay one: npm run fuzz -- --seed ${seed} --case N${values.url ? ` --url ${base}` : ''})\n`);
    process.exitCode = result.findings.length > 0 ? 1 : 0;
  } finally {
    await service?.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`fuzz: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(2);
});
