import { Injectable } from '@nestjs/common';
import { KeyRing } from '../common/crypto/key-ring.js';
import { AppConfig } from '../config/app-config.js';
import { describeCertificate } from '../saml/certificate-info.js';
import type { SecretBox } from '../common/crypto/secret-box.js';
import { SecuritySettingsRepository } from '../tenancy/security-settings.repository.js';
import type { TenantSecuritySettingsEntity } from '../tenancy/tenant-security-settings.entity.js';
import type { SecuritySettingsView } from './security-settings.view.js';

/** Builds the settings object the console shows; the SAML and SCIM modules change the settings. */
@Injectable()
export class SecuritySettingsService {
  private readonly tokenBox: SecretBox;

  constructor(
    private readonly settings: SecuritySettingsRepository,
    private readonly config: AppConfig,
    keys: KeyRing,
  ) {
    this.tokenBox = keys.secretBox('scim-token');
  }

  /** The ACS URL is both the Sign-on Page URL and the SP entity ID (what Entra and Okta are given). */
  acsUrl(slug: string): string {
    return `${this.config.publicUrl}/saml/${slug}/acs`;
  }

  scimUrl(slug: string): string {
    return `${this.config.publicUrl}/scim/v2/${slug}`;
  }

  async view(tenant: { id: string; slug: string }): Promise<SecuritySettingsView> {
    return this.toView(tenant.slug, await this.settings.get(tenant.id));
  }

  toView(slug: string, s: TenantSecuritySettingsEntity): SecuritySettingsView {
    const tokenShown = s.scimTokenCiphertext !== null;
    return {
      saml: {
        enabled: s.samlEnabled,
        signOnUrl: this.acsUrl(slug),
        entityId: this.acsUrl(slug),
        enforceLogin: s.samlEnforceLogin,
        certificates: s.samlCertificates.map((c) => describeCertificate(c.pem)),
        idpEntityId: s.samlIdpEntityId,
      },
      scim: {
        enabled: s.scimEnabled,
        url: tokenShown ? this.scimUrl(slug) : null,
        token: tokenShown ? this.tokenBox.open(s.scimTokenCiphertext!) : null,
        tokenCreatedAt: s.scimTokenCreatedAt ? s.scimTokenCreatedAt.toISOString() : null,
      },
    };
  }
}
