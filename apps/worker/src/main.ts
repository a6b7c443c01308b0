import { NestFactory } from '@nestjs/core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bootConfig, startHeartbeat } from '@app/core';
import { WorkerModule } from './worker.module';

async function bootstrap(): Promise<void> {
  const { config, logger } = bootConfig();
  if (!config.get('redis')) {
    logger.error('The worker needs REDIS_URL; in embedded mode jobs run inside the api (npm start)', 'Bootstrap');
    process.exit(78);
  }
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger });
  app.enableShutdownHooks();
  await app.init();
  const dataDir = config.get('paths').dataDir;
  mkdirSync(dataDir, { recursive: true });
  startHeartbeat(join(dataDir, 'worker.heartbeat'));
  logger.log(`Worker started (concurrency ${config.get('worker').concurrency})`, 'Bootstrap');
}

void bootstrap();
