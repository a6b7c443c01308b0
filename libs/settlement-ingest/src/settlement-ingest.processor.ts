import { Injectable } from '@nestjs/common';
import { JOBS, JOB_ATTEMPTS, JobContext, JobHandler, JobsService, PermanentJobError } from '@app/jobs';
import { SettlementFilesService } from './settlement-files.service';
import { SettlementInboxService } from './settlement-inbox.service';
import { IngestSummary, SettlementIngestService } from './settlement-ingest.service';

/**
 * Runs of a file's load before the file is given up as failed: each run makes JOB_ATTEMPTS attempts
 * and resumes from the file's checkpoint, so a database down for a while costs a run, not the file.
 */
export const LOAD_RUNS = 3;

/** The settlement queue's jobs: load one file; scan the inbox and queue a load per claimed file. */
@Injectable()
export class SettlementIngestProcessor {
  constructor(
    private readonly ingest: SettlementIngestService,
    private readonly inbox: SettlementInboxService,
    private readonly files: SettlementFilesService,
    private readonly jobs: JobsService,
  ) {}

  @JobHandler(JOBS.ingestSettlementFile)
  async load(ctx: JobContext<{ fileId?: unknown }>): Promise<IngestSummary> {
    const fileId = ctx.params.fileId;
    if (typeof fileId !== 'string') throw new PermanentJobError('fileId is missing');
    const result = await this.ingest.load(fileId, { signal: ctx.signal, progress: (done, total) => ctx.progress(done, total) });
    if (result.status === 'failed') throw new PermanentJobError(`file failed: ${result.error}`);
    return result;
  }

  @JobHandler(JOBS.scanSettlementInbox)
  async scan(ctx: JobContext): Promise<{ claimed: number; queued: string[]; resumed: string[]; given_up: string[] }> {
    const claimed = await this.inbox.claimReady();
    const files = [...claimed, ...(await this.inbox.unqueued())];
    for (const file of files) await this.files.enqueueLoad(file, ctx.ownerId);
    const { resumed, givenUp } = await this.resumeStalled();
    return { claimed: claimed.length, queued: files.map((f) => f.id), resumed, given_up: givenUp };
  }

  /**
   * Files still to load whose task failed for good (every attempt hit an outage): loaded again from
   * their checkpoint, up to LOAD_RUNS runs in all; after that, recorded failed with the reason.
   */
  private async resumeStalled(): Promise<{ resumed: string[]; givenUp: string[] }> {
    const resumed: string[] = [];
    const givenUp: string[] = [];
    for (const file of await this.files.queuedUnfinished()) {
      const outcome = await this.jobs.rerun(file.taskId!, LOAD_RUNS);
      if (outcome === 'queued') resumed.push(file.id);
      if (outcome === 'exhausted') {
        await this.ingest.giveUp(file.id, `loading stopped: ${LOAD_RUNS} runs of ${JOB_ATTEMPTS} attempts each failed (the task's error says why)`);
        givenUp.push(file.id);
      }
    }
    return { resumed, givenUp };
  }
}
