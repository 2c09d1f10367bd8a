import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { notifySecuritySettingsChanged } from './security-settings-changes.js';
import { TenantSecuritySettingsEntity } from './tenant-security-settings.entity.js';

/**
 * The tenant's settings row as a whole (created with the tenant, see TenantsRepository.insert):
 * read, locked and saved by the settings writes of saml/ and scim/, the password login's SAML
 * policy check and the operator's break-glass. The hot-path reads are not here: the ACS trust
 * read lives in saml/ (SamlTrustRepository), the SCIM gate's in scim/ (ScimGateRepository).
 *
 * `save` is the one writer of the columns the SCIM gate caches (scim_enabled, scim_token_hash,
 * saml_enabled, saml_certificates; ScimGateRepository) and always announces the change in the
 * same transaction: a write that bypasses it would leave other instances trusting a revoked token.
 */
@Injectable()
export class SecuritySettingsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(TenantSecuritySettingsEntity);
  }

  async get(tenantId: string, manager?: EntityManager): Promise<TenantSecuritySettingsEntity> {
    return this.repo(manager).findOneOrFail({ where: { tenantId } });
  }

  /** Reads the row locked for update, so concurrent settings changes serialise. */
  async getForUpdate(tenantId: string, manager: EntityManager): Promise<TenantSecuritySettingsEntity> {
    return this.repo(manager).findOneOrFail({ where: { tenantId }, lock: { mode: 'pessimistic_write' } });
  }

  /** Saves the row and queues its change notice in the same transaction (`manager`'s, or one of its own). */
  async save(settings: TenantSecuritySettingsEntity, manager?: EntityManager): Promise<TenantSecuritySettingsEntity> {
    if (!manager) return this.dataSource.transaction((m) => this.save(settings, m));
    const saved = await this.repo(manager).save(settings);
    await notifySecuritySettingsChanged(manager, settings.tenantId);
    return saved;
  }
}
