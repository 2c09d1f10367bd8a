import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { isUniqueViolation } from '../common/database/pg-errors.js';
import { ApiException } from '../common/http/api-exception.js';
import { UsersService } from '../users/users.service.js';
import type { CreateTenantDto } from './dto/create-tenant.dto.js';
import { SecuritySettingsRepository } from './security-settings.repository.js';
import type { TenantEntity } from './tenant.entity.js';
import { TenantDirectory, type TenantRef } from './tenant-directory.js';
import { TenantsRepository } from './tenants.repository.js';

@Injectable()
export class TenantsService {
  constructor(
    private readonly tenants: TenantsRepository,
    private readonly directory: TenantDirectory,
    private readonly settings: SecuritySettingsRepository,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** The tenant of a URL slug, or null (also for strings that cannot be slugs). */
  findBySlug(slug: string): Promise<TenantRef | null> {
    return this.directory.resolve(slug);
  }

  async getBySlugOrThrow(slug: string): Promise<TenantRef> {
    const tenant = await this.findBySlug(slug);
    if (!tenant) throw new ApiException(404, 'tenant_not_found', `No tenant "${slug}"`);
    return tenant;
  }

  count(): Promise<number> {
    return this.tenants.count();
  }

  /** Creates a tenant and its first System Admin in one transaction: both or neither. */
  async create(input: CreateTenantDto, actor: string): Promise<TenantEntity> {
    try {
      return await this.dataSource.transaction(async (m) => {
        const tenant = await this.tenants.insert(input.slug, input.name.trim(), m);
        await this.users.createManual(tenant.id, { ...input.admin, role: 'system_admin' }, actor, m);
        await this.audit.record(tenant.id, { kind: 'settings', action: 'tenant.create', actor, target: tenant.slug, outcome: 'success' }, m);
        return tenant;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'tenants_slug_key')) {
        throw new ApiException(409, 'slug_taken', `The tenant slug "${input.slug}" is already taken`, { field: 'slug' });
      }
      throw err;
    }
  }

  /** Break-glass: turns Enforce SAML Login off so a System Admin can use a password again. */
  async unenforceSaml(slug: string, actor: string): Promise<{ tenant: string; enforceLogin: false; wasEnforced: boolean }> {
    const tenant = await this.getBySlugOrThrow(slug);
    const wasEnforced = await this.dataSource.transaction(async (m) => {
      const settings = await this.settings.getForUpdate(tenant.id, m);
      const was = settings.samlEnforceLogin;
      if (was) {
        settings.samlEnforceLogin = false;
        await this.settings.save(settings, m);
      }
      await this.audit.record(
        tenant.id,
        { kind: 'settings', action: 'saml.unenforce', actor, target: tenant.slug, outcome: 'success', reason: was ? null : 'was not enforced' },
        m,
      );
      return was;
    });
    return { tenant: tenant.slug, enforceLogin: false, wasEnforced };
  }
}
