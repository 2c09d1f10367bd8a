import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { KeyRing } from '../common/crypto/key-ring.js';
import { newToken } from '../common/crypto/tokens.js';
import { ApiException } from '../common/http/api-exception.js';
import { PublicUrls } from '../config/public-urls.js';
import type { ScimSettingsView } from '../contract/api-views.js';
import { SecuritySettingsRepository } from '../tenancy/security-settings.repository.js';
import type { TenantSecuritySettingsEntity } from '../tenancy/tenant-security-settings.entity.js';
import { scimTokenHash } from './scim-token.js';
import type { SecretBox } from '../common/crypto/secret-box.js';

/**
 * "Enable SCIM Provisioning" and "Regenerate". Both lock the tenant's settings row, so concurrent
 * changes serialise; the token is stored as its SHA-256 (look-up) and sealed (display), never
 * logged or audited. The row is saved through SecuritySettingsRepository.save, whose change notice
 * drops the tenant from every instance's gate cache, so a change applies at once everywhere.
 * The writes return the saved settings row; settings/ answers with the whole settings object, of
 * which `view` builds the SCIM half. "SAML must be set up" is read from the same locked row, never
 * asked of saml/.
 */
@Injectable()
export class ScimSettingsService {
  private readonly tokenBox: SecretBox;

  constructor(
    private readonly settings: SecuritySettingsRepository,
    private readonly urls: PublicUrls,
    private readonly audit: AuditService,
    keys: KeyRing,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.tokenBox = keys.secretBox('scim-token');
  }

  view(slug: string, s: TenantSecuritySettingsEntity): ScimSettingsView {
    const tokenShown = s.scimTokenCiphertext !== null;
    return {
      enabled: s.scimEnabled,
      url: tokenShown ? this.urls.scimBase(slug) : null,
      token: tokenShown ? this.tokenBox.open(s.scimTokenCiphertext!) : null,
      tokenCreatedAt: s.scimTokenCreatedAt ? s.scimTokenCreatedAt.toISOString() : null,
    };
  }

  /** Enabling needs SAML enabled with a certificate; the first enabling generates the token; disabling keeps it. */
  setEnabled(tenant: { id: string; slug: string }, enabled: boolean, actor: string): Promise<TenantSecuritySettingsEntity> {
    return this.dataSource.transaction(async (m) => {
      const s = await this.settings.getForUpdate(tenant.id, m);
      if (enabled && !(s.samlEnabled && s.samlCertificates.length > 0)) {
        await this.audit.record(tenant.id, {
          kind: 'settings',
          action: 'scim.enable',
          actor,
          target: tenant.slug,
          outcome: 'failure',
          reason: 'saml_required: SAML is not enabled with a verification certificate',
        });
        throw new ApiException(409, 'saml_required', 'SCIM provisioning needs SAML: enable SAML Sign-on and upload the Verification Certificate first');
      }
      const wasEnabled = s.scimEnabled;
      let generated = false;
      s.scimEnabled = enabled;
      if (enabled && !s.scimTokenHash) {
        this.setToken(s);
        generated = true;
      }
      const stored = await this.settings.save(s, m);
      await this.audit.record(
        tenant.id,
        {
          kind: 'settings',
          action: enabled ? 'scim.enable' : 'scim.disable',
          actor,
          target: tenant.slug,
          outcome: 'success',
          reason: wasEnabled === enabled ? `was already ${enabled ? 'enabled' : 'disabled'}` : null,
          details: { tokenGenerated: generated },
        },
        m,
      );
      return stored;
    });
  }

  /** Replaces the token; the previous one fails from the next request on, on every instance. */
  regenerateToken(tenant: { id: string; slug: string }, actor: string): Promise<TenantSecuritySettingsEntity> {
    return this.dataSource.transaction(async (m) => {
      const s = await this.settings.getForUpdate(tenant.id, m);
      if (!s.scimTokenHash) {
        throw new ApiException(409, 'scim_not_enabled', 'Enable SCIM Provisioning first: that generates the first SCIM Token');
      }
      this.setToken(s);
      const stored = await this.settings.save(s, m);
      await this.audit.record(tenant.id, { kind: 'settings', action: 'scim.token.regenerate', actor, target: tenant.slug, outcome: 'success' }, m);
      return stored;
    });
  }

  private setToken(s: TenantSecuritySettingsEntity): void {
    const token = newToken();
    s.scimTokenHash = scimTokenHash(token);
    s.scimTokenCiphertext = this.tokenBox.seal(token);
    s.scimTokenCreatedAt = new Date();
  }
}
