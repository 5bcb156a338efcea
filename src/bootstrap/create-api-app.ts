import multipart from '@fastify/multipart';
import { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppConfig, buildOpenApiDocument, createValidationPipe, requestIdFor } from '@app/common';
import { AppModule } from '../app.module';
import { registerLocalMediaRoutes } from '../modules/media/storage/local-media-routes';
import { registerRawWebhookBodies } from '../modules/payments/webhook-raw-body';

/**
 * Paths served exactly as written, without the /api prefix being added (the contract's
 * Conventions). `api/webhooks/stripe` is listed too: the prefix cannot be added to a path that is
 * also excluded from it, so the webhook controller names both of its paths in full.
 */
export const UNPREFIXED_PATHS = ['health', 'health/db', 'health/ready', 'webhooks/stripe', 'api/webhooks/stripe', '.well-known/jwks.json', 'device'];

export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

/**
 * Builds the API application exactly as production runs it; main.ts listens on it and the e2e
 * harness drives it in-process, so the tests cover the real HTTP setup.
 */
export async function createApiApp(
  config: AppConfig,
  options: { imports?: DynamicModule['imports']; preview?: boolean } = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    genReqId: requestIdFor,
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, { imports: options.imports }), adapter, {
    rawBody: true, // webhook signatures are checked on the exact bytes received
    bufferLogs: true,
    preview: options.preview,
    abortOnError: false,
  });
  if (!options.preview) app.useLogger(app.get(Logger));
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  // Signed webhook bodies reach their handler as the bytes received, never parsed or refused by the JSON parser.
  registerRawWebhookBodies(fastify, config.http.bodyLimitBytes);

  // Security headers. The middleware is built once: @fastify/helmet rebuilt it (parsing the CSP
  // directives again) on every request, a measurable share of a small request (bench/RESULTS.md).
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'https:'],
      },
    },
  });
  fastify.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (err?: unknown) => done(err as Error | undefined)));
  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 20, fields: 50, parts: 100 } });
  // STORAGE_DRIVER=local: GET /media/<key> serves stored files, PUT takes presigned uploads (outside /api).
  if (!options.preview) await registerLocalMediaRoutes(app, config);
  app.enableCors({
    origin: config.http.corsOrigins.length ? config.http.corsOrigins : false,
    credentials: true,
    exposedHeaders: ['X-Request-Id', 'Retry-After'],
  });
  app.setGlobalPrefix('api', { exclude: UNPREFIXED_PATHS });
  app.useGlobalPipes(createValidationPipe());

  if (!options.preview) {
    // A factory, not the document: it is built on the first request to /docs or /openapi.json (then
    // kept), because scanning every route at boot cost ~150 ms of the API's cold start (issue 9).
    SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'openapi.json', useGlobalPrefix: false, customSiteTitle: 'Commerce API' });
  }
  return app;
}
