import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, MoreThan } from 'typeorm';
import { FINANCE_DB } from '@app/database';
import { ChainBreak, ChainWalker } from './audit-chain';
import { AuditChainHead } from './entities/audit-chain-head.entity';
import { AuditEntry } from './entities/audit-entry.entity';

const PAGE = 1000;
/** §Audit: /health re-checks the chain at most once an hour. */
const HEALTH_CHECK_EVERY_MS = 60 * 60 * 1000;

export interface ChainReport {
  ok: boolean;
  /** Entries that checked out, from the anchor on. */
  checked: number;
  break: ChainBreak | null;
  checkedAt: Date;
}

/** Recomputes the chain from its anchor (audit:verify, /health). Reads only. */
@Injectable()
export class AuditVerifier {
  private readonly logger = new Logger(AuditVerifier.name);
  private last: Promise<ChainReport> | undefined;
  private lastAt = 0;

  constructor(@InjectDataSource(FINANCE_DB) private readonly dataSource: DataSource) {}

  async verify(): Promise<ChainReport> {
    const head = await this.dataSource.getRepository(AuditChainHead).findOneByOrFail({ id: 1 });
    const walker = new ChainWalker({ seq: head.anchorSeq, hash: head.anchorHash });
    const entries = this.dataSource.getRepository(AuditEntry);
    let after = head.anchorSeq;
    for (;;) {
      // Keyset pages in seq order; entries appended meanwhile are past the head read above.
      const page = await entries.find({ where: { seq: MoreThan(after) }, order: { seq: 'ASC' }, take: PAGE });
      for (const entry of page) {
        if (entry.seq > head.seq) return this.report(walker, walker.end(head));
        const broken = walker.next(entry);
        if (broken) return this.report(walker, broken);
      }
      if (page.length < PAGE) return this.report(walker, walker.end(head));
      after = page[page.length - 1].seq;
    }
  }

  /** The last verification if it is less than an hour old, else a new one (shared by concurrent callers). */
  recent(now = Date.now()): Promise<ChainReport> {
    if (!this.last || now - this.lastAt > HEALTH_CHECK_EVERY_MS) {
      this.lastAt = now;
      this.last = this.verify().catch((error: unknown) => {
        this.last = undefined; // a database that could not answer is not a verdict on the chain
        throw error;
      });
    }
    return this.last;
  }

  private report(walker: ChainWalker, broken: ChainBreak | null): ChainReport {
    if (broken) this.logger.error({ seq: broken.seq, problem: broken.problem }, `Audit chain broken: ${broken.message}`);
    return { ok: broken === null, checked: walker.checked, break: broken, checkedAt: new Date() };
  }
}
