import { ApiProperty } from '@nestjs/swagger';
import { minorUnits, normaliseDecimal } from '@app/core';
import type { Transaction } from '../entities/transaction.entity';

/** An amount as the API shows it: a string with the currency's minor units ("12.50", "1000" for JPY). */
export function formatAmount(amount: string, currency: string): string {
  return normaliseDecimal(amount, minorUnits(currency));
}

export class TransactionResponse {
  @ApiProperty({ example: '3f1c2a9e-8d7b-4c6a-9e5f-1a2b3c4d5e6f' })
  id: string;

  @ApiProperty({ example: '1234.50' })
  amount: string;

  @ApiProperty({ example: 'USD' })
  currency: string;

  @ApiProperty({ example: 'Groceries', nullable: true, type: String })
  description: string | null;

  @ApiProperty({ example: 'food', nullable: true, type: String })
  category: string | null;

  @ApiProperty({ example: '2026-11-20T11:30:00.000Z' })
  occurred_at: string;

  @ApiProperty({ example: '2026-11-20T11:31:02.120Z' })
  created_at: string;

  @ApiProperty({ example: '2026-11-20T11:31:02.120Z' })
  updated_at: string;

  @ApiProperty({ example: 1, description: 'Send it back with an update to detect concurrent changes' })
  version: number;

  static from(t: Transaction): TransactionResponse {
    return {
      id: t.id,
      amount: formatAmount(t.amount, t.currency),
      currency: t.currency,
      description: t.description,
      category: t.category,
      occurred_at: t.occurredAt.toISOString(),
      created_at: t.createdAt.toISOString(),
      updated_at: t.updatedAt.toISOString(),
      version: t.version,
    };
  }
}

export class CurrencyTotal {
  @ApiProperty({ example: 'USD' })
  currency: string;

  @ApiProperty({ example: 42 })
  count: number;

  @ApiProperty({ example: '-1520.75', description: 'Exact sum, computed in SQL' })
  sum: string;
}

export class TransactionListResponse {
  @ApiProperty({ type: [TransactionResponse] })
  transactions: TransactionResponse[];

  @ApiProperty({ example: 120, description: 'Matching transactions in all pages' })
  total: number;

  @ApiProperty({ example: 0 })
  skip: number;

  @ApiProperty({ example: 50 })
  limit: number;

  @ApiProperty({ type: [CurrencyTotal], description: 'Count and sum per currency over all matching transactions' })
  totals: CurrencyTotal[];
}
