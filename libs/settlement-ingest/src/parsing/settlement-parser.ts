import type { Readable } from 'node:stream';
import { ParsedBatch, RejectedRow, SettlementFileError, SettlementProfile, SettlementRecord } from '../settlement-record';
import { CsvTokenizer, TokenSink } from './csv-tokenizer';
import { readHeader } from './header';
import { isReject, RowRules } from './row-rules';
import { BOM, createDecoder, REPLACEMENT_CHAR } from './text-decoding';

export interface ParseOptions {
  /** Records plus rejects per batch (default 5000). */
  batchSize?: number;
  /** Resume: records starting at or before this physical line are read (to count lines) but not yielded. */
  skipThroughLine?: number;
}

export const DEFAULT_BATCH_SIZE = 5000;

/**
 * Input is decoded in pieces of at most this many bytes. V8 puts a string of 128 KiB or more in
 * its large-object space, and creating one costs 50 to 80 times more per byte (measured on Node 20:
 * 6 ms per MiB against 0.08) than a smaller one; a file stream's 1 MiB chunks would pay that.
 */
const PIECE_BYTES = 64 * 1024;

/**
 * Reads a settlement file (§Settlement file) as a stream and yields its rows in file order, in
 * batches of records and rejects, each batch ending at a known physical line (the loader's
 * checkpoint). Memory stays bounded by one input chunk, one batch and one record (at most 1 MiB).
 *
 * Throws SettlementFileError before yielding anything when the file cannot be read as a whole: no
 * header row (an empty file), a required column missing, a column named twice, an undecodable header.
 * From then on every row becomes a record or a reject.
 */
export async function* parseSettlementFile(
  input: AsyncIterable<Uint8Array | string> | Readable,
  profile: SettlementProfile,
  options: ParseOptions = {},
): AsyncGenerator<ParsedBatch> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, not ${batchSize}`);
  const collector = new BatchCollector(profile, batchSize, options.skipThroughLine ?? 0);
  const tokenizer = new CsvTokenizer(profile.delimiter, collector);
  collector.tokenizer = tokenizer;
  const decoder = createDecoder(profile.encoding);
  const utf8 = profile.encoding === 'utf-8';

  let first = true;
  for await (const chunk of input as AsyncIterable<Uint8Array | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let offset = 0; offset < bytes.length; offset += PIECE_BYTES) {
      let text = decoder.write(bytes.subarray(offset, offset + PIECE_BYTES));
      if (first && text.length > 0) {
        first = false;
        if (text.startsWith(BOM)) text = text.slice(1);
      }
      if (text.length > 0) {
        if (utf8 && text.indexOf(REPLACEMENT_CHAR) >= 0) collector.sawReplacementChar();
        tokenizer.push(text);
      }
    }
    while (collector.ready.length > 0) yield collector.ready.shift()!;
  }
  let tail = decoder.end();
  if (first && tail.startsWith(BOM)) tail = tail.slice(1);
  if (tail.length > 0) {
    if (utf8 && tail.indexOf(REPLACEMENT_CHAR) >= 0) collector.sawReplacementChar();
    tokenizer.push(tail);
  }
  tokenizer.end();
  collector.finish();
  while (collector.ready.length > 0) yield collector.ready.shift()!;
}

/** Receives the tokenizer's records: the first is the header, the others become batch items. */
class BatchCollector implements TokenSink {
  tokenizer: CsvTokenizer;
  readonly ready: ParsedBatch[] = [];
  private rules: RowRules | null = null;
  private records: SettlementRecord[] = [];
  private rejects: RejectedRow[] = [];
  private lastLine = 0;
  private mayHoldReplacement = false;

  constructor(
    private readonly profile: SettlementProfile,
    private readonly batchSize: number,
    private readonly skipThroughLine: number,
  ) {}

  record(values: string, spans: Int32Array, count: number, raw: string, line: number, endLine: number): void {
    if (this.rules === null) {
      this.readHeader(values, spans, count, raw, line);
      return;
    }
    if (line <= this.skipThroughLine) return;
    // A line of blanks is as blank as an empty one.
    if (count === 1 && raw.trim() === '') return;
    const row = this.rules.apply(values, spans, count, raw, line);
    if (isReject(row)) this.rejects.push(row);
    else this.records.push(row);
    this.added(endLine);
  }

  /** From now on rows may hold U+FFFD (the decoder met bytes that are not UTF-8). */
  sawReplacementChar(): void {
    this.mayHoldReplacement = true;
    if (this.rules) this.rules.checkUtf8 = true;
  }

  broken(line: number, endLine: number, rawHead: string, reason: string): void {
    if (this.rules === null) throw new SettlementFileError(`header row (line ${line}): ${reason}`);
    if (line <= this.skipThroughLine) return;
    this.rejects.push(this.rules.broken(line, rawHead, reason));
    this.added(endLine);
  }

  /** End of input: the last, partial batch; a file without a header row fails. */
  finish(): void {
    if (this.rules === null) throw new SettlementFileError('empty file: no header row');
    if (this.records.length + this.rejects.length > 0) this.flush();
  }

  private readHeader(values: string, spans: Int32Array, count: number, raw: string, line: number): void {
    if (this.profile.encoding === 'utf-8' && raw.indexOf(REPLACEMENT_CHAR) >= 0) {
      throw new SettlementFileError(
        `header row (line ${line}) is not valid UTF-8: the file is in another encoding; declare it in a profile (SETTLEMENT_PROFILES)`,
      );
    }
    const names: string[] = [];
    for (let k = 0; k < Math.min(count, this.tokenizer.fieldLimit); k++) names.push(values.slice(spans[k * 2], spans[k * 2 + 1]));
    const layout = readHeader(names, count, line, this.profile);
    this.rules = new RowRules(this.profile, layout);
    this.rules.checkUtf8 = this.mayHoldReplacement;
    // Fields past one too many are only counted: the row is a reject either way.
    this.tokenizer.fieldLimit = layout.fieldCount + 1;
  }

  private added(endLine: number): void {
    this.lastLine = endLine;
    if (this.records.length + this.rejects.length >= this.batchSize) this.flush();
  }

  private flush(): void {
    this.ready.push({ records: this.records, rejects: this.rejects, lastLine: this.lastLine });
    this.records = [];
    this.rejects = [];
  }
}
