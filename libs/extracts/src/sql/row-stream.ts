import type { DataSource } from 'typeorm';
import type { Dialect } from './period-bucketing';

/**
 * Streams the rows of one SELECT out of the database in batches of arrays, holding at most one
 * batch (and the next, being fetched) in memory: a PostgreSQL cursor, a MySQL streamed query, an
 * SQLite statement iterator. `sql` uses `?` placeholders; PostgreSQL's are rewritten to $n.
 */
export async function* streamRows(dataSource: DataSource, dialect: Dialect, sql: string, params: unknown[], batchSize: number): AsyncGenerator<unknown[][]> {
  const runner = dataSource.createQueryRunner('slave');
  const connection = await runner.connect();
  try {
    if (dialect === 'postgres') yield* postgresCursor(connection, sql, params, batchSize);
    else if (dialect === 'mysql') yield* mysqlStream(connection, sql, params, batchSize);
    else yield* sqliteIterator(connection, sql, params, batchSize);
  } finally {
    await runner.release();
  }
}

interface PgClient {
  query(config: { text: string; values?: unknown[]; rowMode?: 'array' }): Promise<{ rows: unknown[][] }>;
}

async function* postgresCursor(client: PgClient, sql: string, params: unknown[], batchSize: number) {
  let n = 0;
  const text = sql.replace(/\?/g, () => `$${++n}`);
  await client.query({ text: 'BEGIN READ ONLY' });
  try {
    await client.query({ text: `DECLARE extract_rows NO SCROLL CURSOR FOR ${text}`, values: params });
    // The next batch is fetched while the caller writes the current one.
    let next = client.query({ text: `FETCH ${batchSize} FROM extract_rows`, rowMode: 'array' });
    for (;;) {
      const { rows } = await next;
      if (rows.length === batchSize) next = client.query({ text: `FETCH ${batchSize} FROM extract_rows`, rowMode: 'array' });
      if (rows.length > 0) yield rows;
      if (rows.length < batchSize) break;
    }
  } finally {
    await client.query({ text: 'COMMIT' }).catch(() => undefined);
  }
}

interface MysqlConnection {
  query(options: { sql: string; values: unknown[]; rowsAsArray: boolean }): {
    stream(options: { highWaterMark: number }): AsyncIterable<unknown[]> & { destroy(): void };
  };
}

async function* mysqlStream(connection: MysqlConnection, sql: string, params: unknown[], batchSize: number) {
  const stream = connection.query({ sql, values: params, rowsAsArray: true }).stream({ highWaterMark: batchSize });
  let batch: unknown[][] = [];
  try {
    for await (const row of stream) {
      batch.push(row);
      if (batch.length === batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    stream.destroy();
  }
}

interface SqliteDatabase {
  prepare(sql: string): { raw(raw: boolean): { iterate(...params: unknown[]): IterableIterator<unknown[]> } };
}

async function* sqliteIterator(db: SqliteDatabase, sql: string, params: unknown[], batchSize: number) {
  const iterator = db
    .prepare(sql)
    .raw(true)
    .iterate(...params);
  let batch: unknown[][] = [];
  for (const row of iterator) {
    batch.push(row);
    if (batch.length === batchSize) {
      yield batch; // gives the event loop a turn between batches
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
