import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';

/** URL prefix of the console's compiled scripts, stylesheet and icon (distinct from Swagger's /docs). */
export const CONSOLE_ASSETS_PREFIX = '/console-assets/';

/**
 * Where `npm run build` (scripts/build-console.mjs) puts the browser code: dist/console/public.
 * From dist/console/*.js that is ./public; from src/console/*.ts (jest runs the sources) it is
 * ../../dist/console/public.
 */
export function consoleAssetsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, 'public');
  return existsSync(join(beside, 'console.css')) ? beside : join(here, '..', '..', 'dist', 'console', 'public');
}

/** Serves the console's static files. They hold no data: the pages read everything from the JSON API. */
export async function registerConsoleAssets(app: NestFastifyApplication, logger: Logger): Promise<void> {
  const root = consoleAssetsDir();
  if (!existsSync(join(root, 'console.css'))) {
    logger.warn({ root }, 'console assets are not built: run `npm run build` (the admin pages will load unstyled and inert)');
  }
  await app.register(fastifyStatic, {
    root,
    prefix: CONSOLE_ASSETS_PREFIX,
    decorateReply: false,
    wildcard: true,
    index: false,
    // File names carry no content hash: browsers revalidate (ETag) instead of trusting a stale copy.
    cacheControl: false,
    setHeaders: (reply) => {
      void reply.header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff');
    },
  });
}
