import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { AppConfigService, REDIS } from '@app/core';

/** §HTTP: 5 failed logins in 15 minutes per username and client address, then 429. */
export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60 * 1000;
const MEMORY_LIMIT = 100_000; // keys kept in memory at most, so a flood of names cannot exhaust it

/**
 * Counts failed logins per (username, address). Shared through Redis when configured, so every api
 * replica sees the same count; in memory when embedded, or for as long as Redis is unreachable.
 */
@Injectable()
export class LoginThrottle {
  private readonly logger = new Logger(LoginThrottle.name);
  private readonly memory = new Map<string, { count: number; resetAt: number }>();

  private readonly prefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis | null,
    config: AppConfigService,
  ) {
    this.prefix = config.get('redis')?.prefix ?? 'payments';
  }

  /**
   * Counts this attempt before the password is checked (so parallel guesses cannot slip past the
   * count) and answers the seconds to wait when it is over the limit, or 0 to go ahead. A
   * successful login resets the count.
   */
  async attempt(username: string, address: string): Promise<number> {
    const key = this.key(username, address);
    const fromRedis = await this.tryRedis(async (redis) => {
      // The window starts at the first attempt (fixed window), like the source system's lockout.
      const replies = await redis.multi().incr(key).pexpire(key, WINDOW_MS, 'NX').pttl(key).exec();
      const [count, , ttl] = replies!.map(([error, value]) => {
        if (error) throw error;
        return Number(value);
      });
      return count > MAX_FAILURES ? Math.ceil(Math.max(ttl, 1000) / 1000) : 0;
    });
    if (fromRedis !== undefined) return fromRedis;
    let entry = this.memoryEntry(key);
    if (!entry) {
      if (this.memory.size >= MEMORY_LIMIT) this.evictExpired();
      entry = { count: 0, resetAt: Date.now() + WINDOW_MS };
      this.memory.set(key, entry);
    }
    entry.count += 1;
    return entry.count > MAX_FAILURES ? Math.ceil((entry.resetAt - Date.now()) / 1000) : 0;
  }

  async reset(username: string, address: string): Promise<void> {
    const key = this.key(username, address);
    this.memory.delete(key);
    await this.tryRedis((redis) => redis.del(key));
  }

  private key(username: string, address: string): string {
    return `${this.prefix}:login-failures:${username.toLowerCase().slice(0, 128)}:${address}`;
  }

  private memoryEntry(key: string) {
    const entry = this.memory.get(key);
    if (entry && entry.resetAt <= Date.now()) {
      this.memory.delete(key);
      return undefined;
    }
    return entry;
  }

  private evictExpired(): void {
    const now = Date.now();
    for (const [key, entry] of this.memory) if (entry.resetAt <= now) this.memory.delete(key);
    // Still full: drop the oldest entries (Map keeps insertion order).
    for (const key of this.memory.keys()) {
      if (this.memory.size < MEMORY_LIMIT) break;
      this.memory.delete(key);
    }
  }

  private async tryRedis<T>(fn: (redis: Redis) => Promise<T>): Promise<T | undefined> {
    if (!this.redis || this.redis.status !== 'ready') return undefined;
    try {
      return await fn(this.redis);
    } catch (error) {
      this.logger.warn(`Login throttle falls back to memory: ${(error as Error).message}`);
      return undefined;
    }
  }
}
