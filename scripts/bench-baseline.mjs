#!/usr/bin/env node
// The lookup yardstick of issue 14 under its old name: now `npm run bench -- --baseline --only
// lookup`, which measures the service and its bare twin (scripts/bench-bare.mjs) in one run and
// prints the ratio. Any other option is passed on (--duration, --rounds, --tenant, --pid, …).
//
//   DATABASE_URL=postgres://… node scripts/bench-baseline.mjs [--duration 10] [--rounds 4]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const bench = join(import.meta.dirname, 'bench.mjs');
const { status } = spawnSync(process.execPath, [bench, '--baseline', '--only', 'lookup', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(status ?? 1);
