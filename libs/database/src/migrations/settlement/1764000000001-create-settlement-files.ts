import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portable } from '../portable-types';

export class CreateSettlementFiles1764000000001 implements MigrationInterface {
  name = 'CreateSettlementFiles1764000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = portable(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'settlement_files',
        columns: [
          t.id(),
          t.text('name', 255),
          t.text('sha256', 64),
          t.bigint('size_bytes'),
          t.text('profile', 64, true),
          t.text('status', 16),
          t.int('rows_total', 0),
          t.int('rows_loaded', 0),
          t.int('rows_rejected', 0),
          t.text('error', 1000, true),
          t.dateTime('received_at'),
          t.dateTime('started_at', true),
          t.dateTime('finished_at', true),
        ],
        indices: [{ name: 'ix_settlement_files_sha256', columnNames: ['sha256'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('settlement_files');
  }
}
