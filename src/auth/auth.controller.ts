import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiCookieAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentAuth } from '../common/decorators/current-auth.decorator.js';
import { Public } from '../common/decorators/public.decorator.js';
import type { SessionAuth } from '../common/http/request-context.js';
import { AppConfig } from '../config/app-config.js';
import type { UserEntity } from '../users/user.entity.js';
import { toUserView } from '../users/user.view.js';
import { AuthService } from './auth.service.js';
import { LoginDto } from './dto/login.dto.js';
import { clearSessionCookie, setSessionCookie } from './session-cookie.js';

@ApiTags('auth')
@Controller('api/t/:tenant')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly config: AppConfig,
  ) {}

  @Public()
  @Get('auth/options')
  options(@Param('tenant') tenant: string) {
    return this.auth.options(tenant);
  }

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  async login(
    @Param('tenant') tenant: string,
    @Body() body: LoginDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { user, session } = await this.auth.login(tenant, body.email, body.password, req.ip);
    setSessionCookie(reply, this.config, session.token, session.expiresAt);
    return { user: toUserView(user), csrfToken: session.csrfToken, signInMethod: 'password' };
  }

  @ApiCookieAuth()
  @Post('auth/logout')
  @HttpCode(204)
  async logout(@CurrentAuth() auth: SessionAuth, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    await this.auth.logout(auth.tenant.id, auth.tokenHash, auth.user.email);
    clearSessionCookie(reply, this.config);
  }

  @ApiCookieAuth()
  @Get('me')
  me(@CurrentAuth() auth: SessionAuth<UserEntity>) {
    return {
      user: toUserView(auth.user),
      csrfToken: auth.csrfToken,
      signInMethod: auth.method,
      tenant: { slug: auth.tenant.slug, name: auth.tenant.name },
    };
  }
}
