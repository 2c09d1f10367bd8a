// Reproducers: one JSON line per finding, a curl command per finding, bodies over 4 KiB (or not
// printable) in files of their own, and the grouping of findings by cause.
import { mkdirSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';

const INLINE_LIMIT = 4096;
const shellQuote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

/** A short, stable description of what a finding's request is, for grouping by cause. */
export function findingShape(f) {
  const route = f.path
    .split('?')[0]
    .replace(/\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '/{id}')
    .replace(/\/(api\/t|saml|scim\/v2)\/[^/]+/, '/$1/{tenant}');
  const type = String(f.headers['content-type'] ?? '').split(';')[0];
  const answer = String(f.answer ?? '').replace(/\s+/g, ' ').replace(/"requestId":"[^"]*"/, '').replace(/[0-9a-f-]{36}/g, '…').slice(0, 120);
  return `${f.kind} ${f.status || ''} ${f.method} ${route.slice(0, 80)} [${type}] ${answer}`;
}

export function groupFindings(findings) {
  const groups = new Map();
  for (const f of findings) {
    const key = `${f.family}: ${findingShape(f)}`;
    const g = groups.get(key) ?? { key, cases: [] };
    g.cases.push(f.index);
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => b.cases.length - a.cases.length);
}

function bodyBytes(f) {
  if (f.body === undefined) return undefined;
  return Buffer.isBuffer(f.body) ? f.body : Buffer.from(f.body, 'utf8');
}

/** The curl line for a finding; bodies that cannot be inlined go to `dir` (when given). */
export function curlFor(f, base, dir) {
  const parts = ['curl', '-sS', '--path-as-is', '-o', '/dev/null', '-w', shellQuote('%{http_code} %{time_total}s\\n'), '-X', f.method];
  for (const [k, v] of Object.entries(f.headers)) parts.push('-H', shellQuote(`${k}: ${v}`));
  const bytes = bodyBytes(f);
  if (bytes !== undefined) {
    const printable = !/[^\x20-\x7e\r\n\t]/.test(bytes.toString('latin1'));
    if (bytes.length <= INLINE_LIMIT && printable) parts.push('--data-binary', shellQuote(bytes.toString('latin1')));
    else if (dir) {
      const file = join(dir, `body-${f.index}.bin`);
      writeFileSync(file, bytes);
      parts.push('--data-binary', `@${file}`);
    } else parts.push('--data-binary', `@body-${f.index}.bin`);
  }
  parts.push(shellQuote(`${base}${f.path}`));
  return parts.join(' ');
}

/** Writes findings.jsonl (and body files) into `dir`; returns the curl lines. */
export function writeFindings(findings, base, dir) {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'findings.jsonl');
  writeFileSync(file, '');
  const lines = [];
  for (const f of findings) {
    const curl = curlFor(f, base, dir);
    const bytes = bodyBytes(f);
    const record = { ...f, body: undefined, curl };
    if (bytes !== undefined) {
      if (bytes.length > INLINE_LIMIT) record.bodyFile = join(dir, `body-${f.index}.bin`);
      else record.bodyBase64 = bytes.toString('base64');
      record.bodyBytes = bytes.length;
    }
    appendFileSync(file, `${JSON.stringify(record)}\n`);
    lines.push(curl);
  }
  return { file, lines };
}

/** The service's RSS over the run (see scripts/fuzz.mjs for when each figure is taken). */
function memoryText({ setUp, start, warmupCases, peak, end, idle }) {
  const mb = (bytes) => `${(bytes / 1048576).toFixed(0)} MB`;
  const growth = (bytes) => `${bytes >= start ? '+' : ''}${(((bytes - start) / start) * 100).toFixed(0)}%`;
  const parts = [`${mb(setUp)} after setup`];
  if (warmupCases > 0) parts.push(`${mb(start)} at start (after ${warmupCases} warm-up cases)`);
  parts.push(`peak ${mb(peak)}`, `${mb(end)} at end (${growth(end)})`);
  for (const { s, rss } of idle) parts.push(`${mb(rss)} after ${s} s idle (${growth(rss)})`);
  return `server RSS: ${parts.join(', ')}`;
}

/** The run summary as text (cases, statuses, slowest, findings grouped by cause). */
export function summaryText(result, extra = {}) {
  const out = [];
  out.push(`fuzz seed ${result.seed}: ${result.cases} cases sent (cases ${result.first}..${result.first + result.requested - 1}${result.complete ? '' : ', STOPPED EARLY by the time budget'}), ${result.skipped} refused by the client, ${(result.elapsedMs / 1000).toFixed(1)} s`);
  out.push(`statuses: ${Object.entries(result.statuses).sort().map(([k, v]) => `${k}×${v}`).join('  ')}`);
  out.push(`slowest: ${result.slowest.map((s) => `#${s.index} ${s.family} ${s.status} ${s.ms} ms`).join(', ')}`);
  if (result.slowUnderLoad.length) out.push(`slow or unanswered only under load (fast alone, not findings): ${result.slowUnderLoad.length}`);
  if (result.unconfirmedSlow.length) out.push(`slow under load, not re-checked alone (over 30): ${result.unconfirmedSlow.map((s) => `#${s.index} ${s.family} ${s.status} ${s.ms} ms`).join(', ')}`);
  if (extra.memory) out.push(memoryText(extra.memory));
  const groups = groupFindings(result.findings);
  out.push(`findings: ${result.findings.length} (5xx ${result.findings.filter((f) => f.kind === '5xx').length}, slow ${result.findings.filter((f) => f.kind === 'slow').length}, no answer ${result.findings.filter((f) => f.kind === 'no-answer').length}) in ${groups.length} groups`);
  for (const g of groups) out.push(`  ${String(g.cases.length).padStart(4)}× ${g.key}  cases ${g.cases.slice(0, 8).join(',')}${g.cases.length > 8 ? ',…' : ''}`);
  return out.join('\n');
}
