import type { Aggregation } from '../period';

export type Dialect = 'postgres' | 'mysql' | 'sqlite';

/**
 * The SQL that differs per dialect for extracts, in one place (STYLE.md §7): the first day of the
 * period a timestamp or date falls in (ISO weeks start on Monday), as a YYYY-MM-DD string, and an
 * exact sum of a DECIMAL column.
 */
export interface ExtractSql {
  periodStart(column: string, aggregation: Aggregation): string;
  sum(expression: string): string;
}

const postgres: ExtractSql = {
  // date_trunc('week') is the ISO week: Monday.
  periodStart: (column, aggregation) => `to_char(date_trunc('${aggregation}', ${column}), 'YYYY-MM-DD')`,
  sum: (expression) => `SUM(${expression})`,
};

const mysql: ExtractSql = {
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
