import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/decorators/public.decorator.js';
import { CreateTenantDto } from './dto/create-tenant.dto.js';
import { OperatorGuard } from './operator.guard.js';
import { TenantsService } from './tenants.service.js';

@ApiTags('operator')
@ApiBearerAuth()
@Public()
@UseGuards(OperatorGuard)
@Controller('api/operator/tenants')
export class OperatorController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: CreateTenantDto) {
    const tenant = await this.tenants.create(body, 'operator');
    return { id: tenant.id, slug: tenant.slug, name: tenant.name };
  }

  @Post(':tenant/saml/unenforce')
  @HttpCode(200)
  unenforce(@Param('tenant') slug: string) {
    return this.tenants.unenforceSaml(slug, 'operator');
  }
}
