import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { FINANCE_DB } from '@app/database';
import { entryHash } from './audit-chain';
import { AuditChainHead, lockedHead } from './entities/audit-chain-head.entity';
import { AuditEntry } from './entities/audit-entry.entity';
import { AuditPending } from './entities/audit-pending.entity';

/** Entries chained per sealing transaction. */
const SEAL_BATCH = 500;
const INSERT_BATCH = 200;
/** How soon after a commit its entries are sealed: the writes of that moment share one seal. */
export const SEAL_DELAY_MS = 50;
/** How often every process looks for entries a crash or an outage left unsealed. */
export const SWEEP_EVERY_MS = 10_000;

/**
 * Chains committed audit entries (§Audit). A change's transaction writes its entries to
 * audit_pending; once it commits, AuditLog asks for a seal within SEAL_DELAY_MS and answers without
 * waiting, so the chain costs the write path one batch per moment, not a round trip per change.
 * A seal is one transaction that locks the chain's head row, takes every pending entry in the order
 * written, gives them `seq`, `prev_hash` and `hash`, moves them to audit_entries and moves the head
 * on. Seals of one process never overlap (one in flight, at most one queued behind it); replicas
 * seal too and wait for each other on the head row. Readers of the trail (GET /audit) call seal()
 * first, so they see every change committed before them. Entries a crash left pending are sealed by
 * the sweep every SWEEP_EVERY_MS; shutdown seals what is pending.
 */
@Injectable()
export class AuditSealer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AuditSealer.name);
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private scheduled: NodeJS.Timeout | undefined;
  private sweep: NodeJS.Timeout | undefined;

  constructor(@InjectDataSource(FINANCE_DB) private readonly dataSource: DataSource) {}

  onApplicationBootstrap(): void {
    this.sweep = setInterval(() => void this.sealQuietly(), SWEEP_EVERY_MS).unref();
  }

  /** What this process committed is sealed before its data source closes (graceful shutdown). */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweep);
    clearTimeout(this.scheduled);
    await this.sealQuietly();
  }

  /** A seal within SEAL_DELAY_MS, without waiting for it: what a committed change asks for. */
  soon(): void {
    this.scheduled ??= setTimeout(() => {
      this.scheduled = undefined;
      void this.sealQuietly();
    }, SEAL_DELAY_MS);
  }

  /** Resolves once every entry committed before the call is sealed (by this process or another). */
  seal(): Promise<void> {
    if (!this.running) {
      this.running = this.sealPending().finally(() => (this.running = null));
      return this.running;
    }
    // A seal in flight may have read the pending entries already: the caller's wait for the next one.
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.seal();
      });
    return this.queued;
  }

  /** A seal whose failure is only logged: the change it follows has committed, and the sweep retries. */
  async sealQuietly(): Promise<void> {
    await this.seal().catch((error: unknown) => this.logger.warn({ err: error }, `Audit entries left to the next sweep: ${(error as Error).message}`));
  }

  private async sealPending(): Promise<void> {
    while ((await this.sealBatch()) === SEAL_BATCH);
  }

  private sealBatch(): Promise<number> {
    const sqlite = this.dataSource.options.type === 'better-sqlite3';
    // Read committed on the servers: what another replica sealed while this one waited for the head is gone.
    const seal = async (manager: EntityManager) => {
      const head = await lockedHead(manager);
      const pending = await manager.getRepository(AuditPending).find({ order: { at: 'ASC', id: 'ASC' }, take: SEAL_BATCH });
      if (pending.length === 0) return 0;
      let { seq, hash } = head;
      const entries = pending.map((fields) => {
        const entry = Object.assign(new AuditEntry(), fields, { seq: (seq += 1), prevHash: hash });
        entry.hash = hash = entryHash(entry.prevHash, entry);
        return entry;
      });
      for (let i = 0; i < entries.length; i += INSERT_BATCH) await manager.insert(AuditEntry, entries.slice(i, i + INSERT_BATCH));
      await manager.delete(AuditPending, { id: In(pending.map((entry) => entry.id)) });
      await manager.update(AuditChainHead, { id: 1 }, { seq, hash });
      return pending.length;
    };
    return sqlite ? this.dataSource.transaction(seal) : this.dataSource.transaction('READ COMMITTED', seal);
  }
}
