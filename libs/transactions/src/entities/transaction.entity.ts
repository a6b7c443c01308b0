import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { normaliseDecimal } from '@app/core';

/** DECIMAL(15,4): 11 integer digits, 4 decimals (the most any ISO 4217 currency uses). */
export const AMOUNT_PRECISION = 15;
export const AMOUNT_SCALE = 4;
export const AMOUNT_INTEGER_DIGITS = AMOUNT_PRECISION - AMOUNT_SCALE;

/** A personal financial transaction, owned by one user. */
@Entity({ name: 'transactions' })
@Index('ix_transactions_user_occurred', ['userId', 'occurredAt'])
export class Transaction {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  /** Always a string with 4 decimals in memory; drivers differ (see normaliseDecimal). */
  @Column({
    type: 'decimal',
    precision: AMOUNT_PRECISION,
    scale: AMOUNT_SCALE,
    transformer: { to: (value: string) => value, from: (value: string | number) => normaliseDecimal(value, AMOUNT_SCALE) },
  })
  amount: string;

  @Column({ type: 'varchar', length: 3 })
  currency: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  category: string | null;

  @Column({ name: 'occurred_at', type: Date, precision: 3 })
  occurredAt: Date;

  @Column({ name: 'created_at', type: Date, precision: 3 })
  createdAt: Date;

  @Column({ name: 'updated_at', type: Date, precision: 3 })
  updatedAt: Date;

  /** Bumped by every update; an update that names a stale version is refused (409). */
  @Column({ type: 'integer', default: 1 })
  version: number;
}
