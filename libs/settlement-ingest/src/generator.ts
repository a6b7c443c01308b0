import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SETTLEMENT_COLUMNS, SettlementColumn } from './settlement-record';

/**
 * Canonical settlement files for demos, tests and benchmarks (§Settlement file): every column,
 * realistic values, the same file for the same seed. Row n is a pure function of (n, options), so
 * a test can rebuild any row without reading the file, and a 5M-row file streams out with constant
 * memory (chunks of rows written with backpressure).
 */

export interface GenerateOptions {
  /** Data rows (bad ones included). */
  rows: number;
  /** How many of them break a rule, spread evenly through the file, a mix of kinds (BAD_ROW_KINDS). */
  badRows?: number;
  seed?: number;
  /** DOC_IDT is `${docPrefix}${n}`, n = 1…rows: unique within the file; pick a prefix per file. */
  docPrefix?: string;
  /** How many rows carry a full (Luhn-valid) PAN instead of a masked one; the parser masks them. */
  fullPans?: number;
}

export interface GenerateResult {
  rows: number;
  valid: number;
  bad: number;
}

export type RowValues = Partial<Record<SettlementColumn, string | null>>;

export const CANONICAL_HEADER = SETTLEMENT_COLUMNS.join(',');

/** A cell as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break. */
export function csvCell(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One canonical row (no line break) with the given values in SETTLEMENT_COLUMNS order; missing ones empty. */
export function canonicalRow(values: RowValues): string {
  let line = csvCell(values[SETTLEMENT_COLUMNS[0]]);
  for (let k = 1; k < SETTLEMENT_COLUMNS.length; k++) line += `,${csvCell(values[SETTLEMENT_COLUMNS[k]])}`;
  return line;
}

/**
 * What a bad row breaks; each is rejected by the parser, with this column (null: the row as a whole).
 * Ordered so that even a few bad rows show a mix of kinds.
 */
export const BAD_ROW_KINDS: ReadonlyArray<{ kind: string; column: SettlementColumn | null; apply(v: RowValues): RowValues | string }> = [
  { kind: 'date not real', column: 'TRANS_DATE', apply: (v) => ({ ...v, TRANS_DATE: '2024-02-30' }) },
  { kind: 'thousands separator', column: 'AMOUNT', apply: (v) => ({ ...v, AMOUNT: '1,234.50' }) },
  { kind: 'unknown TRANS_TYPE', column: 'TRANS_TYPE', apply: (v) => ({ ...v, TRANS_TYPE: 'PAYMENT' }) },
  { kind: 'too few fields', column: null, apply: (v) => canonicalRow(v).replace(/,[^,]*,[^,]*$/, '') },
  { kind: 'exponent', column: 'AMOUNT', apply: (v) => ({ ...v, AMOUNT: '1e5' }) },
  { kind: 'unknown currency', column: 'CURRENCY', apply: (v) => ({ ...v, CURRENCY: 'XYZ' }) },
  { kind: 'three decimals', column: 'AMOUNT', apply: (v) => ({ ...v, AMOUNT: '12.345' }) },
  { kind: 'CARD_NO not a PAN', column: 'CARD_NO', apply: (v) => ({ ...v, CARD_NO: '1234' }) },
  { kind: 'too many fields', column: null, apply: (v) => `${canonicalRow(v)},EXTRA` },
  { kind: 'amount not a number', column: 'AMOUNT', apply: (v) => ({ ...v, AMOUNT: 'abc' }) },
  { kind: 'time out of range', column: 'TRANS_TIME', apply: (v) => ({ ...v, TRANS_TIME: '25:61:00' }) },
  { kind: 'MCC not 4 digits', column: 'MCC', apply: (v) => ({ ...v, MCC: '54A1' }) },
  { kind: 'DOC_IDT bad character', column: 'DOC_IDT', apply: (v) => ({ ...v, DOC_IDT: `${v.DOC_IDT}/1` }) },
  { kind: 'amount empty', column: 'AMOUNT', apply: (v) => ({ ...v, AMOUNT: '' }) },
  { kind: 'settle date not real', column: 'SETTLE_DATE', apply: (v) => ({ ...v, SETTLE_DATE: '2025-13-01' }) },
];

const MCCS = ['5411', '5812', '5999', '4121', '5541', '7011', '5311', '5732', '4814', '5912'];
/** Visa, Mastercard, JCB and NAPAS (Vietnamese domestic) issuer prefixes. */
const BINS = ['411111', '453201', '455636', '520082', '542418', '356600', '970436', '970415', '970422', '970405'];
const DAYS = 365;
const FIRST_DAY = Date.UTC(2025, 0, 1);
const DATES = Array.from({ length: DAYS + 3 }, (_, d) => new Date(FIRST_DAY + d * 86_400_000).toISOString().slice(0, 10));
const ALNUM = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';

/** A 32-bit hash of (seed, n, k): every value of row n is independent of every other row. */
function hash(seed: number, n: number, k: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(n, 0xc2b2ae35) ^ Math.imul(k + 1, 0x27d4eb2f);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

const ZEROS = '000000000000';

/** `value` with leading zeros to `width` digits (padStart, written out: it ran once per cell of millions). */
function pad(value: number, width: number): string {
  const text = `${value}`;
  return text.length >= width ? text : ZEROS.slice(0, width - text.length) + text;
}

/** Every time of day as HH:MM:SS, made when first used (pre-sized: a sparse array would be a dictionary). */
const TIMES: Array<string | undefined> = Array.from({ length: 86_400 }, () => undefined);

function timeOfDay(seconds: number): string {
  return (TIMES[seconds] ??= `${pad(Math.floor(seconds / 3600), 2)}:${pad(Math.floor(seconds / 60) % 60, 2)}:${pad(seconds % 60, 2)}`);
}

/** `cents` (an integer) as a decimal string with `decimals` (0 or 2) fraction digits. */
function money(cents: number, decimals: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  if (decimals === 0) return `${sign}${Math.floor(abs / 100)}`;
  return `${sign}${Math.floor(abs / 100)}.${pad(abs % 100, 2)}`;
}

function luhnCheckDigit(partial: string): number {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let d = partial.charCodeAt(partial.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** Whether row n (1-based) is one of `count` rows spread evenly over `rows`, shifted by `phase`. */
function spread(n: number, count: number, rows: number, phase = 0): boolean {
  if (count <= 0) return false;
  const m = ((n - 1 + phase) % rows) + 1;
  return Math.floor((m * count) / rows) > Math.floor(((m - 1) * count) / rows);
}

/** The values of good row n (1-based) of a generated file. */
export function generatedValues(n: number, options: GenerateOptions): RowValues {
  const seed = options.seed ?? 1;
  const r = (k: number) => hash(seed, n, k);
  const day = r(0) % DAYS;
  const seconds = r(1) % 86_400;
  const typeRoll = r(2) % 100;
  const transType = typeRoll < 89 ? 'PURCHASE' : typeRoll < 95 ? 'REFUND' : typeRoll < 97 ? 'REVERSAL' : typeRoll < 98 ? 'CHARGEBACK' : 'CASH';
  const negative = transType === 'REFUND' || transType === 'REVERSAL' || transType === 'CHARGEBACK';
  const currencyRoll = r(3) % 100;
  // VND (no minor unit) most of the time, some foreign cards, some rows relying on the default.
  const currency = currencyRoll < 75 ? 'VND' : currencyRoll < 85 ? '' : currencyRoll < 95 ? 'USD' : 'EUR';
  const vnd = currency === 'VND' || currency === '';
  const cents = vnd ? (10 + (r(4) % 20_000)) * 1000 * 100 : 100 + (r(4) % 500_000);
  const feeCents = vnd ? Math.round(cents / 100_000) * 1000 : Math.floor(cents / 90);
  const bin = BINS[r(5) % BINS.length];
  const middle = pad(r(6) % 1_000_000_000, 9);
  const full = `${bin}${middle}${luhnCheckDigit(`${bin}${middle}`)}`;
  const fullPan = spread(n, options.fullPans ?? 0, Math.max(options.rows, 1), 7);
  let auth = '';
  for (let i = 0; i < 6; i++) auth += ALNUM[hash(seed, n, 20 + i) % ALNUM.length];
  return {
    DOC_IDT: `${options.docPrefix ?? 'DOC'}${n}`,
    TRANS_DATE: DATES[day],
    TRANS_TIME: timeOfDay(seconds),
    AMOUNT: money(negative ? -cents : cents, vnd ? 0 : 2),
    CURRENCY: currency,
    CARD_NO: fullPan ? full : `${bin}******${full.slice(-4)}`,
    MERCHANT_ID: `MCH${pad(r(7) % 100_000, 9)}`,
    TERMINAL_ID: `TID${pad(r(8) % 1_000_000, 8)}`,
    MCC: MCCS[r(9) % MCCS.length],
    RRN: pad((r(10) % 1_000_000) * 1_000_000 + (n % 1_000_000), 12),
    AUTH_CODE: auth,
    TRANS_TYPE: transType,
    FEE: r(11) % 10 === 0 ? '' : money(feeCents, vnd ? 0 : 2),
    SETTLE_DATE: DATES[day + 1 + (r(12) % 2)],
  };
}

/** Line n (1-based data row) of a generated file, without its line break, and whether it is bad. */
export function generatedRow(n: number, options: GenerateOptions): { text: string; bad: boolean } {
  const values = generatedValues(n, options);
  const bad = spread(n, options.badRows ?? 0, Math.max(options.rows, 1));
  if (!bad) return { text: canonicalRow(values), bad };
  const ordinal = Math.floor((n * (options.badRows ?? 0)) / options.rows) - 1;
  const broken = BAD_ROW_KINDS[ordinal % BAD_ROW_KINDS.length].apply(values);
  return { text: typeof broken === 'string' ? broken : canonicalRow(broken), bad };
}

const ROWS_PER_CHUNK = 2000;

/** Writes a generated canonical file (header + rows, LF) at `target`, streaming. */
export async function generateSettlementFile(target: string, options: GenerateOptions): Promise<GenerateResult> {
  const { rows } = options;
  const badRows = options.badRows ?? 0;
  if (!Number.isInteger(rows) || rows < 0) throw new RangeError(`rows must be a whole number, not ${rows}`);
  if (!Number.isInteger(badRows) || badRows < 0 || badRows > rows) throw new RangeError(`badRows must be a whole number from 0 to rows (${rows})`);
  const prefix = options.docPrefix ?? 'DOC';
  if (!/^[A-Za-z0-9_-]*$/.test(prefix) || prefix.length + String(rows).length > 32) {
    throw new RangeError('docPrefix must be of A-Z a-z 0-9 _ - and leave room for the row number within 32 characters');
  }
  let bad = 0;
  async function* chunks(): AsyncGenerator<string> {
    yield `${CANONICAL_HEADER}\n`;
    for (let first = 1; first <= rows; first += ROWS_PER_CHUNK) {
      let chunk = '';
      for (let n = first; n < first + ROWS_PER_CHUNK && n <= rows; n++) {
        const row = generatedRow(n, options);
        if (row.bad) bad++;
        chunk += `${row.text}\n`;
      }
      yield chunk;
    }
  }
  await pipeline(Readable.from(chunks()), createWriteStream(target));
  return { rows, valid: rows - bad, bad };
}
