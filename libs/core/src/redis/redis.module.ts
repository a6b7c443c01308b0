import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfigService } from '../config/app-config.service';

/** The shared Redis connection, or null in embedded mode. */
export const REDIS = Symbol('REDIS');

/**
 * Fails fast while Redis is unreachable (no offline queue, one try per command) and reconnects in
 * the background, so callers can fall back at once and recover without a restart. Commands issued
 * in the same tick go out as one pipeline (many requests reading the data version at once cost one
 * write and one read on the socket); nothing here blocks, so nothing can hold a pipeline up.
 */
export function createRedisClient(url: string, connectionName: string): Redis {
  return new Redis(url, {
    connectionName,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
}

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => {
        const target = config.get('redis');
        if (!target) return null;
        const client = createRedisClient(target.url, 'payments-shared');
        const logger = new Logger('Redis');
        // Without a listener ioredis prints every failed reconnect; one warning per outage is enough.
        let down = false;
        client.on('error', (error) => {
          if (!down) logger.warn(`Redis unreachable: ${error.message}`);
          down = true;
        });
        client.on('ready', () => {
          if (down) logger.log('Redis reachable again');
          down = false;
        });
        return client;
      },
    },
    RedisCloser,
  ],
  exports: [REDIS],
})
export class RedisModule {}
