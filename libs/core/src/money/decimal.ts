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
export function normaliseDecimal(value: string | number | bigint, scale: number): string {
  let text = typeof value === 'string' ? value.trim() : value.toString();
  if (/e/i.test(text)) throw new Error(`Decimal in exponent form from the database: ${text}`);
  if (text.startsWith('.')) text = `0${text}`;
  if (text.startsWith('-.')) text = `-0${text.slice(1)}`;
  const [integer, fraction = ''] = text.split('.');
  const kept = fraction.replace(/0+$/, '');
  if (kept.length > scale) throw new Error(`Decimal ${text} has more than ${scale} significant decimals`);
  return fromScaled(toScaled(`${integer}${kept ? `.${kept}` : ''}`, scale), scale);
}
