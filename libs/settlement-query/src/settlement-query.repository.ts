import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { normaliseDecimal } from '@app/core';
import { SETTLEMENT_DB } from '@app/database';
import { SETTLEMENT_COLUMNS } from '@app/settlement-ingest';
import { AMOUNT_SCALE, COLUMN_SPECS } from './settlement-columns';
import type { SettlementListQuery, SettlementRecordView } from './settlement-list-query';
import { SqlDialect, Statement, countStatement, dialectOf, pageStatement } from './settlement-sql';

type RawRow = Record<string, string | number | null>;

/** The part of mysql2's (callback) pool that TypeORM's MySQL driver holds and this uses. */
interface PreparingPool {
  execute(sql: string, params: unknown[], callback: (error: Error | null, rows: unknown) => void): void;
}

/** Reads card_transactions with the statements of settlement-sql.ts; no decisions here. */
@Injectable()
export class SettlementQueryRepository {
  private readonly dialect: SqlDialect;
  private readonly pool: PreparingPool | null;

  constructor(@InjectDataSource(SETTLEMENT_DB) private readonly dataSource: DataSource) {
    this.dialect = dialectOf(dataSource.options.type);
    this.pool = this.dialect === 'mysql' ? ((dataSource.driver as unknown as { pool?: PreparingPool }).pool ?? null) : null;
  }

  /** Up to `limit + 1` records in the query's order (the extra one says that another page follows). */
  async page(query: SettlementListQuery): Promise<SettlementRecordView[]> {
    const rows = await this.run<RawRow>(pageStatement(this.dialect, query));
    return rows.map(toView);
  }

  async count(query: Pick<SettlementListQuery, 'filter' | 'dateFrom' | 'dateTo'>): Promise<number> {
    const [row] = await this.run<{ n: string | number }>(countStatement(this.dialect, query));
    return Number(row.n);
  }

  /**
   * MySQL/MariaDB: a prepared statement on the driver's pool (mysql2 `execute`, prepared once per
   * connection and kept), so the server parses the page and COUNT once per connection, not per
   * request, and no TypeORM query runner is made per statement. Elsewhere TypeORM's `query`.
   */
  private run<T>(statement: Statement): Promise<T[]> {
    if (this.pool) {
      const pool = this.pool;
      return new Promise((resolve, reject) =>
        pool.execute(statement.sql, statement.params, (error: Error | null, rows: unknown) => (error ? reject(error) : resolve(rows as T[]))),
      );
    }
    return this.dataSource.query(statement.sql, statement.params) as Promise<T[]>;
  }
}

const DECIMAL_COLUMNS = SETTLEMENT_COLUMNS.filter((name) => COLUMN_SPECS[name].kind === 'decimal');

/** Drivers differ in what they return for DECIMAL (strings, or a number on SQLite): always "1234.50". */
function toView(row: RawRow): SettlementRecordView {
  const view = {} as SettlementRecordView;
  for (const name of SETTLEMENT_COLUMNS) {
    const value = row[name];
    view[name] = value === null || value === undefined ? null : String(value);
  }
  for (const name of DECIMAL_COLUMNS) {
    const value = row[name];
    if (value !== null && value !== undefined) view[name] = normaliseDecimal(value, AMOUNT_SCALE);
  }
  return view;
}
