import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateBy } from 'class-validator';
import { IsCurrencyCode, IsDecimalString, isCalendarDate, isDateTimeWithOffset } from '@app/core';
import { AMOUNT_INTEGER_DIGITS, AMOUNT_SCALE } from '../entities/transaction.entity';

export const TRANSACTION_SORTS = ['occurred_at', 'amount', 'created_at', 'category', 'currency'] as const;
export type TransactionSort = (typeof TRANSACTION_SORTS)[number];

const IsDateOrDateTime = () =>
  ValidateBy({
    name: 'isDateOrDateTime',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && (isCalendarDate(value) || isDateTimeWithOffset(value)),
      defaultMessage: (args) => `${args?.property} must be a date (YYYY-MM-DD) or an ISO 8601 date-time with an offset`,
    },
  });

/** GET /transactions. Unknown parameters are refused like unknown body fields. */
export class ListTransactionsQuery {
  @ApiPropertyOptional({ example: '2026-01-01', description: 'Occurred on or after (a date means its start, UTC)' })
  @IsOptional()
  @IsDateOrDateTime()
  from?: string;

  @ApiPropertyOptional({ example: '2026-01-31', description: 'Occurred on or before (a date means the whole day, UTC)' })
  @IsOptional()
  @IsDateOrDateTime()
  to?: string;

  @ApiPropertyOptional({ example: 'food' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  category?: string;

  @ApiPropertyOptional({ example: 'USD' })
  @IsOptional()
  @IsCurrencyCode()
  currency?: string;

  @ApiPropertyOptional({ example: '-100.00', description: 'Amount at least this (decimal string)' })
  @IsOptional()
  @IsDecimalString(AMOUNT_INTEGER_DIGITS, AMOUNT_SCALE)
  min_amount?: string;

  @ApiPropertyOptional({ example: '500', description: 'Amount at most this (decimal string)' })
  @IsOptional()
  @IsDecimalString(AMOUNT_INTEGER_DIGITS, AMOUNT_SCALE)
  max_amount?: string;

  @ApiPropertyOptional({ enum: TRANSACTION_SORTS, default: 'occurred_at' })
  @IsOptional()
  @IsIn(TRANSACTION_SORTS)
  sort_by?: TransactionSort;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'desc' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  sort_order?: 'asc' | 'desc';

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 2_147_483_647, default: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  skip?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, default: 50 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
