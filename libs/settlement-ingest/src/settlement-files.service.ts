import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { In, IsNull, LessThan, MoreThan, Not, Repository } from 'typeorm';
import { NotFoundError } from '@app/core';
import { SETTLEMENT_DB } from '@app/database';
import { JOBS, JobsService, SubmitOptions, Task } from '@app/jobs';
import { Metrics } from '@app/metrics';
import { FileSource, SettlementFile } from './entities/settlement-file.entity';
import { SettlementReject } from './entities/settlement-reject.entity';
import { SettlementFileEvents } from './settlement-file-events';

/** Who owns the tasks the schedule starts (admins see them through /task-status). */
export const SYSTEM_OWNER = 'system';

/** How many rejects one query reads while streaming the rejects CSV. */
const REJECTS_PAGE = 2_000;

export interface StagedFile {
  id: string;
  /** The name as received (inbox-relative path or upload name), for people. */
  name: string;
  stagedPath: string;
  source: FileSource;
  profile: string;
}

/** The ingest history: files as received, their outcome, their rejected rows. */
@Injectable()
export class SettlementFilesService {
  constructor(
    @InjectRepository(SettlementFile, SETTLEMENT_DB) private readonly files: Repository<SettlementFile>,
    @InjectRepository(SettlementReject, SETTLEMENT_DB) private readonly rejects: Repository<SettlementReject>,
    private readonly jobs: JobsService,
    private readonly metrics: Metrics,
    private readonly events: SettlementFileEvents,
  ) {}

  /**
   * Records a staged file: its sha256 and size as received, and whether the same content was already
   * loaded (then it is a `duplicate`, its staged copy removed, and nothing is loaded again).
   */
  async register(staged: StagedFile): Promise<SettlementFile> {
    const { sha256, size } = await digest(staged.stagedPath);
    const earlier = await this.files.findOne({
      where: { sha256, status: In(['pending', 'loading', 'completed']) },
      order: { receivedAt: 'ASC' },
    });
    const now = new Date();
    const file = this.files.create({
      id: staged.id,
      name: staged.name.slice(0, 255),
      sha256,
      sizeBytes: size,
      profile: staged.profile,
      source: staged.source,
      status: earlier ? 'duplicate' : 'pending',
      duplicateOf: earlier?.id ?? null,
      stagedPath: earlier ? null : staged.stagedPath,
      rowsTotal: 0,
      rowsLoaded: 0,
      rowsRejected: 0,
      linesDone: 0,
      error: earlier ? `same content as ${earlier.name} (${earlier.id})` : null,
      taskId: null,
      receivedAt: now,
      startedAt: null,
      finishedAt: earlier ? now : null,
    });
    await this.files.insert(file);
    if (earlier) {
      this.metrics.settlementFile('duplicate');
      await rm(staged.stagedPath, { force: true });
      await this.events.finished(file);
    }
    return file;
  }

  /**
   * Queues the load of a pending file. The task's id is the file's, so submitting the same file again
   * (a retried scan, two replicas) yields the same task and one job.
   */
  async enqueueLoad(file: SettlementFile, ownerId: string, audit?: SubmitOptions['audit']): Promise<Task> {
    const task = await this.jobs.submit(ownerId, JOBS.ingestSettlementFile, { fileId: file.id }, { taskId: file.id, audit });
    if (file.taskId !== task.id) await this.files.update({ id: file.id }, { taskId: task.id });
    return task;
  }

  /** Files still to load whose load was queued: their task tells whether it is still under way. */
  queuedUnfinished(): Promise<SettlementFile[]> {
    return this.files.find({ where: { status: In(['pending', 'loading']), taskId: Not(IsNull()) }, order: { receivedAt: 'ASC' } });
  }

  /** Pending files nobody queued (the process stopped between registering and queuing). */
  unqueued(olderThan: Date): Promise<SettlementFile[]> {
    return this.files.find({ where: { status: 'pending', taskId: IsNull(), receivedAt: LessThan(olderThan) } });
  }

  list(skip: number, limit: number): Promise<[SettlementFile[], number]> {
    return this.files.findAndCount({ order: { receivedAt: 'DESC', id: 'ASC' }, skip, take: limit });
  }

  async find(id: string): Promise<SettlementFile> {
    const file = await this.files.findOneBy({ id });
    if (!file) throw new NotFoundError('Settlement file not found');
    return file;
  }

  findIds(ids: string[]): Promise<SettlementFile[]> {
    return ids.length ? this.files.findBy({ id: In(ids) }) : Promise.resolve([]);
  }

  /** The file's rejected rows in line order, read a page at a time (a file may have millions). */
  async *rejectsOf(fileId: string): AsyncGenerator<SettlementReject> {
    let after = 0;
    for (;;) {
      const page = await this.rejects.find({ where: { fileId, line: MoreThan(after) }, order: { line: 'ASC' }, take: REJECTS_PAGE });
      yield* page;
      if (page.length < REJECTS_PAGE) return;
      after = page[page.length - 1].line;
    }
  }
}

async function digest(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}
