import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DataSource } from 'typeorm';
import { minorUnits, normaliseDecimal } from '@app/core';
import { FINANCE_DB } from '@app/database';
import { Transaction } from '@app/transactions';
import { JOBS, JobContext, JobHandler, JobTimeoutError, PermanentJobError } from '@app/jobs';
import { CsvFileWriter, neutralise } from './csv';
import { ExtractParams } from './dto/generate-data.dto';
import { ExtractsService } from './extracts.service';
import { endExclusive } from './period';
import { extractSql } from './sql/period-bucketing';
import { streamRows } from './sql/row-stream';

const BATCH = 10_000;

export const AGGREGATED_HEADERS = ['period_start', 'currency', 'count', 'total', 'inflow', 'outflow', 'min', 'max'];
export const DETAILED_HEADERS = ['period_start', 'id', 'occurred_at', 'currency', 'amount', 'category', 'description'];

interface AggregateRow {
  period_start: string;
  currency: string;
  count: string | number;
  total: string | number;
  inflow: string | number;
  outflow: string | number;
  min: string | number;
  max: string | number;
}

/** period_start, id, occurred_at (ISO text), currency, amount (text; a number on SQLite), category, description */
type DetailRow = [string, string, string, string, string | number, string | null, string | null];

/**
 * Writes a transactions extract as CSV: aggregates computed exactly by the database, or every row,
 * streamed out of the database in batches so memory stays flat whatever the size.
 */
@Injectable()
export class ExtractsProcessor {
  constructor(
    @InjectDataSource(FINANCE_DB) private readonly finance: DataSource,
    private readonly extracts: ExtractsService,
  ) {}

  @JobHandler(JOBS.generateExtract)
  async generate(ctx: JobContext): Promise<Record<string, unknown>> {
    const params = ctx.params as unknown as ExtractParams;
    if (params.source !== 'transactions') throw new PermanentJobError(`Unknown extract source ${params.source}`);
    const path = this.extracts.filePath(ctx.taskId);
    await mkdir(dirname(path), { recursive: true });
    const writer = new CsvFileWriter(path, params.detailed ? DETAILED_HEADERS : AGGREGATED_HEADERS);
    try {
      if (params.detailed) await this.writeDetailed(ctx, params, writer);
      else await this.writeAggregated(ctx, params, writer);
      const { rows, bytes } = await writer.finish();
      return { rows, bytes, download_url: `/extracts/${ctx.taskId}/download` };
    } catch (error) {
      await writer.discard();
      throw error;
    }
  }

  private async writeAggregated(ctx: JobContext, params: ExtractParams, writer: CsvFileWriter): Promise<void> {
    const sql = extractSql(this.finance.options.type);
    const period = sql.periodStart('t.occurred_at', params.aggregation);
    const rows = await this.inPeriod(ctx.ownerId, params)
      .select(period, 'period_start')
      .addSelect('t.currency', 'currency')
      .addSelect('COUNT(*)', 'count')
      .addSelect(sql.sum('t.amount'), 'total')
      .addSelect(sql.sum('CASE WHEN t.amount > 0 THEN t.amount ELSE 0 END'), 'inflow')
      .addSelect(sql.sum('CASE WHEN t.amount < 0 THEN t.amount ELSE 0 END'), 'outflow')
      .addSelect('MIN(t.amount)', 'min')
      .addSelect('MAX(t.amount)', 'max')
      .groupBy(period)
      .addGroupBy('t.currency')
      .orderBy('period_start', 'ASC')
      .addOrderBy('currency', 'ASC')
      .getRawMany<AggregateRow>();
    let done = 0;
    for (const row of rows) {
      throwIfAborted(ctx.signal);
      const money = (value: string | number) => normaliseDecimal(value, minorUnits(row.currency));
      const full = writer.write([
        row.period_start,
        row.currency,
        String(row.count),
        money(row.total),
        money(row.inflow),
        money(row.outflow),
        money(row.min),
        money(row.max),
      ]);
      if (full) await full;
      ctx.progress(++done, rows.length);
    }
  }

  private async writeDetailed(ctx: JobContext, params: ExtractParams, writer: CsvFileWriter): Promise<void> {
    const sql = extractSql(this.finance.options.type);
    const total = await this.inPeriod(ctx.ownerId, params).getCount();
    ctx.progress(0, total);
    const select =
      `SELECT ${sql.periodStart('t.occurred_at', params.aggregation)}, t.id, ${sql.isoTimestamp('t.occurred_at')}, ` +
      `t.currency, ${sql.decimalText('t.amount')}, t.category, t.description ` +
      'FROM transactions t WHERE t.user_id = ? AND t.occurred_at >= ? AND t.occurred_at < ? ORDER BY t.occurred_at, t.id';
    const from = sql.timestampParam(new Date(`${params.start}T00:00:00.000Z`));
    const to = sql.timestampParam(endExclusive({ start: params.start, end: params.end }));
    let done = 0;
    for await (const batch of streamRows(this.finance, sql.dialect, select, [ctx.ownerId, from, to], BATCH)) {
      throwIfAborted(ctx.signal);
      for (const [period, id, occurredAt, currency, amount, category, description] of batch as DetailRow[]) {
        const full = writer.write([
          period,
          id,
          occurredAt,
          currency,
          normaliseDecimal(amount, minorUnits(currency)),
          neutralise(category),
          neutralise(description),
        ]);
        if (full) await full;
      }
      done += batch.length;
      ctx.progress(done, total);
    }
  }

  private inPeriod(ownerId: string, params: ExtractParams) {
    return this.finance
      .createQueryBuilder()
      .from(Transaction, 't')
      .where('t.user_id = :ownerId', { ownerId })
      .andWhere('t.occurred_at >= :from AND t.occurred_at < :to', {
        from: new Date(`${params.start}T00:00:00.000Z`),
        to: endExclusive({ start: params.start, end: params.end }),
      });
  }
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new JobTimeoutError();
}


