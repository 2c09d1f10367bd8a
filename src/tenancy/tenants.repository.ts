import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { notifySecuritySettingsChanged } from './security-settings-changes.js';
import { TenantSecuritySettingsEntity } from './tenant-security-settings.entity.js';
import { TenantEntity } from './tenant.entity.js';

@Injectable()
export class TenantsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findBySlug(slug: string): Promise<TenantEntity | null> {
    return this.dataSource.getRepository(TenantEntity).findOne({ where: { slug } });
  }

  count(): Promise<number> {
    return this.dataSource.getRepository(TenantEntity).count();
  }

  /** Inserts the tenant and its (all-off) security settings row. A taken slug raises 23505. */
  async insert(slug: string, name: string, manager: EntityManager): Promise<TenantEntity> {
    const repo = manager.getRepository(TenantEntity);
    const result = await repo.insert({ slug, name });
    const id = (result.identifiers[0] as { id: string }).id;
    await manager.getRepository(TenantSecuritySettingsEntity).insert({ tenantId: id });
    // Nothing can have cached a row that did not exist; announced anyway, so every write of the row does.
    await notifySecuritySettingsChanged(manager, id);
    return repo.findOneOrFail({ where: { id } });
  }
}
