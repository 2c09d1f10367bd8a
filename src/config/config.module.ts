import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from './app-config.js';

export const PINO_LOGGER = Symbol('PINO_LOGGER');

/** Makes the validated configuration and the root logger injectable everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: PINO_LOGGER, useValue: logger },
      ],
      exports: [AppConfig, PINO_LOGGER],
    };
  }
}
