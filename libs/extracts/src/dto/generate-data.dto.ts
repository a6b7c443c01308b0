import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, Max, Min, ValidateBy } from 'class-validator';
import { isCalendarDate } from '@app/core';
import { AGGREGATIONS, Aggregation, MAX_PERIOD_DAYS } from '../period';

export const SOURCES = ['transactions', 'settlement'] as const;
export type ExtractSource = (typeof SOURCES)[number];

const IsCalendarDate = () =>
  ValidateBy({
    name: 'isCalendarDate',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && isCalendarDate(value),
      defaultMessage: (args) => `${args?.property} must be a real date as YYYY-MM-DD`,
    },
  });

/** POST /generate-data (§Extracts). Exactly one period form: start_date + end_date, or days_before. */
export class GenerateDataDto {
  @ApiPropertyOptional({ example: '2026-01-01', description: 'First day (UTC), with end_date' })
  @IsOptional()
  @IsCalendarDate()
  start_date?: string;

  @ApiPropertyOptional({ example: '2026-03-31', description: 'Last day (UTC), inclusive, with start_date' })
  @IsOptional()
  @IsCalendarDate()
  end_date?: string;

  @ApiPropertyOptional({
    type: 'integer',
    example: 30,
    minimum: 1,
    maximum: MAX_PERIOD_DAYS,
    description: `The last N days up to today (UTC), 1–${MAX_PERIOD_DAYS}; instead of the dates`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PERIOD_DAYS)
  days_before?: number;

  @ApiPropertyOptional({ enum: AGGREGATIONS, default: 'month', description: 'week = ISO week starting Monday' })
  @IsOptional()
  @IsIn(AGGREGATIONS)
  aggregation?: Aggregation;

  @ApiPropertyOptional({ default: false, description: 'One row per record (with its period) instead of aggregates' })
  @IsOptional()
  @IsBoolean()
  detailed?: boolean;

  @ApiPropertyOptional({
    enum: SOURCES,
    default: 'transactions',
    description:
      "transactions: the caller's own (role user needs a subscription); settlement: every card settlement record by TRANS_DATE (operators and admins)",
  })
  @IsOptional()
  @IsIn(SOURCES)
  source?: ExtractSource;
}

export class GenerateDataResponse {
  @ApiProperty({ example: '7a0e2f4c-6a55-4b8e-9d0a-2f1c3b4d5e6f' })
  task_id: string;

  @ApiProperty({ example: '/task-status/7a0e2f4c-6a55-4b8e-9d0a-2f1c3b4d5e6f' })
  status_url: string;
}

/** What the job stores in the task's params. */
export interface ExtractParams {
  source: ExtractSource;
  start: string;
  end: string;
  aggregation: Aggregation;
  detailed: boolean;
}
