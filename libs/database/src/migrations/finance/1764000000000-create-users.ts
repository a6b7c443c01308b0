import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portable } from '../portable-types';

export class CreateUsers1764000000000 implements MigrationInterface {
  name = 'CreateUsers1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = portable(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          t.id(),
          t.text('username', 64),
          t.text('username_key', 64),
          t.text('email', 254),
          t.text('email_key', 254),
          t.text('full_name', 200, true),
          t.text('hashed_password', 100),
          t.text('role', 16),
          t.bool('disabled', false),
          t.dateTime('created_at'),
          t.dateTime('updated_at'),
        ],
        uniques: [
          { name: 'uq_users_username_key', columnNames: ['username_key'] },
          { name: 'uq_users_email_key', columnNames: ['email_key'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('users');
  }
}
