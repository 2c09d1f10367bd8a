import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from './app-config.js';

export interface AppSecret {
  secret: string;
  /** True when it came from DATA_DIR (generated now or on an earlier start), not from APP_SECRET. */
  fromDataDir: boolean;
}

/**
 * APP_SECRET, or outside production one generated once and kept in DATA_DIR, so that
 * `npm start` works on a fresh clone and encrypted values survive a restart.
 */
export function resolveAppSecret(config: AppConfig): AppSecret {
  if (config.APP_SECRET) return { secret: config.APP_SECRET, fromDataDir: false };
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
  return { secret, fromDataDir: true };
}
