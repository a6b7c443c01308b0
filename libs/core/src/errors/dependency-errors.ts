import { ServiceUnavailableError } from './domain-errors';

/** What §HTTP's 503 names: the part of the system a request needed and could not reach. */
export type DependencyPart = 'finance database' | 'settlement database' | 'Redis';

/** Seconds a client is asked to wait before retrying a request that met an outage. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

/** A database or Redis that cannot serve right now (down, unreachable, saturated, busy): a 503, never a 500. */
export class DependencyUnavailableError extends ServiceUnavailableError {
  constructor(
    readonly part: DependencyPart | 'a dependency',
    options?: { cause?: unknown; reason?: string },
  ) {
    super(`The ${part} is ${options?.reason ?? 'unavailable'}; retry shortly`, undefined, { cause: options?.cause });
  }
}

// Connection-level failures of Node's sockets and of the three drivers, by `code`.
const OUTAGE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  // mysql2
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_QUERY_INTERRUPTED',
  // better-sqlite3
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_BUSY_TIMEOUT',
  'SQLITE_LOCKED',
  'SQLITE_FULL',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
]);

// PostgreSQL SQLSTATEs: class 08 (connection exception), shutdown and "cannot connect now",
// too many connections, serialization failure and deadlock (retryable by definition), statement timeout.
const PG_OUTAGE_STATES = /^(08...|57P0[1-3]|53300|40001|40P01|57014)$/;

// Messages of pg, pg-pool, mysql2 and TypeORM that carry no code.
const OUTAGE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Pool is closed|connection is in closed state|Connection is closed|Connection lost|not established|is not connected|MaxRetriesPerRequest|Can't add new command when connection/i;

/** Whether `error` (or what it wraps: TypeORM's `driverError`, a `cause`) says a dependency cannot serve now. */
export function isOutage(error: unknown): boolean {
  return someInChain(error, (e) => {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && (OUTAGE_CODES.has(code) || PG_OUTAGE_STATES.test(code))) return true;
    return typeof e.message === 'string' && OUTAGE_MESSAGES.test(e.message) && !isConstraintViolation(e);
  });
}

/** A unique, foreign-key or check constraint refused the write, on any of the three dialects: a 409. */
export function isConstraintViolation(error: unknown): boolean {
  return someInChain(error, (e) => {
    const code = typeof e.code === 'string' ? e.code : '';
    return /^23\d{3}$/.test(code) || /^SQLITE_CONSTRAINT/.test(code) || /^ER_(DUP_ENTRY|NO_REFERENCED_ROW|ROW_IS_REFERENCED)/.test(code);
  });
}

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
}

function someInChain(error: unknown, test: (e: ErrorLike) => boolean): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as ErrorLike;
    if (test(e)) return true;
    if (e.driverError && typeof e.driverError === 'object' && !seen.has(e.driverError) && test(e.driverError as ErrorLike)) return true;
    current = e.cause;
  }
  return false;
}
