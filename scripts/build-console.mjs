#!/usr/bin/env node
// Builds the admin console's browser side into dist/console/public: the TypeScript modules of
// src/console/client (tsc, own tsconfig with the DOM library) and the static files of
// src/console/static (stylesheet, icon). Used by `npm run build` and by the browser tests' setup.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function buildConsole() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const out = join(root, 'dist', 'console', 'public');
  mkdirSync(out, { recursive: true });
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'src', 'console', 'client', 'tsconfig.json')], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('the console build failed (tsc -p src/console/client/tsconfig.json)');
  cpSync(join(root, 'src', 'console', 'static'), out, { recursive: true });
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    buildConsole();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
