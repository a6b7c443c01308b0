import { checkDecimal, isCalendarDate, maskPan, normaliseDecimal } from '@app/core';
import { SETTLEMENT_COLUMNS, SettlementColumn, TRANS_TYPES } from '@app/settlement-ingest';

/** How a column's values are written in a filter (and in a cursor): what §Settlement file says of it. */
export type ColumnKind = 'id' | 'date' | 'time' | 'decimal' | 'currency' | 'card' | 'mcc' | 'trans-type' | 'text';

export interface ColumnSpec {
  name: SettlementColumn;
  /** The SQL column, from this allowlist only: request text never reaches SQL as an identifier. */
  db: string;
  kind: ColumnKind;
  nullable: boolean;
  /** Has an index (column, doc_idt), so a filter or keyset sort on it reads off that index. */
  indexed: boolean;
  /** Longest stored value, for text columns. */
  maxLength?: number;
}

const spec = (name: SettlementColumn, db: string, kind: ColumnKind, nullable: boolean, indexed: boolean, maxLength?: number): ColumnSpec => ({
  name,
  db,
  kind,
  nullable,
  indexed,
  maxLength,
});

/** Every column of §Settlement file, as the table card_transactions stores it. */
export const COLUMN_SPECS: Readonly<Record<SettlementColumn, ColumnSpec>> = {
  DOC_IDT: spec('DOC_IDT', 'doc_idt', 'id', false, true, 32),
  TRANS_DATE: spec('TRANS_DATE', 'trans_date', 'date', false, true),
  TRANS_TIME: spec('TRANS_TIME', 'trans_time', 'time', true, false),
  AMOUNT: spec('AMOUNT', 'amount', 'decimal', false, true),
  CURRENCY: spec('CURRENCY', 'currency', 'currency', false, false),
  CARD_NO: spec('CARD_NO', 'card_no', 'card', true, false, 19),
  MERCHANT_ID: spec('MERCHANT_ID', 'merchant_id', 'text', true, true, 15),
  TERMINAL_ID: spec('TERMINAL_ID', 'terminal_id', 'text', true, true, 16),
  MCC: spec('MCC', 'mcc', 'mcc', true, false),
  RRN: spec('RRN', 'rrn', 'text', true, false, 12),
  AUTH_CODE: spec('AUTH_CODE', 'auth_code', 'text', true, false, 6),
  TRANS_TYPE: spec('TRANS_TYPE', 'trans_type', 'trans-type', false, false),
  FEE: spec('FEE', 'fee', 'decimal', true, false),
  SETTLE_DATE: spec('SETTLE_DATE', 'settle_date', 'date', true, true),
};

/** The stored amounts: DECIMAL(15,2), so 13 integer digits and 2 decimals. */
export const AMOUNT_INTEGER_DIGITS = 13;
export const AMOUNT_SCALE = 2;

const BY_UPPER_NAME = new Map<string, SettlementColumn>(SETTLEMENT_COLUMNS.map((name) => [name, name]));

/** `amount`, `Amount` and `AMOUNT` all name AMOUNT (§HTTP: any letter case); anything else is undefined. */
export function resolveColumn(input: unknown): SettlementColumn | undefined {
  return typeof input === 'string' && input.length <= 32 ? BY_UPPER_NAME.get(input.toUpperCase()) : undefined;
}

export const COLUMN_LIST = SETTLEMENT_COLUMNS.join(', ');

/** The value in the form the column stores it, or why it cannot be one of its values. */
export type ParsedValue = { ok: true; value: string } | { ok: false; problem: string };

const ID = /^[A-Za-z0-9_-]{1,32}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/;
const CURRENCY = /^[A-Z]{3}$/;
const MCC = /^\d{4}$/;
/** A masked PAN as stored: first 6 and last 4 digits, the rest `*`. */
const MASKED_PAN = /^\d{6}\*{3,9}\d{4}$/;
const PRINTABLE = /^[^\u0000-\u001f\u007f]+$/;

/**
 * Parses a filter value (or a cursor's sort value) by its column's type (§HTTP: `filter_value` is
 * parsed by the column's type). Text columns match exactly, letter case as stored; amounts compare
 * as decimals (`100.5` finds `100.50`); a full PAN is masked first, so it finds its masked record
 * and never reaches the database or a cache key.
 */
export function parseColumnValue(column: SettlementColumn, raw: string): ParsedValue {
  const { kind, maxLength } = COLUMN_SPECS[column];
  const fail = (problem: string): ParsedValue => ({ ok: false, problem: `filter_value for ${column} ${problem}` });
  if (raw === '') return fail('must not be empty');
  switch (kind) {
    case 'id':
      return ID.test(raw) ? { ok: true, value: raw } : fail('must be 1–32 of letters, digits, "_" and "-"');
    case 'date':
      return isCalendarDate(raw) ? { ok: true, value: raw } : fail('must be a real date as YYYY-MM-DD');
    case 'time':
      return TIME.test(raw) ? { ok: true, value: raw } : fail('must be a time as HH:MM:SS');
    case 'decimal': {
      const problem = checkDecimal(raw, AMOUNT_SCALE, AMOUNT_INTEGER_DIGITS);
      if (problem === undefined) return { ok: true, value: normaliseDecimal(raw, AMOUNT_SCALE) };
      if (problem === 'scale') return fail(`must have at most ${AMOUNT_SCALE} decimals`);
      if (problem === 'range') return fail(`must have at most ${AMOUNT_INTEGER_DIGITS} digits before the decimal point`);
      return fail('must be a decimal such as "1234.50" or "-10" (no exponent, no separators)');
    }
    case 'currency':
      return CURRENCY.test(raw) ? { ok: true, value: raw } : fail('must be an ISO 4217 code in upper case, such as "VND"');
    case 'card': {
      const masked = maskPan(raw);
      return MASKED_PAN.test(masked)
        ? { ok: true, value: masked }
        : fail('must be a masked card number such as "411111******1111" (or a full one, masked before use)');
    }
    case 'mcc':
      return MCC.test(raw) ? { ok: true, value: raw } : fail('must be 4 digits');
    case 'trans-type': {
      const upper = raw.toUpperCase();
      return (TRANS_TYPES as readonly string[]).includes(upper) ? { ok: true, value: upper } : fail(`must be one of ${TRANS_TYPES.join(', ')}`);
    }
    case 'text':
      if (!PRINTABLE.test(raw)) return fail('must not contain control characters');
      return raw.length <= (maxLength ?? 0) ? { ok: true, value: raw } : fail(`must be at most ${maxLength} characters`);
  }
}
