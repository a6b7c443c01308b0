import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DataSource, Repository } from 'typeorm';
import { AppConfigService } from '@app/core';
import { SETTLEMENT_DB } from '@app/database';
import { JobTimeoutError, PermanentJobError } from '@app/jobs';
import { Metrics } from '@app/metrics';
import { FileStatus, SettlementFile } from './entities/settlement-file.entity';
import { SettlementBatchWriter } from './loading/settlement-batch-writer';
import { createSettlementBatchWriter } from './loading';
import { copyMasked } from './pan-masking';
import { parseSettlementFile } from './parsing';
import { SettlementDataVersion } from './settlement-data-version';
import { SettlementFileEvents } from './settlement-file-events';
import { SettlementProfiles } from './settlement-profiles';
import { ParsedBatch, SettlementFileError } from './settlement-record';

/** What a load reports: to /task-status as the task's result, to the CLI as its summary. */
export interface IngestSummary {
  file_id: string;
  status: FileStatus;
  rows_total: number;
  rows_loaded: number;
  rows_rejected: number;
  error: string | null;
}

export interface LoadControl {
  signal?: AbortSignal;
  /** Bytes of the file read so far, of its size. */
  progress?(done: number, total: number): void;
}

const FINISHED: readonly FileStatus[] = ['completed', 'failed', 'duplicate'];

/** Rows per committed batch: SQLite pays per commit (WAL pages of seven indexes), servers per round trip. */
export const SQLITE_BATCH_ROWS = 25_000;
const SERVER_BATCH_ROWS = 10_000;

/**
 * Loads one registered settlement file: parse, validate, store in batches, each batch committed
 * together with the file's checkpoint (the last line it covers). However the process dies, the next
 * run resumes after the checkpoint, so every valid row is stored exactly once; a finished file is
 * never loaded again. At the end the file moves, PAN-masked, to archive/ (or failed/).
 */
@Injectable()
export class SettlementIngestService {
  private readonly logger = new Logger(SettlementIngestService.name);
  private readonly writer: SettlementBatchWriter;
  private readonly batchSize: number;

  constructor(
    @InjectDataSource(SETTLEMENT_DB) private readonly dataSource: DataSource,
    @InjectRepository(SettlementFile, SETTLEMENT_DB) private readonly files: Repository<SettlementFile>,
    private readonly profiles: SettlementProfiles,
    private readonly version: SettlementDataVersion,
    private readonly config: AppConfigService,
    private readonly metrics: Metrics,
    private readonly events: SettlementFileEvents,
  ) {
    this.writer = createSettlementBatchWriter(dataSource);
    this.batchSize = dataSource.options.type === 'better-sqlite3' ? SQLITE_BATCH_ROWS : SERVER_BATCH_ROWS;
  }

  async load(fileId: string, control: LoadControl = {}): Promise<IngestSummary> {
    let file = await this.files.findOneBy({ id: fileId });
    if (!file) throw new PermanentJobError(`settlement file ${fileId} is not registered`);
    if (FINISHED.includes(file.status)) {
      // A run that died after recording the outcome may not have reported it.
      await this.events.finished(file);
      return summary(file);
    }
    const stagedPath = file.stagedPath;
    if (!stagedPath || !(await exists(stagedPath))) {
      // A run that died between archiving the file and recording it completed left it archived.
      if (await exists(this.outcomePath(file, 'completed'))) return this.finish(file, 'completed', null);
      return this.finish(file, 'failed', 'the received file is missing from the processing folder');
    }
    if (file.status === 'pending') {
      await this.files.update({ id: file.id }, { status: 'loading', startedAt: new Date() });
    }
    file = await this.files.findOneByOrFail({ id: fileId });
    if (file.linesDone > 0) this.logger.log(`Resuming ${file.name} (${file.id}) after line ${file.linesDone}`);

    // The masked copy for archive/ (or failed/) is written while the file loads.
    const maskedPath = `${stagedPath}.masked`;
    const masked = copyMasked(stagedPath, maskedPath).then(() => maskedPath);
    masked.catch(() => undefined); // awaited in finish(); a failure there is the load's failure
    const input = createReadStream(stagedPath, { highWaterMark: 1 << 20 });
    try {
      const profile = this.profiles.byName(file.profile);
      const batches = parseSettlementFile(input, profile, { skipThroughLine: file.linesDone, batchSize: this.batchSize });
      // The next batch is parsed while the database commits this one.
      const iterator = batches[Symbol.asyncIterator]();
      let next = iterator.next();
      for (;;) {
        const current = await next;
        if (current.done) break;
        next = iterator.next();
        next.catch(() => undefined); // awaited (and rethrown) on the next turn
        if (control.signal?.aborted) throw new JobTimeoutError();
        await this.commit(file, current.value);
        control.progress?.(input.bytesRead, file.sizeBytes);
      }
    } catch (error) {
      if (!(error instanceof SettlementFileError)) throw error;
      return await this.finish(file, 'failed', error.message, masked);
    } finally {
      input.destroy();
    }
    return this.finish(file, 'completed', null, masked);
  }

  /**
   * Records a file failed without loading more of it (its load failed for good, run after run); the
   * rows it stored stay, the received file moves masked to failed/. A finished file is left as it is.
   */
  async giveUp(fileId: string, reason: string): Promise<IngestSummary | null> {
    const file = await this.files.findOneBy({ id: fileId });
    if (!file) return null;
    return FINISHED.includes(file.status) ? summary(file) : this.finish(file, 'failed', reason);
  }

  /**
   * One batch and the checkpoint, all or nothing. The checkpoint only moves from where this run
   * found it: if another runner of the same file (a stalled job run twice) got there first, this
   * one stops instead of writing the batch again.
   */
  private async commit(file: SettlementFile, batch: ParsedBatch): Promise<void> {
    const counted = await this.dataSource.transaction(async (manager) => {
      // A lost batch (server crash) is lost together with its checkpoint and simply loaded again,
      // so PostgreSQL need not wait for the disk on each batch commit.
      if (this.dataSource.options.type === 'postgres') await manager.query('SET LOCAL synchronous_commit = off');
      const { loaded, rejected } = await this.writer.write(manager, { id: file.id, name: file.name }, batch);
      const moved = await manager
        .createQueryBuilder()
        .update(SettlementFile)
        .set({
          linesDone: batch.lastLine,
          rowsLoaded: () => `rows_loaded + ${loaded}`,
          rowsRejected: () => `rows_rejected + ${rejected}`,
          rowsTotal: () => `rows_total + ${loaded + rejected}`,
        })
        .where('id = :id AND lines_done = :from', { id: file.id, from: file.linesDone })
        .execute();
      if (!moved.affected) throw new PermanentJobError(`settlement file ${file.id} is being loaded by another run`);
      return { loaded, rejected };
    });
    file.linesDone = batch.lastLine;
    // Counted once committed: a batch rolled back (and loaded again by the next run) is not.
    this.metrics.settlementBatch(counted.loaded, counted.rejected);
  }

  /**
   * Moves the received file on, PAN-masked (no copy of a full PAN is kept), records the outcome, and
   * tells readers the data changed. Each step can be repeated after a crash.
   */
  private async finish(file: SettlementFile, status: 'completed' | 'failed', error: string | null, maskedCopy?: Promise<string>): Promise<IngestSummary> {
    if (file.stagedPath && (await exists(file.stagedPath))) {
      const target = this.outcomePath(file, status);
      await mkdir(dirname(target), { recursive: true });
      if (maskedCopy) await rename(await maskedCopy, target);
      else await copyMasked(file.stagedPath, target);
      await rm(file.stagedPath, { force: true });
      await rm(`${file.stagedPath}.masked`, { force: true }); // an earlier run's unfinished copy
    }
    await this.files.update({ id: file.id }, { status, error: error?.slice(0, 1000) ?? null, stagedPath: null, finishedAt: new Date() });
    if (status === 'completed') await this.version.bump();
    this.metrics.settlementFile(status);
    const done = await this.files.findOneByOrFail({ id: file.id });
    await this.events.finished(done);
    this.logger.log(
      `Settlement file ${done.name} (${done.id}) ${status}: ${done.rowsLoaded} loaded, ${done.rowsRejected} rejected` + (error ? `: ${error}` : ''),
    );
    return summary(done);
  }

  /** archive/ or failed/ under DATA_DIR, named by the file's id so every run finds the same path. */
  outcomePath(file: SettlementFile, status: 'completed' | 'failed'): string {
    const { archiveDir, failedDir } = this.config.get('paths');
    return join(status === 'completed' ? archiveDir : failedDir, `${file.id}__${safeName(file.name)}`);
  }
}

function summary(file: SettlementFile): IngestSummary {
  return {
    file_id: file.id,
    status: file.status,
    rows_total: file.rowsTotal,
    rows_loaded: file.rowsLoaded,
    rows_rejected: file.rowsRejected,
    error: file.error,
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** A file name safe to put in a path: no directories, no control characters. */
export function safeName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? 'file';
  return base.replace(/[^\w.-]+/g, '_').slice(0, 120) || 'file';
}
