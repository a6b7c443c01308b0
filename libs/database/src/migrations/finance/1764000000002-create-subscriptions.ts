import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portable } from '../portable-types';

export class CreateSubscriptions1764000000002 implements MigrationInterface {
  name = 'CreateSubscriptions1764000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = portable(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'subscriptions',
        columns: [
          t.id(),
          t.ref('user_id'),
          t.text('plan', 32),
          t.dateTime('starts_at'),
          t.dateTime('expires_at'),
          t.ref('granted_by'),
          t.dateTime('ended_at', true),
          t.ref('ended_by', true),
          t.text('end_reason', 16, true),
        ],
        indices: [{ name: 'ix_subscriptions_user', columnNames: ['user_id'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('subscriptions');
  }
}
