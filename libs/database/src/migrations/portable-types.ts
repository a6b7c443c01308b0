import type { QueryRunner, TableColumnOptions } from 'typeorm';

/**
 * Column shapes that read the same on PostgreSQL, MySQL/MariaDB and SQLite, so one migration serves
 * all three and matches what the entities declare (the drift test compares them on every dialect).
 */
export function portable(queryRunner: QueryRunner) {
  const type = queryRunner.connection.driver.options.type;
  const dateTime = type === 'postgres' ? 'timestamp' : 'datetime';
  return {
    id: (name = 'id'): TableColumnOptions => ({ name, type: 'varchar', length: '36', isPrimary: true }),
    ref: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: '36', isNullable: nullable }),
    text: (name: string, length: number, nullable = false): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
    }),
    bool: (name: string, fallback: boolean): TableColumnOptions => ({
      name,
      type: 'boolean',
      default: type === 'postgres' ? String(fallback) : fallback ? 1 : 0,
    }),
    int: (name: string, fallback?: number, nullable = false): TableColumnOptions => ({
      name,
      type: 'integer',
      isNullable: nullable,
      ...(fallback === undefined ? {} : { default: fallback }),
    }),
    bigint: (name: string, fallback?: number, nullable = false): TableColumnOptions => ({
      name,
      type: 'bigint',
      isNullable: nullable,
      ...(fallback === undefined ? {} : { default: fallback }),
    }),
    dateTime: (name: string, nullable = false, precision?: number): TableColumnOptions => ({
      name,
      type: dateTime,
      isNullable: nullable,
      ...(precision === undefined ? {} : { precision }),
    }),
    date: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'date', isNullable: nullable }),
    decimal: (name: string, precision: number, scale: number, nullable = false): TableColumnOptions => ({
      name,
      type: 'decimal',
      precision,
      scale,
      isNullable: nullable,
    }),
  };
}
