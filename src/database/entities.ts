import { AuditEventEntity } from '../audit/audit-event.entity.js';
import { TenantSecuritySettingsEntity } from '../tenancy/tenant-security-settings.entity.js';
import { TenantEntity } from '../tenancy/tenant.entity.js';

export const ENTITIES = [TenantEntity, TenantSecuritySettingsEntity, AuditEventEntity];
