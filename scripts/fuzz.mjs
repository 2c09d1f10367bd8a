#!/usr/bin/env node
// Seeded fuzzer: sends mutated requests to the service and reports every 5xx, every request
// slower than 1 s (by itself) and every request left unanswered, with a reproducer for each.
//
//   npm run fuzz -- --cases 20000 --seed 7                 # spawns dist/main.js in production mode
//   OPERATOR_TOKEN=… npm run fuzz -- --url http://127.0.0.1:3000 --cases 2000 --seed 7
//   npm run fuzz -- --seed 7 --case 1234                    # one case again (same request body)
//
// Options: --concurrency 4, --port 3918 (spawned), --slow-ms 1000, --timeout-ms 15000,
// --out .fuzz/<seed>-<time>, --warmup-cases 2000, --idle-s 10,120. A running server needs
// OPERATOR_TOKEN (its value) in this environment: the fuzzer sets its target up through the
// public API (tenant, SAML, SCIM).
// Without --url a fresh database is created on 127.0.0.1:5432 (or DATABASE_URL is used).
// Findings: <out>/findings.jsonl (one JSON line each) and body-<case>.bin for large bodies.
// Exit code 1 when there is any finding.
//
// Memory (spawned service only): RSS right after setup; the run's START figure once the first
// --warmup-cases cases are answered (they reach every family, the rarest, 3 of 102 by weight,
// ~60 times), so lazily loaded code, first JIT tiers and first prepared statements are in it
// rather than counted as growth; the peak, sampled every second; the END figure when the last
// case and re-check are answered; and IDLE at each of --idle-s seconds with no request (whatever
// V8's memory reducer or the allocator gives back by itself: nothing is forced from outside; the
// reducer's GC came between 60 and 120 s of idleness in the runs of 30 November 2026).
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
    'idle-s': { type: 'string', default: '10,120' },
    out: { type: 'string' },
  },
});

/** One result for two consecutive parts of a run (see runFuzz for the fields). */
function mergeResults(a, b) {
  const sum = (x, y) => {
    const out = { ...x };
    for (const [k, v] of Object.entries(y)) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const byFamily = { ...a.byFamily };
  for (const [family, statuses] of Object.entries(b.byFamily)) byFamily[family] = sum(byFamily[family] ?? {}, statuses);
  return {
    seed: a.seed,
    first: a.first,
    cases: a.cases + b.cases,
    skipped: a.skipped + b.skipped,
    requested: a.requested + b.requested,
    complete: a.complete && b.complete,
    elapsedMs: a.elapsedMs + b.elapsedMs,
    statuses: sum(a.statuses, b.statuses),
    byFamily,
    slowest: [...a.slowest, ...b.slowest].sort((x, y) => y.ms - x.ms).slice(0, 10),
    slowUnderLoad: [...a.slowUnderLoad, ...b.slowUnderLoad],
    unconfirmedSlow: [...a.unconfirmedSlow, ...b.unconfirmedSlow],
    findings: [...a.findings, ...b.findings],
  };
}

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
    // The warm-up is the run's own first cases, sent as a run of their own so that the start figure,
    // like the end one, is read with no request in flight.
    const warmupCases = single || !service ? 0 : Math.min(Number(values['warmup-cases']), cases);
    const rssSetUp = rss();
    let rssPeak = rssSetUp;
    const peakSampler = service && setInterval(() => (rssPeak = Math.max(rssPeak, rss())), 1000);
    process.stdout.write(`fuzzing ${base} (tenant ${target.slug}) with seed ${seed}, ${cases} cases, concurrency ${values.concurrency}\n`);
    const part = (partFirst, partCases, sentBefore) =>
      runFuzz({
        base,
        ctx,
        seed,
        cases: partCases,
        first: partFirst,
        concurrency: Number(values.concurrency),
        slowMs: Number(values['slow-ms']),
        timeoutMs: Number(values['timeout-ms']),
        onProgress: ({ sent, elapsedMs }) => process.stderr.write(`  ${sentBefore + sent} sent, ${(elapsedMs / 1000).toFixed(0)} s\n`),
      });
    const warm = warmupCases > 0 ? await part(first, warmupCases, 0) : undefined;
    const rssStart = rss();
    const rest = await part(first + warmupCases, cases - warmupCases, warm?.cases ?? 0);
    const result = warm ? mergeResults(warm, rest) : rest;
    if (peakSampler) clearInterval(peakSampler);
    const rssEnd = rss();
    const idle = [];
    for (const s of service ? values['idle-s'].split(',').map(Number).filter((n) => n > 0).sort((a, b) => a - b) : []) {
      await new Promise((r) => setTimeout(r, (s - (idle.at(-1)?.s ?? 0)) * 1000));
      idle.push({ s, rss: rss() });
    }
    const memory = service && { setUp: rssSetUp, start: rssStart, warmupCases, peak: Math.max(rssPeak, rssStart, rssEnd), end: rssEnd, idle };
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
