import { once } from 'node:events';
import type { Socket } from 'node:net';
import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';

/** The parts of a pooled pg client used here; `connection.stream` is its socket. */
type CopyClient = PoolClient & { connection: { stream: Socket } };

/**
 * The CSV that PostgreSQL writes itself for one SELECT, `COPY (…) TO STDOUT (FORMAT csv)`, in the
 * chunks it arrives in: the database formats every cell (sql/csv-cells.ts), this process only moves
 * bytes, so a detailed extract costs about what `\copy` costs. Back-pressure holds the server when
 * the file is slow; the query is one statement, so one snapshot.
 *
 * COPY takes no bound parameters: `params` (`?` placeholders, as for streamRows) are inlined as
 * literals escaped by the driver. An abort (soft time limit) ends the stream with the signal's reason.
 */
export async function* copyCsv(dataSource: DataSource, sql: string, params: unknown[], signal: AbortSignal): AsyncGenerator<Buffer> {
  signal.throwIfAborted();
  const runner = dataSource.createQueryRunner('slave');
  const client = (await runner.connect()) as CopyClient;
  let complete = false;
  try {
    const stream = client.query(copyTo(`COPY (${inlineParams(sql, params, (text) => client.escapeLiteral(text))}) TO STDOUT (FORMAT csv)`));
    // The driver may still report the end of an abandoned COPY on the stream; nobody listens then.
    stream.on('error', () => undefined);
    const stop = () => stream.destroy(signal.reason as Error);
    signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } finally {
      signal.removeEventListener('abort', stop);
    }
    complete = true;
  } finally {
    const socket = client.connection.stream;
    if (!complete && !socket.closed) {
      // A COPY left half-read keeps its server process writing to a connection nobody reads. Closing
      // the socket ends the statement at the server's next write; the driver then reports the
      // connection broken and TypeORM takes it out of the pool (release below is then a no-op).
      const closed = once(socket, 'close').catch(() => undefined);
      socket.destroy();
      await closed;
    }
    await runner.release();
  }
}

/** `?` placeholders replaced by literals: text escaped by `escape`, dates as ISO 8601, numbers as they are. */
export function inlineParams(sql: string, params: unknown[], escape: (text: string) => string): string {
  let index = 0;
  const inlined = sql.replace(/\?/g, () => {
    if (index >= params.length) throw new Error('More placeholders than parameters');
    const value = params[index++];
    if (value instanceof Date) return escape(value.toISOString());
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (typeof value === 'string') return escape(value);
    throw new Error(`Cannot inline a parameter of type ${typeof value}`);
  });
  if (index !== params.length) throw new Error('More parameters than placeholders');
  return inlined;
}
