import { X509Certificate } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { ApiException } from '../common/http/api-exception.js';
import { httpUrlProblem, requireHttpUrl } from '../common/validation/http-url.js';
import { AppConfig } from '../config/app-config.js';
import { PublicUrls } from '../config/public-urls.js';
import type { SamlSettingsView } from '../contract/api-views.js';
import { SecuritySettingsRepository } from '../tenancy/security-settings.repository.js';
import type { TenantSecuritySettingsEntity } from '../tenancy/tenant-security-settings.entity.js';
import { describeCertificate } from './certificate-info.js';
import { parseCertificateUpload } from './certificate-upload.js';
import type { UpdateSamlSettingsDto } from './dto/update-saml-settings.dto.js';
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
      idpSsoUrl: s.samlIdpSsoUrl,
      spCertificate: spCertificateView(s.samlSpKeys),
    };
  }

  /**
   * Turning SAML off also turns Enforce SAML Login off, so switching SAML on again later never
   * locks password users out before sign-on has been seen to work. Enforcing needs SAML on and a
   * certificate (409). `idpSsoUrl` must be http(s) (https in production; 400 invalid_url). SAML
   * switched on for the first time gets the tenant's SP key pair (after the row lock is released:
   * generating takes ~0.1 s).
   */
  async update(tenant: TenantRef, actor: string, input: UpdateSamlSettingsDto): Promise<TenantSecuritySettingsEntity> {
    const idpSsoUrl = typeof input.idpSsoUrl === 'string' ? requireHttpUrl(input.idpSsoUrl, 'idpSsoUrl', this.config.isProduction) : input.idpSsoUrl;
    const saved = await this.dataSource.transaction(async (m) => {
      const s = await this.settings.getForUpdate(tenant.id, m);
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
      return s;
    });
    if (saved.samlEnabled) saved.samlSpKeys = await this.spKeys.ensure(tenant, saved.samlSpKeys);
    return saved;
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
      const ssoProblem = parsed.idpSsoUrl ? httpUrlProblem(parsed.idpSsoUrl, this.config.isProduction) : null;
      if (parsed.idpSsoUrl && !ssoProblem) s.samlIdpSsoUrl = parsed.idpSsoUrl;
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
            ...(parsed.idpSsoUrl ? (ssoProblem ? { idpSsoUrlSkipped: `${parsed.idpSsoUrl.slice(0, 300)} ${ssoProblem}` } : { idpSsoUrl: parsed.idpSsoUrl }) : {}),
            ...(parsed.weakSkipped.length > 0 ? { weakCertificatesSkipped: parsed.weakSkipped } : {}),
          },
        },
        m,
      );
      return s;
    });
  }
}
