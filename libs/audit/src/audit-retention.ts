import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, LessThan, LessThanOrEqual } from 'typeorm';
import { AppConfigService } from '@app/core';
import { FINANCE_DB, withAmbientTransaction } from '@app/database';
import { AuditChainHead, lockedHead } from './entities/audit-chain-head.entity';
import { AuditEntry } from './entities/audit-entry.entity';

/**
 * §Audit retention: entries older than AUDIT_RETENTION_DAYS are cut from the start of the chain,
 * the last cut entry's seq and hash kept in the head as the anchor the rest is verified from.
 * Idempotent and locked on the head, so every replica may run it.
 */
@Injectable()
export class AuditRetention {
  private readonly logger = new Logger(AuditRetention.name);

  constructor(
    @InjectDataSource(FINANCE_DB) private readonly dataSource: DataSource,
    private readonly config: AppConfigService,
  ) {}

  @Cron(CronExpression.EVERY_DAY_AT_3AM)
  async cutExpired(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.get('audit').retentionDays * 86_400_000);
    const removed = await withAmbientTransaction(this.dataSource, async () => {
      const head = await lockedHead(this.dataSource.manager);
      const entries = this.dataSource.getRepository(AuditEntry);
      const last = await entries.findOne({ where: { at: LessThan(cutoff) }, order: { seq: 'DESC' } });
      if (!last || last.seq <= head.anchorSeq) return 0;
      const result = await entries.delete({ seq: LessThanOrEqual(last.seq) });
      await this.dataSource.getRepository(AuditChainHead).update({ id: 1 }, { anchorSeq: last.seq, anchorHash: last.hash });
      return result.affected ?? 0;
    });
    if (removed > 0) this.logger.log(`Cut ${removed} audit entries older than ${cutoff.toISOString()}; the chain now starts after the kept anchor`);
    return removed;
  }
}
