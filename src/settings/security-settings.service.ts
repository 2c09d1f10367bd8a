import { Injectable } from '@nestjs/common';
import type { SecuritySettingsView } from '../contract/api-views.js';
import { SamlSettingsService } from '../saml/saml-settings.service.js';
import { ScimSettingsService } from '../scim/scim-settings.service.js';
import { SecuritySettingsRepository } from '../tenancy/security-settings.repository.js';
import type { TenantSecuritySettingsEntity } from '../tenancy/tenant-security-settings.entity.js';

/**
 * The settings object the console shows and every settings write answers with: saml/ and scim/
 * each build their half from the tenant's settings row; this module only puts them together.
 */
@Injectable()
export class SecuritySettingsService {
  constructor(
    private readonly settings: SecuritySettingsRepository,
    private readonly saml: SamlSettingsService,
    private readonly scim: ScimSettingsService,
  ) {}

  async view(tenant: { id: string; slug: string }): Promise<SecuritySettingsView> {
    return this.toView(tenant.slug, await this.settings.get(tenant.id));
  }

  toView(slug: string, s: TenantSecuritySettingsEntity): SecuritySettingsView {
    return { saml: this.saml.view(slug, s), scim: this.scim.view(slug, s) };
  }
}
