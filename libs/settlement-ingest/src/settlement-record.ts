import type { TransType } from './entities/card-transaction.entity';

/**
 * A row of a settlement file that passed every rule of §Settlement file, in canonical form:
 * dates `YYYY-MM-DD`, amounts as decimal strings with a `.` and at most 2 fraction digits, CARD_NO
 * masked, empty optional cells null (or their default).
 */
export interface SettlementRecord {
  /** Physical line where the record starts (header = 1). */
  line: number;
  docIdt: string;
  transDate: string;
  transTime: string | null;
  amount: string;
  currency: string;
  cardNo: string | null;
  merchantId: string | null;
  terminalId: string | null;
  mcc: string | null;
  rrn: string | null;
  authCode: string | null;
  transType: TransType;
  fee: string | null;
  settleDate: string | null;
  /**
   * The record's text as in the file with CARD_NO already masked; kept only while its batch is in
   * memory, so a row the database refuses (a duplicate DOC_IDT) can be recorded as a reject. Pass it
   * through maskPansInText before storing it: other fields may still hold a PAN.
   */
  raw: string;
}

/** A row that broke a rule: where it starts, the column at fault (null: the row as a whole), why, its text. */
export interface RejectedRow {
  line: number;
  column: string | null;
  reason: string;
  /** The record as it was in the file, with any full PAN masked, cut at REJECT_RAW_MAX characters. */
  raw: string;
}

/** What the parser hands the loader: a slice of the file, in order, ending at `lastLine`. */
export interface ParsedBatch {
  records: SettlementRecord[];
  rejects: RejectedRow[];
  /** The physical line where this batch ends; the next batch starts after it. */
  lastLine: number;
}

/** The file cannot be read as a whole (undecodable, no header, a required column missing). */
export class SettlementFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettlementFileError';
  }
}

/**
 * A source profile (§Settlement file): how one sender writes its files. Declared in the file named by
 * SETTLEMENT_PROFILES, matched by inbox subfolder or file-name pattern, never guessed.
 */
export interface SettlementProfile {
  name: string;
  /** Inbox subfolder this profile applies to (e.g. `acme`: files under inbox/acme/). */
  folder?: string;
  /** Glob-like file-name pattern (`*` and `?`), matched case-insensitively. */
  pattern?: string;
  delimiter: string;
  encoding: 'utf-8' | 'latin1' | 'windows-1252';
  decimalSeparator: string;
  thousandsSeparator: string | null;
  /** Tokens YYYY, MM, DD with any separators, e.g. `DD/MM/YYYY`. */
  dateFormat: string;
  /** File header name (any case) → canonical column name. */
  columns: Record<string, string>;
  defaultCurrency: string;
}

/** The canonical profile: what §Settlement file calls the canonical form. */
export const CANONICAL_PROFILE: SettlementProfile = {
  name: 'canonical',
  delimiter: ',',
  encoding: 'utf-8',
  decimalSeparator: '.',
  thousandsSeparator: null,
  dateFormat: 'YYYY-MM-DD',
  columns: {},
  defaultCurrency: 'VND',
};

/** The columns of §Settlement file, in the order the canonical file and the API list them. */
export const SETTLEMENT_COLUMNS = [
  'DOC_IDT',
  'TRANS_DATE',
  'TRANS_TIME',
  'AMOUNT',
  'CURRENCY',
  'CARD_NO',
  'MERCHANT_ID',
  'TERMINAL_ID',
  'MCC',
  'RRN',
  'AUTH_CODE',
  'TRANS_TYPE',
  'FEE',
  'SETTLE_DATE',
] as const;
export type SettlementColumn = (typeof SETTLEMENT_COLUMNS)[number];
export const REQUIRED_COLUMNS: readonly SettlementColumn[] = ['DOC_IDT', 'TRANS_DATE', 'AMOUNT'];
