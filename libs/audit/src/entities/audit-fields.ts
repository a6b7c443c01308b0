import { Column } from 'typeorm';

/** What an audit entry says, pending (AuditPending) or chained (AuditEntry): every column but its id and the chain's. */
export abstract class AuditFields {
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
}
