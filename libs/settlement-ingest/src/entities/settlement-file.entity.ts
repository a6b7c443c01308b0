import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const FILE_STATUSES = ['pending', 'loading', 'completed', 'failed', 'duplicate'] as const;
export type FileStatus = (typeof FILE_STATUSES)[number];
export const FILE_SOURCES = ['inbox', 'upload', 'command'] as const;
export type FileSource = (typeof FILE_SOURCES)[number];

/** One settlement file as received: what it was, what became of it and when. */
@Entity({ name: 'settlement_files' })
export class SettlementFile {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  /** Of the file as received, before any masking. */
  @Index('ix_settlement_files_sha256')
  @Column({ type: 'varchar', length: 64 })
  sha256: string;

  /** Bytes fit a JS number exactly up to 8 PB; the driver returns bigint as a string. */
  @Column({ name: 'size_bytes', type: 'bigint', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } })
  sizeBytes: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  profile: string | null;

  @Column({ type: 'varchar', length: 16 })
  status: FileStatus;

  @Column({ name: 'rows_total', type: 'integer', default: 0 })
  rowsTotal: number;

  @Column({ name: 'rows_loaded', type: 'integer', default: 0 })
  rowsLoaded: number;

  @Column({ name: 'rows_rejected', type: 'integer', default: 0 })
  rowsRejected: number;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  error: string | null;

  @Column({ type: 'varchar', length: 16, default: 'inbox' })
  source: FileSource;

  /** Where the file waits while it is loaded (under DATA_DIR/processing), null once it has moved on. */
  @Column({ name: 'staged_path', type: 'varchar', length: 1000, nullable: true })
  stagedPath: string | null;

  /** The checkpoint: every record starting at or before this physical line is committed. */
  @Column({ name: 'lines_done', type: 'integer', default: 0 })
  linesDone: number;

  /** The task that loads it, for progress through /task-status. */
  @Column({ name: 'task_id', type: 'varchar', length: 36, nullable: true })
  taskId: string | null;

  /** The earlier file with the same content, when this one is a duplicate. */
  @Column({ name: 'duplicate_of', type: 'varchar', length: 36, nullable: true })
  duplicateOf: string | null;

  @Column({ name: 'received_at', type: Date })
  receivedAt: Date;

  @Column({ name: 'started_at', type: Date, nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: Date, nullable: true })
  finishedAt: Date | null;
}
