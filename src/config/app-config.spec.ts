import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './app-config.js';
import { toRuntimeConfig } from './runtime-config.js';

describe('loadConfig', () => {
  it('applies defaults and derives the public URL from the port', () => {
    const config = loadConfig({ PORT: '8080' });
    expect(config.PORT).toBe(8080);
    expect(config.publicUrl).toBe('http://localhost:8080');
    expect(config.SAML_CLOCK_SKEW_SECONDS).toBe(60);
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.secureCookies).toBe(false);
    expect(config.SHUTDOWN_DELAY_SECONDS).toBe(5);
    expect(config.SHUTDOWN_TIMEOUT_SECONDS).toBe(30);
  });

  it('strips a trailing slash from PUBLIC_URL and marks https cookies Secure', () => {
    const config = loadConfig({ PUBLIC_URL: 'https://id.example.com/' });
    expect(config.publicUrl).toBe('https://id.example.com');
    expect(config.secureCookies).toBe(true);
  });

  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'ftp://x' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['DATABASE_LISTEN_URL', { DATABASE_LISTEN_URL: 'mysql://x' }],
    ['APP_SECRET', { APP_SECRET: 'short' }],
    ['OPERATOR_TOKEN', { OPERATOR_TOKEN: 'short' }],
    ['SAML_CLOCK_SKEW_SECONDS', { SAML_CLOCK_SKEW_SECONDS: '-1' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['NODE_ENV', { NODE_ENV: 'staging' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'maybe' }],
    ['TRUST_PROXY', { TRUST_PROXY: '10.0.0.0/33' }],
    ['TRUST_PROXY', { TRUST_PROXY: '10.0.0.1,lb.internal' }],
    ['HTTP_HEADERS_TIMEOUT_SECONDS', { HTTP_HEADERS_TIMEOUT_SECONDS: '0' }],
    ['HTTP_HEADERS_TIMEOUT_SECONDS', { HTTP_HEADERS_TIMEOUT_SECONDS: '30', HTTP_REQUEST_TIMEOUT_SECONDS: '20' }],
    ['HTTP_KEEP_ALIVE_TIMEOUT_SECONDS', { HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: 'long' }],
    ['DATABASE_CONNECT_TIMEOUT_SECONDS', { DATABASE_CONNECT_TIMEOUT_SECONDS: '0' }],
    ['SHUTDOWN_DELAY_SECONDS', { SHUTDOWN_DELAY_SECONDS: '-1' }],
    ['SHUTDOWN_DELAY_SECONDS', { SHUTDOWN_DELAY_SECONDS: '301' }],
    ['SHUTDOWN_TIMEOUT_SECONDS', { SHUTDOWN_TIMEOUT_SECONDS: '0' }],
    ['SHUTDOWN_TIMEOUT_SECONDS', { SHUTDOWN_TIMEOUT_SECONDS: 'soon' }],
    ['METRICS_PORT', { METRICS_PORT: 'nine' }],
    ['METRICS_PORT', { METRICS_PORT: '70000' }],
    ['METRICS_PORT', { METRICS_PORT: '3000' }],
    ['METRICS_PORT', { PORT: '8080', METRICS_PORT: '8080' }],
    ['METRICS_TENANT_LABEL', { METRICS_TENANT_LABEL: 'perhaps' }],
    ['SAML_METADATA_REFRESH_HOURS', { SAML_METADATA_REFRESH_HOURS: '0' }],
    ['SAML_METADATA_REFRESH_HOURS', { SAML_METADATA_REFRESH_HOURS: 'daily' }],
    ['SAML_METADATA_ALLOW_PRIVATE', { SAML_METADATA_ALLOW_PRIVATE: 'perhaps' }],
  ])('refuses a wrong %s with a message naming it', (name, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration:\\n  ${name}=`));
  });

  it('never echoes a secret value in the error', () => {
    expect(() => loadConfig({ APP_SECRET: 'tiny-secret' })).toThrow(/APP_SECRET="\[redacted\]"/);
    expect(() => loadConfig({ DATABASE_LISTEN_URL: 'mysql://user:hunter2@db' })).toThrow(/DATABASE_LISTEN_URL="\[redacted\]"/);
  });

  it('refuses to start in production without APP_SECRET or PUBLIC_URL', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://id.example.com' })).toThrow(/APP_SECRET: is required when NODE_ENV=production/);
    expect(() => loadConfig({ NODE_ENV: 'production', APP_SECRET: 'x'.repeat(32) })).toThrow(/PUBLIC_URL: is required when NODE_ENV=production/);
    expect(loadConfig({ NODE_ENV: 'production', APP_SECRET: 'x'.repeat(32), PUBLIC_URL: 'https://id.example.com' }).isProduction).toBe(true);
  });

  it('listens for settings changes on DATABASE_LISTEN_URL, else on the database the pool uses', () => {
    const resolved = { appSecret: 'x'.repeat(32), databaseUrl: 'postgres://pgbouncer:6432/latchkey' };
    expect(toRuntimeConfig(loadConfig({}), resolved).databaseListenUrl).toBe('postgres://pgbouncer:6432/latchkey');
    expect(toRuntimeConfig(loadConfig({ DATABASE_LISTEN_URL: 'postgres://db:5432/latchkey' }), resolved).databaseListenUrl).toBe('postgres://db:5432/latchkey');
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig({ OPERATOR_TOKEN: '', DATABASE_URL: '' });
    expect(config.OPERATOR_TOKEN).toBeUndefined();
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('reads TRUST_PROXY as Fastify takes it: true/false, a hop count, or a list of addresses and CIDR ranges', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ TRUST_PROXY: ' 10.0.0.0/8, 192.168.1.7 ,fd00::/8' }).TRUST_PROXY).toEqual(['10.0.0.0/8', '192.168.1.7', 'fd00::/8']);
  });

  it('sizes the slow-client timeouts for real clients by default', () => {
    const config = loadConfig({});
    expect([config.HTTP_HEADERS_TIMEOUT_SECONDS, config.HTTP_REQUEST_TIMEOUT_SECONDS, config.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS]).toEqual([15, 60, 72]);
  });

  it('leaves metrics off unless METRICS_PORT is set, on loopback and without a tenant label by default', () => {
    const off = loadConfig({});
    expect([off.METRICS_PORT, off.METRICS_HOST, off.METRICS_TENANT_LABEL]).toEqual([undefined, '127.0.0.1', false]);
    expect(loadConfig({ METRICS_PORT: '' }).METRICS_PORT).toBeUndefined();
    const on = loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0', METRICS_TENANT_LABEL: 'true' });
    expect([on.METRICS_PORT, on.METRICS_HOST, on.METRICS_TENANT_LABEL]).toEqual([9464, '0.0.0.0', true]);
    expect(() => loadConfig({ PORT: '9464', METRICS_PORT: '9464' })).toThrow('METRICS_PORT=9464: must differ from PORT (metrics are never served on the public port)');
  });

  it('serves /docs outside production only, unless API_DOCS says otherwise', () => {
    const prod = { NODE_ENV: 'production', APP_SECRET: 'x'.repeat(32), PUBLIC_URL: 'https://id.example.com' };
    expect(loadConfig({}).apiDocs).toBe(true);
    expect(loadConfig(prod).apiDocs).toBe(false);
    expect(loadConfig({ ...prod, API_DOCS: 'true' }).apiDocs).toBe(true);
    expect(loadConfig({ API_DOCS: 'false' }).apiDocs).toBe(false);
  });

  it('refreshes IdP metadata every 12 hours and refuses private addresses only in production, unless allowed', () => {
    const prod = { NODE_ENV: 'production', APP_SECRET: 'x'.repeat(32), PUBLIC_URL: 'https://id.example.com' };
    expect(loadConfig({}).SAML_METADATA_REFRESH_HOURS).toBe(12);
    expect(loadConfig({ SAML_METADATA_REFRESH_HOURS: '1' }).SAML_METADATA_REFRESH_HOURS).toBe(1);
    expect(loadConfig({}).metadataPrivateAddressesRefused).toBe(false);
    expect(loadConfig(prod).metadataPrivateAddressesRefused).toBe(true);
    expect(loadConfig({ ...prod, SAML_METADATA_ALLOW_PRIVATE: 'true' }).metadataPrivateAddressesRefused).toBe(false);
  });
});
