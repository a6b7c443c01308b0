import { Injectable } from '@nestjs/common';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { JOBS, JobContext, JobHandler, JobTimeoutError, PermanentJobError } from '@app/jobs';
import { CsvFileWriter, CsvLineWriter, CsvRecordCounter, ExtractFileWriter } from './csv';
import { ExtractParams, ExtractSource } from './dto/generate-data.dto';
import { ExtractsService } from './extracts.service';
import { DetailedQuery, ExtractSourceReader } from './sources/extract-source';
import { SettlementExtractSource } from './sources/settlement.source';
import { TransactionsExtractSource } from './sources/transactions.source';
import { copyCsv } from './sql/copy-csv';
import { streamRows } from './sql/row-stream';

const BATCH = 10_000;

/**
 * Writes an extract as CSV: aggregates computed exactly by the database, or every row, streamed
 * so memory stays flat whatever the size: as CSV the database writes itself where the dialect can
 * (PostgreSQL COPY, the fast path: docs/performance.md), else in batches of rows formatted here.
 * What is read, from which data source and in which dialect, is the source's business (sources/);
 * this is the same for all.
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
    if (params.detailed) {
      const writer = new CsvLineWriter(path, source.detailedHeaders);
      return this.complete(ctx, writer, () => this.writeDetailed(ctx, source, params, writer));
    }
    const writer = new CsvFileWriter(path, [...source.aggregatedHeaders]);
    return this.complete(ctx, writer, () => this.writeAggregated(ctx, source, params, writer));
  }

  /** The file gets its name only once complete; on any failure (time-out included) it is removed. */
  private async complete(ctx: JobContext, writer: ExtractFileWriter, write: () => Promise<void>): Promise<Record<string, unknown>> {
    try {
      await write();
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

  private async writeDetailed(ctx: JobContext, source: ExtractSourceReader, params: ExtractParams, writer: CsvLineWriter): Promise<void> {
    // The count only feeds progress: it runs beside the rows, on its own connection, rather than
    // holding back the first row for a scan of the whole period.
    const progress = new DetailedProgress(ctx, source.count(ctx.ownerId, params));
    const csvQuery = source.detailedCsvQuery?.(ctx.ownerId, params);
    if (csvQuery) await this.copyDetailed(ctx, source, csvQuery, writer, progress);
    else await this.streamDetailed(ctx, source, source.detailedQuery(ctx.ownerId, params), writer, progress);
    await progress.counted;
  }

  /** The database writes the CSV (PostgreSQL COPY); records are counted as they pass, for progress. */
  private async copyDetailed(
    ctx: JobContext,
    source: ExtractSourceReader,
    query: DetailedQuery,
    writer: CsvLineWriter,
    progress: DetailedProgress,
  ): Promise<void> {
    const counter = new CsvRecordCounter();
    try {
      for await (const chunk of copyCsv(source.dataSource, query.sql, query.params, ctx.signal)) {
        const records = counter.count(chunk);
        const full = writer.writeCsv(chunk, records);
        if (full) await full;
        progress.add(records);
      }
    } catch (error) {
      throwIfAborted(ctx.signal);
      throw error;
    }
  }

  /** Rows out of the database in batches, each one formatted here. */
  private async streamDetailed(
    ctx: JobContext,
    source: ExtractSourceReader,
    query: DetailedQuery,
    writer: CsvLineWriter,
    progress: DetailedProgress,
  ): Promise<void> {
    for await (const batch of streamRows(source.dataSource, source.sql.dialect, query.sql, query.params, BATCH)) {
      throwIfAborted(ctx.signal);
      for (const row of batch) {
        const full = writer.write(source.detailedRow(row));
        if (full) await full;
      }
      progress.add(batch.length);
    }
  }
}

/** Rows done so far against a total that arrives while they are written (reported once known). */
class DetailedProgress {
  /** Settles with the count; awaited once the rows are written, so a failed count still fails the job. */
  readonly counted: Promise<void>;
  private done = 0;
  private total: number | undefined;

  constructor(
    private readonly ctx: JobContext,
    total: Promise<number>,
  ) {
    this.counted = total.then((value) => {
      this.total = value;
      ctx.progress(this.done, value);
    });
    // Until awaited, a failure here must not count as unhandled: the rows' own error may come first.
    this.counted.catch(() => undefined);
  }

  add(rows: number): void {
    this.done += rows;
    if (this.total !== undefined) this.ctx.progress(this.done, this.total);
  }
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new JobTimeoutError();
}
