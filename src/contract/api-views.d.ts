/**
 * The JSON API's view objects (CONTRACT section 2): the one definition the server's view builders
 * are typed by and the console's browser code reads. Change a field here and both sides stop
 * compiling until they agree.
 *
 * Types only, in a declaration file on purpose: it emits nothing, so the console's tsconfig
 * (rootDir src/console/client) can include it from outside its rootDir, and the server build
 * copies nothing. Import it with `import type` only (the layering spec checks). Note that
 * skipLibCheck skips checking the inside of .d.ts files: keep this file to plain interfaces.
 */

export type UserRole = 'system_admin' | 'user';
export type UserSource = 'manual' | 'scim';
export type SignInMethod = 'password' | 'saml';

/** The admin API's user object (GET /users, /users/{id}, /auth/me's user). */
export interface UserView {
  id: string;
  email: string;
  givenName: string;
  familyName: string;
  active: boolean;
  role: UserRole;
  licenses: string[];
  source: UserSource;
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
  /** The identity provider deleted the user (SCIM DELETE): inactive, gone for SCIM, kept here. */
  scimRemoved: boolean;
  /** Contract v2: the groups the user belongs to, sorted by displayName. */
  groups: UserGroupView[];
  /** Contract v2: `licenses` plus those of every group (catalogue order, no duplicates): what the user may use. */
  effectiveLicenses: string[];
}

/**
 * One group of a user. `licenses` (the group's, beyond the contract's {id, displayName}) lets the
 * User List say which of a user's licenses come from which group.
 */
export interface UserGroupView {
  id: string;
  displayName: string;
  licenses: string[];
}

/** Contract v2: one row of GET /groups, and the answer of PATCH /groups/{id}. */
export interface GroupView {
  id: string;
  displayName: string;
  externalId: string | null;
  memberCount: number;
  licenses: string[];
  source: 'scim';
  createdAt: string;
  updatedAt: string;
}

/** GET /groups. */
export interface GroupList {
  items: GroupView[];
  total: number;
}

/** GET /groups/{id}/members. */
export interface GroupMemberList {
  items: UserView[];
  total: number;
}

export type AuditKind = 'saml_login' | 'scim' | 'settings' | 'auth';
export type AuditOutcome = 'success' | 'failure';

/** One row of GET /audit. */
export interface AuditItem {
  id: string;
  at: string;
  kind: AuditKind;
  actor: string | null;
  action: string;
  target: string | null;
  outcome: AuditOutcome;
  reason: string | null;
  /** Identical failures recorded as one row: how many, and the newest (null while count is 1). */
  count: number;
  lastAt: string | null;
}

/** GET /audit: newest first; `next` is the `before` of the following page, null on the last. */
export interface AuditPage {
  items: AuditItem[];
  next: string | null;
}

/** What the settings API shows about one IdP verification certificate. */
export interface CertificateInfo {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  keyAlgorithm: 'RSA' | 'DSA';
  keySize: number;
  sha256Fingerprint: string;
  expired: boolean;
}

/** The SAML half of the settings object (built by saml/). */
export interface SamlSettingsView {
  enabled: boolean;
  signOnUrl: string;
  entityId: string;
  enforceLogin: boolean;
  certificates: CertificateInfo[];
  idpEntityId: string | null;
  /** Where the IdP publishes its metadata (refreshed on a schedule), or null. */
  metadataUrl: string | null;
  /** The last successful refresh. */
  metadataRefreshedAt: string | null;
  /** Why the last refresh failed (null after a success); the certificates were left as they were. */
  metadataError: string | null;
  /** contract v2: where GET /saml/{tenant}/login sends the AuthnRequest (HTTP-Redirect). */
  idpSsoUrl: string | null;
  /** contract v2: the tenant's SP certificate (signs AuthnRequests, encrypts assertions); null before SAML is first enabled. */
  spCertificate: { notAfter: string; sha256Fingerprint: string } | null;
}

/** The SCIM half of the settings object (built by scim/); url and token are null until a token exists. */
export interface ScimSettingsView {
  enabled: boolean;
  url: string | null;
  token: string | null;
  tokenCreatedAt: string | null;
}

/** The settings object: GET /settings/security and the answer of every settings write (composed by settings/). */
export interface SecuritySettingsView {
  saml: SamlSettingsView;
  scim: ScimSettingsView;
}
