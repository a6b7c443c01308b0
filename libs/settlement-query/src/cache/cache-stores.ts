import { Logger } from '@nestjs/common';
import KeyvRedis, { createClient } from '@keyv/redis';
import { Keyv } from 'keyv';
import type { CacheModuleOptions } from '@nestjs/cache-manager';
import type { AppConfigService } from '@app/core';

/** Entries kept in this process's memory at most, so a flood of distinct queries cannot exhaust it. */
export const MEMORY_ENTRIES = 5_000;

/** A Map that forgets its oldest entry once full: a bounded store for Keyv (expiry is Keyv's). */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.limit) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}

/** The in-memory tier: objects kept as they are (no serialising), bounded. */
export function memoryStore(): Keyv {
  const keyv = new Keyv({ store: new BoundedMap<string, unknown>(MEMORY_ENTRIES), useKeyPrefix: false });
  keyv.serialize = undefined;
  keyv.deserialize = undefined;
  return keyv;
}

/**
 * A cache is worth nothing once its server is gone: close at once rather than wait for a graceful
 * QUIT that an unreachable Redis would never answer.
 */
class CacheRedisStore extends KeyvRedis<unknown> {
  override async disconnect(): Promise<void> {
    if (this.client.isOpen) (this.client as { destroy(): void }).destroy();
  }
}

/**
 * The shared tier on Redis (a Keyv store: @keyv/redis, the maintained successor of
 * cache-manager-ioredis-yet). It fails fast while Redis is unreachable (no offline queue) and keeps
 * reconnecting in the background, so reads fall through to the database and the cache comes back
 * by itself.
 */
export function redisStore(url: string, namespace: string): Keyv {
  const logger = new Logger('SettlementQueryCache');
  const client = createClient({
    url,
    name: 'payments-settlement-cache',
    disableOfflineQueue: true,
    socket: { connectTimeout: 1000, reconnectStrategy: (attempt: number) => Math.min(100 * (attempt + 1), 2000) },
  });
  let down = false;
  client.on('error', (error: Error) => {
    if (!down) logger.warn(`cache Redis unreachable, reading from the database: ${error.message}`);
    down = true;
  });
  client.on('ready', () => {
    if (down) logger.log('cache Redis reachable again');
    down = false;
  });
  // Connects in the background: a Redis down at boot must not stop the api from serving.
  client.connect().catch(() => undefined);
  const store = new CacheRedisStore(client, { namespace, throwOnConnectError: false, throwOnErrors: true });
  const keyv = new Keyv({ store, namespace, useKeyPrefix: false, throwOnErrors: true });
  // Errors reach the caller (which falls back to the database); the events would only repeat them.
  keyv.on('error', () => undefined);
  store.on('error', () => undefined);
  return keyv;
}

/**
 * @nestjs/cache-manager options. Embedded: memory only. Services: this process's memory in front
 * of Redis, both keyed by the data version, so a hit in memory is exactly as fresh as one in Redis.
 */
export function cacheOptions(config: AppConfigService): CacheModuleOptions {
  const redis = config.get('redis');
  const ttl = config.get('settlementQuery').cacheTtlSeconds * 1000;
  const stores = [memoryStore()];
  // A cache switched off needs no Redis connection.
  if (redis && ttl > 0) stores.push(redisStore(redis.url, `${redis.prefix}:settlement-query`));
  return { stores, ttl };
}
