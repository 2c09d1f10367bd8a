/**
 * Citus readiness: when the tenant tables are distributed by tenant_id, a statement reaches one
 * shard only if it pins tenant_id to a value (`tenant_id = $n`, `tenant_id IN (…)`, or the
 * tenant_id column of an INSERT). This names the statements that touch a tenant table without
 * doing so. Global tables (tenants, migrations) are not tenant tables.
 */
export const TENANT_TABLES = [
  'users',
  'user_list_versions',
  'sessions',
  'login_throttle',
  'audit_events',
  'tenant_security_settings',
  'saml_assertion_ids',
  'saml_authn_requests',
  'scim_page_anchors',
  'scim_list_totals',
  'groups',
  'group_members',
] as const;

/**
 * Statements that span tenants on purpose, each with the reason. In Citus these run on every
 * shard in parallel, which is right for them.
 */
export const CROSS_TENANT_STATEMENTS: { pattern: RegExp; why: string }[] = [
  { pattern: /^DELETE FROM (sessions|login_throttle|saml_assertion_ids|saml_authn_requests|scim_page_anchors|scim_list_totals) WHERE [^;]*\b(expires_at|window_started_at)\b/, why: 'housekeeping purges every tenant\'s expired rows' },
  { pattern: /^SELECT s\.tenant_id AS id, t\.slug FROM tenant_security_settings s JOIN tenants t ON t\.id = s\.tenant_id WHERE s\.saml_metadata_url IS NOT NULL AND s\.saml_metadata_next_at <= now\(\)/, why: 'housekeeping finds every tenant whose IdP metadata refresh is due' },
];

const DDL = /^(CREATE|ALTER|DROP|ANALYZE|VACUUM|COMMENT|GRANT|REINDEX)\b/i;
const PINNED = [
  /\btenant_id"?\s*(=|IN\b|=\s*ANY\b)\s*\(?\s*\$\d/i,
  /^INSERT INTO "?\w+"?(\s+AS\s+\w+)?\s*\(\s*"?tenant_id"?/i,
  /^WITH\b[\s\S]*\bINSERT INTO "?\w+"?(\s+AS\s+\w+)?\s*\(\s*"?tenant_id"?/i,
];

export function tablesOf(sql: string): string[] {
  return TENANT_TABLES.filter((t) => new RegExp(`(FROM|JOIN|INTO|UPDATE|TABLE)\\s+"?${t}"?(\\s|$|\\()`, 'i').test(sql));
}

/** The statements (whitespace-collapsed) that touch a tenant table without pinning tenant_id. */
export function unroutedStatements(statements: Iterable<string>, allowed = CROSS_TENANT_STATEMENTS): string[] {
  const out: string[] = [];
  for (const raw of statements) {
    const sql = raw.replace(/\s+/g, ' ').trim();
    if (DDL.test(sql) || tablesOf(sql).length === 0) continue;
    if (PINNED.some((p) => p.test(sql))) continue;
    if (allowed.some((a) => a.pattern.test(sql))) continue;
    out.push(sql);
  }
  return out;
}
