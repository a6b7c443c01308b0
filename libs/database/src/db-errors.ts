import { QueryFailedError } from 'typeorm';

/** A unique index refused the row, on any of the three dialects. */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; errno?: number } | undefined;
  return (
    driverError?.code === '23505' || // PostgreSQL
    driverError?.code === 'ER_DUP_ENTRY' || // MySQL, MariaDB
    driverError?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    driverError?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
