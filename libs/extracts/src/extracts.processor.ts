import { Injectable } from '@nestjs/common';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { JOBS, JobContext, JobHandler, JobTimeoutError, PermanentJobError } from '@app/jobs';
import { CsvFileWriter } from './csv';
import { ExtractParams, ExtractSource } from './dto/generate-data.dto';
import { ExtractsService } from './extracts.service';
import { ExtractSourceReader } from './sources/extract-source';
import { SettlementExtractSource } from './sources/settlement.source';
import { TransactionsExtractSource } from './sources/transactions.source';
import { streamRows } from './sql/row-stream';

const BATCH = 10_000;

/**
 * Writes an extract as CSV: aggregates computed exactly by the database, or every row, streamed
 * out of the database in batches so memory stays flat whatever the size. What is read, from which
 * data source and in which dialect, is the source's business (sources/); this is the same for all.
 */
@Injectable()
export class ExtractsProcessor {
  private readonly sources: Record<ExtractSource, ExtractSourceReader>;

  constructor(
    private readonly extracts: ExtractsService,
    transactions: TransactionsExtractSource,
    settlement: SettlementExtractSource,
  ) {
    this.sources = { transactions, settlement };
  }

  @JobHandler(JOBS.generateExtract)
  async generate(ctx: JobContext): Promise<Record<string, unknown>> {
    const params = ctx.params as unknown as ExtractParams;
    const source = Object.hasOwn(this.sources, params.source) ? this.sources[params.source] : undefined;
    if (!source) throw new PermanentJobError(`Unknown extract source ${params.source}`);
    const path = this.extracts.filePath(ctx.taskId);
    await mkdir(dirname(path), { recursive: true });
    const writer = new CsvFileWriter(path, [...(params.detailed ? source.detailedHeaders : source.aggregatedHeaders)]);
    try {
      if (params.detailed) await this.writeDetailed(ctx, source, params, writer);
      else await this.writeAggregated(ctx, source, params, writer);
      const { rows, bytes } = await writer.finish();
      return { rows, bytes, download_url: `/extracts/${ctx.taskId}/download` };
    } catch (error) {
      await writer.discard();
      throw error;
    }
  }

  private async writeAggregated(ctx: JobContext, source: ExtractSourceReader, params: ExtractParams, writer: CsvFileWriter): Promise<void> {
    const rows = await source.aggregate(ctx.ownerId, params);
    let done = 0;
    for (const row of rows) {
      throwIfAborted(ctx.signal);
      const full = writer.write(row);
      if (full) await full;
      ctx.progress(++done, rows.length);
    }
  }

  private async writeDetailed(ctx: JobContext, source: ExtractSourceReader, params: ExtractParams, writer: CsvFileWriter): Promise<void> {
    const total = await source.count(ctx.ownerId, params);
    ctx.progress(0, total);
    const query = source.detailedQuery(ctx.ownerId, params);
    let done = 0;
    for await (const batch of streamRows(source.dataSource, source.sql.dialect, query.sql, query.params, BATCH)) {
      throwIfAborted(ctx.signal);
      for (const row of batch) {
        const full = writer.write(source.detailedRow(row));
        if (full) await full;
      }
      done += batch.length;
      ctx.progress(done, total);
    }
  }
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new JobTimeoutError();
}
