import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portable } from '../portable-types';

export class CreateTransactions1764000000003 implements MigrationInterface {
  name = 'CreateTransactions1764000000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = portable(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'transactions',
        columns: [
          t.id(),
          t.ref('user_id'),
          t.decimal('amount', 15, 4),
          t.text('currency', 3),
          t.text('description', 500, true),
          t.text('category', 64, true),
          t.dateTime('occurred_at', false, 3),
          t.dateTime('created_at', false, 3),
          t.dateTime('updated_at', false, 3),
          t.int('version', 1),
        ],
        indices: [{ name: 'ix_transactions_user_occurred', columnNames: ['user_id', 'occurred_at'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('transactions');
  }
}
