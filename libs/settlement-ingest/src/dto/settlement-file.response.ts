import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { FILE_SOURCES, FILE_STATUSES, FileSource, FileStatus, SettlementFile } from '../entities/settlement-file.entity';

/** One received settlement file and what became of it. */
export class SettlementFileResponse {
  @ApiProperty({ format: 'uuid', example: '1b4e28ba-2fa1-4d3b-9c5c-0f3e2a8f7d10' })
  id: string;

  @ApiProperty({ example: 'acme/settlement-2026-11-30.csv', description: 'As received (inbox-relative path or upload name)' })
  name: string;

  @ApiProperty({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', description: 'Of the file as received' })
  sha256: string;

  @ApiProperty({ example: 15_482_113 })
  size_bytes: number;

  @ApiProperty({ example: 'canonical' })
  profile: string | null;

  @ApiProperty({ enum: FILE_SOURCES, example: 'inbox' })
  source: FileSource;

  @ApiProperty({ enum: FILE_STATUSES, example: 'completed' })
  status: FileStatus;

  @ApiProperty({ example: 100_000 })
  rows_total: number;

  @ApiProperty({ example: 99_990 })
  rows_loaded: number;

  @ApiProperty({ example: 10 })
  rows_rejected: number;

  @ApiProperty({ nullable: true, example: null, description: 'Why the file failed as a whole, or which file it duplicates' })
  error: string | null;

  @ApiProperty({ nullable: true, format: 'uuid', example: null })
  duplicate_of: string | null;

  @ApiProperty({ nullable: true, format: 'uuid', description: 'The load task, for /task-status' })
  task_id: string | null;

  @ApiProperty({ example: '2026-11-30T01:00:02.000Z' })
  received_at: string;

  @ApiProperty({ nullable: true, example: '2026-11-30T01:00:02.120Z' })
  started_at: string | null;

  @ApiProperty({ nullable: true, example: '2026-11-30T01:00:03.480Z' })
  finished_at: string | null;

  @ApiProperty({ nullable: true, example: 1360, description: 'From start to finish, when finished' })
  duration_ms: number | null;

  static of(file: SettlementFile): SettlementFileResponse {
    return {
      id: file.id,
      name: file.name,
      sha256: file.sha256,
      size_bytes: file.sizeBytes,
      profile: file.profile,
      source: file.source,
      status: file.status,
      rows_total: file.rowsTotal,
      rows_loaded: file.rowsLoaded,
      rows_rejected: file.rowsRejected,
      error: file.error,
      duplicate_of: file.duplicateOf,
      task_id: file.taskId,
      received_at: file.receivedAt.toISOString(),
      started_at: file.startedAt?.toISOString() ?? null,
      finished_at: file.finishedAt?.toISOString() ?? null,
      duration_ms: file.startedAt && file.finishedAt ? file.finishedAt.getTime() - file.startedAt.getTime() : null,
    };
  }
}

export class SettlementFileListResponse {
  @ApiProperty({ type: [SettlementFileResponse] })
  files: SettlementFileResponse[];

  @ApiProperty({ example: 42 })
  total: number;

  @ApiProperty({ example: 0 })
  skip: number;

  @ApiProperty({ example: 50 })
  limit: number;
}

/** The deepest offset page of the ingest history; far beyond any real history, within every database's integers. */
export const MAX_FILES_SKIP = 1_000_000;

/** GET /api/settlement/files: newest first. */
export class ListSettlementFilesQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_FILES_SKIP, default: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_FILES_SKIP)
  skip: number = 0;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 50;
}

/** The fields of the multipart upload besides `file`. */
export class UploadSettlementFileDto {
  @ApiPropertyOptional({ example: 'canonical', description: 'A profile declared in SETTLEMENT_PROFILES, or `canonical` (the default)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[\w.-]+$/, { message: 'profile must be a profile name (letters, digits, _ . -)' })
  profile?: string;
}

export class UploadAcceptedResponse {
  @ApiProperty({ format: 'uuid' })
  task_id: string;

  @ApiProperty({ format: 'uuid' })
  file_id: string;

  @ApiProperty({ example: 'pending', enum: FILE_STATUSES, description: '`duplicate` when the same content was already loaded' })
  status: FileStatus;

  @ApiProperty({ example: '/task-status/1b4e28ba-2fa1-4d3b-9c5c-0f3e2a8f7d10' })
  status_url: string;
}

export class ScanAcceptedResponse {
  @ApiProperty({ format: 'uuid' })
  task_id: string;

  @ApiProperty({ example: '/task-status/1b4e28ba-2fa1-4d3b-9c5c-0f3e2a8f7d10' })
  status_url: string;
}
