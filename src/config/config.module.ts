import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { KeyRing } from '../common/crypto/key-ring.js';
import { ShutdownState } from '../common/http/shutdown-state.js';
import { AppConfig } from './app-config.js';
import { PublicUrls } from './public-urls.js';
import { RuntimeConfig } from './runtime-config.js';

export const PINO_LOGGER = Symbol('PINO_LOGGER');

/**
 * Makes the resolved configuration, the key ring, the public URLs, the root logger and the
 * shutdown state injectable everywhere.
 * `AppConfig` and `RuntimeConfig` are the same object; inject `RuntimeConfig` where the secret
 * or the database URL is needed (only the key ring and the data source do).
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: RuntimeConfig, logger: Logger): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: RuntimeConfig, useValue: config },
        { provide: AppConfig, useValue: config },
        { provide: KeyRing, useValue: new KeyRing(config.APP_SECRET) },
        { provide: PINO_LOGGER, useValue: logger },
        { provide: PublicUrls, useValue: new PublicUrls(config.publicUrl) },
        { provide: ShutdownState, useValue: new ShutdownState() },
      ],
      exports: [RuntimeConfig, AppConfig, KeyRing, PINO_LOGGER, PublicUrls, ShutdownState],
    };
  }
}
