import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import { LogController } from 'fastify';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { AppModule } from '../app.module.js';
import { AllExceptionsFilter } from '../common/filters/all-exceptions.filter.js';
import { jsonErrorFormatter, type ErrorFormatter } from '../common/http/error-formatter.js';
import { registerConsoleAssets } from '../console/console-assets.js';
import { PinoNestLogger } from '../common/logging/pino-nest-logger.js';
import { createValidationPipe } from '../common/validation/validation-pipe.js';
import type { AppConfig } from '../config/app-config.js';

/** Largest request body accepted anywhere (a 1 MiB certificate upload plus multipart framing). */
export const BODY_LIMIT_BYTES = 1_048_576 + 64 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface CreateAppOptions {
  /** Error formatters for URL spaces with their own wire format, tried before the JSON default. */
  errorFormatters?: ErrorFormatter[];
}

/**
 * Builds the Nest application on Fastify exactly as production runs it; the tests call this too,
 * so they exercise the same plugins, filters, pipes and limits.
 */
export async function createApp(config: AppConfig, logger: Logger, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const formatters = [...(options.errorFormatters ?? []), jsonErrorFormatter];
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    // One line per request, written by the onResponse hook below.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
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
  await app.register(fastifyCookie);
  await app.register(fastifyMultipart, { limits: { fileSize: 1_048_576, files: 1, fields: 10 } });
  await registerConsoleAssets(app, logger);

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
