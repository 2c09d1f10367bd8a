import type { CertificateInfo } from '../saml/certificate-info.js';

/** The settings object of CONTRACT section 2 (GET /settings/security and every settings write). */
export interface SecuritySettingsView {
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
