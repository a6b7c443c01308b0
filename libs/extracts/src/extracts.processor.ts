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

interface DetailRow {
  period_start: string;
  id: string;
  occurred_at: Date | string;
  currency: string;
  amount: string | number;
  category: string | null;
  description: string | null;
}

/**
 * Writes a transactions extract as CSV: aggregates computed exactly by the database, or every row,
 * read in keyset batches so memory stays flat whatever the size.
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
      await writer.write([
        row.period_start,
        row.currency,
        String(row.count),
        money(row.total),
        money(row.inflow),
        money(row.outflow),
        money(row.min),
        money(row.max),
      ]);
      ctx.progress(++done, rows.length);
    }
  }

  private async writeDetailed(ctx: JobContext, params: ExtractParams, writer: CsvFileWriter): Promise<void> {
    const sql = extractSql(this.finance.options.type);
    const total = await this.inPeriod(ctx.ownerId, params).getCount();
    ctx.progress(0, total);
    let done = 0;
    let after: { at: Date | string; id: string } | undefined;
    for (;;) {
      throwIfAborted(ctx.signal);
      const qb = this.inPeriod(ctx.ownerId, params)
        .select(sql.periodStart('t.occurred_at', params.aggregation), 'period_start')
        .addSelect(['t.id AS id', 't.occurred_at AS occurred_at', 't.currency AS currency', 't.amount AS amount'])
        .addSelect(['t.category AS category', 't.description AS description'])
        .orderBy('t.occurred_at', 'ASC')
        .addOrderBy('t.id', 'ASC')
        .limit(BATCH);
      if (after) qb.andWhere('(t.occurred_at > :at OR (t.occurred_at = :at AND t.id > :id))', after);
      const rows = await qb.getRawMany<DetailRow>();
      for (const row of rows) {
        await writer.write([
          row.period_start,
          row.id,
          utcIso(row.occurred_at),
          row.currency,
          normaliseDecimal(row.amount, minorUnits(row.currency)),
          neutralise(row.category),
          neutralise(row.description),
        ]);
      }
      done += rows.length;
      ctx.progress(done, total);
      if (rows.length < BATCH) return;
      const last = rows[rows.length - 1];
      after = { at: last.occurred_at, id: last.id };
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

/** PostgreSQL and MySQL hand back a Date; SQLite the stored text "YYYY-MM-DD HH:MM:SS.SSS" (UTC). */
function utcIso(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : new Date(`${value.replace(' ', 'T')}Z`).toISOString();
}

