import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Test } from '@nestjs/testing';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { ApiModule } from '../../apps/api/src/api.module';
import { AppConfigService, AppLogger, Env, configureHttpApp, createHttpAdapter, loadConfig } from '@app/core';
import { ScratchDatabase, ServerKind, createScratchDatabase } from './databases';
import { SERVICES } from './services';

export const TEST_SECRET_KEY = 'test-secret-key-of-at-least-32-bytes!!';
export const TEST_ADMIN_PASSWORD = 'admin-password-for-tests';

declare const TEST_TARGET: 'embedded' | 'services' | undefined;

/** Which tier this file runs in: e2e (embedded) or integration (real servers). */
export const target = (): 'embedded' | 'services' => (typeof TEST_TARGET === 'undefined' ? 'embedded' : TEST_TARGET);

export interface TestApp {
  app: NestFastifyApplication;
  http: () => ReturnType<typeof request>;
  config: AppConfigService;
  /** Every log line the app wrote, for tests that check what must never be logged. */
  logs: string[];
  dataDir: string;
  /** The environment the app was configured from, e.g. to start a worker process beside it. */
  env: Env;
  close(): Promise<void>;
}

/**
 * The real api module and HTTP pipeline, on SQLite in a temp dir (e2e) or on scratch databases on
 * PostgreSQL (finance) and MariaDB (settlement) plus Redis (integration).
 */
export async function createTestApp(
  extraEnv: Env = {},
  servers: { finance: ServerKind; settlement: ServerKind } = { finance: 'postgres', settlement: 'mysql' },
): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'payments-test-'));
  const scratch: ScratchDatabase[] = [];
  const env: Env = {
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    SECRET_KEY: TEST_SECRET_KEY,
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    // Many apps run at once (test files, the worker processes they start): none takes a fixed port.
    METRICS_PORT: '0',
  };
  if (target() === 'services') {
    const finance = await createScratchDatabase(servers.finance);
    const settlement = await createScratchDatabase(servers.settlement);
    scratch.push(finance, settlement);
    // The app runs the Bull processors itself, so the e2e suites see jobs finish; the worker
    // process is exercised on its own in test/integration.
    Object.assign(env, {
      DATABASE_URL: finance.url,
      SETTLEMENT_DATABASE_URL: settlement.url,
      REDIS_URL: SERVICES.redis,
      // Its own key space: test apps (and concurrent runs) never take each other's jobs.
      REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}`,
      WORKER_IN_API: 'true',
    });
  }
  Object.assign(env, extraEnv);

  const config = new AppConfigService(loadConfig(env));
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = new AppLogger({ level: config.get('log').level, destination: sink });
  const moduleRef = await Test.createTestingModule({ imports: [ApiModule.forRoot(config)] })
    .setLogger(logger)
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(config), { logger });
  configureHttpApp(app, config, logger);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();

  return {
    app,
    http: () => request(app.getHttpServer()),
    config,
    logs,
    dataDir,
    env,
    close: async () => {
      await app.close();
      for (const database of scratch) await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
