import { Column, Entity, EntityManager, PrimaryColumn } from 'typeorm';

const bigintAsNumber = { to: (value: number) => value, from: (value: string | number) => Number(value) };

/**
 * The one row every seal and the retention cut lock (`FOR UPDATE`, lockedHead), so entries get `seq`
 * without gaps and each `prev_hash` is the hash of the entry before, whatever the concurrency.
 * `anchor_*`: where the kept chain starts once retention cut an expired prefix.
 */
@Entity({ name: 'audit_chain_head' })
export class AuditChainHead {
  @PrimaryColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  seq: number;

  @Column({ type: 'varchar', length: 64 })
  hash: string;

  @Column({ name: 'anchor_seq', type: 'bigint', transformer: bigintAsNumber })
  anchorSeq: number;

  @Column({ name: 'anchor_hash', type: 'varchar', length: 64 })
  anchorHash: string;
}

/** The head row, locked until the end of the transaction `manager` runs in (SQLite's write gate serialises writers already). */
export function lockedHead(manager: EntityManager): Promise<AuditChainHead> {
  const heads = manager.getRepository(AuditChainHead).createQueryBuilder('h').where('h.id = 1');
  if (manager.connection.options.type !== 'better-sqlite3') heads.setLock('pessimistic_write');
  return heads.getOneOrFail();
}
