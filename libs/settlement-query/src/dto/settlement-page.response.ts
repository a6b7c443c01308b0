import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { SettlementRecordView } from '../settlement-list-query';

/** One card settlement record, keyed by the file's column names as the existing frontends expect. */
export class SettlementRecordResponse {
  @ApiProperty({ example: 'DOC000000000001' })
  DOC_IDT: string;

  @ApiProperty({ example: '2026-01-15', description: 'YYYY-MM-DD' })
  TRANS_DATE: string;

  @ApiProperty({ example: '14:03:27', nullable: true, type: String })
  TRANS_TIME: string | null;

  @ApiProperty({ example: '1250000.00', description: 'Decimal string, 2 decimals; negative for refunds' })
  AMOUNT: string;

  @ApiProperty({ example: 'VND' })
  CURRENCY: string;

  @ApiProperty({ example: '411111******1111', nullable: true, type: String, description: 'Always masked (first 6, last 4)' })
  CARD_NO: string | null;

  @ApiProperty({ example: 'MERCH0000000042', nullable: true, type: String })
  MERCHANT_ID: string | null;

  @ApiProperty({ example: 'TERM000000000007', nullable: true, type: String })
  TERMINAL_ID: string | null;

  @ApiProperty({ example: '5411', nullable: true, type: String })
  MCC: string | null;

  @ApiProperty({ example: '601512345678', nullable: true, type: String })
  RRN: string | null;

  @ApiProperty({ example: 'A1B2C3', nullable: true, type: String })
  AUTH_CODE: string | null;

  @ApiProperty({ example: 'PURCHASE', enum: ['PURCHASE', 'REFUND', 'REVERSAL', 'CHARGEBACK', 'CASH'] })
  TRANS_TYPE: string;

  @ApiProperty({ example: '1250.00', nullable: true, type: String, description: 'Decimal string, 2 decimals' })
  FEE: string | null;

  @ApiProperty({ example: '2026-01-16', nullable: true, type: String })
  SETTLE_DATE: string | null;
}

export class SettlementPageResponse {
  @ApiProperty({ type: [SettlementRecordResponse] })
  transactions: SettlementRecordResponse[];

  @ApiProperty({ example: 1000000, description: 'Records matching filter_by/filter_value and the dates, in all pages' })
  total: number;

  @ApiProperty({ example: 0, description: 'As asked (0 when paging with a cursor)' })
  skip: number;

  @ApiProperty({ example: 10 })
  limit: number;

  @ApiProperty({
    example: 'eyJ2IjoxLCJxIjoi…In0.Qm9n…',
    nullable: true,
    type: String,
    description: 'Pass as `cursor` (same other parameters) for the next page; null on the last page',
  })
  next_cursor: string | null;
}

export class WelcomeLinks {
  @ApiProperty({ example: '/docs' })
  docs: string;

  @ApiProperty({ example: '/docs-json' })
  openapi: string;

  @ApiProperty({ example: '/api/token' })
  token: string;

  @ApiProperty({ example: '/api/transactions' })
  transactions: string;

  @ApiProperty({ example: '/api/settlement/files' })
  settlement_files: string;

  @ApiProperty({ example: '/health' })
  health: string;
}

export class WelcomeResponse {
  @ApiProperty({ example: 'Welcome to the payments backend: finance API and card settlement service.' })
  message: string;

  @ApiProperty({ type: WelcomeLinks })
  links: WelcomeLinks;

  @ApiPropertyOptional({
    type: [SettlementRecordResponse],
    description: 'Only with an operator (or admin) token: the 10 most recent settlement records (latest TRANS_DATE first, then DOC_IDT)',
  })
  recent_transactions?: SettlementRecordView[];
}
