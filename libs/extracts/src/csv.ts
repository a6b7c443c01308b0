import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { format } from 'fast-csv';

/** Text cells a spreadsheet would read as a formula (CSV injection) start with one of these. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Prefixes a text cell that a spreadsheet would execute with a quote; numbers are never passed here. */
export function neutralise(text: string | null): string {
  if (text === null) return '';
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * Writes rows to `<path>.partial` through fast-csv, with back-pressure, and renames it to `path`
 * only when complete; `discard()` removes the partial file (failure, time-out).
 */
export class CsvFileWriter {
  private readonly partial: string;
  private readonly csv;
  private readonly file;
  private rows = 0;

  constructor(
    private readonly path: string,
    headers: string[],
  ) {
    // Each run writes its own partial file, so a duplicate run of the same job cannot interleave.
    this.partial = `${path}.${randomUUID()}.partial`;
    // Large buffers: a million rows become a few hundred disk writes, not tens of thousands.
    this.file = createWriteStream(this.partial, { highWaterMark: 1 << 20 });
    // alwaysWriteHeaders: an empty extract still has its header row.
    this.csv = format({ headers, alwaysWriteHeaders: true, includeEndRowDelimiter: true });
    this.csv.pipe(this.file);
  }

  /** Queues a row; answers a promise only when the caller must wait for the file (back-pressure). */
  write(row: unknown[]): Promise<void> | undefined {
    this.rows += 1;
    return this.csv.write(row) ? undefined : once(this.csv, 'drain').then(() => undefined);
  }

  async finish(): Promise<{ rows: number; bytes: number }> {
    this.csv.end();
    await once(this.file, 'close');
    await rename(this.partial, this.path);
    return { rows: this.rows, bytes: (await stat(this.path)).size };
  }

  async discard(): Promise<void> {
    this.csv.end();
    if (!this.file.closed) await once(this.file, 'close').catch(() => undefined);
    await rm(this.partial, { force: true });
  }
}
