import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateBy } from 'class-validator';
import { isCalendarDate, isDateTimeWithOffset } from '@app/core';
import { AuditEntry } from '../entities/audit-entry.entity';

const IsDateOrDateTime = () =>
  ValidateBy({
    name: 'isDateOrDateTime',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && (isCalendarDate(value) || isDateTimeWithOffset(value)),
      defaultMessage: (args) => `${args?.property} must be a date (YYYY-MM-DD) or an ISO 8601 date-time with an offset`,
    },
  });

/** GET /audit: newest first. */
export class ListAuditQuery {
  @ApiPropertyOptional({ example: 'alice', description: "The actor's username or id (`system` for the product itself)" })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  actor?: string;

  @ApiPropertyOptional({ example: 'transaction.update', description: 'An action such as transaction.create, user.update, login.failure' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  action?: string;

  @ApiPropertyOptional({ example: '3f1c2a9e-8d7b-4c6a-9e5f-1a2b3c4d5e6f', description: 'The id of the changed object' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  subject_id?: string;

  @ApiPropertyOptional({ example: '2026-12-01', description: 'At or after (a date means its start, UTC)' })
  @IsOptional()
  @IsDateOrDateTime()
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-31', description: 'At or before (a date means the whole day, UTC)' })
  @IsOptional()
  @IsDateOrDateTime()
  to?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 10_000_000, default: 0, description: 'Entries to skip (with no cursor)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  skip?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ example: '1200', description: "The previous page's next_cursor: the entries before it (keyset; skip is ignored)" })
  @IsOptional()
  @Matches(/^[0-9]{1,15}$/, { message: 'cursor must be the next_cursor of a previous page' })
  cursor?: string;
}

export class AuditEntryResponse {
  @ApiProperty({ example: 'b6a1f0d2-5c3e-4e8f-9a7b-2d1c0e9f8a76' })
  id: string;

  @ApiProperty({ example: 1201 })
  seq: number;

  @ApiProperty({ example: '2026-12-06T10:15:00.123Z' })
  at: string;

  @ApiProperty({ example: '3f1c2a9e-8d7b-4c6a-9e5f-1a2b3c4d5e6f', nullable: true, type: String })
  actor_id: string | null;

  @ApiProperty({ example: 'alice' })
  actor_username: string;

  @ApiProperty({ example: 'transaction.update' })
  action: string;

  @ApiProperty({ example: 'transaction' })
  subject_type: string;

  @ApiProperty({ example: '9d2e4c1a-7b3f-4a5e-8c6d-0f1e2d3c4b5a', nullable: true, type: String })
  subject_id: string | null;

  @ApiProperty({ example: '5f0c6f8e-2a4e-4d43-9f55-0b7f3c1d2e10', nullable: true, type: String })
  request_id: string | null;

  @ApiProperty({ example: { amount: '12.50' }, nullable: true, type: Object, description: 'The changed fields before the change' })
  before: Record<string, unknown> | null;

  @ApiProperty({ example: { amount: '13.75' }, nullable: true, type: Object, description: 'The changed fields after it' })
  after: Record<string, unknown> | null;

  @ApiProperty({ example: 'a3f5…', description: 'sha256(prev_hash + canonical JSON of the entry), hex' })
  hash: string;

  @ApiProperty({ example: '77c0…' })
  prev_hash: string;

  static from(entry: AuditEntry): AuditEntryResponse {
    return {
      id: entry.id,
      seq: entry.seq,
      at: entry.at.toISOString(),
      actor_id: entry.actorId,
      actor_username: entry.actorUsername,
      action: entry.action,
      subject_type: entry.subjectType,
      subject_id: entry.subjectId,
      request_id: entry.requestId,
      before: entry.before === null ? null : JSON.parse(entry.before),
      after: entry.after === null ? null : JSON.parse(entry.after),
      hash: entry.hash,
      prev_hash: entry.prevHash,
    };
  }
}

export class AuditListResponse {
  @ApiProperty({ type: [AuditEntryResponse] })
  entries: AuditEntryResponse[];

  @ApiProperty({ example: 1201, description: 'Entries matching the filters' })
  total: number;

  @ApiProperty({ example: '1152', nullable: true, type: String, description: 'Pass as cursor for the next (older) page; null on the last' })
  next_cursor: string | null;
}
