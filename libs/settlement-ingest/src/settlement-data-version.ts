import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { AppConfigService, REDIS, withTimeout } from '@app/core';

/** How long a read of the version may wait for Redis before the caller treats it as unknown. */
export const DATA_VERSION_TIMEOUT_MS = 150;

/**
 * A counter bumped every time an ingest commits rows, shared by every process (Redis in services
 * mode, this process's memory when embedded). Readers key their cache on it, so a completed ingest
 * makes every older cache entry unreachable at once, without scanning keys.
 */
@Injectable()
export class SettlementDataVersion {
  private readonly logger = new Logger(SettlementDataVersion.name);
  private readonly key: string;
  private local = 0;
  private retryPending = false;

  constructor(
    @Inject(REDIS) private readonly redis: Redis | null,
    config: AppConfigService,
  ) {
    this.key = `${config.get('redis')?.prefix ?? 'payments'}:settlement:data-version`;
  }

  /** The current version, or null when it cannot be known now (Redis down or slow): do not cache. */
  async current(): Promise<string | null> {
    if (!this.redis) return String(this.local);
    try {
      const value = await withTimeout(this.redis.get(this.key), DATA_VERSION_TIMEOUT_MS);
      return value ?? '0';
    } catch {
      return null;
    }
  }

  /**
   * Called after an ingest commits; never fails the ingest. A bump Redis could not take is made as
   * soon as Redis is reachable again, so entries cached before the outage (if Redis kept them) are
   * not served past that moment; the cache TTL bounds the gap.
   */
  async bump(): Promise<void> {
    this.local += 1;
    const redis = this.redis;
    if (!redis) return;
    try {
      await withTimeout(redis.incr(this.key), 2_000);
    } catch (error) {
      this.logger.warn(`could not bump the settlement data version, will when Redis is back: ${(error as Error).message}`);
      if (!this.retryPending) {
        this.retryPending = true;
        redis.once('ready', () => {
          this.retryPending = false;
          void this.bump();
        });
      }
    }
  }
}
