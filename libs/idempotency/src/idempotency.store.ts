import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, LessThan, Repository } from 'typeorm';
import { ConflictError, UnprocessableError } from '@app/core';
import { FINANCE_DB, isUniqueViolation } from '@app/database';
import { IdempotencyKey } from './entities/idempotency-key.entity';

/** §HTTP: a key and its answer are kept 24 hours. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * A key still `running` after this long belongs to a request whose process died (requests are cut
 * off after 5 minutes): a retry may take it over instead of hearing 409 until the key expires.
 */
export const IDEMPOTENCY_STALE_MS = 10 * 60 * 1000;

export type Claim = { run: true } | { run: false; status: number; body: unknown };

/** The keys in the finance database, so they hold across api replicas and restarts. */
@Injectable()
export class IdempotencyStore {
  private readonly logger = new Logger(IdempotencyStore.name);
  private readonly keys: Repository<IdempotencyKey>;

  constructor(@InjectDataSource(FINANCE_DB) readonly dataSource: DataSource) {
    this.keys = dataSource.getRepository(IdempotencyKey);
  }

  /**
   * Claims `key` for this request (a committed `running` row, so a concurrent retry sees it), or
   * answers what the first request with it answered. 422 when the key came with another request,
   * 409 while the first is still running.
   */
  async claim(callerId: string, key: string, requestHash: string): Promise<Claim> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const now = new Date();
      try {
        await this.keys.insert({
          callerId,
          key,
          requestHash,
          state: 'running',
          status: null,
          body: null,
          createdAt: now,
          expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
        });
        return { run: true };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
      const kept = await this.keys.findOneBy({ callerId, key });
      if (!kept) continue; // released meanwhile: claim it again
      if (kept.expiresAt <= now) {
        await this.keys.delete({ callerId, key, createdAt: kept.createdAt });
        continue;
      }
      if (kept.state === 'running') {
        // While a request holds the key, any other with it waits, whatever it carries.
        if (now.getTime() - kept.createdAt.getTime() <= IDEMPOTENCY_STALE_MS) break;
        const taken = await this.keys.update({ callerId, key, state: 'running', createdAt: kept.createdAt }, { requestHash, createdAt: now });
        if (taken.affected) return { run: true };
        continue;
      }
      if (kept.requestHash !== requestHash) {
        throw new UnprocessableError('Idempotency-Key was already used with a different request: send a new key for a new request', [
          { field: 'Idempotency-Key', problems: ['was already used with a different request'] },
        ]);
      }
      return { run: false, status: kept.status!, body: kept.body === null ? undefined : JSON.parse(kept.body) };
    }
    throw new ConflictError('A request with this Idempotency-Key is still running: retry once it has answered');
  }

  /** Keeps the answer. Inside the request's ambient transaction on the routes that have one. */
  async complete(callerId: string, key: string, status: number, body: unknown): Promise<void> {
    await this.keys.update({ callerId, key }, { state: 'done', status, body: body === undefined ? null : JSON.stringify(body) });
  }

  /** The request did not answer 2xx and changed nothing: a retry runs it again. */
  async release(callerId: string, key: string): Promise<void> {
    try {
      await this.keys.delete({ callerId, key, state: 'running' });
    } catch (error) {
      // The database is down: the key stays `running` and is taken over once stale.
      this.logger.warn({ err: error }, 'Could not release an idempotency key');
    }
  }

  /** Deletes expired keys; answers how many. */
  async purgeExpired(now = new Date()): Promise<number> {
    const result = await this.keys.delete({ expiresAt: LessThan(now) });
    return result.affected ?? 0;
  }
}
