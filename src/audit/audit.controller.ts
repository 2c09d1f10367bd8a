import { Controller, Get, Query } from '@nestjs/common';
import { ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import { CurrentAuth } from '../common/decorators/current-auth.decorator.js';
import { RequireRole } from '../common/decorators/roles.decorator.js';
import type { SessionAuth } from '../common/http/request-context.js';
import type { AuditPage } from '../contract/api-views.js';
import { AuditService } from './audit.service.js';
import { AuditQueryDto } from './dto/audit-query.dto.js';

@ApiTags('audit')
@ApiCookieAuth()
@RequireRole('system_admin')
@Controller('api/t/:tenant/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  async list(@CurrentAuth() auth: SessionAuth, @Query() query: AuditQueryDto): Promise<AuditPage> {
    const limit = query.limit ?? 50;
    const rows = await this.audit.list(auth.tenant.id, { ...query, limit: limit + 1 });
    const page = rows.slice(0, limit);
    return {
      items: page.map((e) => ({
        id: e.id,
        at: e.at.toISOString(),
        kind: e.kind,
        actor: e.actor,
        action: e.action,
        target: e.target,
        outcome: e.outcome,
        reason: e.reason,
        count: e.count,
        lastAt: e.lastAt ? e.lastAt.toISOString() : null,
      })),
      next: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
    };
  }
}
