#!/usr/bin/env node
// The fault tests (issue 13) against the built service: `npm run test:faults` (full, about a
// minute), `node scripts/faults.mjs --short` (a few seconds per scenario; npm test runs it through
// test/e2e/faults.e2e-spec.ts). Options: --dist <dir> (default dist/), --json (figures as JSON).
// Exit code 1 when a check fails.
import { parseArgs } from 'node:util';
import { loadTestHelpers } from './lib/test-helpers.mjs';
import { runFaults } from './faults/index.mjs';
import { formatReport } from './faults/report.mjs';

const { values } = parseArgs({ options: { short: { type: 'boolean', default: false }, dist: { type: 'string' }, json: { type: 'boolean', default: false } } });
const helpers = await loadTestHelpers();
const result = await runFaults({ short: values.short, ...(values.dist ? { dist: values.dist } : {}), helpers });
process.stdout.write(`${formatReport(result)}\n`);
if (values.json) process.stdout.write(`${JSON.stringify(result.figures, null, 2)}\n`);
process.exit(result.ok ? 0 : 1);
