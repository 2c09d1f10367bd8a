import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { heapSettingsWarning, SERVICE_ENV, SERVICE_NODE_FLAGS, SERVICE_OLD_SPACE_MB, serviceEnvDefaults, withServiceHeapFlags } from './heap-settings.js';

const root = resolve(import.meta.dirname, '..', '..');
const MIB = 1_048_576;
const envAssignments = Object.entries(SERVICE_ENV)
  .map(([name, value]) => `${name}=${value}`)
  .join(' ');

/**
 * The largest heap growing factor V8 uses in a node process started with `flags`, read from
 * --trace-gc-verbose while a ~40 MB live set is churned fast enough for V8 to pick its maximum.
 */
function maxGrowingFactor(flags: string[]): number {
  const churn = `
    const live = []; for (let i = 0; i < 200000; i++) live.push({ i, s: 'n' + i });
    const ring = new Array(64);
    for (let k = 0; k < 50000; k++) ring[k % 64] = { k, a: new Array(100).fill(k), s: 'x'.repeat(200) + k };
    if (live.length === 0) console.log(ring.length);`;
  const out = execFileSync(process.execPath, [...flags, '--trace-gc-verbose', '-e', churn], { encoding: 'utf8', maxBuffer: 64 * MIB });
  const factors = [...out.matchAll(/\[HeapController\] factor ([\d.]+)/g)].map((m) => Number(m[1]));
  expect(factors.length).toBeGreaterThan(0);
  return Math.max(...factors);
}

describe('service heap settings', () => {
  it('bound V8 growing factor to 1.4 where the default lets the heap grow to 4x its live size', () => {
    expect(maxGrowingFactor(SERVICE_NODE_FLAGS as string[])).toBeLessThanOrEqual(1.4);
    // The same churn with V8's default heap limit on a machine of a few GB (the cause of the RSS growth).
    expect(maxGrowingFactor(['--max-old-space-size=4096'])).toBe(4);
  }, 60_000);

  it('are what every production start passes to node', () => {
    const scripts = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).scripts as Record<string, string>;
    for (const name of ['start', 'start:prod']) {
      expect(scripts[name]).toBe(`${envAssignments} node --enable-source-maps ${SERVICE_NODE_FLAGS.join(' ')} dist/main.js`);
    }
    const dockerfile = readFileSync(resolve(root, 'Dockerfile'), 'utf8');
    const cmd = /^CMD (.*)$/m.exec(dockerfile)?.[1];
    expect(JSON.parse(cmd ?? 'null')).toEqual(['node', '--enable-source-maps', ...SERVICE_NODE_FLAGS, 'dist/main.js']);
    const dockerEnv = [...dockerfile.matchAll(/^ENV (.*)$/gm)].flatMap((m) => m[1].split(/\s+/));
    for (const [name, value] of Object.entries(SERVICE_ENV)) expect(dockerEnv).toContain(`${name}=${value}`);
  });

  it('malloc settings are added to cluster workers unless the operator set them', () => {
    expect(serviceEnvDefaults({})).toEqual({ MALLOC_ARENA_MAX: '2' });
    expect(serviceEnvDefaults({ MALLOC_ARENA_MAX: '8' })).toEqual({});
  });

  it('are added to cluster workers unless the operator chose an old-space size', () => {
    expect(withServiceHeapFlags(['--enable-source-maps'])).toEqual(['--enable-source-maps', `--max-old-space-size=${SERVICE_OLD_SPACE_MB}`]);
    expect(withServiceHeapFlags(['--max-old-space-size=1024'])).toEqual(['--max-old-space-size=1024']);
    expect(withServiceHeapFlags([], '--enable-source-maps --max_old_space_size=300')).toEqual([]);
  });

  it('warn only when the heap limit lets V8 use its highest growing factor', () => {
    expect(heapSettingsWarning(4144 * MIB)).toContain('--max-old-space-size=512');
    expect(heapSettingsWarning(2096 * MIB)).toContain('4x its live size');
    expect(heapSettingsWarning((SERVICE_OLD_SPACE_MB + 48) * MIB)).toBeUndefined();
    expect(heapSettingsWarning(1584 * MIB)).toBeUndefined();
  });
});
