import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS } from '@app/core';

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

  constructor(@Inject(REDIS) private readonly redis: Redis | null) {}

  /** Seconds until the caller may try again, or 0 when not blocked. */
  async blockedFor(username: string, address: string): Promise<number> {
    const key = this.key(username, address);
    const fromRedis = await this.tryRedis(async (redis) => {
      const [count, ttl] = await redis.multi().get(key).pttl(key).exec().then((r) => r!.map(([, v]) => v));
      return Number(count ?? 0) >= MAX_FAILURES ? Math.ceil(Math.max(Number(ttl), 1000) / 1000) : 0;
    });
    if (fromRedis !== undefined) return fromRedis;
    const entry = this.memoryEntry(key);
    return entry && entry.count >= MAX_FAILURES ? Math.ceil((entry.resetAt - Date.now()) / 1000) : 0;
  }

  async recordFailure(username: string, address: string): Promise<void> {
    const key = this.key(username, address);
    const done = await this.tryRedis(async (redis) => {
      // The window starts at the first failure (fixed window), like the source system's lockout.
      await redis.multi().incr(key).pexpire(key, WINDOW_MS, 'NX').exec();
      return true;
    });
    if (done) return;
    const entry = this.memoryEntry(key);
    if (entry) entry.count += 1;
    else {
      if (this.memory.size >= MEMORY_LIMIT) this.evictExpired();
      this.memory.set(key, { count: 1, resetAt: Date.now() + WINDOW_MS });
    }
  }

  async reset(username: string, address: string): Promise<void> {
    const key = this.key(username, address);
    this.memory.delete(key);
    await this.tryRedis((redis) => redis.del(key));
  }

  private key(username: string, address: string): string {
    return `login-failures:${username.toLowerCase().slice(0, 128)}:${address}`;
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
