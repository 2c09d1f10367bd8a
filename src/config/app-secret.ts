import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from './app-config.js';

/**
 * Outside production a missing APP_SECRET is generated once and kept in DATA_DIR, so that
 * `npm start` works on a fresh clone and encrypted values survive a restart.
 * Returns true when it had to generate or load one.
 */
export function ensureAppSecret(config: AppConfig): boolean {
  if (config.APP_SECRET) return false;
  if (config.isProduction) throw new Error('APP_SECRET is required when NODE_ENV=production');
  const file = join(config.DATA_DIR, 'app-secret');
  let secret: string;
  try {
    secret = readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(config.DATA_DIR, { recursive: true });
    secret = randomBytes(48).toString('base64url');
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  }
  config.APP_SECRET = secret;
  return true;
}
