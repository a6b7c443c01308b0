import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { canonicalJson, currentRequestId } from '@app/core';
import { FINANCE_DB, withAmbientTransaction } from '@app/database';
import { entryHash } from './audit-chain';
import { AuditChainHead } from './entities/audit-chain-head.entity';
import { AuditEntry } from './entities/audit-entry.entity';

/** Who changed something: a signed-in user (no id: a failed login's username), or the product itself (schedules, boot, the CLI). */
export type AuditActor = { id: string | null; username: string } | 'system';

/** What a feature tells the audit log about one change (§Audit). */
export interface AuditRecord {
  actor: AuditActor;
  /** `<subject>.<verb>`: transaction.create, user.update, login.failure, … */
  action: string;
  subjectType: string;
  subjectId: string | null;
  /** The changed fields only; amounts as decimal strings; never a secret, hash or full PAN. */
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

const INSERT_BATCH = 200;

/**
 * The one way features write the audit trail. An entry goes in the same transaction of the finance
 * database as the change it records, so there is no change without its entry and no entry without
 * its change; appends lock the chain's head row, so `seq` has no gaps and every `prev_hash` is the
 * hash before it, on every dialect (SQLite: its write gate already runs one transaction at a time).
 */
@Injectable()
export class AuditLog {
  constructor(@InjectDataSource(FINANCE_DB) private readonly dataSource: DataSource) {}

  /** Runs `change` and appends the entries it returns, in one transaction; a throw leaves neither. */
  recorded<T>(change: () => Promise<{ result: T; audit: AuditRecord | AuditRecord[] }>): Promise<T> {
    return withAmbientTransaction(this.dataSource, async () => {
      const { result, audit } = await change();
      await this.append(audit);
      return result;
    });
  }

  /**
   * Appends in the transaction already open around the caller (withAmbientTransaction), or in one
   * of its own for an event that changes nothing else (a login).
   */
  append(records: AuditRecord | AuditRecord[]): Promise<void> {
    const list = Array.isArray(records) ? records : [records];
    if (list.length === 0) return Promise.resolve();
    return withAmbientTransaction(this.dataSource, async () => {
      // Locked last, just before the commit, so concurrent changes wait for each other as briefly as can be.
      const head = await this.lockedHead();
      const requestId = currentRequestId() ?? null;
      const at = new Date();
      let { seq, hash } = head;
      const entries = list.map((record) => {
        seq += 1;
        const entry = Object.assign(new AuditEntry(), {
          seq,
          id: randomUUID(),
          at,
          actorId: record.actor === 'system' ? null : record.actor.id,
          actorUsername: record.actor === 'system' ? 'system' : record.actor.username,
          action: record.action,
          subjectType: record.subjectType,
          subjectId: record.subjectId,
          requestId,
          before: record.before ? canonicalJson(record.before) : null,
          after: record.after ? canonicalJson(record.after) : null,
          prevHash: hash,
        });
        entry.hash = entryHash(hash, entry);
        hash = entry.hash;
        return entry;
      });
      const repo = this.dataSource.getRepository(AuditEntry);
      for (let i = 0; i < entries.length; i += INSERT_BATCH) await repo.insert(entries.slice(i, i + INSERT_BATCH));
      await this.dataSource.getRepository(AuditChainHead).update({ id: 1 }, { seq, hash });
    });
  }

  private async lockedHead(): Promise<AuditChainHead> {
    const query = this.dataSource.getRepository(AuditChainHead).createQueryBuilder('h').where('h.id = 1');
    if (this.dataSource.options.type !== 'better-sqlite3') query.setLock('pessimistic_write');
    return query.getOneOrFail();
  }
}

/**
 * The fields that differ between two snapshots, as §Audit's `before` and `after` hold them. Values
 * are compared as JSON (decimal strings, ISO dates).
 */
export function changedFields(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const changed = Object.keys(after).filter((key) => after[key] !== undefined && JSON.stringify(before[key]) !== JSON.stringify(after[key]));
  return {
    before: Object.fromEntries(changed.map((key) => [key, before[key] ?? null])),
    after: Object.fromEntries(changed.map((key) => [key, after[key]])),
  };
}
