import type { Cache } from '@nestjs/cache-manager';
import { createCache } from 'cache-manager';
import { Keyv } from 'keyv';
import { AppConfigService, loadConfig } from '@app/core';
import { Metrics } from '@app/metrics';
import type { SettlementDataVersion } from '@app/settlement-ingest';
import { BoundedMap, memoryStore } from './cache-stores';
import { CACHE_RETRY_AFTER_MS, CACHE_TIMEOUT_MS, SettlementQueryCache } from './settlement-query.cache';

/** A shared-tier store whose behaviour each test sets: working, failing, or hanging. */
class ScriptedStore extends Map<string, unknown> {
  mode: 'ok' | 'fail' | 'hang' = 'ok';
  reads = 0;

  override get(key: string): unknown {
    this.reads += 1;
    if (this.mode === 'fail') throw new Error('ECONNREFUSED');
    if (this.mode === 'hang') return new Promise(() => undefined);
    return super.get(key);
  }

  /** One MGET: one command, however many keys. */
  commands = 0;

  getMany(keys: string[]): unknown[] | Promise<unknown[]> {
    this.commands += 1;
    if (this.mode === 'fail') throw new Error('ECONNREFUSED');
    if (this.mode === 'hang') return new Promise(() => undefined);
    this.reads += keys.length;
    return keys.map((key) => super.get(key));
  }

  override set(key: string, value: unknown): this {
    if (this.mode === 'fail') throw new Error('ECONNREFUSED');
    return super.set(key, value);
  }
}

function setup(version: () => Promise<string | null> = async () => '7', ttlSeconds = '30', shared = new ScriptedStore()) {
  const sharedKeyv = new Keyv({ store: shared, useKeyPrefix: false, throwOnErrors: true });
  sharedKeyv.on('error', () => undefined);
  const cache = createCache({ stores: [memoryStore(), sharedKeyv] }) as unknown as Cache;
  const dataVersion = { current: jest.fn(version) } as unknown as SettlementDataVersion & { current: jest.Mock };
  const config = new AppConfigService(loadConfig({ SETTLEMENT_CACHE_TTL_SECONDS: ttlSeconds }));
  const metrics = new Metrics();
  return { subject: new SettlementQueryCache(cache, dataVersion, config, metrics), shared, dataVersion, metrics };
}

const counter = () => {
  let calls = 0;
  const load = jest.fn(async () => `answer ${++calls}`);
  return load;
};

describe('SettlementQueryCache', () => {
  afterEach(() => jest.useRealTimers());

  it('answers a second read from the cache, keyed by the data version', async () => {
    const { subject } = setup();
    const load = counter();
    const version = await subject.version();
    expect(await subject.read(version, 'k', load)).toBe('answer 1');
    expect(await subject.read(version, 'k', load)).toBe('answer 1');
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('a new data version (an ingest committed) is never answered from before it', async () => {
    let version = '7';
    const { subject } = setup(async () => version);
    const load = counter();
    await subject.read(await subject.version(), 'k', load);
    version = '8';
    expect(await subject.read(await subject.version(), 'k', load)).toBe('answer 2');
  });

  it('shares one load between concurrent misses of the same key', async () => {
    const { subject } = setup();
    let release!: () => void;
    const load = jest.fn(() => new Promise<string>((resolve) => (release = () => resolve('once'))));
    const version = await subject.version();
    const reads = [subject.read(version, 'k', load), subject.read(version, 'k', load), subject.read(version, 'k', load)];
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect(await Promise.all(reads)).toEqual(['once', 'once', 'once']);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('does not share loads across versions', async () => {
    const { subject } = setup();
    const load = counter();
    await Promise.all([subject.read('1', 'k', load), subject.read('2', 'k', load)]);
    expect(load).toHaveBeenCalledTimes(2);
  });

  describe('a key read with a companion (a page with its total)', () => {
    const settle = () => new Promise((resolve) => setTimeout(resolve, 10));
    /** A page whose load reads its total through the cache, as the service does. */
    const page = (subject: SettlementQueryCache, counts: jest.Mock) =>
      subject.read('7', 'page', async () => `page of ${await subject.read('7', 'total', counts)}`, 'total');

    it('a miss fetches both in one shared-tier command, and the total is not asked for again', async () => {
      const { subject, shared } = setup();
      const counts = counter();
      expect(await page(subject, counts)).toBe('page of answer 1');
      expect(shared.commands).toBe(1);
      await settle();
      expect(shared.has('7:page') && shared.has('7:total')).toBe(true);
    });

    it('a total another process stored is taken from that command: no count', async () => {
      const { subject: other, shared } = setup();
      await other.read('7', 'total', async () => 42);
      await settle();
      const { subject } = setup(undefined, undefined, shared);
      const counts = counter();
      shared.commands = 0;
      expect(await page(subject, counts)).toBe('page of 42');
      expect(counts).not.toHaveBeenCalled();
      expect(shared.commands).toBe(1);
    });

    it('a page found in the shared tier is answered as it is', async () => {
      const { subject: other, shared } = setup();
      await page(other, counter());
      await settle();
      const { subject } = setup(undefined, undefined, shared);
      const counts = counter();
      expect(await page(subject, counts)).toBe('page of answer 1');
      expect(counts).not.toHaveBeenCalled();
    });

    it('on another version nothing is taken from before', async () => {
      const { subject, shared } = setup();
      await page(subject, counter());
      await settle();
      const counts = counter();
      expect(await subject.read('8', 'page', async () => `page of ${await subject.read('8', 'total', counts)}`, 'total')).toBe('page of answer 1');
      expect(counts).toHaveBeenCalledTimes(1);
      expect(shared.commands).toBe(2);
    });
  });

  it('an unknown version (Redis down or slow) means no cache at all', async () => {
    const { subject, shared } = setup(async () => null);
    const load = counter();
    const version = await subject.version();
    expect(version).toBeNull();
    expect(await subject.read(version, 'k', load)).toBe('answer 1');
    expect(await subject.read(version, 'k', load)).toBe('answer 2');
    expect(shared.size).toBe(0);
  });

  it('a failing shared store is a miss, then skipped for a while, then tried again', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    const { subject, shared, dataVersion } = setup();
    shared.mode = 'fail';
    const load = counter();
    expect(await subject.read('7', 'a', load)).toBe('answer 1');
    // Breaker open: neither the version nor the store is asked.
    dataVersion.current.mockClear();
    shared.reads = 0;
    expect(await subject.version()).toBeNull();
    expect(dataVersion.current).not.toHaveBeenCalled();
    expect(await subject.read(null, 'a', load)).toBe('answer 2');
    expect(shared.reads).toBe(0);
    // After the pause one read probes, finds Redis back, and the cache is used again.
    shared.mode = 'ok';
    jest.advanceTimersByTime(CACHE_RETRY_AFTER_MS);
    expect(await subject.version()).toBe('7');
    await subject.read('7', 'b', load);
    expect(await subject.read('7', 'b', load)).toBe('answer 3');
  });

  it('a hanging shared store costs at most the cache timeout', async () => {
    const { subject, shared } = setup();
    shared.mode = 'hang';
    const started = Date.now();
    expect(await subject.read('7', 'k', counter())).toBe('answer 1');
    expect(Date.now() - started).toBeLessThan(CACHE_TIMEOUT_MS + 200);
  });

  it('a failure empties this process’s memory tier: a bump missed while Redis was down cannot leave stale answers', async () => {
    const { subject, shared } = setup();
    const load = counter();
    await subject.read('7', 'k', load);
    shared.mode = 'fail';
    await subject.version(); // version is fine, but:
    await subject.read('7', 'other', load); // the shared store fails
    shared.mode = 'ok';
    shared.clear(); // Redis came back empty, its version key reset to what it was
    await new Promise((resolve) => setTimeout(resolve, CACHE_RETRY_AFTER_MS + 10));
    expect(await subject.read('7', 'k', load)).toBe('answer 3');
  });

  it('SETTLEMENT_CACHE_TTL_SECONDS=0 turns the cache off', async () => {
    const { subject, dataVersion, metrics } = setup(undefined, '0');
    expect(subject.enabled).toBe(false);
    expect(await subject.version()).toBeNull();
    expect(dataVersion.current).not.toHaveBeenCalled();
    await subject.read(null, 'k', counter());
    const text = await metrics.registry.metrics();
    expect(text).toContain('payments_cache_hits_total{cache="settlement_query"} 0');
    expect(text).toContain('payments_cache_misses_total{cache="settlement_query"} 0');
  });

  it('counts hits and misses; a read the cache could not serve (no version) is a miss', async () => {
    const { subject, metrics } = setup();
    const load = counter();
    await subject.read('7', 'k', load);
    await subject.read('7', 'k', load);
    await subject.read('7', 'k', load);
    await subject.read(null, 'k', load);
    const text = await metrics.registry.metrics();
    expect(text).toContain('payments_cache_hits_total{cache="settlement_query"} 2');
    expect(text).toContain('payments_cache_misses_total{cache="settlement_query"} 2');
  });
});

describe('BoundedMap', () => {
  it('forgets the oldest entry once full', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2).set('a', 3).set('c', 4);
    expect([...map.keys()]).toEqual(['b', 'c']);
  });
});
