import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { setSessionCookie } from '../auth/session-cookie.js';
import { Public } from '../common/decorators/public.decorator.js';
import { AppConfig } from '../config/app-config.js';
import { PublicUrls } from '../config/public-urls.js';
import { PAGE_HEADERS, signOnUrlPage } from './saml-pages.js';
import { SamlLoginService, type AcsForm } from './saml-login.service.js';
import { SamlSignOnService } from './saml-sign-on.service.js';

/**
 * The SAML endpoints an identity provider and a browser reach: the ACS (the Sign-on Page URL,
 * also the SP entity ID), the SP metadata, and the start of SP-initiated sign-on. No session and no CSRF token: the IdP's form POST
 * is cross-site by nature, and the signed response is the credential. Failures render as HTML
 * pages (the /saml error formatter).
 */
@ApiExcludeController()
@Public()
@Controller('saml')
export class SamlController {
  constructor(
    private readonly login: SamlLoginService,
    private readonly signOn: SamlSignOnService,
    private readonly config: AppConfig,
    private readonly urls: PublicUrls,
  ) {}

  @Get(':tenant/metadata')
  @Header('content-type', 'application/xml; charset=utf-8')
  @Header('cache-control', 'no-cache')
  async metadata(@Param('tenant') slug: string): Promise<string> {
    return this.login.metadata(slug);
  }

  /** SP-initiated sign-on ("Sign in with SSO", or the IdP's Sign on URL): 302 to the IdP with a signed AuthnRequest. */
  @Get(':tenant/login')
  async startSignOn(@Param('tenant') slug: string, @Query('RelayState') relayState: unknown, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const location = await this.signOn.start(slug, relayState, req.ip, String(req.id));
    await reply.status(302).headers({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).header('location', location).send();
  }

  @Get(':tenant/acs')
  async signOnUrl(@Param('tenant') slug: string, @Res() reply: FastifyReply): Promise<void> {
    const tenant = await this.login.tenant(slug);
    await reply.status(200).headers(PAGE_HEADERS).send(signOnUrlPage(this.urls.acs(tenant.slug), tenant.name));
  }

  @Post(':tenant/acs')
  @HttpCode(302)
  async acs(@Param('tenant') slug: string, @Body() body: unknown, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const form: AcsForm = typeof body === 'object' && body !== null ? (body as AcsForm) : {};
    const { session, location } = await this.login.signIn(slug, form, String(req.id), req.ip);
    setSessionCookie(reply, this.config, session.token, session.expiresAt);
    await reply.status(302).header('cache-control', 'no-store').header('location', location).send();
  }
}
