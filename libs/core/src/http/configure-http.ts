import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { AppConfigService } from '../config/app-config.service';
import { HttpErrorFilter } from '../errors/http-error.filter';
import { AppLogger } from '../logging/app-logger';
import { accessLogMiddleware } from './access-log.middleware';
import { bodyDepthMiddleware } from './body-depth.middleware';
import { requestIdMiddleware } from './request-id.middleware';
import { createValidationPipe } from './validation';

export const API_TITLE = 'Payments backend';
export const BEARER_SCHEME = 'bearer';

/**
 * Everything an HTTP app needs around its controllers, shared by main.ts and the e2e tests so both
 * serve exactly the same pipeline. The app must be created with `bodyParser: false`: the request id
 * goes on before the body is read, so even a 413 or malformed JSON answer carries it.
 */
export function configureHttpApp(app: NestExpressApplication, config: AppConfigService, logger: AppLogger): void {
  const http = config.get('http');
  app.use(requestIdMiddleware);
  app.use(accessLogMiddleware(logger));
  app.use(
    helmet({
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
    }),
  );
  if (http.corsOrigins.length > 0) {
    app.enableCors({
      origin: http.corsOrigins,
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
      exposedHeaders: ['X-Request-Id', 'Retry-After'],
      maxAge: 600,
    });
  }
  app.useBodyParser('json', { limit: http.bodyLimitBytes });
  app.useBodyParser('urlencoded', { limit: http.bodyLimitBytes, extended: false });
  app.use(bodyDepthMiddleware);
  app.useGlobalFilters(new HttpErrorFilter());
  app.useGlobalPipes(createValidationPipe());
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.disable('x-powered-by');
  setupSwagger(app);
  app.enableShutdownHooks();
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
  return SwaggerModule.createDocument(app, options);
}

function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}
