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
import { requestLineWriter } from '../common/logging/logger.js';
import { PinoNestLogger } from '../common/logging/pino-nest-logger.js';
import { createValidationPipe } from '../common/validation/validation-pipe.js';
import type { RuntimeConfig } from '../config/runtime-config.js';
import { ScimErrorFormatter } from '../scim/wire/scim-error-formatter.js';
import { samlHtmlErrorFormatter } from '../saml/saml-html-error.formatter.js';
import { assertRole, authenticateSession } from '../auth/session-auth.guard.js';
import { SessionsService } from '../auth/sessions.service.js';
import { BodyBudget } from '../common/http/body-budget.js';
import { ClientErrorResponder } from '../common/http/client-errors.js';
import { ShutdownState } from '../common/http/shutdown-state.js';
import { depthLimitedJsonParser } from '../common/http/json-body-parser.js';
import type { LatchkeyRequest } from '../common/http/request-context.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { routeMetricLabels, scimOperation, UNMATCHED_ROUTE, type RouteMetricLabels } from '../metrics/route-labels.js';
import { ScimAuthGuard } from '../scim/scim-auth.guard.js';
import { scimNativeReads } from '../scim/scim-native-reads.js';
import type { ScimRequest } from '../scim/scim-request.js';
import { API_BODY_LIMIT_BYTES, CERTIFICATE_BODY_LIMIT_BYTES, routePolicy, type RoutePolicy } from './route-policy.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Node checks its header and request timeouts this often (its default, 30 s, let a 60 s header timeout run to ~87 s). */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/** Security headers for an HTML response that sets none: no framing, nothing loaded from elsewhere. */
const HTML_DEFAULT_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set for every route by the onRoute hook below. */
    latchkey?: RoutePolicy;
    /** The route's metric labels (its template, its SCIM resource), also set by the onRoute hook. */
    latchkeyMetrics?: RouteMetricLabels;
  }
}

/**
 * Builds the Nest application on Fastify exactly as production runs it; the tests call this too,
 * so they exercise the same plugins, filters, pipes and limits.
 */
export interface CreateAppOptions {
  /**
   * Serve the SCIM user reads through their plain Fastify handlers (scim-native-reads.ts), as
   * production does; false keeps Nest's handlers, for the test that compares the two byte for byte.
   */
  nativeScimReads?: boolean;
}

export async function createApp(config: RuntimeConfig, logger: Logger, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  // Each URL space answers failures in its own wire format; the admin API's JSON is the default.
  const formatters: ErrorFormatter[] = [new ScimErrorFormatter(), samlHtmlErrorFormatter, jsonErrorFormatter];
  const clientErrors = new ClientErrorResponder(formatters, logger, {
    headersSeconds: config.HTTP_HEADERS_TIMEOUT_SECONDS,
    requestSeconds: config.HTTP_REQUEST_TIMEOUT_SECONDS,
  });
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    // One line per request, written by the onResponse hook below.
    logController: new LogController({ disableRequestLogging: true }),
    // Routes without a policy of their own (and unmatched URLs) read at most this much.
    bodyLimit: API_BODY_LIMIT_BYTES,
    // SCIM clients (Microsoft's reference collection) send "/Users/?filter=…".
    routerOptions: { ignoreTrailingSlash: true },
    // Router failures (a path parameter over 100 characters: 414; a malformed %-escape: 400) are
    // answered by Fastify before Nest sees the request: render them like every other failure.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => sendFailure(request, reply, error, formatters, logger),
    // Malformed HTTP, headers over 16 KiB and timeouts, answered by Node's server before Fastify has a request.
    clientErrorHandler: clientErrors.handle,
    // A hop count is accepted by Fastify (proxy-addr) though its types omit it.
    trustProxy: config.TRUST_PROXY as boolean | string[],
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS * 1000,
    genReqId: (req: IncomingMessage) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
  });
  const server = adapter.getInstance().server;
  // Node reads these when it checks its connections (started on 'listening'); Fastify sets requestTimeout.
  server.headersTimeout = config.HTTP_HEADERS_TIMEOUT_SECONDS * 1000;
  (server as RawServerDefault & { connectionsCheckingInterval: number }).connectionsCheckingInterval = TIMEOUT_CHECK_INTERVAL_MS;
  clientErrors.track(server);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger, { metrics: true }), adapter, {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
  });

  const fastify = app.getHttpAdapter().getInstance();
  // Both JSON types (SCIM clients send application/scim+json; Entra and Okta add "; charset=utf-8")
  // get Fastify's parser with its prototype-poisoning checks, behind a nesting limit checked
  // before JSON.parse builds anything.
  app.useBodyParser<RawServerDefault>(
    ['application/json', 'application/scim+json'],
    { bodyLimit: API_BODY_LIMIT_BYTES },
    depthLimitedJsonParser(fastify.getDefaultJsonParser('error', 'error')),
  );
  const nativeHandlers = options.nativeScimReads === false ? new Map() : scimNativeReads(app, (request, reply, error) => sendFailure(request, reply, error, formatters, logger));
  const replaced = new Set<string>();
  // Each route's policy, from its registered pattern (routes are registered at init, after this hook).
  fastify.addHook('onRoute', (route) => {
    const policy = routePolicy(route.url);
    route.bodyLimit = policy.bodyLimit;
    route.config = { ...(route.config ?? {}), latchkey: policy, latchkeyMetrics: routeMetricLabels(route.url) };
    const native = typeof route.method === 'string' ? nativeHandlers.get(`${route.method} ${route.url}`) : undefined;
    if (native) {
      route.handler = native;
      replaced.add(`${route.method} ${route.url}`);
    }
  });
  // A native handler whose Nest route was renamed or removed would silently serve nothing: refuse to start.
  fastify.addHook('onReady', async () => {
    const missing = [...nativeHandlers.keys()].filter((key) => !replaced.has(key));
    if (missing.length > 0) throw new Error(`native SCIM handlers without a Nest route: ${missing.join(', ')}`);
  });
  await app.register(fastifyCookie);
  // One file of at most 1 MiB; no other field is read, so the rest stays tiny (busboy's defaults
  // would hold 1 MiB per field).
  // fileHwm: busboy drops a part it will not hand out (no Content-Disposition, a second file, over
  // the parts limit) by resuming it, but when that part's data passes its high-water mark and its
  // closing boundary arrive in one chunk, the parser pauses on the full buffer and nothing ever
  // reads it again: no 'finish', no error, the upload hangs (fuzz seed 20261130 cases 1388, 14050…).
  // A part buffer as large as the largest body this route takes can never fill, so no part can
  // pause the parser; the file itself is read whole anyway (toBuffer, at most 1 MiB).
  await app.register(fastifyMultipart, {
    fileHwm: CERTIFICATE_BODY_LIMIT_BYTES,
    limits: { fileSize: 1_048_576, files: 1, fields: 10, fieldSize: 1024, parts: 20, headerPairs: 20 },
  });
  await registerConsoleAssets(app, logger);

  // Graceful shutdown (bootstrap/graceful-shutdown.ts): once the listener stops, every response
  // closes its connection, so keep-alive clients move on and the server can finish.
  const shutdownState = app.get(ShutdownState);
  fastify.addHook('preClose', async () => {
    shutdownState.beginClosing();
  });

  const sessions = app.get(SessionsService);
  const scimGate = app.get(ScimAuthGuard, { strict: false });
  const publicOrigin = config.publicOrigin;
  const metrics = app.get(MetricsService);
  const bodyBudget = new BodyBudget(config.HTTP_BODY_BUDGET_MIB * 1_048_576, () => metrics.rateLimited('body_budget'));
  // Authenticated bodies (SCIM token, admin session) get a budget of their own, reserved once the
  // credentials hold: a token holder sending many 1 MiB bodies at once is refused with 503 before
  // the process nears its heap limit (--max-old-space-size), and anonymous clients cannot use it up.
  const authenticatedBodyBudget = new BodyBudget(config.HTTP_BODY_BUDGET_MIB * 1_048_576, () => metrics.rateLimited('body_budget'));
  /** The route policy, before any body is read: media type, same-origin writes, credentials first. */
  async function enforceRoutePolicy(request: LatchkeyRequest, reply: FastifyReply, policy: RoutePolicy): Promise<void> {
    if (SAFE_METHODS.has(request.method)) return;
    if (policy.accepts) {
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== '' && !policy.accepts.includes(type)) {
        throw new ApiException(415, 'unsupported_media_type', `Send the request body as application/json, not ${type.slice(0, 100)}`);
      }
    }
    if (policy.sameOriginWrites) {
      const origin = request.headers.origin;
      const site = request.headers['sec-fetch-site'];
      if ((origin !== undefined && origin !== publicOrigin) || site === 'cross-site' || site === 'same-site') {
        throw new ApiException(403, 'csrf', `Cross-site request refused: this API accepts writes only from ${publicOrigin}`);
      }
    }
    if (policy.authenticateFirst === null) {
      bodyBudget.reserve(request, reply, policy.bodyLimit);
    } else if (policy.authenticateFirst === 'system-admin-session') {
      const auth = await authenticateSession(sessions, request);
      assertRole(auth, 'system_admin');
      request.auth = auth;
      authenticatedBodyBudget.reserve(request, reply, policy.bodyLimit);
    } else if (policy.authenticateFirst === 'scim-token') {
      await scimGate.admit(request);
      authenticatedBodyBudget.reserve(request, reply, policy.bodyLimit);
    }
  }
  fastify.addHook('onRequest', async (request, reply) => {
    const policy = request.routeOptions.config.latchkey;
    if (!policy) return;
    if (policy.responseType) void reply.header('content-type', policy.responseType);
    try {
      await enforceRoutePolicy(request, reply, policy);
    } catch (err) {
      // Refused before the body was read: close the connection rather than read the body to discard it.
      void reply.header('connection', 'close');
      sendFailure(request, reply, err, formatters, logger);
      return reply;
    }
  });
  fastify.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-request-id', request.id);
    void reply.header('x-content-type-options', 'nosniff');
    if (shutdownState.closing) void reply.header('connection', 'close');
    // Every HTML page gets framing protection and a CSP; the console and SAML pages set stricter
    // ones of their own, this covers the rest (Swagger UI, Fastify's and plugins' pages).
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
      for (const [name, value] of Object.entries(HTML_DEFAULT_HEADERS)) {
        if (!reply.hasHeader(name)) void reply.header(name, value);
      }
    }
    return payload;
  });
  const requestLine = requestLineWriter(logger);
  fastify.addHook('onResponse', async (request, reply) => {
    const url = request.url.split('?')[0];
    requestLine({ reqId: request.id, method: request.method, url: url ?? '', status: reply.statusCode, ms: Math.round(reply.elapsedTime), ip: request.ip });
    if (!metrics.enabled) return;
    // Labelled by the route's template (set at registration), never by the path the client sent.
    const labels = request.routeOptions.config.latchkeyMetrics;
    metrics.observeHttp(request.method, labels?.route ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime / 1000);
    if (labels?.scimResource) {
      metrics.scimOperation(labels.scimResource, scimOperation(labels, request.method), reply.statusCode, (request as ScimRequest).scimTokenTenantSlug);
    }
  });

  app.useGlobalFilters(new AllExceptionsFilter(formatters, logger));
  app.useGlobalPipes(createValidationPipe());

  // The Swagger UI is a third-party page with inline script; production serves it only when asked.
  if (!config.apiDocs) return app;
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
