import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateBy } from 'class-validator';
import { isCalendarDate } from '@app/core';
import { SETTLEMENT_COLUMNS } from '@app/settlement-ingest';
import { CURSOR_MAX_LENGTH } from '../cursor-codec';
import { COLUMN_LIST, resolveColumn } from '../settlement-columns';
import { DEFAULT_LIMIT, MAX_LIMIT, MAX_SKIP } from '../settlement-list-query';

/** A column named in any letter case, in canonical form; an unknown name is left for the validator to refuse. */
const columnName = ({ value }: { value: unknown }) => resolveColumn(value) ?? value;
const lowerCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value);

const IsSettlementColumn = () =>
  ValidateBy({
    name: 'isSettlementColumn',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && (SETTLEMENT_COLUMNS as readonly string[]).includes(value),
      defaultMessage: (args) => `${args?.property} must be one of the settlement columns (any letter case): ${COLUMN_LIST}`,
    },
  });

const IsCalendarDate = () =>
  ValidateBy({
    name: 'isCalendarDate',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && isCalendarDate(value),
      defaultMessage: (args) => `${args?.property} must be a real date as YYYY-MM-DD`,
    },
  });

const COLUMNS_DOC = `One of ${COLUMN_LIST} (any letter case).`;

/** GET /api/transactions (§HTTP). Unknown parameters are refused like unknown body fields. */
export class ListSettlementQuery {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_SKIP,
    default: 0,
    example: 0,
    description: 'Records to skip (offset paging). Use `cursor` to go deep: it costs the same at any depth. Not with `cursor`.',
  })
  @IsOptional()
  @IsInt({ message: 'skip must be a whole number' })
  @Min(0)
  @Max(MAX_SKIP)
  skip?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, example: 10, description: 'Records per page' })
  @IsOptional()
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({
    enum: SETTLEMENT_COLUMNS,
    example: 'MERCHANT_ID',
    description: `Column to filter on, with \`filter_value\` (exact match). ${COLUMNS_DOC}`,
  })
  @IsOptional()
  @Transform(columnName)
  @IsSettlementColumn()
  filter_by?: string;

  @ApiPropertyOptional({
    example: 'MERCH0000000042',
    maxLength: 64,
    description:
      'Value the `filter_by` column must equal, parsed by that column\'s type: AMOUNT and FEE as decimals ("100.5" finds 100.50), ' +
      'TRANS_DATE and SETTLE_DATE as YYYY-MM-DD, TRANS_TIME as HH:MM:SS, TRANS_TYPE in any case, CARD_NO masked (a full PAN is masked first); ' +
      'other text columns exactly, letter case as stored.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  filter_value?: string;

  @ApiPropertyOptional({
    enum: SETTLEMENT_COLUMNS,
    default: 'DOC_IDT',
    example: 'TRANS_DATE',
    description: `Column to sort by; ties are broken by DOC_IDT. ${COLUMNS_DOC}`,
  })
  @IsOptional()
  @Transform(columnName)
  @IsSettlementColumn()
  sort_by?: string;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'asc', example: 'desc', description: 'Empty cells sort lowest: first ascending, last descending' })
  @IsOptional()
  @Transform(lowerCase)
  @IsIn(['asc', 'desc'], { message: 'sort_order must be asc or desc' })
  sort_order?: 'asc' | 'desc';

  @ApiPropertyOptional({ example: '2026-01-01', description: 'TRANS_DATE on or after this day (YYYY-MM-DD)' })
  @IsOptional()
  @IsCalendarDate()
  date_from?: string;

  @ApiPropertyOptional({ example: '2026-01-31', description: 'TRANS_DATE on or before this day (YYYY-MM-DD); not before date_from' })
  @IsOptional()
  @IsCalendarDate()
  date_to?: string;

  // No example: a cursor is only ever one this API issued, so any example would be refused as sent.
  @ApiPropertyOptional({
    maxLength: CURSOR_MAX_LENGTH,
    description:
      'The `next_cursor` of the previous page: the next page at the same cost at any depth (keyset on the sort column and DOC_IDT). ' +
      'Only valid with the same sort_by, sort_order, filter_by, filter_value, date_from and date_to.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(CURSOR_MAX_LENGTH)
  @Matches(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, { message: 'cursor is not a cursor this API issued' })
  cursor?: string;
}
