import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/decorators/public.decorator.js';
import { lowerAscii } from '../common/validation/ascii-case.js';
import { isTenantSlug } from '../tenancy/tenant-slug.js';
import { CONSOLE_PAGE_HEADERS, renderShell, type ConsolePage } from './console-shell.js';

const HOME_BODY = `<div class="auth-layout"><section class="card auth-card" aria-labelledby="home-title">
<p class="brand-mark" aria-hidden="true">Latchkey</p>
<h1 id="home-title">Sign in to your organization</h1>
<form method="get" action="/t" class="stack">
<div class="field"><label for="tenant">Organization ID</label>
<input id="tenant" name="tenant" required autocomplete="organization" autocapitalize="none" spellcheck="false" pattern="[a-z0-9][a-z0-9\\-]{0,39}" aria-describedby="tenant-hint">
<p class="hint" id="tenant-hint">The short name in your sign-in address, like <code>acme</code> in /t/acme/login.</p></div>
<button type="submit" class="button primary">Continue</button>
</form></section></div>`;

/**
 * The console's HTML shells. Public on purpose: they carry no data. Everything a page shows
 * comes from the JSON API under /api/t/{tenant}, which checks the session and the role.
 */
@ApiExcludeController()
@Public()
@Controller()
export class ConsolePagesController {
  @Get()
  home(@Res() reply: FastifyReply): void {
    this.page(reply, null, 'Sign in', HOME_BODY);
  }

  /** The home page's form: "acme" goes to /t/acme/login. */
  @Get('t')
  chooseTenant(@Query('tenant') tenant: string | undefined, @Res() reply: FastifyReply): void {
    // ASCII only: toLowerCase() would turn "\u212Acme" (Kelvin sign) into the slug kcme.
    const slug = typeof tenant === 'string' ? lowerAscii(tenant.trim()) : '';
    void reply.redirect(isTenantSlug(slug) ? `/t/${slug}/login` : '/', 302);
  }

  @Get('t/:tenant')
  tenantRoot(@Param('tenant') tenant: string, @Res() reply: FastifyReply): void {
    this.redirectWithin(reply, tenant, 'app');
  }

  @Get('t/:tenant/settings')
  settingsRoot(@Param('tenant') tenant: string, @Res() reply: FastifyReply): void {
    this.redirectWithin(reply, tenant, 'settings/security');
  }

  @Get('t/:tenant/login')
  login(@Param('tenant') tenant: string, @Res() reply: FastifyReply): void {
    this.tenantPage(reply, tenant, 'login', 'Sign in');
  }

  @Get('t/:tenant/app')
  app(@Param('tenant') tenant: string, @Res() reply: FastifyReply): void {
    this.tenantPage(reply, tenant, 'app', 'Home');
  }

  @Get('t/:tenant/settings/security')
  security(@Param('tenant') tenant: string, @Res() reply: FastifyReply): void {
    this.tenantPage(reply, tenant, 'security', 'SAML and SCIM');
  }

  @Get('t/:tenant/settings/users')
  users(@Param('tenant') tenant: string, @Res() reply: FastifyReply): void {
    this.tenantPage(reply, tenant, 'users', 'User List');
  }

  @Get('t/:tenant/settings/groups')
  groups(@Param('tenant') tenant: string, @Res() reply: FastifyReply): void {
    this.tenantPage(reply, tenant, 'groups', 'Groups');
  }

  @Get('t/:tenant/settings/audit')
  audit(@Param('tenant') tenant: string, @Res() reply: FastifyReply): void {
    this.tenantPage(reply, tenant, 'audit', 'Audit Log');
  }

  private redirectWithin(reply: FastifyReply, tenant: string, path: string): void {
    if (!isTenantSlug(tenant)) return this.notFound(reply);
    void reply.redirect(`/t/${tenant}/${path}`, 302);
  }

  private tenantPage(reply: FastifyReply, tenant: string, page: ConsolePage, title: string): void {
    if (!isTenantSlug(tenant)) return this.notFound(reply);
    this.page(reply, page, title);
  }

  private page(reply: FastifyReply, page: ConsolePage | null, title: string, body?: string, status = 200): void {
    void reply.status(status).headers(CONSOLE_PAGE_HEADERS).send(renderShell(page, title, body));
  }

  private notFound(reply: FastifyReply): void {
    this.page(reply, null, 'Page not found', `<div class="auth-layout"><section class="card auth-card"><h1>Page not found</h1><p>There is no page at this address.</p><p><a class="button" href="/">Go to sign-in</a></p></section></div>`, 404);
  }
}
