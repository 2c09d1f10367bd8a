// What the bare servers of `npm run bench -- --baseline` (scripts/bench-bare.mjs) send and use,
// read from the built service (dist/) so it cannot drift from what the service sends. Computed in
// the bench process and handed to each bare server as JSON (LATCHKEY_BARE): the service's modules
// pull in TypeORM and Nest, which the bare servers' memory should not carry.
import 'reflect-metadata';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Stand-ins the bare server replaces with the tenant's id and the looked-up email key. */
export const TENANT = '$tenant';
export const VALUE = '$value';

export async function bareStatements(root, env = process.env) {
  const dist = (file) => import(pathToFileURL(join(root, 'dist', file)).href);
  const { loadConfig } = await dist('config/app-config.js');
  const { USERS_SQL } = await dist('users/users.repository.js');
  const { userSearchSql } = await dist('users/user-criteria-sql.js');
  const { SCIM_DEFAULT_COUNT } = await dist('scim/wire/scim-schemas.js');
  const { INSERT_AUDIT_EVENT_SQL, AUDIT_COALESCE_WINDOW_SECONDS } = await dist('audit/audit.repository.js');
  const { CLAIM_ASSERTION_SQL } = await dist('saml/saml-replay.repository.js');
  const { INSERT_SESSION_SQL } = await dist('auth/sessions.repository.js');
  const { SESSION_ABSOLUTE_SECONDS } = await dist('auth/session-policy.js');
  // The service's settings that matter here, read as the service reads them (defaults included).
  const keys = ['DATABASE_POOL_SIZE', 'SAML_CLOCK_SKEW_SECONDS', 'SAML_MAX_ASSERTION_AGE_SECONDS'];
  const config = loadConfig(Object.fromEntries(keys.filter((k) => env[k] !== undefined).map((k) => [k, env[k]])));
  // The SCIM list's statement for `userName eq`, page 1 of the default count (scim-users-list.service.ts).
  const lookup = userSearchSql(TENANT, { kind: 'text', field: 'email', op: 'eq', value: VALUE, caseInsensitive: true }, 0, SCIM_DEFAULT_COUNT);
  return {
    lookup,
    byId: USERS_SQL.byId,
    byEmailKey: USERS_SQL.byEmailKey,
    insertUser: USERS_SQL.insert,
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
