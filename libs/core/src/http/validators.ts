import { ValidationOptions, registerDecorator } from 'class-validator';
import { isCurrency } from '../money/currencies';
import { checkDecimal } from '../money/decimal';

/** A decimal string in plain notation ("1234.50", "-3"), at most this many integer and fraction digits. */
export function IsDecimalString(maxIntegerDigits: number, maxScale: number, options?: ValidationOptions) {
  return (target: object, property: string) =>
    registerDecorator({
      name: 'isDecimalString',
      target: target.constructor,
      propertyName: property,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && checkDecimal(value, maxScale, maxIntegerDigits) === undefined,
        defaultMessage: (args) => {
          const value = args?.value;
          if (typeof value !== 'string') return `${property} must be a decimal string such as "1234.50", not a JSON ${typeof value}`;
          switch (checkDecimal(value, maxScale, maxIntegerDigits)) {
            case 'scale':
              return `${property} has more than ${maxScale} decimals`;
            case 'range':
              return `${property} has more than ${maxIntegerDigits} digits before the decimal point`;
            default:
              return `${property} must be a plain decimal such as "1234.50" (no exponent, no separators, no sign but "-")`;
          }
        },
      },
    });
}

/** An active ISO 4217 alphabetic code, upper case. */
export function IsCurrencyCode(options?: ValidationOptions) {
  return (target: object, property: string) =>
    registerDecorator({
      name: 'isCurrencyCode',
      target: target.constructor,
      propertyName: property,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isCurrency(value),
        defaultMessage: () => `${property} must be an active ISO 4217 code in upper case, such as "USD"`,
      },
    });
}

const DATE_TIME_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * A real calendar date-time with an explicit offset (Z or ±hh:mm, at most ±14:00), e.g.
 * "2024-02-29T10:00:00+07:00", whose UTC instant falls in the years 1000–9999 that every database
 * here stores.
 */
export function isDateTimeWithOffset(value: string): boolean {
  const match = DATE_TIME_WITH_OFFSET.exec(value);
  if (!match) return false;
  const [, y, mo, d, h, mi, s, , , oh, om] = match.map((part) => part ?? '');
  const [year, month, day] = [Number(y), Number(mo), Number(d)];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const realDate = month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && Number(h) < 24 && Number(mi) < 60 && Number(s) < 60;
  const offsetMinutes = Number(oh) * 60 + Number(om);
  const realOffset = Number(om) < 60 && offsetMinutes <= 14 * 60;
  if (!realDate || !realOffset) return false;
  const utcYear = new Date(value).getUTCFullYear();
  return Number.isFinite(utcYear) && utcYear >= 1000 && utcYear <= 9999;
}

/** No NUL or other control characters (PostgreSQL refuses NUL); tab and line breaks are allowed. */
export const NO_CONTROL_CHARACTERS = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/;

export function IsDateTimeWithOffset(options?: ValidationOptions) {
  return (target: object, property: string) =>
    registerDecorator({
      name: 'isDateTimeWithOffset',
      target: target.constructor,
      propertyName: property,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isDateTimeWithOffset(value),
        defaultMessage: () => `${property} must be a real ISO 8601 date-time with an offset, such as "2024-05-01T09:30:00+07:00"`,
      },
    });
}

/** YYYY-MM-DD, a real date. */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}
