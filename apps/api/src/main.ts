import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { bootConfig, configureHttpApp, createHttpAdapter } from '@app/core';
import { ApiModule } from './api.module';

async function bootstrap(): Promise<void> {
  const { config, logger } = bootConfig();
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), createHttpAdapter(config), { logger });
  configureHttpApp(app, config, logger);
  await app.listen(config.get('port'), '0.0.0.0');

  const embedded = config.embeddedParts();
  if (embedded.length > 0) logger.log({ embedded }, `Embedded mode: ${embedded.join('; ')}`, 'Bootstrap');
  logger.log(`API listening on http://localhost:${config.get('port')} (Swagger UI at /docs)`, 'Bootstrap');
}

void bootstrap();
