import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { minorUnits, normaliseDecimal } from '@app/core';
import { FINANCE_DB } from '@app/database';
import { Transaction } from '@app/transactions';
import { neutralise } from '../csv';
import type { ExtractParams } from '../dto/generate-data.dto';
import { endExclusive } from '../period';
import { ExtractSql, extractSql } from '../sql/period-bucketing';
import type { DetailedQuery, ExtractSourceReader } from './extract-source';

export const TRANSACTIONS_AGGREGATED_HEADERS = ['period_start', 'currency', 'count', 'total', 'inflow', 'outflow', 'min', 'max'];
export const TRANSACTIONS_DETAILED_HEADERS = ['period_start', 'id', 'occurred_at', 'currency', 'amount', 'category', 'description'];

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

/** `source: transactions`: the caller's own finance transactions, by `occurred_at` (UTC). */
@Injectable()
export class TransactionsExtractSource implements ExtractSourceReader {
  readonly sql: ExtractSql;
  readonly aggregatedHeaders = TRANSACTIONS_AGGREGATED_HEADERS;
  readonly detailedHeaders = TRANSACTIONS_DETAILED_HEADERS;

  constructor(@InjectDataSource(FINANCE_DB) readonly dataSource: DataSource) {
    this.sql = extractSql(dataSource.options.type);
  }

  async aggregate(ownerId: string, params: ExtractParams): Promise<string[][]> {
    const period = this.sql.periodStart('t.occurred_at', params.aggregation);
    const rows = await this.inPeriod(ownerId, params)
      .select(period, 'period_start')
      .addSelect('t.currency', 'currency')
      .addSelect('COUNT(*)', 'count')
      .addSelect(this.sql.sum('t.amount'), 'total')
      .addSelect(this.sql.sum('CASE WHEN t.amount > 0 THEN t.amount ELSE 0 END'), 'inflow')
      .addSelect(this.sql.sum('CASE WHEN t.amount < 0 THEN t.amount ELSE 0 END'), 'outflow')
      .addSelect('MIN(t.amount)', 'min')
      .addSelect('MAX(t.amount)', 'max')
      .groupBy(period)
      .addGroupBy('t.currency')
      .orderBy('period_start', 'ASC')
      .addOrderBy('currency', 'ASC')
      .getRawMany<AggregateRow>();
    return rows.map((row) => {
      const money = (value: string | number) => normaliseDecimal(value, minorUnits(row.currency));
      return [row.period_start, row.currency, String(row.count), money(row.total), money(row.inflow), money(row.outflow), money(row.min), money(row.max)];
    });
  }

  count(ownerId: string, params: ExtractParams): Promise<number> {
    return this.inPeriod(ownerId, params).getCount();
  }

  detailedQuery(ownerId: string, params: ExtractParams): DetailedQuery {
    return this.detailed(ownerId, params, { amount: this.sql.decimalText('t.amount'), category: 't.category', description: 't.description' });
  }

  detailedCsvQuery(ownerId: string, params: ExtractParams): DetailedQuery | undefined {
    const cells = this.sql.csvCells;
    if (!cells) return undefined;
    return this.detailed(ownerId, params, {
      amount: cells.money('t.amount', 't.currency'),
      category: cells.text('t.category'),
      description: cells.text('t.description'),
    });
  }

  detailedRow(row: unknown[]): string[] {
    const [period, id, occurredAt, currency, amount, category, description] = row as DetailRow;
    return [period, id, occurredAt, currency, normaliseDecimal(amount, minorUnits(currency)), neutralise(category), neutralise(description)];
  }

  /** The detailed SELECT, in (occurred_at, id) order, with the given expressions for the cells that need work. */
  private detailed(ownerId: string, params: ExtractParams, cells: { amount: string; category: string; description: string }): DetailedQuery {
    const sql = this.sql;
    return {
      sql:
        `SELECT ${sql.periodStart('t.occurred_at', params.aggregation)}, t.id, ${sql.isoTimestamp('t.occurred_at')}, ` +
        `t.currency, ${cells.amount}, ${cells.category}, ${cells.description} ` +
        'FROM transactions t WHERE t.user_id = ? AND t.occurred_at >= ? AND t.occurred_at < ? ORDER BY t.occurred_at, t.id',
      params: [ownerId, sql.timestampParam(new Date(`${params.start}T00:00:00.000Z`)), sql.timestampParam(endExclusive(params))],
    };
  }

  private inPeriod(ownerId: string, params: ExtractParams) {
    return this.dataSource
      .createQueryBuilder()
      .from(Transaction, 't')
      .where('t.user_id = :ownerId', { ownerId })
      .andWhere('t.occurred_at >= :from AND t.occurred_at < :to', {
        from: new Date(`${params.start}T00:00:00.000Z`),
        to: endExclusive(params),
      });
  }
}
