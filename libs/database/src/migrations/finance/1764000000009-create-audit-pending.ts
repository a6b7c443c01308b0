import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portable } from '../portable-types';

/**
 * §Audit: entries written by their change's transaction wait here, for a moment, until the sealer
 * chains them (the chain's head is then locked once per batch instead of once per change, to its commit).
 */
export class CreateAuditPending1764000000009 implements MigrationInterface {
  name = 'CreateAuditPending1764000000009';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = portable(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'audit_pending',
        columns: [
          t.id(),
          t.dateTime('at', false, 3),
          t.ref('actor_id', true),
          t.text('actor_username', 255),
          t.text('action', 64),
          t.text('subject_type', 32),
          t.text('subject_id', 255, true),
          t.text('request_id', 128, true),
          { name: 'before', type: 'text', isNullable: true },
          { name: 'after', type: 'text', isNullable: true },
        ],
        indices: [{ name: 'ix_audit_pending_at', columnNames: ['at', 'id'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_pending');
  }
}
