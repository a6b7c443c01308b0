import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { AuthUser } from '@app/auth/access';
import { AppConfigService, REDIS, SharedCounter } from '@app/core';

/** The backstop for a change made in SQL directly, which bumps nothing: cached identities are reread after this. */
export const IDENTITY_CACHE_TTL_MS = 30_000;
export const IDENTITY_CACHE_MAX_ENTRIES = 10_000;

/**
 * Who a token's subject is, kept in this process so an authenticated request costs no database read,
 * yet a disabled user or a changed role takes effect at once on every replica: every change to a user
 * bumps a version shared through Redis before it is reported done, and every lookup reads that version
 * first (one Redis GET, pipelined with the other requests' reads) and trusts only entries loaded under it.
 *
 * When the version cannot be read (Redis down or slow) or the connection drops, nothing cached is
 * trusted: lookups go to the database until Redis answers again. Embedded mode caches nothing: the
 * CLI may change users in the same SQLite file from another process, and a lookup there is cheap.
 */
@Injectable()
export class IdentityCache {
  private readonly version: SharedCounter | null;
  private entries = new Map<string, { identity: AuthUser; until: number }>();
  private entriesVersion: string | null = null;

  constructor(@Inject(REDIS) redis: Redis | null, config: AppConfigService) {
    this.version = redis ? new SharedCounter(redis, `${config.get('redis')?.prefix ?? 'payments'}:users:identity-version`, 'IdentityVersion') : null;
    redis?.on('close', () => this.forget());
  }

  async find(id: string, load: (id: string) => Promise<AuthUser | null>): Promise<AuthUser | null> {
    const version = this.version ? await this.version.current() : null;
    if (version === null) {
      this.forget();
      return load(id);
    }
    if (version !== this.entriesVersion) {
      this.entries = new Map();
      this.entriesVersion = version;
    }
    const now = Date.now();
    const hit = this.entries.get(id);
    if (hit && hit.until > now) return hit.identity;

    const identity = await load(id);
    // Only while the version this lookup read is still current: a load that began before a bump must
    // not be kept under the version after it. Unknown or disabled users are not kept at all.
    if (identity && this.entriesVersion === version) {
      if (this.entries.size >= IDENTITY_CACHE_MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(id, { identity, until: now + IDENTITY_CACHE_TTL_MS });
    }
    return identity;
  }

  /** Called after a user is changed and before the change is reported done. */
  async changed(): Promise<void> {
    this.forget();
    await this.version?.bump();
  }

  private forget(): void {
    this.entries = new Map();
    this.entriesVersion = null;
  }
}
