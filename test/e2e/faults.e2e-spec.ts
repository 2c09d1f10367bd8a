import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runFaults } from '../../scripts/faults/index.mjs';
import { formatReport } from '../../scripts/faults/report.mjs';
import { generateTestCertificate } from '../utils/certificates.js';
import { buildIdpResponse } from '../utils/fake-idp.js';

const root = resolve(import.meta.dirname, '..', '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The fault tests run the built service as a process. dist/ when it is newer than every source
 * file (CI builds right before the tests); otherwise the service is compiled into .faults/dist,
 * so the test never runs stale code and never rewrites dist/ under someone's feet.
 */
function builtService(): string {
  const dist = join(root, 'dist');
  if (existsSync(join(dist, 'main.js')) && statSync(join(dist, 'main.js')).mtimeMs >= newestMtime(join(root, 'src'))) return dist;
  const out = join(root, '.faults', 'dist');
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', out], { cwd: root, encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`tsc failed: ${tsc.stdout}${tsc.stderr}`);
  return out;
}

/**
 * The short version of `npm run test:faults` (scripts/faults/index.mjs): a PostgreSQL of its own,
 * the built service killed with -9 under SCIM writes, the database stopped under lookups, SIGTERM
 * under load, and one of two cluster workers killed; a few seconds of load each.
 */
describe('fault tests (short)', () => {
  it('loses no acknowledged write, answers an outage with 503 and few log lines, drains on SIGTERM, survives a dead worker', async () => {
    const result = await runFaults({ short: true, dist: builtService(), helpers: { generateTestCertificate, buildIdpResponse }, log: () => undefined });
    const report = formatReport(result);
    expect(result.ok ? 'all checks passed' : report).toBe('all checks passed');
    expect(result.checks.length).toBeGreaterThanOrEqual(15);
    expect(result.figures.kill.lost).toBe(0);
    expect(result.figures.sigterm.failed).toBe(0);
  }, 600_000);
});
