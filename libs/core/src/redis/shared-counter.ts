import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';

/** How long a read of a shared counter may wait for Redis before the caller treats it as unknown. */
export const SHARED_COUNTER_TIMEOUT_MS = 150;

/**
 * A counter shared by every process (a Redis key in services mode, this process's memory when
 * embedded), bumped by whoever changes the data it stands for. Readers key their caches on it, so a
 * bump makes every older cache entry unreachable at once, without scanning keys.
 */
export class SharedCounter {
  private readonly logger: Logger;
  private local = 0;
  private retryPending = false;

  constructor(
    private readonly redis: Redis | null,
    private readonly key: string,
    name: string,
  ) {
    this.logger = new Logger(name);
  }

  /** The current value, or null when it cannot be known now (Redis down or slow): do not cache. */
  async current(): Promise<string | null> {
    if (!this.redis) return String(this.local);
    try {
      const value = await withTimeout(this.redis.get(this.key), SHARED_COUNTER_TIMEOUT_MS);
      return value ?? '0';
    } catch {
      return null;
    }
  }

  /**
   * Never fails the caller. A bump Redis could not take is made as soon as Redis is reachable again,
   * so entries cached before the outage (if Redis kept them) are not served past that moment.
   */
  async bump(): Promise<void> {
    this.local += 1;
    const redis = this.redis;
    if (!redis) return;
    try {
      await withTimeout(redis.incr(this.key), 2_000);
    } catch (error) {
      this.logger.warn(`could not bump ${this.key}, will when Redis is back: ${(error as Error).message}`);
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

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
