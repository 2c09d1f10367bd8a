import { X509Certificate } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { ApiException } from '../common/http/api-exception.js';
import { AppConfig } from '../config/app-config.js';
import { PublicUrls } from '../config/public-urls.js';
import type { SamlSettingsView } from '../contract/api-views.js';
import { SecuritySettingsRepository } from '../tenancy/security-settings.repository.js';
import type { TenantSecuritySettingsEntity } from '../tenancy/tenant-security-settings.entity.js';
import { metadataSsoUrl, parseAdminUrl } from './admin-url.js';
import { describeCertificate } from './certificate-info.js';
import { parseCertificateUpload } from './certificate-upload.js';
import type { UpdateSamlSettingsDto } from './dto/update-saml-settings.dto.js';
import { SamlMetadataService } from './saml-metadata.service.js';
import { SamlSpKeyService } from './saml-sp-key.service.js';
import { spCertificateView } from './sp-key-set.js';

export interface CertificateUploadInput {
  data: Buffer | string;
  expect: 'any' | 'metadata';
}

type TenantRef = { id: string; slug: string };

/**
 * "Enable SAML Sign-on", "Enforce SAML Login" and "Verification Certificate": the SAML side of the
 * settings. The writes return the saved settings row; settings/ answers with the whole settings
 * object, of which `view` builds the SAML half.
 */
@Injectable()
export class SamlSettingsService {
  constructor(
    private readonly settings: SecuritySettingsRepository,
    private readonly urls: PublicUrls,
    private readonly audit: AuditService,
    private readonly metadata: SamlMetadataService,
    private readonly spKeys: SamlSpKeyService,
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  view(slug: string, s: TenantSecuritySettingsEntity): SamlSettingsView {
    return {
      enabled: s.samlEnabled,
      signOnUrl: this.urls.acs(slug),
      entityId: this.urls.acs(slug),
      enforceLogin: s.samlEnforceLogin,
      certificates: s.samlCertificates.map((c) => describeCertificate(c.pem)),
      idpEntityId: s.samlIdpEntityId,
      metadataUrl: s.samlMetadataUrl,
      metadataRefreshedAt: s.samlMetadataRefreshedAt?.toISOString() ?? null,
      metadataError: s.samlMetadataError,
      idpSsoUrl: s.samlIdpSsoUrl,
      spCertificate: spCertificateView(s.samlSpKeys),
    };
  }

  /**
   * Turning SAML off also turns Enforce SAML Login off, so switching SAML on again later never
   * locks password users out before sign-on has been seen to work. Enforcing needs SAML on and a
   * certificate (409).
   *
   * A new metadataUrl is fetched at once and stored with what it gave (SamlMetadataService), the
   * other changes of the same request in the same transaction, checked against the certificates
   * the metadata brought. Saving the URL already stored fetches nothing ("Refresh now" does);
   * null stops the refresh and keeps the certificates.
   */
  async update(tenant: TenantRef, actor: string, input: UpdateSamlSettingsDto): Promise<TenantSecuritySettingsEntity> {
    const saved = await this.updateRow(tenant, actor, input);
    // SAML switched on for the first time gets the tenant's SP key pair, after the row lock is
    // released (generating takes ~0.1 s; the key set is changed by compare-and-swap).
    if (saved.samlEnabled) saved.samlSpKeys = await this.spKeys.ensure(tenant, saved.samlSpKeys);
    return saved;
  }

  private async updateRow(tenant: TenantRef, actor: string, input: UpdateSamlSettingsDto): Promise<TenantSecuritySettingsEntity> {
    const url =
      input.metadataUrl === undefined
        ? undefined
        : parseAdminUrl('metadataUrl', input.metadataUrl, { production: this.config.isProduction, refuseNonPublicLiteral: this.config.metadataPrivateAddressesRefused });
    if (url) {
      const current = await this.settings.get(tenant.id);
      if (current.samlMetadataUrl !== url) return this.metadata.saveUrl(tenant, actor, url, (s, m) => this.applySwitches(tenant, actor, input, s, m));
    }
    return this.dataSource.transaction(async (m) => {
      const s = await this.settings.getForUpdate(tenant.id, m);
      if (url === null && s.samlMetadataUrl !== null) {
        await this.audit.record(
          tenant.id,
          { kind: 'settings', action: 'saml.metadata_url', actor, target: tenant.slug, outcome: 'success', details: { before: s.samlMetadataUrl, after: null } },
          m,
        );
        s.samlMetadataUrl = null;
        s.samlMetadataError = null;
        s.samlMetadataErrorAt = null;
        s.samlMetadataNextAt = null;
        await this.settings.save(s, m);
      }
      await this.applySwitches(tenant, actor, input, s, m);
      return s;
    });
  }

  /**
   * "Enable SAML Sign-on", "Enforce SAML Login" and the IdP SSO URL of a PUT, on the row locked in
   * `m`; saves when they change. `idpSsoUrl` follows the admin URL rule (400 invalid_url naming
   * the field; https only in production); it is never fetched, so any host is allowed.
   */
  private async applySwitches(tenant: TenantRef, actor: string, input: UpdateSamlSettingsDto, s: TenantSecuritySettingsEntity, m: EntityManager): Promise<void> {
    const idpSsoUrl = input.idpSsoUrl === undefined ? undefined : parseAdminUrl('idpSsoUrl', input.idpSsoUrl, { production: this.config.isProduction, refuseNonPublicLiteral: false });
    const before = { enabled: s.samlEnabled, enforceLogin: s.samlEnforceLogin, idpSsoUrl: s.samlIdpSsoUrl };
    const enabled = input.enabled ?? s.samlEnabled;
    let enforceLogin = input.enforceLogin ?? s.samlEnforceLogin;
    if (!enabled && input.enforceLogin === undefined) enforceLogin = false;
    if (enforceLogin && !enabled) {
      throw new ApiException(409, 'saml_not_enabled', 'Enable SAML Sign-on before enforcing SAML Login');
    }
    if (enforceLogin && s.samlCertificates.length === 0) {
      throw new ApiException(409, 'certificate_required', 'Upload the identity provider\'s verification certificate before enforcing SAML Login');
    }
    s.samlEnabled = enabled;
    s.samlEnforceLogin = enforceLogin;
    if (idpSsoUrl !== undefined) s.samlIdpSsoUrl = idpSsoUrl;
    const after = { enabled, enforceLogin, idpSsoUrl: s.samlIdpSsoUrl };
    if (before.enabled !== after.enabled || before.enforceLogin !== after.enforceLogin || before.idpSsoUrl !== after.idpSsoUrl) {
      await this.settings.save(s, m);
      await this.audit.record(
        tenant.id,
        {
          kind: 'settings',
          action: 'saml.update',
          actor,
          target: tenant.slug,
          outcome: 'success',
          reason: before.enforceLogin && !after.enforceLogin && !after.enabled ? 'Enforce SAML Login turned off with SAML' : null,
          details: { before, after },
        },
        m,
      );
    }
  }

  /** Replaces the certificate set (and the IdP entity ID: metadata sets it, a bare certificate clears it). */
  async uploadCertificate(tenant: TenantRef, actor: string, read: () => Promise<CertificateUploadInput>): Promise<TenantSecuritySettingsEntity> {
    let parsed;
    try {
      const input = await read();
      parsed = parseCertificateUpload(input.data, input.expect);
    } catch (err) {
      if (err instanceof ApiException && err.code === 'invalid_certificate') {
        await this.audit.record(tenant.id, { kind: 'settings', action: 'saml.certificate', actor, target: tenant.slug, outcome: 'failure', reason: err.message });
      }
      throw err;
    }
    return this.dataSource.transaction(async (m) => {
      const s = await this.settings.getForUpdate(tenant.id, m);
      s.samlCertificates = parsed.pems.map((pem) => ({ pem }));
      s.samlIdpEntityId = parsed.idpEntityId;
      // Metadata names the IdP's SSO URL too; a bare certificate leaves the entered one alone.
      const sso = metadataSsoUrl(parsed.idpSsoUrl, this.config.isProduction);
      if (sso.url) s.samlIdpSsoUrl = sso.url;
      await this.settings.save(s, m);
      await this.audit.record(
        tenant.id,
        {
          kind: 'settings',
          action: 'saml.certificate',
          actor,
          target: tenant.slug,
          outcome: 'success',
          details: {
            source: parsed.source,
            sha256Fingerprints: parsed.pems.map((pem) => new X509Certificate(pem).fingerprint256),
            idpEntityId: parsed.idpEntityId,
            ...(sso.url ? { idpSsoUrl: sso.url } : sso.skipped ? { idpSsoUrlSkipped: sso.skipped } : {}),
            ...(parsed.weakSkipped.length > 0 ? { weakCertificatesSkipped: parsed.weakSkipped } : {}),
          },
        },
        m,
      );
      return s;
    });
  }
}
