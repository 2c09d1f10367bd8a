// What the bare servers of `npm run bench -- --baseline` (scripts/bench-bare.mjs) send and use,
// read from the built service (dist/) so it cannot drift from what the service sends; a test
// (test/e2e/bench-bare.e2e-spec.ts) reads them from src/ and checks that the service sends each.
// Computed in the bench process and handed to each bare server as JSON (LATCHKEY_BARE): the
// service's modules pull in TypeORM and Nest, which the bare servers' memory should not carry.
import 'reflect-metadata';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Stand-ins the bare server replaces with the tenant's id and the looked-up email key. */
export const TENANT = '$tenant';
export const VALUE = '$value';

/** Imports a module of the built service by its path under dist/ ('users/users.repository.js'). */
export const fromDist = (root) => (file) => import(pathToFileURL(join(root, 'dist', file)).href);

/** The statements and settings, from the service's modules as `load` imports them. */
export async function bareStatements(load, env = process.env) {
  const { loadConfig } = await load('config/app-config.js');
  const { USERS_SQL } = await load('users/users.repository.js');
  const { userSearchSql } = await load('users/user-criteria-sql.js');
  const { SCIM_DEFAULT_COUNT } = await load('scim/wire/scim-schemas.js');
  const { INSERT_AUDIT_EVENT_SQL, AUDIT_COALESCE_WINDOW_SECONDS } = await load('audit/audit.repository.js');
  const { CLAIM_ASSERTION_SQL } = await load('saml/saml-replay.repository.js');
  const { INSERT_SESSION_SQL } = await load('auth/sessions.repository.js');
  const { SESSION_ABSOLUTE_SECONDS } = await load('auth/session-policy.js');
  // The service's settings that matter here, read as the service reads them (defaults included).
  const keys = ['DATABASE_POOL_SIZE', 'SAML_CLOCK_SKEW_SECONDS', 'SAML_MAX_ASSERTION_AGE_SECONDS'];
  const config = loadConfig(Object.fromEntries(keys.filter((k) => env[k] !== undefined).map((k) => [k, env[k]])));
  // The SCIM list's statement for `userName eq`, page 1 of the default count (scim-users-list.service.ts).
  const lookup = userSearchSql(TENANT, { kind: 'text', field: 'email', op: 'eq', value: VALUE, caseInsensitive: true }, 0, SCIM_DEFAULT_COUNT);
  return {
    lookup,
    byId: USERS_SQL.byId,
    byEmailKey: USERS_SQL.byEmailKey,
    insertUser: USERS_SQL.insertUnlessTaken,
    insertAudit: INSERT_AUDIT_EVENT_SQL,
    claimAssertion: CLAIM_ASSERTION_SQL,
    insertSession: INSERT_SESSION_SQL,
    auditCoalesceWindowSeconds: AUDIT_COALESCE_WINDOW_SECONDS,
    sessionAbsoluteSeconds: SESSION_ABSOLUTE_SECONDS,
    poolSize: config.DATABASE_POOL_SIZE,
    clockSkewMs: config.SAML_CLOCK_SKEW_SECONDS * 1000,
    maxAssertionAgeMs: config.SAML_MAX_ASSERTION_AGE_SECONDS * 1000,
  };
}
