import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  validateSync,
} from 'class-validator';
import { isIP } from 'node:net';
import { LOG_LEVELS, type LogLevel } from '../common/logging/log-level.js';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  return value;
};
/**
 * TRUST_PROXY in the forms Fastify's trustProxy takes: true/false, a hop count, or a list of
 * addresses and CIDR ranges. Anything else is left as text for the validator to name.
 */
export type TrustProxy = boolean | number | string[];
const toTrustProxy = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  if (/^\d{1,3}$/.test(v)) return Number(v);
  const list = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return list.every(isAddressOrCidr) && list.length > 0 ? list : value;
};
function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
const IsTrustProxy = () =>
  ValidateBy({
    name: 'isTrustProxy',
    validator: {
      validate: (value: unknown) => typeof value === 'boolean' || (typeof value === 'number' && Number.isInteger(value)) || Array.isArray(value),
      defaultMessage: () =>
        'must be true, false, a hop count (1 = the nearest proxy only) or a comma-separated list of proxy addresses or CIDR ranges (10.0.0.0/8,fd00::/8)',
    },
  });

const emptyToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/**
 * The whole runtime configuration, read once from the environment and validated at boot.
 * Nothing else in the service reads process.env.
 */
export class AppConfig {
  @IsIn(NODE_ENVS)
  NODE_ENV: NodeEnv = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /** Public base URL, as browsers and identity providers reach the service. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, { message: 'must be an http(s) URL without query or fragment' })
  PUBLIC_URL?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// URL' })
  DATABASE_URL?: string;

  /**
   * A direct, session-level URL to the same PostgreSQL for the one connection per process that
   * LISTENs for settings changes (the SCIM gate cache's invalidations). Only needed when
   * DATABASE_URL goes through PgBouncer in transaction mode, where LISTEN does not work; unset,
   * DATABASE_URL (or the embedded PostgreSQL) is used.
   */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// URL' })
  DATABASE_LISTEN_URL?: string;

  /** Key material for encrypting secrets at rest and deriving CSRF tokens. */
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  APP_SECRET?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  OPERATOR_TOKEN?: string;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600)
  SAML_CLOCK_SKEW_SECONDS = 60;

  /** Oldest SAML assertion accepted: its IssueInstant at most this many seconds ago (plus the skew). */
  @Transform(toInt)
  @IsInt()
  @Min(30)
  @Max(86_400)
  SAML_MAX_ASSERTION_AGE_SECONDS = 300;

  /**
   * Refused SAML sign-ins one client address may cause at one tenant's ACS per 15 minutes before
   * 429 (successful sign-ins are given back, so they never count).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  SAML_ACS_FAILURES_PER_ADDRESS = 100;

  /**
   * Unanswered SP-initiated sign-ins (AuthnRequests remembered for 5 minutes) one client address
   * may hold at one tenant before GET /saml/{tenant}/login answers 429; a completed sign-in frees
   * its slot at once.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  SAML_AUTHN_REQUESTS_PER_ADDRESS = 50;

  /** The same for a whole tenant: bounds the saml_authn_requests rows any set of clients can make. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  SAML_AUTHN_REQUESTS_PER_TENANT = 10_000;

  /** How often a tenant's IdP metadata URL is fetched again (certificate rollover), in hours. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(168)
  SAML_METADATA_REFRESH_HOURS = 12;

  /**
   * Let metadata URLs reach loopback, link-local and private addresses in production (an IdP on
   * the internal network). Off by default: an admin-entered URL must not become a way into the
   * deployment's network (server-side request forgery). Outside production they are always allowed.
   */
  @Transform(toBool)
  @IsBoolean()
  SAML_METADATA_ALLOW_PRIVATE = false;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  /** Where the embedded PostgreSQL (and other local state) lives when DATABASE_URL is unset. */
  @IsString()
  DATA_DIR = './data';

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(65535)
  EMBEDDED_POSTGRES_PORT = 54329;

  /**
   * Which peers may set X-Forwarded-For (the client address used by the sign-in throttles):
   * false (none), a list of the load balancers' addresses or ranges, a hop count, or true (any
   * peer: only safe when nothing but the proxy can reach the service).
   */
  @Transform(toTrustProxy)
  @IsTrustProxy()
  TRUST_PROXY: TrustProxy = false;

  /**
   * Slow clients. A client must send its request line and headers within HTTP_HEADERS_TIMEOUT_SECONDS
   * and the whole request (body included) within HTTP_REQUEST_TIMEOUT_SECONDS, or gets 408 and the
   * connection is closed. An idle keep-alive connection is closed after HTTP_KEEP_ALIVE_TIMEOUT_SECONDS:
   * longer than a load balancer's idle timeout (60 s on AWS ALB, nginx upstream keepalive 60 s), so
   * the balancer, not the service, closes a connection it might be about to reuse.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(300)
  HTTP_HEADERS_TIMEOUT_SECONDS = 15;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  HTTP_REQUEST_TIMEOUT_SECONDS = 60;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  HTTP_KEEP_ALIVE_TIMEOUT_SECONDS = 72;

  /**
   * MiB of request bodies from not-yet-authenticated clients one process holds at once (login,
   * the ACS form, the JSON API before its session check); beyond it new uploads get 503.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(4096)
  HTTP_BODY_BUDGET_MIB = 64;

  /** Serve the OpenAPI description and Swagger UI at /docs (default: everywhere but production). */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  API_DOCS?: boolean;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 20;

  /**
   * How long a request waits for a database connection (a new one, or a free one from the pool)
   * before it gets 503. A refused connection fails at once; this bounds an unreachable server and
   * a pool that stays exhausted, so nothing hangs during an outage.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(60)
  DATABASE_CONNECT_TIMEOUT_SECONDS = 5;

  /**
   * Graceful shutdown. On SIGTERM/SIGINT readiness answers 503 at once; the listener keeps taking
   * connections for SHUTDOWN_DELAY_SECONDS (for the load balancer to see the 503 and stop sending),
   * then closes; requests in flight get up to SHUTDOWN_TIMEOUT_SECONDS to finish before their
   * connections are cut and the database is closed.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(300)
  SHUTDOWN_DELAY_SECONDS = 5;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  SHUTDOWN_TIMEOUT_SECONDS = 30;

  /** Worker processes behind one port (node:cluster); 1 runs the service in this process. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  WEB_CONCURRENCY = 1;

  /**
   * SCIM requests per second per tenant and per instance (token bucket; 0 turns the limit off).
   * Generous: Entra's initial cycle and Okta imports stay far below it; it stops runaway clients.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  SCIM_RATE_LIMIT_PER_SECOND = 1000;

  /** Requests a tenant may send at once before the per-second rate applies (bucket size). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  SCIM_RATE_LIMIT_BURST = 2000;

  /**
   * SCIM paging state lifetime (RFC 9865 cursorTimeout): a cursor is accepted this long after it
   * was issued, and an index-based reader's place (page anchor) is kept this long after its last
   * page. Advertised in /ServiceProviderConfig.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86_400)
  SCIM_CURSOR_TIMEOUT_SECONDS = 3600;

  /**
   * How long the total of a SCIM list (totalResults) may be reused, and only while the tenant's
   * list version is unchanged (any user write ends the reuse: the total stays exact). Counting a
   * million users costs ~100 ms, so an import reading page after page would otherwise pay it on
   * every page. 0 counts on every page.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600)
  SCIM_LIST_TOTAL_CACHE_SECONDS = 30;

  /**
   * Prometheus metrics at GET /metrics on this port, on a listener of its own (never the public
   * port). Unset: no metrics are collected or served. 0 picks a free port (tests).
   */
  @IsOptional()
  @Transform(({ value }) => toInt({ value: emptyToUndefined({ value }) }))
  @IsInt()
  @Min(0)
  @Max(65535)
  METRICS_PORT?: number;

  /**
   * Address of the metrics listener. Loopback by default: /metrics answers anyone who reaches it
   * without credentials, and a service whose public port faces the internet must not publish it
   * by accident; a container or a Prometheus on another host needs 0.0.0.0 (keep the port off
   * the load balancer).
   */
  @IsString()
  @MinLength(1)
  METRICS_HOST = '127.0.0.1';

  /**
   * Adds a `tenant` label (the slug of an existing tenant) to the SAML sign-in and SCIM operation
   * families. Their series then grow with the number of tenants: for a few hundred tenants, not
   * for tens of thousands.
   */
  @Transform(toBool)
  @IsBoolean()
  METRICS_TENANT_LABEL = false;

  /** The public URL with no trailing slash. */
  get publicUrl(): string {
    return (this.PUBLIC_URL ?? `http://localhost:${this.PORT}`).replace(/\/+$/, '');
  }

  get isProduction(): boolean {
    return this.NODE_ENV === 'production';
  }

  /** Whether a metadata fetch must refuse loopback, link-local and private addresses. */
  get metadataPrivateAddressesRefused(): boolean {
    return this.isProduction && !this.SAML_METADATA_ALLOW_PRIVATE;
  }

  /** Whether /docs is served: API_DOCS, or outside production when unset. */
  get apiDocs(): boolean {
    return this.API_DOCS ?? !this.isProduction;
  }

  /** The origin (scheme, host, port) browsers use: a write from any other origin is cross-site. */
  get publicOrigin(): string {
    return new URL(this.publicUrl).origin;
  }

  /** True when the public URL is https: cookies then carry Secure. */
  get secureCookies(): boolean {
    return this.publicUrl.startsWith('https://');
  }
}

export class ConfigError extends Error {}

/** Builds and validates the configuration; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const known = Object.keys(new AppConfig()).concat(['PUBLIC_URL', 'DATABASE_URL', 'DATABASE_LISTEN_URL', 'APP_SECRET', 'OPERATOR_TOKEN', 'API_DOCS', 'METRICS_PORT']);
  const raw: Record<string, string> = {};
  for (const key of known) {
    const value = env[key];
    if (value !== undefined) raw[key] = value;
  }
  const config = plainToInstance(AppConfig, raw, { exposeDefaultValues: true });
  const errors = validateSync(config, { forbidUnknownValues: false });
  const problems = errors.map(
    (e) => `${e.property}=${JSON.stringify(redactIfSecret(e.property, e.value))}: ${Object.values(e.constraints ?? {}).join('; ')}`,
  );
  if (config.isProduction && !config.APP_SECRET) {
    problems.push('APP_SECRET: is required when NODE_ENV=production (at least 32 random characters)');
  }
  if (config.isProduction && !config.PUBLIC_URL) {
    // Without it the SAML and SCIM URLs would name localhost and cookies would lack Secure.
    problems.push('PUBLIC_URL: is required when NODE_ENV=production (the https:// URL browsers and identity providers use)');
  }
  if (config.HTTP_HEADERS_TIMEOUT_SECONDS > config.HTTP_REQUEST_TIMEOUT_SECONDS) {
    problems.push(`HTTP_HEADERS_TIMEOUT_SECONDS=${config.HTTP_HEADERS_TIMEOUT_SECONDS}: must not be longer than HTTP_REQUEST_TIMEOUT_SECONDS=${config.HTTP_REQUEST_TIMEOUT_SECONDS} (the headers are part of the request)`);
  }
  if (config.METRICS_PORT !== undefined && config.METRICS_PORT !== 0 && config.METRICS_PORT === config.PORT) {
    problems.push(`METRICS_PORT=${config.METRICS_PORT}: must differ from PORT (metrics are never served on the public port)`);
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return config;
}

function redactIfSecret(name: string, value: unknown): unknown {
  return /SECRET|TOKEN|DATABASE_(LISTEN_)?URL/.test(name) && value !== undefined ? '[redacted]' : value;
}
