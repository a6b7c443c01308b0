import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsCurrencyCode, IsDateTimeWithOffset, IsDecimalString, NO_CONTROL_CHARACTERS } from '@app/core';
import { AMOUNT_INTEGER_DIGITS, AMOUNT_SCALE } from '../entities/transaction.entity';

/** A category is one line: no control characters at all. */
const SINGLE_LINE = /^[^\u0000-\u001f\u007f]*$/;

export class CreateTransactionDto {
  @ApiProperty({ example: '1234.50', description: 'Decimal string, negative for money out; at most the currency’s minor units' })
  @IsDecimalString(AMOUNT_INTEGER_DIGITS, AMOUNT_SCALE)
  amount: string;

  @ApiProperty({ example: 'USD', description: 'ISO 4217' })
  @IsCurrencyCode()
  currency: string;

  @ApiPropertyOptional({ example: 'Groceries at the corner shop', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @Matches(NO_CONTROL_CHARACTERS, { message: 'description must not contain control characters other than tab and line breaks' })
  description?: string;

  @ApiPropertyOptional({ example: 'food', maxLength: 64 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  @Matches(SINGLE_LINE, { message: 'category must not contain control characters' })
  category?: string;

  @ApiProperty({ example: '2026-11-20T18:30:00+07:00', description: 'ISO 8601 with an offset; stored and returned in UTC' })
  @IsDateTimeWithOffset()
  occurred_at: string;
}

/** Any field of a create, all optional, plus the id and, to refuse stale writes, the version read. */
export class UpdateTransactionDto extends PartialType(CreateTransactionDto) {
  @ApiProperty({ example: '3f1c2a9e-8d7b-4c6a-9e5f-1a2b3c4d5e6f' })
  @IsUUID('all', { message: 'id must be a transaction id (a UUID)' })
  id: string;

  @ApiPropertyOptional({
    type: 'integer',
    example: 1,
    minimum: 1,
    maximum: 2_147_483_647,
    description: 'The version you read; a different current version answers 409',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  version?: number;
}

export class DeleteTransactionDto {
  @ApiProperty({ example: '3f1c2a9e-8d7b-4c6a-9e5f-1a2b3c4d5e6f' })
  @IsUUID('all', { message: 'id must be a transaction id (a UUID)' })
  id: string;
}
