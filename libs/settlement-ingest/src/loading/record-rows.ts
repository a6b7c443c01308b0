import { Readable } from 'node:stream';
import type { SettlementRecord } from '../settlement-record';

/** card_transactions' columns in the order every writer sends them. */
export const CARD_TRANSACTION_COLUMNS = [
  'doc_idt',
  'trans_date',
  'trans_time',
  'amount',
  'currency',
  'card_no',
  'merchant_id',
  'terminal_id',
  'mcc',
  'rrn',
  'auth_code',
  'trans_type',
  'fee',
  'settle_date',
  'file_id',
  'line',
] as const;

export type RowValue = string | number | null;

/** A record's values in CARD_TRANSACTION_COLUMNS order. Amounts stay decimal strings. */
export function recordRow(r: SettlementRecord, fileId: string): RowValue[] {
  return [
    r.docIdt,
    r.transDate,
    r.transTime ?? null,
    r.amount,
    r.currency,
    r.cardNo ?? null,
    r.merchantId ?? null,
    r.terminalId ?? null,
    r.mcc ?? null,
    r.rrn ?? null,
    r.authCode ?? null,
    r.transType,
    r.fee ?? null,
    r.settleDate ?? null,
    fileId,
    r.line,
  ];
}

const SPECIAL = /[\t\n\r\\]/;
const SPECIALS = /[\t\n\r\\]/g;
const ESCAPES: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r', '\\': '\\\\' };
const TAB = 0x09;
const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;
const N = 0x4e;

/**
 * The records as the tab-separated text that PostgreSQL's COPY (text format) and MySQL's LOAD DATA
 * (default format) both read: `\N` is NULL; tab, line breaks and backslash are backslash-escaped.
 * Written field by field straight into a Buffer: building a string per row and encoding it costs
 * twice as much, and this runs for every row of every file.
 */
export function tsvBuffer(records: SettlementRecord[], fileId: string): Buffer {
  const out = new TsvOut(records.length * 200);
  for (const r of records) {
    out.field(r.docIdt);
    out.field(r.transDate);
    out.field(r.transTime);
    out.field(r.amount);
    out.field(r.currency);
    out.field(r.cardNo);
    out.field(r.merchantId);
    out.field(r.terminalId);
    out.field(r.mcc);
    out.field(r.rrn);
    out.field(r.authCode);
    out.field(r.transType);
    out.field(r.fee);
    out.field(r.settleDate);
    out.field(fileId);
    out.last(String(r.line));
  }
  return out.done();
}

/** Rows per chunk of tsvStream: ~200 KB, small enough that the server starts long before the last. */
const STREAM_CHUNK_ROWS = 1000;

/**
 * The same text as a stream of chunks encoded as they are read: the database parses and indexes
 * one chunk while the next is being written, instead of waiting for the whole batch.
 */
export function tsvStream(records: SettlementRecord[], fileId: string): Readable {
  function* chunks() {
    for (let i = 0; i < records.length; i += STREAM_CHUNK_ROWS) yield tsvBuffer(records.slice(i, i + STREAM_CHUNK_ROWS), fileId);
  }
  return Readable.from(chunks(), { objectMode: false });
}

class TsvOut {
  private buffer: Buffer;
  private at = 0;

  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(capacity, 1024));
  }

  /** A field and its tab. `== null`: an undefined optional field is NULL too, never "undefined". */
  field(value: string | null | undefined): void {
    this.put(value);
    this.buffer[this.at++] = TAB;
  }

  last(value: string): void {
    this.put(value);
    this.buffer[this.at++] = NEWLINE;
  }

  done(): Buffer {
    return this.buffer.subarray(0, this.at);
  }

  private put(value: string | null | undefined): void {
    if (value == null) {
      this.room(3);
      this.buffer[this.at++] = BACKSLASH;
      this.buffer[this.at++] = N;
      return;
    }
    const text = SPECIAL.test(value) ? value.replace(SPECIALS, (c) => ESCAPES[c]) : value;
    // UTF-8 takes at most 3 bytes per UTF-16 unit; +1 for the separator that follows.
    this.room(text.length * 3 + 1);
    this.at += this.buffer.write(text, this.at, 'utf8');
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }
}
