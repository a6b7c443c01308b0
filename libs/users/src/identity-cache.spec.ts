import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
import type { AuthUser } from '@app/auth/access';
import type { AppConfigService } from '@app/core';
import { IDENTITY_CACHE_TTL_MS, IdentityCache } from './identity-cache';

/** The two commands the shared version needs, and the connection events the cache listens to. */
class FakeRedis extends EventEmitter {
  value: string | null = null;
  down = false;
  async get(): Promise<string | null> {
    if (this.down) throw new Error('Connection is closed.');
    return this.value;
  }
  async incr(): Promise<number> {
    if (this.down) throw new Error('Connection is closed.');
    this.value = String(Number(this.value ?? 0) + 1);
    return Number(this.value);
  }
}

const config = { get: () => ({ prefix: 'test' }) } as unknown as AppConfigService;
const alice: AuthUser = { id: 'u1', username: 'alice', role: 'operator' };

function setup(redis: FakeRedis | null = new FakeRedis()) {
  const cache = new IdentityCache(redis as unknown as Redis | null, config);
  let stored: AuthUser | null = alice;
  const load = jest.fn(async () => stored);
  return { cache, redis, load, set: (identity: AuthUser | null) => (stored = identity) };
}

describe('IdentityCache', () => {
  afterEach(() => jest.useRealTimers());

  it('reads the database once per user while the shared version stays the same', async () => {
    const { cache, load } = setup();
    await expect(cache.find('u1', load)).resolves.toEqual(alice);
    await expect(cache.find('u1', load)).resolves.toEqual(alice);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('reads the database again after any process reports a change (the shared version moved)', async () => {
    const { cache, redis, load, set } = setup();
    await cache.find('u1', load);
    set(null); // disabled, by another replica that bumped the version
    await redis!.incr();
    await expect(cache.find('u1', load)).resolves.toBeNull();
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('bumps the shared version when told of a change', async () => {
    const { cache, redis, load } = setup();
    await cache.find('u1', load);
    await cache.changed();
    expect(redis!.value).toBe('1');
    await cache.find('u1', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('trusts nothing cached while the version cannot be read, nor after the connection dropped', async () => {
    const { cache, redis, load } = setup();
    await cache.find('u1', load);
    redis!.down = true;
    await cache.find('u1', load);
    await cache.find('u1', load);
    expect(load).toHaveBeenCalledTimes(3);
    redis!.down = false;
    await cache.find('u1', load);
    await cache.find('u1', load);
    expect(load).toHaveBeenCalledTimes(4);
    redis!.emit('close');
    await cache.find('u1', load);
    expect(load).toHaveBeenCalledTimes(5);
  });

  it('does not keep what a lookup loaded when the version moved while it was loading', async () => {
    const { cache, redis } = setup();
    let release!: () => void;
    const slow = jest.fn(() => new Promise<AuthUser>((resolve) => (release = () => resolve(alice))));
    const pending = cache.find('u1', slow);
    await new Promise((resolve) => setImmediate(resolve));
    await redis!.incr();
    const fresh = jest.fn(async () => null);
    await expect(cache.find('u1', fresh)).resolves.toBeNull(); // the new version's first lookup
    release();
    await pending;
    await expect(cache.find('u1', fresh)).resolves.toBeNull();
    expect(fresh).toHaveBeenCalledTimes(2);
  });

  it('does not keep unknown or disabled users, and rereads after the TTL', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    const { cache, load, set } = setup();
    set(null);
    await cache.find('u1', load);
    await cache.find('u1', load);
    expect(load).toHaveBeenCalledTimes(2);
    set(alice);
    await cache.find('u1', load);
    await cache.find('u1', load);
    expect(load).toHaveBeenCalledTimes(3);
    jest.advanceTimersByTime(IDENTITY_CACHE_TTL_MS + 1);
    await cache.find('u1', load);
    expect(load).toHaveBeenCalledTimes(4);
  });

  it('caches nothing when embedded (no Redis): the CLI may change users from another process', async () => {
    const { cache, load } = setup(null);
    await cache.find('u1', load);
    await cache.find('u1', load);
    expect(load).toHaveBeenCalledTimes(2);
  });
});
