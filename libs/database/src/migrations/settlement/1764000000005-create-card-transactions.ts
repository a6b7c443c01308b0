import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';
import { portable } from '../portable-types';

/** Card transactions, rejected rows, and what settlement_files needs to resume a load. */
export class CreateCardTransactions1764000000005 implements MigrationInterface {
  name = 'CreateCardTransactions1764000000005';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = portable(queryRunner);
    await queryRunner.addColumns('settlement_files', [
      new TableColumn({ name: 'source', type: 'varchar', length: '16', default: "'inbox'" }),
      new TableColumn(t.text('staged_path', 1000, true)),
      new TableColumn(t.int('lines_done', 0)),
      new TableColumn(t.ref('task_id', true)),
      new TableColumn(t.ref('duplicate_of', true)),
    ]);
    await queryRunner.createTable(
      new Table({
        name: 'card_transactions',
        columns: [
          { name: 'doc_idt', type: 'varchar', length: '32', isPrimary: true },
          t.date('trans_date'),
          t.text('trans_time', 8, true),
          t.decimal('amount', 15, 2),
          t.text('currency', 3),
          t.text('card_no', 19, true),
          t.text('merchant_id', 15, true),
          t.text('terminal_id', 16, true),
          t.text('mcc', 4, true),
          t.text('rrn', 12, true),
          t.text('auth_code', 6, true),
          t.text('trans_type', 10),
          t.decimal('fee', 15, 2, true),
          t.date('settle_date', true),
          t.ref('file_id'),
          t.int('line'),
        ],
        indices: [
          { name: 'ix_card_tx_trans_date', columnNames: ['trans_date', 'doc_idt'] },
          { name: 'ix_card_tx_amount', columnNames: ['amount', 'doc_idt'] },
          { name: 'ix_card_tx_merchant', columnNames: ['merchant_id', 'doc_idt'] },
          { name: 'ix_card_tx_terminal', columnNames: ['terminal_id', 'doc_idt'] },
          { name: 'ix_card_tx_settle_date', columnNames: ['settle_date', 'doc_idt'] },
          { name: 'ix_card_tx_file_line', columnNames: ['file_id', 'line'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'settlement_rejects',
        columns: [
          { ...t.ref('file_id'), isPrimary: true },
          { ...t.int('line'), isPrimary: true },
          t.text('column', 32, true),
          t.text('reason', 255),
          t.text('raw', 2000),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('settlement_rejects');
    await queryRunner.dropTable('card_transactions');
    for (const column of ['duplicate_of', 'task_id', 'lines_done', 'staged_path', 'source']) {
      await queryRunner.dropColumn('settlement_files', column);
    }
  }
}
