import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An audit entry written by its change's transaction and not yet sealed into the chain: the sealer
 * (audit-sealer.ts) gives it `seq`, `prev_hash` and `hash`, moves it to audit_entries and deletes it
 * here, in the order they were written (`at`, then `id`), right after the change commits.
 */
@Entity({ name: 'audit_pending' })
@Index('ix_audit_pending_at', ['at', 'id'])
export class AuditPending {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: Date, precision: 3 })
  at: Date;

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

  @Column({ type: 'text', nullable: true })
  before: string | null;

  @Column({ type: 'text', nullable: true })
  after: string | null;
}
