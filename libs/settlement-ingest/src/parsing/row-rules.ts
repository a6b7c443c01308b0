import type { TransType } from '../entities/card-transaction.entity';
import { REJECT_RAW_MAX } from '../entities/settlement-reject.entity';
import { RejectedRow, SETTLEMENT_COLUMNS, SettlementColumn, SettlementProfile, SettlementRecord } from '../settlement-record';
import { rawFieldSpan } from './csv-tokenizer';
import { HeaderLayout } from './header';
import { REPLACEMENT_CHAR } from './text-decoding';
import {
  amountReason,
  compileDateFormat,
  DateFormat,
  dateReason,
  echo,
  looksLikePan,
  maskCardNumbers,
  parseAmount,
  parseCardNo,
  parseCurrency,
  parseDate,
  parseMcc,
  parseTime,
  parseTransType,
  trimEnd,
  trimStart,
  validDocIdt,
} from './value-rules';

const LIMITS = { MERCHANT_ID: 15, TERMINAL_ID: 16, RRN: 12, AUTH_CODE: 6 } as const;

export function isReject(row: SettlementRecord | RejectedRow): row is RejectedRow {
  return (row as RejectedRow).reason !== undefined;
}

/**
 * The rules of §Settlement file for one file's rows: a row becomes a record (canonical values,
 * CARD_NO masked) or a reject naming its first failing column in SETTLEMENT_COLUMNS order. Cells
 * are read in place (see value-rules); blanks around a cell do not count, and a blank cell is an
 * absent one.
 */
export class RowRules {
  /** Set once the decoder has produced U+FFFD: until then no row can hold one, and none is searched. */
  checkUtf8 = false;

  private readonly dateFormat: DateFormat;
  private readonly decimalSep: number;
  private readonly thousandsSep: number;
  private readonly fieldCount: number;
  // Field index of each column (-1: the file has no such column), SETTLEMENT_COLUMNS order.
  private readonly docIdt: number;
  private readonly transDate: number;
  private readonly transTime: number;
  private readonly amount: number;
  private readonly currency: number;
  private readonly cardNo: number;
  private readonly merchantId: number;
  private readonly terminalId: number;
  private readonly mcc: number;
  private readonly rrn: number;
  private readonly authCode: number;
  private readonly transType: number;
  private readonly fee: number;
  private readonly settleDate: number;
  /** The current cell, trimmed: [a, b) of the values string (set by `cell`). */
  private a = 0;
  private b = 0;

  constructor(
    private readonly profile: SettlementProfile,
    layout: HeaderLayout,
  ) {
    this.dateFormat = compileDateFormat(profile.dateFormat);
    this.decimalSep = profile.decimalSeparator.charCodeAt(0);
    this.thousandsSep = profile.thousandsSeparator === null ? -1 : profile.thousandsSeparator.charCodeAt(0);
    this.fieldCount = layout.fieldCount;
    const at = (column: SettlementColumn) => layout.positions[SETTLEMENT_COLUMNS.indexOf(column)];
    this.docIdt = at('DOC_IDT');
    this.transDate = at('TRANS_DATE');
    this.transTime = at('TRANS_TIME');
    this.amount = at('AMOUNT');
    this.currency = at('CURRENCY');
    this.cardNo = at('CARD_NO');
    this.merchantId = at('MERCHANT_ID');
    this.terminalId = at('TERMINAL_ID');
    this.mcc = at('MCC');
    this.rrn = at('RRN');
    this.authCode = at('AUTH_CODE');
    this.transType = at('TRANS_TYPE');
    this.fee = at('FEE');
    this.settleDate = at('SETTLE_DATE');
  }

  /** The row at `line` as a record or a reject; `v`, `spans`, `count`, `raw` as the tokenizer hands them. */
  apply(v: string, spans: Int32Array, count: number, raw: string, line: number): SettlementRecord | RejectedRow {
    // A U+FFFD the file holds as valid UTF-8 is refused too: it is always the trace of an earlier bad conversion.
    if (this.checkUtf8 && raw.indexOf(REPLACEMENT_CHAR) >= 0) {
      return this.reject(line, null, 'not valid UTF-8 (is the file in another encoding? declare it in a profile)', raw);
    }
    if (count !== this.fieldCount) return this.reject(line, null, `${count} fields, header has ${this.fieldCount}`, raw);

    if (!this.cell(v, spans, this.docIdt)) return this.reject(line, 'DOC_IDT', 'DOC_IDT: required, empty', raw);
    if (!validDocIdt(v, this.a, this.b)) return this.reject(line, 'DOC_IDT', `DOC_IDT: ${this.echo(v)} is not 1–32 of A-Z a-z 0-9 _ -`, raw);
    const docIdt = v.slice(this.a, this.b);
    // No copy of a full PAN is kept (§Settlement file), and an id cannot be masked and still identify.
    if (docIdt.length >= 13 && maskCardNumbers(docIdt) !== docIdt) {
      return this.reject(line, 'DOC_IDT', 'DOC_IDT: holds a card number, which is never stored (card numbers go in CARD_NO)', raw);
    }

    if (!this.cell(v, spans, this.transDate)) return this.reject(line, 'TRANS_DATE', 'TRANS_DATE: required, empty', raw);
    const transDate = parseDate(v, this.a, this.b, this.dateFormat);
    if (typeof transDate === 'number') return this.reject(line, 'TRANS_DATE', this.dateReason('TRANS_DATE', v, transDate), raw);

    let transTime: string | null = null;
    if (this.cell(v, spans, this.transTime)) {
      transTime = parseTime(v, this.a, this.b);
      if (transTime === null) return this.reject(line, 'TRANS_TIME', `TRANS_TIME: ${this.echo(v)} is not a time HH:MM:SS`, raw);
    }

    if (!this.cell(v, spans, this.amount)) return this.reject(line, 'AMOUNT', 'AMOUNT: required, empty', raw);
    const amount = parseAmount(v, this.a, this.b, this.decimalSep, this.thousandsSep);
    if (typeof amount === 'number') return this.reject(line, 'AMOUNT', this.amountReason('AMOUNT', v, amount), raw);

    let currency = this.profile.defaultCurrency;
    if (this.cell(v, spans, this.currency)) {
      const code = parseCurrency(v, this.a, this.b);
      if (code === null) return this.reject(line, 'CURRENCY', `CURRENCY: ${this.echo(v)} is not an ISO 4217 currency code`, raw);
      currency = code;
    }

    let cardNo: string | null = null;
    let recordRaw = raw;
    if (this.cell(v, spans, this.cardNo)) {
      cardNo = parseCardNo(v, this.a, this.b);
      if (cardNo === null) {
        // Not echoed: it may be a card number in a shape this rule does not know.
        const reason = `CARD_NO: not a masked PAN (6 digits, * or X, 4 digits) or a 13–19 digit card number (${this.b - this.a} characters)`;
        return this.reject(line, 'CARD_NO', reason, raw);
      }
      if (cardNo.length !== this.b - this.a || !v.startsWith(cardNo, this.a)) recordRaw = this.replaceCardNo(raw, cardNo);
    }

    const merchantId = this.maskedText(v, spans, this.merchantId);
    if (merchantId !== null && merchantId.length > LIMITS.MERCHANT_ID) return this.tooLong(line, 'MERCHANT_ID', merchantId, raw);
    const terminalId = this.maskedText(v, spans, this.terminalId);
    if (terminalId !== null && terminalId.length > LIMITS.TERMINAL_ID) return this.tooLong(line, 'TERMINAL_ID', terminalId, raw);

    let mcc: string | null = null;
    if (this.cell(v, spans, this.mcc)) {
      mcc = parseMcc(v, this.a, this.b);
      if (mcc === null) return this.reject(line, 'MCC', `MCC: ${this.echo(v)} is not 4 digits`, raw);
    }

    const rrn = this.text(v, spans, this.rrn);
    if (rrn !== null && rrn.length > LIMITS.RRN) return this.tooLong(line, 'RRN', rrn, raw);
    const authCode = this.text(v, spans, this.authCode);
    if (authCode !== null && authCode.length > LIMITS.AUTH_CODE) return this.tooLong(line, 'AUTH_CODE', authCode, raw);

    let transType: TransType = 'PURCHASE';
    if (this.cell(v, spans, this.transType)) {
      const parsed = parseTransType(v, this.a, this.b);
      if (parsed === null) {
        return this.reject(line, 'TRANS_TYPE', `TRANS_TYPE: ${this.echo(v)} is not PURCHASE, REFUND, REVERSAL, CHARGEBACK or CASH`, raw);
      }
      transType = parsed;
    }

    let fee: string | null = null;
    if (this.cell(v, spans, this.fee)) {
      const parsed = parseAmount(v, this.a, this.b, this.decimalSep, this.thousandsSep);
      if (typeof parsed === 'number') return this.reject(line, 'FEE', this.amountReason('FEE', v, parsed), raw);
      fee = parsed;
    }

    let settleDate: string | null = null;
    if (this.cell(v, spans, this.settleDate)) {
      const parsed = parseDate(v, this.a, this.b, this.dateFormat);
      if (typeof parsed === 'number') return this.reject(line, 'SETTLE_DATE', this.dateReason('SETTLE_DATE', v, parsed), raw);
      settleDate = parsed;
    }

    return {
      line,
      docIdt,
      transDate,
      transTime,
      amount,
      currency,
      cardNo,
      merchantId,
      terminalId,
      mcc,
      rrn,
      authCode,
      transType,
      fee,
      settleDate,
      raw: recordRaw,
    };
  }

  /** A record the tokenizer could not split (truncated, too long, badly quoted). */
  broken(line: number, rawHead: string, reason: string): RejectedRow {
    return { line, column: null, reason, raw: maskRaw(rawHead) };
  }

  /** Finds field `index` and leaves it trimmed in [a, b); false when absent or blank. */
  private cell(v: string, spans: Int32Array, index: number): boolean {
    if (index < 0) return false;
    const end = spans[index * 2 + 1];
    const a = trimStart(v, spans[index * 2], end);
    const b = trimEnd(v, a, end);
    this.a = a;
    this.b = b;
    return b > a;
  }

  private text(v: string, spans: Int32Array, index: number): string | null {
    return this.cell(v, spans, index) ? v.slice(this.a, this.b) : null;
  }

  /**
   * A free-text cell long enough to hold a card number (MERCHANT_ID, TERMINAL_ID) with any in it
   * masked, as in the file's archived copy: no copy of a full PAN is kept, whichever column it is in.
   */
  private maskedText(v: string, spans: Int32Array, index: number): string | null {
    const text = this.text(v, spans, index);
    return text !== null && text.length >= 13 ? maskCardNumbers(text) : text;
  }

  /** The current cell, fit for a reason. */
  private echo(v: string): string {
    return echo(v.slice(this.a, Math.min(this.b, this.a + 100)));
  }

  private dateReason(column: string, v: string, fault: number): string {
    return dateReason(column, v.slice(this.a, this.b), this.dateFormat, fault);
  }

  private amountReason(column: string, v: string, fault: number): string {
    return amountReason(column, v.slice(this.a, Math.min(this.b, this.a + 100)), fault, this.profile.decimalSeparator, this.profile.thousandsSeparator);
  }

  private tooLong(line: number, column: keyof typeof LIMITS, value: string, raw: string): RejectedRow {
    return this.reject(line, column, `${column}: ${echo(value)} is longer than ${LIMITS[column]} characters`, raw);
  }

  /** `raw` with its CARD_NO field (quotes included) replaced by `masked`. */
  private replaceCardNo(raw: string, masked: string): string {
    const span = rawFieldSpan(raw, this.profile.delimiter, this.cardNo);
    return span ? raw.slice(0, span[0]) + masked + raw.slice(span[1]) : maskCardNumbers(raw);
  }

  /**
   * A reject keeps the row's text with every PAN masked: the CARD_NO cell whatever its shape (Luhn
   * or not), then every Luhn-valid card number anywhere in the row.
   */
  private reject(line: number, column: string | null, reason: string, raw: string): RejectedRow {
    let text = raw;
    const span = this.cardNo >= 0 ? rawFieldSpan(raw, this.profile.delimiter, this.cardNo) : null;
    if (span) {
      const cell = raw.slice(span[0], span[1]).replace(/"/g, '').trim();
      if (looksLikePan(cell)) text = raw.slice(0, span[0]) + (parseCardNo(cell, 0, cell.length) ?? '*'.repeat(cell.length)) + raw.slice(span[1]);
    }
    return { line, column, reason, raw: maskRaw(text) };
  }
}

/**
 * Masks card numbers and cuts at REJECT_RAW_MAX. Cut with a margin first (a megabyte-long row
 * costs nothing to mask), wider than a PAN so that none is cut in two before it is masked.
 */
function maskRaw(text: string): string {
  const head = text.length > REJECT_RAW_MAX + 40 ? text.slice(0, REJECT_RAW_MAX + 40) : text;
  const masked = maskCardNumbers(head);
  return masked.length > REJECT_RAW_MAX ? masked.slice(0, REJECT_RAW_MAX) : masked;
}
