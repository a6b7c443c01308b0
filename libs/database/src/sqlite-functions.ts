import { fromScaled, normaliseDecimal, toScaled } from '@app/core';

const SUM_SCALE = 4;

interface SqliteDatabase {
  pragma(source: string): unknown;
  aggregate(name: string, options: { start: () => bigint; step: (total: bigint, value: unknown) => bigint; result: (total: bigint) => string }): unknown;
}

/**
 * SQLite has no DECIMAL type: a DECIMAL column holds a REAL, exact on the way in and out up to 15
 * significant digits (the columns are sized for that), but SUM adds in floating point.
 * `decimal_sum` adds the exact decimals with BigInt instead and answers a decimal string, so money
 * is still summed in SQL, exactly, on every dialect.
 */
export function registerSqliteFunctions(db: SqliteDatabase): void {
  // With WAL, NORMAL loses no committed transaction when the process dies (only on power loss);
  // the 64 MB page cache keeps the settlement indexes in memory during bulk loads.
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  db.aggregate('decimal_sum', {
    start: () => 0n,
    step: (total, value) =>
      value === null || value === undefined ? total : total + toScaled(normaliseDecimal(value as string | number | bigint, SUM_SCALE), SUM_SCALE),
    result: (total) => fromScaled(total, SUM_SCALE),
  });
}
