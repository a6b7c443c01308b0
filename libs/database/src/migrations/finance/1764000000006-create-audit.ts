import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portable } from '../portable-types';

/** The audit trail (§Audit) and its chain head, with the genesis: seq 0, hash of 64 zeros. */
export class CreateAudit1764000000006 implements MigrationInterface {
  name = 'CreateAudit1764000000006';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = portable(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'audit_entries',
        columns: [
          { ...t.bigint('seq'), isPrimary: true },
          t.ref('id'),
          t.dateTime('at', false, 3),
          t.ref('actor_id', true),
          t.text('actor_username', 255),
          t.text('action', 64),
          t.text('subject_type', 32),
          t.text('subject_id', 255, true),
          t.text('request_id', 128, true),
          { name: 'before', type: 'text', isNullable: true },
          { name: 'after', type: 'text', isNullable: true },
          t.text('prev_hash', 64),
          t.text('hash', 64),
        ],
        indices: [
          { name: 'ix_audit_entries_action', columnNames: ['action', 'seq'] },
          { name: 'ix_audit_entries_actor', columnNames: ['actor_id', 'seq'] },
          { name: 'ix_audit_entries_subject', columnNames: ['subject_id', 'seq'] },
          { name: 'ix_audit_entries_at', columnNames: ['at'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'audit_chain_head',
        columns: [{ ...t.int('id'), isPrimary: true }, t.bigint('seq'), t.text('hash', 64), t.bigint('anchor_seq'), t.text('anchor_hash', 64)],
      }),
    );
    const zeros = '0'.repeat(64);
    // Constants only, the same SQL on every dialect (the entity may not be registered where migrations run).
    await queryRunner.query(`INSERT INTO audit_chain_head (id, seq, hash, anchor_seq, anchor_hash) VALUES (1, 0, '${zeros}', 0, '${zeros}')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_chain_head');
    await queryRunner.dropTable('audit_entries');
  }
}
