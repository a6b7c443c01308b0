import { QueryFailedError } from 'typeorm';
import type { BetterSqlite3Driver } from 'typeorm/driver/better-sqlite3/BetterSqlite3Driver';
import { BetterSqlite3QueryRunner } from 'typeorm/driver/better-sqlite3/BetterSqlite3QueryRunner';
import { QueryResult } from 'typeorm/query-runner/QueryResult';
import type { ReplicationMode } from 'typeorm/driver/types/ReplicationMode';
import { DependencyPart, DependencyUnavailableError } from '@app/core';

/** How long a write waits for its turn before its request answers 503 (the other writer is a long batch or stuck). */
export const SQLITE_WRITE_WAIT_MS = 10_000;
const READ_STATEMENT_CACHE = 500;
const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE)\b/i;

/** The parts of better-sqlite3 used here (the package ships no types). */
interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  close(): void;
}
interface SqliteStatement {
  readonly reader: boolean;
  readonly readonly: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
}
type SqliteConstructor = new (file: string, options: { readonly: boolean; fileMustExist: boolean; timeout: number }) => SqliteDatabase;

/**
 * One writer at a time on an SQLite database. TypeORM's better-sqlite3 driver has one connection and
 * hands the same query runner to every caller, so two requests' transactions interleave on it: the
 * second BEGIN fails, a commit ends someone else's transaction, and a single UPDATE lands inside a
 * transaction that later rolls back (the symptoms of issue 12). Installed on the driver, below every
 * repository, job and migration:
 *
 * - every query runner is its own object; a transaction takes the gate at BEGIN and gives it back
 *   at COMMIT or ROLLBACK, and a write outside a transaction takes it for that one statement;
 * - reads outside a transaction never wait: they run on a read-only connection, which in WAL mode
 *   sees the last committed state, never a transaction still open on the write connection;
 * - a caller that waits longer than SQLITE_WRITE_WAIT_MS gets a 503 naming the database.
 *
 * PostgreSQL and MySQL are left alone: their pools give each transaction its own connection.
 */
export class SqliteWriteGate {
  private holder: object | null = null;
  private readonly queue: Array<{ owner: object; grant: () => void }> = [];
  private readConnection: SqliteDatabase | null = null;
  private readonly readStatements = new Map<string, SqliteStatement | null>();
  /** The write connection's prepared statements, shared by every runner (preparing costs more than running). */
  readonly writeStatements = new Map<string, unknown>();

  constructor(
    private readonly driver: BetterSqlite3Driver,
    private readonly part: DependencyPart,
    private readonly waitMs = SQLITE_WRITE_WAIT_MS,
  ) {}

  /** Makes `driver` hand out gated query runners; returns the gate (tests look at it). */
  static install(driver: BetterSqlite3Driver, part: DependencyPart): SqliteWriteGate {
    const gate = new SqliteWriteGate(driver, part);
    driver.createQueryRunner = (mode: ReplicationMode) => new GatedSqliteQueryRunner(driver, gate, mode);
    const disconnect = driver.disconnect.bind(driver);
    driver.disconnect = async () => {
      gate.closeReadConnection();
      await disconnect();
    };
    return gate;
  }

  get busy(): boolean {
    return this.holder !== null;
  }

  async acquire(owner: object): Promise<void> {
    if (this.holder === owner) return;
    if (this.holder === null) {
      this.holder = owner;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const entry = {
        owner,
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.queue.splice(this.queue.indexOf(entry), 1);
        reject(new DependencyUnavailableError(this.part, { reason: 'busy with other writes' }));
      }, this.waitMs);
      this.queue.push(entry);
    });
  }

  release(owner: object): void {
    if (this.holder !== owner) return;
    const next = this.queue.shift();
    this.holder = next?.owner ?? null;
    next?.grant();
  }

  holds(owner: object): boolean {
    return this.holder === owner;
  }

  /**
   * `sql` prepared on the read-only connection when it only reads, else null (a write, or an
   * in-memory database, which has no second connection).
   */
  readStatement(sql: string): SqliteStatement | null {
    const cached = this.readStatements.get(sql);
    if (cached !== undefined) return cached;
    const connection = this.openReadConnection();
    let statement: SqliteStatement | null = null;
    if (connection) {
      try {
        const prepared = connection.prepare(sql);
        // Transaction control (BEGIN, COMMIT, SAVEPOINT) counts as read-only for SQLite: it belongs to the writer.
        statement = prepared.readonly && !TRANSACTION_CONTROL.test(sql) ? prepared : null;
      } catch {
        return null; // not cached: the write connection runs it and reports what is wrong (a table not created yet, say)
      }
    }
    if (this.readStatements.size >= READ_STATEMENT_CACHE) this.readStatements.delete(this.readStatements.keys().next().value!);
    this.readStatements.set(sql, statement);
    return statement;
  }

  /** A connection of its own for a long read (an extract's row iterator), closed by the caller. */
  openOwnReadConnection(): SqliteDatabase | null {
    const file = this.driver.options.database;
    if (!file || file === ':memory:' || !this.driver.databaseConnection) return null;
    const Sqlite = (this.driver as unknown as { sqlite: SqliteConstructor }).sqlite;
    const connection = new Sqlite(file, { readonly: true, fileMustExist: true, timeout: 5000 });
    (this.driver.options.prepareDatabase as ((db: SqliteDatabase) => void) | undefined)?.(connection);
    return connection;
  }

  private openReadConnection(): SqliteDatabase | null {
    this.readConnection ??= this.openOwnReadConnection();
    return this.readConnection;
  }

  private closeReadConnection(): void {
    this.readStatements.clear();
    this.readConnection?.close();
    this.readConnection = null;
  }
}

/** better-sqlite3's runner, taking its turn at the gate (see SqliteWriteGate). */
export class GatedSqliteQueryRunner extends BetterSqlite3QueryRunner {
  private ownReadConnection: SqliteDatabase | null = null;

  constructor(
    driver: BetterSqlite3Driver,
    private readonly gate: SqliteWriteGate,
    private readonly replication: ReplicationMode,
  ) {
    super(driver);
    (this as unknown as { stmtCache: Map<string, unknown> }).stmtCache = gate.writeStatements;
  }

  /** A 'slave' runner (a long read) gets a read-only connection of its own, so its iterator holds no writer up. */
  override async connect(): Promise<unknown> {
    if (this.replication === 'slave' && !this.isTransactionActive) {
      this.ownReadConnection ??= this.gate.openOwnReadConnection();
      if (this.ownReadConnection) return this.ownReadConnection;
    }
    return super.connect();
  }

  override async release(): Promise<void> {
    this.ownReadConnection?.close();
    this.ownReadConnection = null;
    if (this.gate.holds(this)) {
      // Released with its transaction open (a caller's bug or a crash in between): never keep the gate.
      if (this.isTransactionActive) await super.rollbackTransaction().catch(() => undefined);
      this.gate.release(this);
    }
    return super.release();
  }

  override async startTransaction(isolationLevel?: Parameters<BetterSqlite3QueryRunner['startTransaction']>[0]): Promise<void> {
    const outermost = !this.isTransactionActive;
    if (outermost) await this.gate.acquire(this);
    try {
      await super.startTransaction(isolationLevel);
    } catch (error) {
      if (outermost) this.gate.release(this);
      throw error;
    }
  }

  override async commitTransaction(): Promise<void> {
    await super.commitTransaction();
    if (!this.isTransactionActive) this.gate.release(this);
  }

  override async rollbackTransaction(): Promise<void> {
    try {
      await super.rollbackTransaction();
    } finally {
      if (!this.isTransactionActive) this.gate.release(this);
    }
  }

  // TypeORM's QueryRunner.query is typed `any[]` in and `any` out (its overloads); this override keeps that signature.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override async query(sql: string, parameters: any[] = [], useStructuredResult = false): Promise<any> {
    if (this.gate.holds(this)) return super.query(sql, parameters, useStructuredResult);
    const reader = this.gate.readStatement(sql);
    if (reader) return runRead(reader, sql, parameters, useStructuredResult);
    await this.gate.acquire(this);
    try {
      return await super.query(sql, parameters, useStructuredResult);
    } finally {
      this.gate.release(this);
    }
  }
}

/** A read on the read-only connection, answered as BetterSqlite3QueryRunner.query answers. */
function runRead(statement: SqliteStatement, sql: string, parameters: unknown[], structured: boolean): unknown {
  const params = parameters.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
  try {
    const result = new QueryResult();
    if (statement.reader) {
      result.raw = statement.all(...params);
      result.records = result.raw as unknown[];
    } else {
      const run = statement.run(...params);
      result.affected = run.changes;
      result.raw = run.lastInsertRowid;
    }
    return structured ? result : result.raw;
  } catch (error) {
    throw new QueryFailedError(sql, params, error as Error);
  }
}
