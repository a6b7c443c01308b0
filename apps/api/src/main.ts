import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { bootConfig, configureHttpApp } from '@app/core';
import { ApiModule } from './api.module';

async function bootstrap(): Promise<void> {
  const { config, logger } = bootConfig();
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    bodyParser: false,
    logger,
  });
  configureHttpApp(app, config, logger);
  await app.listen(config.get('port'));

  const embedded = config.embeddedParts();
  if (embedded.length > 0) logger.log({ embedded }, `Embedded mode: ${embedded.join('; ')}`, 'Bootstrap');
  logger.log(`API listening on http://localhost:${config.get('port')} (Swagger UI at /docs)`, 'Bootstrap');
}

void bootstrap();
