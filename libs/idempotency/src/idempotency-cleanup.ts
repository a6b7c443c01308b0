import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { IdempotencyStore } from './idempotency.store';

/** Expired keys out of the finance database, beside the extracts' cleanup. Idempotent: every replica may run it. */
@Injectable()
export class IdempotencyCleanup {
  private readonly logger = new Logger(IdempotencyCleanup.name);

  constructor(private readonly store: IdempotencyStore) {}

  @Cron(CronExpression.EVERY_10_MINUTES)
  async purgeExpired(now = new Date()): Promise<number> {
    const removed = await this.store.purgeExpired(now);
    if (removed > 0) this.logger.log(`Removed ${removed} expired idempotency key(s)`);
    return removed;
  }
}
