import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { portable } from '../portable-types';

/** A task's version: 1 when created, one more at every change; the id of its events (Last-Event-ID). */
export class AddTaskVersion1764000000007 implements MigrationInterface {
  name = 'AddTaskVersion1764000000007';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('tasks', new TableColumn(portable(queryRunner).int('version', 1)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('tasks', 'version');
  }
}
