/**
 * Exact decimal amounts as strings and scaled BigInts. No JavaScript number ever holds money.
 */

/** Plain decimal notation: optional minus, digits, optional fraction. No exponent, no separators, no plus. */
const DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?$/;

export type DecimalProblem = 'format' | 'scale' | 'range';

/**
 * Checks a decimal string: `format` (not plain notation), `scale` (more fraction digits than
 * allowed), `range` (more integer digits than allowed). Undefined when it is fine.
 */
export function checkDecimal(value: string, maxScale: number, maxIntegerDigits: number): DecimalProblem | undefined {
  if (!DECIMAL.test(value)) return 'format';
  const [integer, fraction = ''] = value.replace('-', '').split('.');
  if (fraction.length > maxScale) return 'scale';
  if (integer.length > maxIntegerDigits) return 'range';
  return undefined;
}

/** `value` × 10^scale as a BigInt; `value` must be plain notation with at most `scale` decimals. */
export function toScaled(value: string, scale: number): bigint {
  const negative = value.startsWith('-');
  const [integer, fraction = ''] = value.replace('-', '').split('.');
  if (fraction.length > scale) throw new Error(`More than ${scale} decimals: ${value}`);
  const scaled = BigInt(integer + fraction.padEnd(scale, '0'));
  return negative ? -scaled : scaled;
}

/** The inverse of toScaled, with exactly `scale` decimals. */
export function fromScaled(scaled: bigint, scale: number): string {
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(scale + 1, '0');
  const integer = digits.slice(0, digits.length - scale);
  const fraction = scale > 0 ? `.${digits.slice(-scale)}` : '';
  return `${negative ? '-' : ''}${integer}${fraction}`;
}

/**
 * A decimal as a database driver returned it (PostgreSQL and MySQL: a string such as "12.5000";
 * SQLite: a number, exact up to 15 significant digits) rewritten with exactly `scale` decimals.
 */
const FOUR_DECIMALS = /^-?\d+\.\d{4}$/;

export function normaliseDecimal(value: string | number | bigint, scale: number): string {
  // Fast path for what PostgreSQL and MySQL return for DECIMAL(…,4): "-12.3400".
  if (typeof value === 'string' && scale <= 4 && FOUR_DECIMALS.test(value) && /^-?(0\.|[1-9])/.test(value)) {
    const cut = value.length - (4 - scale) - (scale === 0 ? 1 : 0);
    const dropped = value.slice(cut).replace('.', '');
    if (/^0*$/.test(dropped)) {
      const kept = value.slice(0, cut);
      return /^-0(\.0*)?$/.test(kept) ? kept.slice(1) : kept;
    }
  }
  let text = typeof value === 'string' ? value.trim() : value.toString();
  if (/e/i.test(text)) throw new Error(`Decimal in exponent form from the database: ${text}`);
  // Plain string work (no BigInt): this runs once per amount of a million-row extract.
  let sign = '';
  if (text.startsWith('-')) {
    sign = '-';
    text = text.slice(1);
  } else if (text.startsWith('+')) text = text.slice(1);
  const dot = text.indexOf('.');
  let integer = dot === -1 ? text : text.slice(0, dot);
  let fraction = dot === -1 ? '' : text.slice(dot + 1);
  if (!/^\d*$/.test(integer) || !/^\d*$/.test(fraction)) throw new Error(`Not a decimal: ${value}`);
  fraction = fraction.replace(/0+$/, '');
  if (fraction.length > scale) throw new Error(`Decimal ${value} has more than ${scale} significant decimals`);
  integer = integer.replace(/^0+(?=\d)/, '') || '0';
  const padded = fraction.padEnd(scale, '0');
  const zero = integer === '0' && /^0*$/.test(padded);
  return `${zero ? '' : sign}${integer}${scale > 0 ? `.${padded}` : ''}`;
}
