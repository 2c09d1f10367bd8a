/** The JSON API's shapes (CONTRACT section 2), as the console reads them. */

// The view objects the server builds: one definition for both sides (src/contract/).
export type {
  AuditItem,
  AuditKind,
  AuditPage,
  CertificateInfo,
  GroupList,
  GroupView as Group,
  UserGroupView as UserGroup,
  SecuritySettingsView as SecuritySettings,
  SignInMethod,
  UserRole as Role,
  UserView as User,
} from '../../../contract/api-views.js';
import type { SignInMethod, UserView } from '../../../contract/api-views.js';

export interface Me {
  user: UserView;
  csrfToken: string;
  signInMethod: SignInMethod;
  tenant: { slug: string; name: string };
}

export interface AuthOptions {
  tenantName: string;
  samlEnabled: boolean;
  samlEnforced: boolean;
  /** Where "Sign in with SSO" goes (SP-initiated sign-on), or null when it is not possible. */
  ssoLoginUrl: string | null;
}

export interface UserList {
  items: UserView[];
  total: number;
  /** Active users of the tenant with no product license (all pages). */
  activeWithoutLicenses?: number;
}

export interface License {
  key: string;
  name: string;
}
