import type { Aggregation } from '../period';
import { CsvCellsSql, postgresCsvCells } from './csv-cells';

export type Dialect = 'postgres' | 'mysql' | 'sqlite';

/** What a period is taken from: a UTC timestamp (transactions) or a calendar DATE (TRANS_DATE). */
export type PeriodColumn = 'timestamp' | 'date';

/**
 * The SQL that differs per dialect for extracts, in one place (STYLE.md §7): the first day of the
 * period a timestamp or date falls in (ISO weeks start on Monday), as a YYYY-MM-DD string, and an
 * exact sum of a DECIMAL column. Chosen by the type of the data source the extract reads, so the
 * finance and the settlement databases may be of different dialects.
 */
export interface ExtractSql {
  readonly dialect: Dialect;
  periodStart(column: string, aggregation: Aggregation, kind?: PeriodColumn): string;
  sum(expression: string): string;
  /** A UTC timestamp column as ISO 8601 text with milliseconds and Z. */
  isoTimestamp(column: string): string;
  /** A DATE column as YYYY-MM-DD text (drivers would otherwise hand back a JavaScript Date). */
  dateText(column: string): string;
  /** A DECIMAL column as exact text (SQLite: its REAL, exact to 15 digits, normalised later). */
  decimalText(column: string): string;
  /** A Date as a bound parameter compares with stored timestamps (SQLite stores text). */
  timestampParam(date: Date): Date | string;
  /** Only for a dialect that writes a detailed extract's CSV itself (sql/copy-csv.ts): its cells as SQL. */
  readonly csvCells?: CsvCellsSql;
}

const postgres: ExtractSql = {
  dialect: 'postgres',
  isoTimestamp: (column) => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  decimalText: (column) => `${column}::text`,
  dateText: (column) => `to_char(${column}, 'YYYY-MM-DD')`,
  timestampParam: (date) => date,
  // date_trunc('week') is the ISO week: Monday. A DATE is cast to a plain timestamp first: left to
  // itself it would become a timestamptz at midnight in the session's zone.
  periodStart: (column, aggregation, kind = 'timestamp') =>
    `to_char(date_trunc('${aggregation}', ${kind === 'date' ? `${column}::timestamp` : column}), 'YYYY-MM-DD')`,
  sum: (expression) => `SUM(${expression})`,
  csvCells: postgresCsvCells,
};

const mysql: ExtractSql = {
  dialect: 'mysql',
  isoTimestamp: (column) => `CONCAT(DATE_FORMAT(${column}, '%Y-%m-%dT%H:%i:%s.'), LPAD(FLOOR(MICROSECOND(${column}) / 1000), 3, '0'), 'Z')`,
  decimalText: (column) => `CAST(${column} AS CHAR)`,
  dateText: (column) => `DATE_FORMAT(${column}, '%Y-%m-%d')`,
  timestampParam: (date) => date,
  // The same expressions serve DATETIME and DATE columns.
  periodStart: (column, aggregation) => {
    switch (aggregation) {
      case 'day':
        return `DATE_FORMAT(${column}, '%Y-%m-%d')`;
      case 'week': // WEEKDAY(): Monday = 0
        return `DATE_FORMAT(DATE_SUB(DATE(${column}), INTERVAL WEEKDAY(${column}) DAY), '%Y-%m-%d')`;
      case 'month':
        return `DATE_FORMAT(${column}, '%Y-%m-01')`;
      case 'year':
        return `DATE_FORMAT(${column}, '%Y-01-01')`;
    }
  },
  sum: (expression) => `SUM(${expression})`,
};

const sqlite: ExtractSql = {
  dialect: 'sqlite',
  // Stored as "YYYY-MM-DD HH:MM:SS.SSS" (UTC); %f is SS.SSS.
  isoTimestamp: (column) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${column})`,
  decimalText: (column) => column,
  // A DATE is stored as its YYYY-MM-DD text.
  dateText: (column) => column,
  timestampParam: (date) => date.toISOString().replace('T', ' ').replace('Z', ''),
  // Timestamps ("YYYY-MM-DD HH:MM:SS.SSS") and dates ("YYYY-MM-DD") are both text the date
  // functions read, so the same expressions serve both.
  periodStart: (column, aggregation) => {
    switch (aggregation) {
      case 'day':
        return `date(${column})`;
      case 'week': // %w: Sunday = 0, so (w + 6) % 7 days back is the Monday
        return `date(${column}, '-' || ((CAST(strftime('%w', ${column}) AS INTEGER) + 6) % 7) || ' days')`;
      case 'month':
        return `strftime('%Y-%m-01', ${column})`;
      case 'year':
        return `strftime('%Y-01-01', ${column})`;
    }
  },
  // SQLite's SUM adds floats; decimal_sum (registered on every SQLite connection) is exact.
  sum: (expression) => `decimal_sum(${expression})`,
};

const BY_DIALECT: Record<Dialect, ExtractSql> = { postgres, mysql, sqlite };

export function extractSql(dataSourceType: string): ExtractSql {
  const dialect: Dialect = dataSourceType === 'better-sqlite3' ? 'sqlite' : dataSourceType === 'postgres' ? 'postgres' : 'mysql';
  return BY_DIALECT[dialect];
}
