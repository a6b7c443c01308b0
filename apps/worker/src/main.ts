import { NestFactory } from '@nestjs/core';
import { tmpdir } from 'node:os';
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
  // Per container, not on the shared data volume, so one live replica cannot vouch for a stuck one.
  startHeartbeat(join(tmpdir(), 'payments-worker.heartbeat'));
  logger.log(`Worker started (concurrency ${config.get('worker').concurrency})`, 'Bootstrap');
}

void bootstrap();
