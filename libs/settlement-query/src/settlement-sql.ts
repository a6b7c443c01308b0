import { SETTLEMENT_COLUMNS } from '@app/settlement-ingest';
import { COLUMN_SPECS, ColumnSpec } from './settlement-columns';
import type { SettlementListQuery } from './settlement-list-query';

/**
 * The SQL of the settlement queries, for each dialect, in one place (STYLE §7). Identifiers only
 * ever come from COLUMN_SPECS; every value is a bound parameter. The statements these functions
 * build are listed in settlement-sql.md and checked by settlement-sql.spec.ts.
 */
export type SqlDialect = 'mysql' | 'postgres' | 'sqlite';

export interface Statement {
  sql: string;
  params: unknown[];
}

export const TABLE = 'card_transactions';
const ALIAS = 't';

/** The TypeORM driver type of a data source, as one of the three dialects. */
export function dialectOf(type: string): SqlDialect {
  if (type === 'mysql' || type === 'mariadb') return 'mysql';
  if (type === 'postgres') return 'postgres';
  if (type === 'better-sqlite3' || type === 'sqlite') return 'sqlite';
  throw new Error(`No settlement query SQL for a ${type} data source`);
}

class Builder {
  readonly params: unknown[] = [];

  constructor(readonly dialect: SqlDialect) {}

  id(name: string): string {
    return this.dialect === 'mysql' ? `\`${name}\`` : `"${name}"`;
  }

  /**
   * A column of the table, qualified: MySQL and SQLite match an unqualified ORDER BY name against the
   * select list's aliases first, letter case aside, and TRANS_DATE's alias is a CAST that no index has.
   */
  col(column: ColumnSpec): string {
    return `${this.id(ALIAS)}.${this.id(column.db)}`;
  }

  /** A bound value, typed for the column it is compared with. */
  value(column: ColumnSpec, value: unknown): string {
    this.params.push(value);
    const placeholder = this.dialect === 'postgres' ? `$${this.params.length}` : '?';
    // MySQL compares a DECIMAL with a string as doubles; cast so it compares decimals, on the index.
    return this.dialect === 'mysql' && column.kind === 'decimal' ? `CAST(${placeholder} AS DECIMAL(15,2))` : placeholder;
  }

  integer(value: number): string {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`Not a row count: ${value}`);
    this.params.push(value);
    return this.dialect === 'postgres' ? `$${this.params.length}` : '?';
  }

  /** Dates leave the database as `YYYY-MM-DD` text, whatever the driver would make of a DATE. */
  selected(column: ColumnSpec): string {
    const name = this.col(column);
    if (column.kind !== 'date') return `${name} AS ${this.id(column.name)}`;
    if (this.dialect === 'mysql') return `CAST(${name} AS CHAR(10)) AS ${this.id(column.name)}`;
    if (this.dialect === 'postgres') return `to_char(${name}, 'YYYY-MM-DD') AS ${this.id(column.name)}`;
    return `${name} AS ${this.id(column.name)}`;
  }
}

const DOC_IDT = COLUMN_SPECS.DOC_IDT;
const TRANS_DATE = COLUMN_SPECS.TRANS_DATE;

/** Filter and TRANS_DATE range: what `total` counts. */
function whereFilter(b: Builder, q: Pick<SettlementListQuery, 'filter' | 'dateFrom' | 'dateTo'>): string[] {
  const where: string[] = [];
  if (q.filter) {
    const column = COLUMN_SPECS[q.filter.column];
    where.push(`${b.col(column)} = ${b.value(column, q.filter.value)}`);
    // MySQL's collation ignores letter case; the index finds the candidates, this keeps exact matches.
    if (b.dialect === 'mysql' && (column.kind === 'text' || column.kind === 'id')) {
      where.push(`${b.col(column)} COLLATE utf8mb4_bin = ${b.value(column, q.filter.value)}`);
    }
  }
  if (q.dateFrom !== null) where.push(`${b.col(TRANS_DATE)} >= ${b.value(TRANS_DATE, q.dateFrom)}`);
  if (q.dateTo !== null) where.push(`${b.col(TRANS_DATE)} <= ${b.value(TRANS_DATE, q.dateTo)}`);
  return where;
}

/**
 * Rows strictly after the cursor in the order (sort column, DOC_IDT). NULL sorts lowest on every
 * dialect (first ascending, last descending), as MySQL and SQLite do natively. The comparison is
 * written the way each planner turns into one index range starting at the cursor: MariaDB does not
 * for a row comparison, but does for `c > v OR (c = v AND id > i)`; PostgreSQL and SQLite do for
 * `(c, id) > (v, i)`.
 */
function keyset(b: Builder, q: SettlementListQuery): string | null {
  if (!q.after) return null;
  const column = COLUMN_SPECS[q.sort.column];
  const asc = q.sort.order === 'asc';
  const gt = asc ? '>' : '<';
  const c = b.col(column);
  const id = b.col(DOC_IDT);
  if (column.name === 'DOC_IDT') return `${id} ${gt} ${b.value(DOC_IDT, q.after.docIdt)}`;
  if (q.after.sortValue === null) {
    // Inside the NULL rows: the rest of them, then (ascending) every non-NULL row.
    const rest = `(${c} IS NULL AND ${id} ${gt} ${b.value(DOC_IDT, q.after.docIdt)})`;
    return asc ? `(${rest} OR ${c} IS NOT NULL)` : rest;
  }
  const after =
    b.dialect === 'mysql'
      ? `${c} ${gt} ${b.value(column, q.after.sortValue)} OR (${c} = ${b.value(column, q.after.sortValue)} AND ${id} ${gt} ${b.value(DOC_IDT, q.after.docIdt)})`
      : `(${c}, ${id}) ${gt} (${b.value(column, q.after.sortValue)}, ${b.value(DOC_IDT, q.after.docIdt)})`;
  // Descending, the NULL rows come after every value.
  return !asc && column.nullable ? `(${after} OR ${c} IS NULL)` : `(${after})`;
}

function orderBy(b: Builder, q: SettlementListQuery): string {
  const column = COLUMN_SPECS[q.sort.column];
  const direction = q.sort.order === 'asc' ? 'ASC' : 'DESC';
  const id = `${b.col(DOC_IDT)} ${direction}`;
  if (column.name === 'DOC_IDT') return id;
  // PostgreSQL sorts NULL highest unless told; say it, only where NULLs can exist.
  const nulls = b.dialect === 'postgres' && column.nullable ? (direction === 'ASC' ? ' NULLS FIRST' : ' NULLS LAST') : '';
  return `${b.col(column)} ${direction}${nulls}, ${id}`;
}

/** One page, plus one row to tell whether another page follows. */
export function pageStatement(dialect: SqlDialect, q: SettlementListQuery): Statement {
  const b = new Builder(dialect);
  const columns = SETTLEMENT_COLUMNS.map((name) => b.selected(COLUMN_SPECS[name])).join(', ');
  const where = whereFilter(b, q);
  const after = keyset(b, q);
  if (after) where.push(after);
  const whereSql = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  const limit = b.integer(q.limit + 1);
  const offset = q.skip !== 0 ? ` OFFSET ${b.integer(q.skip)}` : '';
  return { sql: `SELECT ${columns} FROM ${b.id(TABLE)} ${b.id(ALIAS)}${whereSql} ORDER BY ${orderBy(b, q)} LIMIT ${limit}${offset}`, params: b.params };
}

/** How many records match the filter and dates (the cursor and skip do not change `total`). */
export function countStatement(dialect: SqlDialect, q: Pick<SettlementListQuery, 'filter' | 'dateFrom' | 'dateTo'>): Statement {
  const b = new Builder(dialect);
  const where = whereFilter(b, q);
  const whereSql = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  return { sql: `SELECT COUNT(*) AS ${b.id('n')} FROM ${b.id(TABLE)} ${b.id(ALIAS)}${whereSql}`, params: b.params };
}
