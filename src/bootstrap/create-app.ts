import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import { LogController, type FastifyReply, type FastifyRequest, type RawServerDefault } from 'fastify';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { AppModule } from '../app.module.js';
import { AllExceptionsFilter, sendFailure } from '../common/filters/all-exceptions.filter.js';
import { ApiException } from '../common/http/api-exception.js';
import { jsonErrorFormatter, type ErrorFormatter } from '../common/http/error-formatter.js';
import { registerConsoleAssets } from '../console/console-assets.js';
import { PinoNestLogger } from '../common/logging/pino-nest-logger.js';
import { createValidationPipe } from '../common/validation/validation-pipe.js';
import type { AppConfig } from '../config/app-config.js';
import { ScimErrorFormatter } from '../scim/wire/scim-error-formatter.js';
import { samlHtmlErrorFormatter } from '../saml/saml-html-error.formatter.js';
import { MAX_SAML_RESPONSE_BYTES } from '../saml/saml-response-precheck.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const CERTIFICATE_UPLOAD = /^\/api\/t\/[^/?]+\/settings\/saml\/certificate(?:\?|$)/;

/** Largest request body accepted anywhere (a 1 MiB certificate upload plus multipart framing). */
export const BODY_LIMIT_BYTES = 1_048_576 + 64 * 1024;
/** The ACS form: a SAMLResponse of at most 256 KiB (base64) plus RelayState and form encoding. */
export const ACS_BODY_LIMIT_BYTES = MAX_SAML_RESPONSE_BYTES + 16 * 1024;
/** JSON certificate uploads: 1 MiB of PEM or metadata can grow when escaped in JSON; the 1 MiB rule is checked after decoding. */
export const CERTIFICATE_BODY_LIMIT_BYTES = 3 * 1_048_576;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Builds the Nest application on Fastify exactly as production runs it; the tests call this too,
 * so they exercise the same plugins, filters, pipes and limits.
 */
export async function createApp(config: AppConfig, logger: Logger): Promise<NestFastifyApplication> {
  // Each URL space answers failures in its own wire format; the admin API's JSON is the default.
  const formatters: ErrorFormatter[] = [new ScimErrorFormatter(), samlHtmlErrorFormatter, jsonErrorFormatter];
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    // One line per request, written by the onResponse hook below.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    // SCIM clients (Microsoft's reference collection) send "/Users/?filter=…".
    routerOptions: { ignoreTrailingSlash: true },
    // Router failures (a path parameter over 100 characters: 414; a malformed %-escape: 400) are
    // answered by Fastify before Nest sees the request: render them like every other failure.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => sendFailure(request, reply, error, formatters, logger),
    trustProxy: config.TRUST_PROXY,
    genReqId: (req: IncomingMessage) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger), adapter, {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
  });

  const fastify = app.getHttpAdapter().getInstance();
  // SCIM clients send application/scim+json (Entra and Okta add "; charset=utf-8"): the same
  // JSON parser as application/json, prototype-poisoning checks included.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser<RawServerDefault>('application/scim+json', { bodyLimit: BODY_LIMIT_BYTES }, (request, body, done) => parseJson(request, body.toString('utf8'), done));
  // Per-route body limits (routes are registered at init, after this hook).
  fastify.addHook('onRoute', (route) => {
    const methods = ([] as string[]).concat(route.method);
    if (!methods.includes('POST')) return;
    if (route.url === '/saml/:tenant/acs') route.bodyLimit = ACS_BODY_LIMIT_BYTES;
    if (route.url === '/api/t/:tenant/settings/saml/certificate') route.bodyLimit = CERTIFICATE_BODY_LIMIT_BYTES;
  });
  await app.register(fastifyCookie);
  await app.register(fastifyMultipart, { limits: { fileSize: 1_048_576, files: 1, fields: 10 } });
  await registerConsoleAssets(app, logger);

  // The JSON API takes JSON only (and the certificate upload multipart). A form-encoded body is
  // what a foreign page's <form> can send cross-site with the victim's browser: refusing it
  // closes login CSRF (signing a victim into the attacker's account) and any write that a
  // CSRF-token check might not cover.
  fastify.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/') || SAFE_METHODS.has(request.method)) return;
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type === '' || type === 'application/json') return;
    if (type === 'multipart/form-data' && CERTIFICATE_UPLOAD.test(request.url)) return;
    sendFailure(request, reply, new ApiException(415, 'unsupported_media_type', `Send the request body as application/json, not ${type.slice(0, 100)}`), formatters, logger);
    return reply;
  });
  fastify.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-request-id', request.id);
    return payload;
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const url = request.url.split('?')[0];
    request.log.info({ method: request.method, url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  app.useGlobalFilters(new AllExceptionsFilter(formatters, logger));
  app.useGlobalPipes(createValidationPipe());

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Latchkey admin API')
      .setDescription('Operator, session and admin JSON API (CONTRACT sections 1 and 2).')
      .setVersion('1')
      .addBearerAuth()
      .addCookieAuth('latchkey_session')
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}
