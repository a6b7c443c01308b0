import { Injectable } from '@nestjs/common';
import { JOBS, JobContext, JobHandler, PermanentJobError } from '@app/jobs';
import { SettlementFilesService } from './settlement-files.service';
import { SettlementInboxService } from './settlement-inbox.service';
import { IngestSummary, SettlementIngestService } from './settlement-ingest.service';

/** The settlement queue's jobs: load one file; scan the inbox and queue a load per claimed file. */
@Injectable()
export class SettlementIngestProcessor {
  constructor(
    private readonly ingest: SettlementIngestService,
    private readonly inbox: SettlementInboxService,
    private readonly files: SettlementFilesService,
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
  async scan(ctx: JobContext): Promise<{ claimed: number; queued: string[] }> {
    const claimed = await this.inbox.claimReady();
    const files = [...claimed, ...(await this.inbox.unqueued())];
    for (const file of files) await this.files.enqueueLoad(file, ctx.ownerId);
    return { claimed: claimed.length, queued: files.map((f) => f.id) };
  }
}
