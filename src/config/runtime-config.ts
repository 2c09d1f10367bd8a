import { AppConfig } from './app-config.js';

/**
 * The configuration once start-up has resolved what the environment may leave out: the secret
 * (generated into DATA_DIR outside production) and the database URL (the embedded server's when
 * DATABASE_URL is unset). Everything behind bootstrap (createApp, AppModule, the CLI's context)
 * takes this type, so no code re-checks whether a value "is resolved yet".
 */
export class RuntimeConfig extends AppConfig {
  declare readonly APP_SECRET: string;
  declare readonly DATABASE_URL: string;

  /** Where the settings-change listener connects: DATABASE_LISTEN_URL, else the pool's database. */
  get databaseListenUrl(): string {
    return this.DATABASE_LISTEN_URL ?? this.DATABASE_URL;
  }
}

export interface ResolvedValues {
  appSecret: string;
  databaseUrl: string;
}

/** The validated configuration with the resolved secret and database URL filled in (a copy). */
export function toRuntimeConfig(config: AppConfig, resolved: ResolvedValues): RuntimeConfig {
  return Object.assign(Object.create(RuntimeConfig.prototype) as RuntimeConfig, config, {
    APP_SECRET: resolved.appSecret,
    DATABASE_URL: resolved.databaseUrl,
  });
}
