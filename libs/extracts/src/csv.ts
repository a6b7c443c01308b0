import { randomUUID } from 'node:crypto';
import { WriteStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { format } from 'fast-csv';

/** CSV injection guard, shared with the settlement rejects CSV. */
export { neutralise } from '@app/core';

/**
 * RFC 4180: a cell holding a comma, a quote or a line break is quoted, its quotes doubled; any
 * other cell, the empty one included, is written as it is. These are exactly the rules of
 * PostgreSQL's `COPY … (FORMAT csv)` for non-null text, so both ways of writing a detailed extract
 * give the same bytes.
 */
const NEEDS_QUOTES = /[",\r\n]/;
const QUOTES = /"/g;

export function csvCell(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replace(QUOTES, '""')}"` : text;
}

/** One record, line feed included. */
export function csvLine(cells: readonly string[]): string {
  let line = csvCell(cells[0]);
  for (let i = 1; i < cells.length; i++) line += `,${csvCell(cells[i])}`;
  return `${line}\n`;
}

const LF = 0x0a;
const QUOTE = 0x22;

/**
 * Counts the records in CSV text that arrives in chunks cut anywhere: line feeds outside quoted
 * cells (a quoted cell may hold line breaks; a doubled quote inside one leaves it and re-enters).
 */
export class CsvRecordCounter {
  private quoted = false;

  /** The records that end in `chunk`. */
  count(chunk: Uint8Array): number {
    let records = 0;
    let at = 0;
    while (at < chunk.length) {
      const quote = chunk.indexOf(QUOTE, at);
      const end = quote === -1 ? chunk.length : quote;
      if (!this.quoted) {
        for (let lf = chunk.indexOf(LF, at); lf !== -1 && lf < end; lf = chunk.indexOf(LF, lf + 1)) records++;
      }
      if (quote === -1) break;
      this.quoted = !this.quoted;
      at = quote + 1;
    }
    return records;
  }
}

/**
 * `<path>.<run>.partial`, renamed to `path` only when complete and removed on failure or time-out.
 * Each run writes its own partial file, so a duplicate run of the same job cannot interleave.
 */
class PartialFile {
  private readonly partial: string;
  // Large buffers: a million rows become a few hundred disk writes, not tens of thousands.
  readonly stream: WriteStream;
  /** The file's write error (disk full…): kept, and thrown by the next write and by complete(). */
  failure: Error | undefined;

  constructor(private readonly path: string) {
    this.partial = `${path}.${randomUUID()}.partial`;
    this.stream = createWriteStream(this.partial, { highWaterMark: 1 << 20 });
    this.stream.on('error', (error) => (this.failure ??= error));
  }

  /** Writes; answers a promise only when the caller must wait (back-pressure), rejected if the file fails. */
  write(data: string | Uint8Array): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    // events.once rejects when the stream fails instead of draining.
    return this.stream.write(data) ? undefined : once(this.stream, 'drain').then(() => undefined);
  }

  /** Waits for the stream to close (the caller ends it), then gives the file its name; its size. */
  async complete(): Promise<number> {
    await this.closed();
    await rename(this.partial, this.path);
    return (await stat(this.path)).size;
  }

  /** Waits for the stream to close (the caller ends it), then deletes the partial file. */
  async remove(): Promise<void> {
    await this.closed().catch(() => undefined);
    await rm(this.partial, { force: true });
  }

  private async closed(): Promise<void> {
    if (!this.stream.closed) await once(this.stream, 'close');
    if (this.failure) throw this.failure;
  }
}

export interface ExtractFileWriter {
  finish(): Promise<{ rows: number; bytes: number }>;
  discard(): Promise<void>;
}

/** Rows through fast-csv, with back-pressure: the aggregated extracts (a few rows per period). */
export class CsvFileWriter implements ExtractFileWriter {
  private readonly file: PartialFile;
  private readonly csv;
  private rows = 0;

  constructor(path: string, headers: string[]) {
    this.file = new PartialFile(path);
    // alwaysWriteHeaders: an empty extract still has its header row.
    this.csv = format({ headers, alwaysWriteHeaders: true, includeEndRowDelimiter: true });
    this.csv.pipe(this.file.stream);
    // A failed file stops the formatter too, so a writer waiting for it to drain hears of it.
    this.file.stream.on('error', (error) => this.csv.destroy(error));
    this.csv.on('error', () => undefined); // reported through the file's failure
  }

  /** Queues a row; answers a promise only when the caller must wait for the file (back-pressure). */
  write(row: unknown[]): Promise<void> | undefined {
    if (this.file.failure) return Promise.reject(this.file.failure);
    this.rows += 1;
    return this.csv.write(row) ? undefined : once(this.csv, 'drain').then(() => undefined);
  }

  async finish(): Promise<{ rows: number; bytes: number }> {
    this.csv.end();
    return { rows: this.rows, bytes: await this.file.complete() };
  }

  async discard(): Promise<void> {
    this.csv.end();
    await this.file.remove();
  }
}

/** What is gathered before it goes to the file: one write (and one UTF-8 encoding) per ~256 KB. */
const FLUSH_AT = 256 * 1024;

/**
 * The detailed extracts (up to millions of rows): each record becomes one line with csvLine, or
 * CSV the database wrote itself (COPY) comes in as it is, with its record count. Both gather into
 * large writes (the database sends 8 KB at a time), with back-pressure. Not fast-csv: its stream of
 * one object per row cost more CPU than everything else this process does for an extract.
 */
export class CsvLineWriter implements ExtractFileWriter {
  private readonly file: PartialFile;
  /**
   * What is not written yet: raw chunks, then lines (which join the chunks before another chunk
   * does). Lines are joined once per write: a string grown line by line is a deep rope, slow to encode.
   */
  private lines: string[];
  private lineChars = 0;
  private chunks: Uint8Array[] = [];
  private chunkBytes = 0;
  private rows = 0;

  constructor(path: string, headers: readonly string[]) {
    this.file = new PartialFile(path);
    this.lines = [csvLine(headers)];
  }

  /** Adds a record; answers a promise only when the caller must wait for the file (back-pressure). */
  write(cells: readonly string[]): Promise<void> | undefined {
    const line = csvLine(cells);
    this.rows += 1;
    this.lines.push(line);
    this.lineChars += line.length;
    return this.lineChars >= FLUSH_AT ? this.flush() : undefined;
  }

  /** Adds `records` records of CSV text as they are (line feeds included); back-pressure as write. */
  writeCsv(chunk: Uint8Array, records: number): Promise<void> | undefined {
    this.rows += records;
    if (this.lines.length > 0) this.gather(Buffer.from(this.takeLines()));
    this.gather(chunk);
    return this.chunkBytes >= FLUSH_AT ? this.flush() : undefined;
  }

  async finish(): Promise<{ rows: number; bytes: number }> {
    // Whether the file asked to wait no longer matters; a failed write shows in complete().
    this.flush()?.catch(() => undefined);
    this.file.stream.end();
    return { rows: this.rows, bytes: await this.file.complete() };
  }

  async discard(): Promise<void> {
    this.lines = [];
    this.chunks = [];
    this.file.stream.end();
    await this.file.remove();
  }

  private takeLines(): string {
    const text = this.lines.join('');
    this.lines = [];
    this.lineChars = 0;
    return text;
  }

  private gather(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.chunkBytes += chunk.length;
  }

  /** One write of everything gathered. */
  private flush(): Promise<void> | undefined {
    if (this.chunks.length === 0) return this.lines.length > 0 ? this.file.write(this.takeLines()) : undefined;
    if (this.lines.length > 0) this.gather(Buffer.from(this.takeLines()));
    const data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.chunkBytes);
    this.chunks = [];
    this.chunkBytes = 0;
    return this.file.write(data);
  }
}
