import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portable } from '../portable-types';

export class CreateTasks1764000000004 implements MigrationInterface {
  name = 'CreateTasks1764000000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = portable(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'tasks',
        columns: [
          t.id(),
          t.ref('owner_id'),
          t.text('type', 32),
          { name: 'params', type: 'text' },
          t.text('state', 16),
          t.int('progress_done', 0),
          t.int('progress_total', 0),
          { name: 'result', type: 'text', isNullable: true },
          t.text('error', 1000, true),
          t.int('attempts', 0),
          t.dateTime('created_at', false, 3),
          t.dateTime('started_at', true, 3),
          t.dateTime('finished_at', true, 3),
        ],
        indices: [{ name: 'ix_tasks_owner', columnNames: ['owner_id'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('tasks');
  }
}
