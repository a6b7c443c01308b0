import { CURRENCY_MINOR_UNITS, luhnValid, maskPan, maskPansInText } from '@app/core';
import { TRANS_TYPES, TransType } from '../entities/card-transaction.entity';

/**
 * The value rules of §Settlement file, one function per kind of cell. They run once per cell of a
 * million-row file, so each reads the cell in place, as the range [a, b) of a larger string (the
 * decoded chunk), with a char loop (no regex, no split), and allocates only the value it returns:
 * a slice, or a shared string for values that repeat (dates, currencies, types, MCCs). A failure
 * is a small number; the caller turns it into a reason only for the rows that fail.
 */

export const MAX_INTEGER_DIGITS = 13; // DECIMAL(15,2)
export const MAX_FRACTION_DIGITS = 2;

const ZERO = 48;
const NINE = 57;
const MINUS = 45;
const SPACE = 32;
const TAB = 9;

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

/** Blanks around a cell do not count: the first non-blank position of [a, b). */
export function trimStart(s: string, a: number, b: number): number {
  while (a < b) {
    const c = s.charCodeAt(a);
    if (c !== SPACE && c !== TAB) break;
    a++;
  }
  return a;
}

/** The end of [a, b) without trailing blanks. */
export function trimEnd(s: string, a: number, b: number): number {
  while (b > a) {
    const c = s.charCodeAt(b - 1);
    if (c !== SPACE && c !== TAB) break;
    b--;
  }
  return b;
}

function digits(s: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return -1;
    n = n * 10 + (c - ZERO);
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Dates and times

/** A date format of the tokens YYYY, MM and DD with fixed separators, compiled to positions. */
export interface DateFormat {
  text: string;
  length: number;
  year: number;
  month: number;
  day: number;
  /** Positions and char codes of the separators, in pairs. */
  separators: number[];
}

/** Compiles `DD/MM/YYYY` and the like; throws with the reason when it is not such a format. */
export function compileDateFormat(text: string): DateFormat {
  const positions: Record<string, number> = {};
  const separators: number[] = [];
  let i = 0;
  while (i < text.length) {
    const token = ['YYYY', 'MM', 'DD'].find((t) => text.startsWith(t, i));
    if (token) {
      if (token in positions) throw new Error(`${token} appears twice`);
      positions[token] = i;
      i += token.length;
    } else if (/[A-Za-z0-9]/.test(text[i])) {
      throw new Error(`"${text[i]}" at position ${i + 1} is neither YYYY, MM, DD nor a separator`);
    } else {
      separators.push(i, text.charCodeAt(i));
      i += 1;
    }
  }
  for (const token of ['YYYY', 'MM', 'DD']) if (!(token in positions)) throw new Error(`${token} is missing`);
  return { text, length: text.length, year: positions.YYYY, month: positions.MM, day: positions.DD, separators };
}

export const DATE_FAULT = { format: 1, notReal: 2, range: 3 } as const;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** `YYYY-MM-DD` strings by yyyymmdd: a file holds few distinct dates, each row shares its string. */
const DATES = new Map<number, string>();
const DATES_MAX = 20_000;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/**
 * `YYYY-MM-DD` for a real date written in `format` at [a, b), or a DATE_FAULT. Years before 1000 are
 * refused: MySQL's DATE starts there, and no settlement is that old.
 */
export function parseDate(s: string, a: number, b: number, format: DateFormat): string | number {
  if (b - a !== format.length) return DATE_FAULT.format;
  const seps = format.separators;
  for (let k = 0; k < seps.length; k += 2) if (s.charCodeAt(a + seps[k]) !== seps[k + 1]) return DATE_FAULT.format;
  const year = digits(s, a + format.year, 4);
  const month = digits(s, a + format.month, 2);
  const day = digits(s, a + format.day, 2);
  if (year < 0 || month < 0 || day < 0) return DATE_FAULT.format;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return DATE_FAULT.notReal;
  if (year < 1000) return DATE_FAULT.range;
  const key = year * 10_000 + month * 100 + day;
  let text = DATES.get(key);
  if (text === undefined) {
    text = `${year}-${pad2(month)}-${pad2(day)}`;
    if (DATES.size < DATES_MAX) DATES.set(key, text);
  }
  return text;
}

export function dateReason(column: string, value: string, format: DateFormat, fault: number): string {
  if (fault === DATE_FAULT.notReal) return `${column}: ${echo(value)} is not a real date`;
  if (fault === DATE_FAULT.range) return `${column}: ${echo(value)} is before the year 1000`;
  return `${column}: ${echo(value)} is not a date ${format.text}`;
}

/**
 * Every time of day, created once when first seen. Filled with undefined rather than made by
 * `new Array(86400)`: V8 keeps an array that large and empty as a dictionary, a hash lookup per row.
 */
const TIMES: Array<string | undefined> = Array.from({ length: 86_400 }, () => undefined);

/** `HH:MM:SS` (00:00:00 to 23:59:59) at [a, b), or null. */
export function parseTime(s: string, a: number, b: number): string | null {
  if (b - a !== 8 || s.charCodeAt(a + 2) !== 58 || s.charCodeAt(a + 5) !== 58) return null;
  const h = digits(s, a, 2);
  const m = digits(s, a + 3, 2);
  const sec = digits(s, a + 6, 2);
  if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 59) return null;
  const key = h * 3600 + m * 60 + sec;
  return TIMES[key] ?? (TIMES[key] = s.slice(a, b));
}

// ---------------------------------------------------------------------------------------------
// Amounts

export const DECIMAL_FAULT = { format: 1, scale: 2, range: 3 } as const;

/**
 * An amount at [a, b) written with the profile's decimal separator (and thousands separator, only if
 * the profile declares one: then in groups of exactly 3 digits), as a canonical decimal string: `-`
 * kept, `.` as separator, no thousands separator, no leading zeros, the fraction digits as given (at
 * most 2): `12.5` stays `12.5`, the database column is DECIMAL(15,2) and every reader gets `12.50`
 * from it. Returns a DECIMAL_FAULT when it is not such an amount: no `+`, no exponent, no blanks
 * inside, at most 13 integer digits.
 */
export function parseAmount(s: string, a: number, b: number, decimalSep: number, thousandsSep: number): string | number {
  let i = s.charCodeAt(a) === MINUS ? a + 1 : a;
  const signEnd = i;
  let intDigits = 0;
  let leadingZeros = 0;
  let fraction = -1;
  let group = 0;
  let grouped = false;
  for (; i < b; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) {
      if (fraction >= 0) fraction++;
      else {
        if (c === ZERO && leadingZeros === intDigits) leadingZeros++;
        intDigits++;
        group++;
      }
    } else if (c === decimalSep && fraction < 0) {
      if (intDigits === 0 || (grouped && group !== 3)) return DECIMAL_FAULT.format;
      fraction = 0;
    } else if (c === thousandsSep && fraction < 0) {
      if (group === 0 || group > 3 || (grouped && group !== 3)) return DECIMAL_FAULT.format;
      grouped = true;
      group = 0;
    } else {
      return DECIMAL_FAULT.format;
    }
  }
  if (intDigits === 0 || fraction === 0 || (grouped && fraction < 0 && group !== 3)) return DECIMAL_FAULT.format;
  if (fraction > MAX_FRACTION_DIGITS) return DECIMAL_FAULT.scale;
  // "0" and "0.5" keep their zero; "007.50" loses two.
  const strip = leadingZeros === intDigits ? leadingZeros - 1 : leadingZeros;
  if (intDigits - strip > MAX_INTEGER_DIGITS) return DECIMAL_FAULT.range;
  if (decimalSep === 46 && !grouped && strip === 0) return s.slice(a, b);
  let out = signEnd > a ? '-' : '';
  let skipped = 0;
  for (let k = signEnd; k < b; k++) {
    const c = s.charCodeAt(k);
    if (isDigit(c)) {
      if (skipped < strip) skipped++;
      else out += s[k];
    } else if (c === decimalSep) out += '.';
  }
  return out;
}

export function amountReason(column: string, value: string, fault: number, decimalSep: string, thousandsSep: string | null): string {
  if (fault === DECIMAL_FAULT.scale) return `${column}: ${echo(value)} has more than ${MAX_FRACTION_DIGITS} decimals`;
  // Not echoed: 14 or more digits would be shown masked, as a card number might be.
  if (fault === DECIMAL_FAULT.range) return `${column}: more than ${MAX_INTEGER_DIGITS} integer digits`;
  const grouping = thousandsSep === null ? 'no thousands separator' : `thousands separator "${thousandsSep}"`;
  return `${column}: ${echo(value)} is not a decimal (separator "${decimalSep}", ${grouping})`;
}

// ---------------------------------------------------------------------------------------------
// Card number

function isMaskChar(c: number): boolean {
  return c === 42 /* * */ || c === 88; /* X */
}

/**
 * A masked PAN at [a, b) (6 digits, `*` or `X`, 4 digits; 13–19 in all) as given, or a full PAN
 * (13–19 digits, single spaces or dashes between groups) masked to its first 6 and last 4 digits.
 * Null otherwise. A full PAN is masked whether or not it passes Luhn: a mistyped card number is
 * still one.
 */
export function parseCardNo(s: string, a: number, b: number): string | null {
  const n = b - a;
  if (n >= 13 && n <= 19 && isMaskChar(s.charCodeAt(a + 6))) {
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(a + i);
      if (i < 6 || i >= n - 4 ? !isDigit(c) : !isMaskChar(c)) return null;
    }
    return s.slice(a, b);
  }
  let count = 0;
  let previousDigit = false;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) {
      count++;
      previousDigit = true;
    } else if ((c === SPACE || c === MINUS) && previousDigit) {
      previousDigit = false;
    } else {
      return null;
    }
  }
  if (!previousDigit || count < 13 || count > 19) return null;
  return maskPan(s.slice(a, b));
}

/** Whether a cell holds something a reject must not show: 13–19 digits, maybe grouped by spaces or dashes. */
export function looksLikePan(value: string): boolean {
  let count = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (isDigit(c)) count++;
    else if (c !== SPACE && c !== MINUS && c !== TAB) return false;
  }
  return count >= 13 && count <= 19;
}

// ---------------------------------------------------------------------------------------------
// Identifiers and codes

/** DOC_IDT: 1–32 of [A-Za-z0-9_-]. */
export function validDocIdt(s: string, a: number, b: number): boolean {
  if (b - a > 32 || b <= a) return false;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === MINUS)) return false;
  }
  return true;
}

const MCCS: Array<string | undefined> = Array.from({ length: 10_000 }, () => undefined);

/** MCC: exactly 4 digits, or null. */
export function parseMcc(s: string, a: number, b: number): string | null {
  if (b - a !== 4) return null;
  const code = digits(s, a, 4);
  if (code < 0) return null;
  return MCCS[code] ?? (MCCS[code] = s.slice(a, b));
}

/** ISO 4217 codes by their three letters packed into a number (upper case). */
const CURRENCIES = new Map<number, string>(Object.keys(CURRENCY_MINOR_UNITS).map((code) => [packCode(code, 0, 3), code]));

function packCode(s: string, a: number, b: number): number {
  let key = 0;
  for (let i = a; i < b; i++) {
    let c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) c -= 32;
    if (c < 65 || c > 90) return -1;
    key = key * 32 + (c - 64);
  }
  return key;
}

/** An ISO 4217 alphabetic code in any letter case, upper-cased; null when unknown. */
export function parseCurrency(s: string, a: number, b: number): string | null {
  if (b - a !== 3) return null;
  return CURRENCIES.get(packCode(s, a, b)) ?? null;
}

/** One of TRANS_TYPES in any letter case, or null. */
export function parseTransType(s: string, a: number, b: number): TransType | null {
  // Told apart by length and first letter, confirmed by one comparison.
  let type: TransType | null = null;
  switch (b - a) {
    case 8:
      type = s.charCodeAt(a) === 80 /* P */ ? 'PURCHASE' : 'REVERSAL';
      break;
    case 6:
      type = 'REFUND';
      break;
    case 10:
      type = 'CHARGEBACK';
      break;
    case 4:
      type = 'CASH';
      break;
  }
  if (type !== null && s.startsWith(type, a)) return type;
  const upper = s.slice(a, b).toUpperCase();
  return TRANS_TYPES.find((t) => t === upper) ?? null;
}

// ---------------------------------------------------------------------------------------------
// Showing a value in a reason, masking card numbers in text

const ECHO_MAX = 40;
/** 13 or more digits, maybe grouped by single spaces or dashes: could be a card number. */
const DIGIT_RUN = /\d(?:[ -]?\d){12,}/g;

/**
 * A cell value fit for a reject reason: long card-like digit runs masked (Luhn or not, grouped or
 * not: a reason must never show a PAN), cut at 40 characters.
 */
export function echo(value: string): string {
  const head = value.length > ECHO_MAX + 24 ? value.slice(0, ECHO_MAX + 24) : value;
  const masked = head.replace(DIGIT_RUN, (run) => {
    const d = run.replace(/[ -]/g, '');
    return `${d.slice(0, 6)}${'*'.repeat(d.length - 10)}${d.slice(-4)}`;
  });
  return masked.length > ECHO_MAX || value.length > head.length ? `${masked.slice(0, ECHO_MAX)}…` : masked;
}

/** 13–19 digits grouped by single spaces or dashes (`4111 1111 1111 1111`), which maskPansInText does not see. */
const GROUPED_DIGITS = /(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/g;

/**
 * Every card number in a text masked: Luhn-valid digit runs (maskPansInText) and Luhn-valid runs
 * grouped by spaces or dashes. For the raw text of rejects, which operators download.
 */
export function maskCardNumbers(text: string): string {
  return maskPansInText(text).replace(GROUPED_DIGITS, (run) => {
    const d = run.replace(/[ -]/g, '');
    return d.length !== run.length && luhnValid(d) ? maskPan(d) : run;
  });
}
