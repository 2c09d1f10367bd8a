import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { TenantSecuritySettingsEntity } from './tenant-security-settings.entity.js';

/**
 * The tenant's settings row as a whole (created with the tenant, see TenantsRepository.insert):
 * read, locked and saved by the settings writes of saml/ and scim/, the password login's SAML
 * policy check and the operator's break-glass. The hot-path reads are not here: the ACS trust
 * read lives in saml/ (SamlTrustRepository), the SCIM gate's in scim/ (ScimGateRepository).
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

  save(settings: TenantSecuritySettingsEntity, manager?: EntityManager): Promise<TenantSecuritySettingsEntity> {
    return this.repo(manager).save(settings);
  }
}
