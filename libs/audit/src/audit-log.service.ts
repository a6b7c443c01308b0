import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { canonicalJson, currentRequestId } from '@app/core';
import { FINANCE_DB, afterCommit, inTransaction } from '@app/database';
import { AuditSealer } from './audit-sealer';
import { AuditPending } from './entities/audit-pending.entity';

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
 * its change. Written pending; once that transaction commits, the sealer chains it (`seq` without
 * gaps, each `prev_hash` the hash before it, on every dialect) and only then does the call return.
 */
@Injectable()
export class AuditLog {
  constructor(
    @InjectDataSource(FINANCE_DB) private readonly dataSource: DataSource,
    private readonly sealer: AuditSealer,
  ) {}

  /** Runs `change` and appends the entries it returns, in one transaction; a throw leaves neither. */
  recorded<T>(change: () => Promise<{ result: T; audit: AuditRecord | AuditRecord[] }>): Promise<T> {
    return inTransaction(this.dataSource, async () => {
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
    return inTransaction(this.dataSource, async () => {
      const requestId = currentRequestId() ?? null;
      const at = new Date();
      const entries = list.map((record) =>
        Object.assign(new AuditPending(), {
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
        }),
      );
      const repo = this.dataSource.getRepository(AuditPending);
      for (let i = 0; i < entries.length; i += INSERT_BATCH) await repo.insert(entries.slice(i, i + INSERT_BATCH));
      afterCommit(this.dataSource, () => this.sealer.sealQuietly());
    });
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
