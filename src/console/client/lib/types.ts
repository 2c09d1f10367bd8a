/** The JSON API's shapes (CONTRACT section 2), as the console reads them. */

export type Role = 'system_admin' | 'user';
export type SignInMethod = 'password' | 'saml';

export interface User {
  id: string;
  email: string;
  givenName: string;
  familyName: string;
  active: boolean;
  role: Role;
  licenses: string[];
  source: 'manual' | 'scim';
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
}

export interface Me {
  user: User;
  csrfToken: string;
  signInMethod: SignInMethod;
  tenant: { slug: string; name: string };
}

export interface AuthOptions {
  tenantName: string;
  samlEnabled: boolean;
  samlEnforced: boolean;
}

export interface UserList {
  items: User[];
  total: number;
  /** Active users of the tenant with no product license (all pages). */
  activeWithoutLicenses?: number;
}

export interface License {
  key: string;
  name: string;
}

export type AuditKind = 'saml_login' | 'scim' | 'settings' | 'auth';

export interface AuditItem {
  id: string;
  at: string;
  kind: AuditKind;
  actor: string | null;
  action: string;
  target: string | null;
  outcome: 'success' | 'failure';
  reason: string | null;
  /** Identical failures recorded as one row: how many, and the newest (null while count is 1). */
  count: number;
  lastAt: string | null;
}

export interface AuditPage {
  items: AuditItem[];
  next: string | null;
}

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

export interface SecuritySettings {
  saml: {
    enabled: boolean;
    signOnUrl: string;
    entityId: string;
    enforceLogin: boolean;
    certificates: CertificateInfo[];
    idpEntityId: string | null;
  };
  scim: {
    enabled: boolean;
    url: string | null;
    token: string | null;
    tokenCreatedAt: string | null;
  };
}
