import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

const bigintAsNumber = { to: (value: number) => value, from: (value: string | number) => Number(value) };

/**
 * One audited change (§Audit): appended in the transaction of the change, never updated. `hash`
 * chains it to the entry before (`prev_hash`), see audit-chain.ts.
 */
@Entity({ name: 'audit_entries' })
@Index('ix_audit_entries_action', ['action', 'seq'])
@Index('ix_audit_entries_actor', ['actorId', 'seq'])
@Index('ix_audit_entries_subject', ['subjectId', 'seq'])
@Index('ix_audit_entries_at', ['at'])
export class AuditEntry {
  @PrimaryColumn({ type: 'bigint', transformer: bigintAsNumber })
  seq: number;

  @Column({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: Date, precision: 3 })
  at: Date;

  /** Null for `system`. */
  @Column({ name: 'actor_id', type: 'varchar', length: 36, nullable: true })
  actorId: string | null;

  @Column({ name: 'actor_username', type: 'varchar', length: 255 })
  actorUsername: string;

  @Column({ type: 'varchar', length: 64 })
  action: string;

  @Column({ name: 'subject_type', type: 'varchar', length: 32 })
  subjectType: string;

  @Column({ name: 'subject_id', type: 'varchar', length: 255, nullable: true })
  subjectId: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId: string | null;

  /** The changed fields before and after, as canonical JSON text. */
  @Column({ type: 'text', nullable: true })
  before: string | null;

  @Column({ type: 'text', nullable: true })
  after: string | null;

  @Column({ name: 'prev_hash', type: 'varchar', length: 64 })
  prevHash: string;

  @Column({ type: 'varchar', length: 64 })
  hash: string;
}
