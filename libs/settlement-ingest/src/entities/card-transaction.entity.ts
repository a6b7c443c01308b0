import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { normaliseDecimal } from '@app/core';

/** DECIMAL(15,2): §Settlement file amounts have at most 2 fraction digits; 13 integer digits. */
export const SETTLEMENT_AMOUNT_PRECISION = 15;
export const SETTLEMENT_AMOUNT_SCALE = 2;

export const TRANS_TYPES = ['PURCHASE', 'REFUND', 'REVERSAL', 'CHARGEBACK', 'CASH'] as const;
export type TransType = (typeof TRANS_TYPES)[number];

const decimal = {
  to: (value: string | null) => value,
  from: (value: string | number | null) => (value === null ? null : normaliseDecimal(value, SETTLEMENT_AMOUNT_SCALE)),
};

/**
 * One card settlement record (§Settlement file), keyed by its DOC_IDT, with the file and physical
 * line it came from. CARD_NO is only ever stored masked. Every secondary index ends with doc_idt so
 * that keyset pages (sort column, DOC_IDT) read straight off an index on every dialect.
 */
@Entity({ name: 'card_transactions' })
@Index('ix_card_tx_trans_date', ['transDate', 'docIdt'])
@Index('ix_card_tx_amount', ['amount', 'docIdt'])
@Index('ix_card_tx_merchant', ['merchantId', 'docIdt'])
@Index('ix_card_tx_merchant_date', ['merchantId', 'transDate', 'docIdt'])
@Index('ix_card_tx_terminal', ['terminalId', 'docIdt'])
@Index('ix_card_tx_settle_date', ['settleDate', 'docIdt'])
@Index('ix_card_tx_file_line', ['fileId', 'line'])
export class CardTransaction {
  @PrimaryColumn({ name: 'doc_idt', type: 'varchar', length: 32 })
  docIdt: string;

  /** `YYYY-MM-DD`; drivers return DATE as this string. */
  @Column({ name: 'trans_date', type: 'date' })
  transDate: string;

  @Column({ name: 'trans_time', type: 'varchar', length: 8, nullable: true })
  transTime: string | null;

  @Column({ type: 'decimal', precision: SETTLEMENT_AMOUNT_PRECISION, scale: SETTLEMENT_AMOUNT_SCALE, transformer: decimal })
  amount: string;

  @Column({ type: 'varchar', length: 3 })
  currency: string;

  @Column({ name: 'card_no', type: 'varchar', length: 19, nullable: true })
  cardNo: string | null;

  @Column({ name: 'merchant_id', type: 'varchar', length: 15, nullable: true })
  merchantId: string | null;

  @Column({ name: 'terminal_id', type: 'varchar', length: 16, nullable: true })
  terminalId: string | null;

  @Column({ type: 'varchar', length: 4, nullable: true })
  mcc: string | null;

  @Column({ type: 'varchar', length: 12, nullable: true })
  rrn: string | null;

  @Column({ name: 'auth_code', type: 'varchar', length: 6, nullable: true })
  authCode: string | null;

  @Column({ name: 'trans_type', type: 'varchar', length: 10 })
  transType: TransType;

  @Column({
    type: 'decimal',
    precision: SETTLEMENT_AMOUNT_PRECISION,
    scale: SETTLEMENT_AMOUNT_SCALE,
    nullable: true,
    transformer: decimal,
  })
  fee: string | null;

  @Column({ name: 'settle_date', type: 'date', nullable: true })
  settleDate: string | null;

  @Column({ name: 'file_id', type: 'varchar', length: 36 })
  fileId: string;

  /** Physical line of the file where the record starts (header = 1). */
  @Column({ type: 'integer' })
  line: number;
}
