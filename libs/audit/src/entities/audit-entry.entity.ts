import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { AuditFields } from './audit-fields';

const bigintAsNumber = { to: (value: number) => value, from: (value: string | number) => Number(value) };

/**
 * One audited change (§Audit) in the chain: moved here from audit_pending by the sealer, never
 * updated. `hash` chains it to the entry before (`prev_hash`), see audit-chain.ts.
 */
@Entity({ name: 'audit_entries' })
@Index('ix_audit_entries_action', ['action', 'seq'])
@Index('ix_audit_entries_actor', ['actorId', 'seq'])
@Index('ix_audit_entries_subject', ['subjectId', 'seq'])
@Index('ix_audit_entries_at', ['at'])
export class AuditEntry extends AuditFields {
  @PrimaryColumn({ type: 'bigint', transformer: bigintAsNumber })
  seq: number;

  @Column({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'prev_hash', type: 'varchar', length: 64 })
  prevHash: string;

  @Column({ type: 'varchar', length: 64 })
  hash: string;
}
