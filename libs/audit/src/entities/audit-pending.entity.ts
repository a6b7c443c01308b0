import { Entity, Index, PrimaryColumn } from 'typeorm';
import { AuditFields } from './audit-fields';

/**
 * An audit entry written by its change's transaction and not yet sealed into the chain: the sealer
 * (audit-sealer.ts) gives it `seq`, `prev_hash` and `hash`, moves it to audit_entries and deletes it
 * here, in the order they were written (`at`, then `id`), moments after the change commits.
 */
@Entity({ name: 'audit_pending' })
@Index('ix_audit_pending_at', ['at', 'id'])
export class AuditPending extends AuditFields {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;
}
