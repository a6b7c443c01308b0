import { INestApplication } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppConfigService } from '../config/app-config.service';
import { HttpErrorFilter, errorBody } from '../errors/http-error.filter';
import { AppLogger } from '../logging/app-logger';
import { registerAccessLog } from './access-log.hook';
import { registerBearerChallenge } from './bearer-challenge.hook';
import { registerBodyDepthCheck } from './body-depth.hook';
import { answerClientError } from './client-error';
import { registerHttpConformance } from './http-conformance';
import { closeOnSignals } from './graceful-shutdown';
import { registerRequestIdHooks, requestIdOf } from './request-id.hook';
import { registerTextOnlyBodyMarker } from './text-only-body.hook';
import { createValidationPipe } from './validation';

export const API_TITLE = 'Payments backend';
export const BEARER_SCHEME = 'bearer';

/**
 * The HTTP server under Nest: Fastify (the query issue's benchmark chose it, docs/settlement-query.md).
 * Request ids come from `requestIdOf`, bodies past HTTP_BODY_LIMIT get 413, and the client address
 * is read through proxies on private networks only.
 */
export function createHttpAdapter(config: AppConfigService): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.get('http').bodyLimitBytes,
    genReqId: requestIdOf,
    requestIdHeader: false,
    trustProxy: ['loopback', 'linklocal', 'uniquelocal'],
    routerOptions: { ignoreTrailingSlash: true },
    // Node's own default, which Fastify turns off: a client that never finishes its request is cut off.
    requestTimeout: 300_000,
    // A request without Host is answered in the error shape by registerHttpConformance, not bare by Node.
    http: { requireHostHeader: false },
    // While draining on SIGTERM, a request on an open keep-alive connection is answered, not refused with 503.
    return503OnClosing: false,
    // A URL that does not decode is refused by the router before any hook or route runs: same shape.
    frameworkErrors: (_error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      void reply
        .code(400)
        .header('X-Request-Id', request.id)
        .send(errorBody(400, 'Request URL is not valid', request.id));
    },
    // What the HTTP parser refuses (a NUL in a header value, say) in the same shape.
    clientErrorHandler: answerClientError,
  });
}

/**
 * Everything an HTTP app needs around its controllers, shared by main.ts and the e2e tests so both
 * serve exactly the same pipeline. The request id goes on before the body is read, so even a 413 or
 * malformed JSON answer carries it.
 */
export function configureHttpApp(app: NestFastifyApplication, config: AppConfigService, logger: AppLogger): void {
  const http = config.get('http');
  const fastify = app.getHttpAdapter().getInstance();
  registerRequestIdHooks(fastify);
  registerHttpConformance(fastify);
  registerAccessLog(fastify, logger);
  registerBodyDepthCheck(fastify);
  registerTextOnlyBodyMarker(fastify);
  registerBearerChallenge(fastify);
  app.useSecurityHeaders({
    contentSecurityPolicy: {
      directives: {
        // Swagger UI at /docs needs inline styles and its own scripts; nothing else is served as HTML.
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        // Served over plain http on a laptop; TLS is the ingress's job.
        'upgrade-insecure-requests': null,
      },
    },
  });
  if (http.corsOrigins.length > 0) {
    app.enableCors({
      origin: http.corsOrigins,
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id', 'Idempotency-Key'],
      exposedHeaders: ['X-Request-Id', 'Retry-After', 'WWW-Authenticate', 'Idempotent-Replayed'],
      maxAge: 600,
    });
  }
  app.useGlobalFilters(new HttpErrorFilter());
  app.useGlobalPipes(createValidationPipe());
  setupSwagger(app);
  closeOnSignals(app, logger);
}

export function buildOpenApiDocument(app: INestApplication) {
  const options = new DocumentBuilder()
    .setTitle(API_TITLE)
    .setDescription(
      'Finance API (users, transactions, subscriptions, extracts) and card settlement service ' +
        '(ingest, query). Amounts are decimal strings. Errors share one shape: ' +
        '`{statusCode, error, message, details?, requestId}`.',
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SCHEME)
    .build();
  // Each route is listed once, under the tag its controller or handler names (no tag from the class name).
  return SwaggerModule.createDocument(app, options, { autoTagControllers: false });
}

function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}
