import { Inject, Injectable } from '@nestjs/common';
import { CACHE_MANAGER, Cache } from '@nestjs/cache-manager';
import { AppConfigService, withTimeout } from '@app/core';
import { CacheCounters, Metrics } from '@app/metrics';
import { SettlementDataVersion } from '@app/settlement-ingest';

/** A cache read slower than this counts as a miss: the database answers instead. */
export const CACHE_TIMEOUT_MS = 100;
/** After a cache failure, how long reads skip the cache before one of them tries it again. */
export const CACHE_RETRY_AFTER_MS = 1_000;
/** Keys the shared tier was just seen not to hold, remembered for the load about to ask for them. */
const KNOWN_ABSENT = 1_000;

/**
 * The settlement query cache: answers keyed by the data version (bumped by every ingest commit) and
 * the normalised query. A completed ingest changes the version, so no answer from before it can be
 * found again; the TTL is only a backstop for a bump that could not reach Redis.
 *
 * Whenever the cache cannot be trusted or reached (version unknown, Redis down or slow) a read goes
 * to the database: the cache may make answers faster, never wrong and never failed.
 */
@Injectable()
export class SettlementQueryCache {
  readonly enabled: boolean;
  private readonly ttlMs: number;
  private readonly lookups: CacheCounters;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  /** Companion keys (see `read`) the shared tier did not hold when their key was looked up: not asked again. */
  private readonly absent = new Set<string>();
  /** Until when the cache is skipped after a failure (a small circuit breaker). */
  private skipUntil = 0;
  private probing = false;
  /** The version read the reads of this turn of the event loop wait for (see `version`). */
  private nextVersion: Promise<string | null> | null = null;

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    private readonly dataVersion: SettlementDataVersion,
    config: AppConfigService,
    metrics: Metrics,
  ) {
    this.ttlMs = config.get('settlementQuery').cacheTtlSeconds * 1000;
    this.enabled = this.ttlMs > 0;
    this.lookups = metrics.cache('settlement_query');
  }

  /**
   * The data version to key answers on, or null: do not use the cache for this read.
   *
   * The reads of one turn of the event loop share one Redis read, sent after that turn: each of
   * them arrived before it was sent, so each still sees every bump completed before its arrival (an
   * answer from before a completed ingest is never found), at one command per turn instead of one
   * per request.
   */
  version(): Promise<string | null> {
    if (!this.enabled || !this.mayTry()) return Promise.resolve(null);
    if (!this.nextVersion) {
      this.nextVersion = new Promise((resolve) =>
        setImmediate(() => {
          this.nextVersion = null;
          void this.dataVersion.current().then((version) => {
            this.record(version !== null);
            resolve(version);
          });
        }),
      );
    }
    return this.nextVersion;
  }

  /**
   * The cached answer for `key` at `version`, or `load()`'s, stored for the next read. Concurrent
   * misses on the same key and version share one load. Without a version, just `load()`.
   *
   * `companion`: a key `load()` itself reads through this cache (a page's total). When `key` has to
   * be looked up in the shared tier, the companion is fetched with it in the same command (MGET): a
   * miss then costs one Redis round trip before the database, not one per key in a row.
   */
  async read<T>(version: string | null, key: string, load: () => Promise<T>, companion?: string): Promise<T> {
    if (version === null) {
      // Switched off, nothing is looked up; unusable (Redis down or slow), the database answers a miss.
      if (this.enabled) this.lookups.miss();
      return load();
    }
    const fullKey = `${version}:${key}`;
    const hit = await this.get<T>(fullKey, companion === undefined ? undefined : `${version}:${companion}`);
    if (hit !== undefined) {
      this.lookups.hit();
      return hit;
    }
    this.lookups.miss();
    const pending = this.inFlight.get(fullKey) as Promise<T> | undefined;
    if (pending) return pending;
    const loading = load().finally(() => this.inFlight.delete(fullKey));
    this.inFlight.set(fullKey, loading);
    const value = await loading;
    this.set(fullKey, value);
    return value;
  }

  private async get<T>(key: string, companion?: string): Promise<T | undefined> {
    if (!this.mayTry()) return undefined;
    try {
      const [memory, ...shared] = this.cache.stores;
      const local = (await memory.get(key)) as T | undefined;
      if (local !== undefined) return local;
      // Fetched with its key a moment ago and not there: the load asking now computes it (an entry
      // written since by another reader of the same version holds the same answer).
      if (this.absent.delete(key)) return undefined;
      const along = companion !== undefined && shared.length > 0 && (await memory.get(companion)) === undefined ? companion : undefined;
      for (const store of shared) {
        const keys = along === undefined ? [key] : [key, along];
        const [value, alongValue] = (await withTimeout(store.getMany(keys), CACHE_TIMEOUT_MS, 'cache gave no answer')) as [T | undefined, unknown];
        if (value !== undefined) {
          // Keep it in this process too, for the little time it has left at most.
          await memory.set(key, value, this.ttlMs);
          this.record(true);
          return value;
        }
        if (along !== undefined) {
          if (alongValue !== undefined) await memory.set(along, alongValue, this.ttlMs);
          else this.markAbsent(along);
        }
      }
      this.record(true);
      return undefined;
    } catch {
      this.record(false);
      return undefined;
    }
  }

  private markAbsent(key: string): void {
    if (this.absent.size >= KNOWN_ABSENT) this.absent.delete(this.absent.values().next().value!);
    this.absent.add(key);
  }

  /** Stores without making the reader wait; a store that fails only opens the breaker. */
  private set(key: string, value: unknown): void {
    if (!this.mayTry()) return;
    withTimeout(this.cache.set(key, value, this.ttlMs), CACHE_TIMEOUT_MS * 5, 'cache gave no answer').catch(() => this.record(false));
  }

  /** Closed breaker, or the one read allowed to probe a cache that failed a moment ago. */
  private mayTry(): boolean {
    if (this.skipUntil === 0) return true;
    if (Date.now() < this.skipUntil || this.probing) return false;
    this.probing = true;
    return true;
  }

  private record(ok: boolean): void {
    this.probing = false;
    this.skipUntil = ok ? 0 : Date.now() + CACHE_RETRY_AFTER_MS;
    // An ingest that committed while Redis was unreachable could not bump the version, and Redis may
    // come back with the version it had: answers this process kept in memory could then look current.
    if (!ok) {
      this.absent.clear();
      void this.cache.stores[0].clear().catch(() => undefined);
    }
  }
}
