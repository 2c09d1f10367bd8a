import { AuditEventEntity } from '../audit/audit-event.entity.js';
import { TenantSecuritySettingsEntity } from '../tenancy/tenant-security-settings.entity.js';
import { TenantEntity } from '../tenancy/tenant.entity.js';
import { UserEntity } from '../users/user.entity.js';

export const ENTITIES = [TenantEntity, TenantSecuritySettingsEntity, UserEntity, AuditEventEntity];
