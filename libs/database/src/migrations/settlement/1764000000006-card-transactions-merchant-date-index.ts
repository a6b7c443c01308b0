import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * The operator's usual question, "this merchant's latest records" (filter MERCHANT_ID, sort
 * TRANS_DATE), read straight off one index: 10 rows read per page instead of every record of the
 * merchant sorted, and keyset pages at any depth.
 */
export class CardTransactionsMerchantDateIndex1764000000006 implements MigrationInterface {
  name = 'CardTransactionsMerchantDateIndex1764000000006';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'card_transactions',
      new TableIndex({ name: 'ix_card_tx_merchant_date', columnNames: ['merchant_id', 'trans_date', 'doc_idt'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('card_transactions', 'ix_card_tx_merchant_date');
  }
}
