import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portable } from '../portable-types';

export class CreateIdempotencyKeys1764000000005 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1764000000005';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = portable(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          { ...t.ref('caller_id'), isPrimary: true },
          { ...t.text('idem_key', 255), isPrimary: true },
          t.text('request_hash', 64),
          t.text('state', 8),
          t.int('status', undefined, true),
          { name: 'body', type: 'text', isNullable: true },
          t.dateTime('created_at', false, 3),
          t.dateTime('expires_at', false, 3),
        ],
        indices: [{ name: 'ix_idempotency_keys_expires', columnNames: ['expires_at'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('idempotency_keys');
  }
}
