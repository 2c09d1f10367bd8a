import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { TenantSecuritySettingsEntity } from './tenant-security-settings.entity.js';

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
