import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, InsertQueryBuilder, ObjectLiteral } from 'typeorm';
import { canonicalJson, currentRequestId } from '@app/core';
import { FINANCE_DB, afterCommit, inOpenTransaction, inTransaction } from '@app/database';
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
 * its change. Written pending; moments after that transaction commits, the sealer chains it (`seq`
 * without gaps, each `prev_hash` the hash before it, on every dialect; see AuditSealer).
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
   * `insert` and the entries of `records` as one atomic write. On PostgreSQL that is one statement
   * (a data-modifying CTE is atomic by itself): a create costs one round trip instead of BEGIN, two
   * INSERTs and COMMIT (§Performance). MySQL and SQLite have no such CTE: one transaction there.
   */
  async inserted(insert: InsertQueryBuilder<ObjectLiteral>, records: AuditRecord[]): Promise<void> {
    if (this.dataSource.options.type !== 'postgres' || records.length > INSERT_BATCH) {
      return this.recorded(async () => {
        await insert.execute();
        return { result: undefined, audit: records };
      });
    }
    const [changeSql, changeParameters] = insert.getQueryAndParameters();
    const [entriesSql, entryParameters] = this.pendingInsert(this.pendingEntries(records)).getQueryAndParameters();
    // Each statement numbers its placeholders from $1 (values are never inlined): the entries' follow the change's.
    const entriesAfter = entriesSql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + changeParameters.length}`);
    await this.dataSource.query(`WITH change AS (${changeSql}) ${entriesAfter}`, [...changeParameters, ...entryParameters]);
    await this.sealCommitted(records.length);
  }

  /**
   * Appends in the transaction already open around the caller (withAmbientTransaction), or on its own
   * for an event that changes nothing else (a login): one INSERT, atomic by itself, or a transaction
   * for more entries than one INSERT takes.
   */
  async append(records: AuditRecord | AuditRecord[]): Promise<void> {
    const entries = this.pendingEntries(Array.isArray(records) ? records : [records]);
    if (entries.length === 0) return;
    const write = async () => {
      for (let i = 0; i < entries.length; i += INSERT_BATCH) await this.pendingInsert(entries.slice(i, i + INSERT_BATCH)).execute();
    };
    await (entries.length <= INSERT_BATCH ? write() : inTransaction(this.dataSource, write));
    await this.sealCommitted(entries.length);
  }

  /**
   * Asks for a seal of what was just written, once the transaction open around it has committed.
   * Bulk writes (more entries than one INSERT takes: an import) wait for it, so they return with
   * their trail chained rather than leaving a large seal to the next reader or to shutdown.
   */
  private async sealCommitted(count: number): Promise<void> {
    const seal = count > INSERT_BATCH ? () => this.sealer.sealQuietly() : async () => this.sealer.soon();
    if (inOpenTransaction(this.dataSource)) afterCommit(this.dataSource, seal);
    else await seal();
  }

  private pendingEntries(records: AuditRecord[]): AuditPending[] {
    const requestId = currentRequestId() ?? null;
    const at = new Date();
    return records.map((record) =>
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
  }

  private pendingInsert(entries: AuditPending[]): InsertQueryBuilder<AuditPending> {
    return this.dataSource.createQueryBuilder().insert().into(AuditPending).values(entries);
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
