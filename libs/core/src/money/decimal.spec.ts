import { isCurrency, minorUnits } from './currencies';
import { checkDecimal, fromScaled, normaliseDecimal, toScaled } from './decimal';

describe('checkDecimal', () => {
  it.each(['0', '12', '-12.5', '12.3456', '99999999999.9999'])('accepts %s', (value) => {
    expect(checkDecimal(value, 4, 11)).toBeUndefined();
  });

  it.each([
    ['1e3', 'format'],
    ['NaN', 'format'],
    ['Infinity', 'format'],
    ['', 'format'],
    ['1,234.50', 'format'],
    ['+5', 'format'],
    ['05', 'format'],
    ['1.', 'format'],
    ['.5', 'format'],
    ['12.34567', 'scale'],
    ['999999999999', 'range'],
  ])('refuses %s (%s)', (value, problem) => {
    expect(checkDecimal(value, 4, 11)).toBe(problem);
  });
});

describe('toScaled and fromScaled', () => {
  it('round-trip exactly', () => {
    expect(toScaled('-12.5', 2)).toBe(-1250n);
    expect(fromScaled(-1250n, 2)).toBe('-12.50');
    expect(fromScaled(5n, 3)).toBe('0.005');
    expect(fromScaled(-5n, 3)).toBe('-0.005');
    expect(fromScaled(1000n, 0)).toBe('1000');
    expect(toScaled('99999999999.9999', 4)).toBe(999999999999999n);
  });
});

describe('normaliseDecimal', () => {
  it.each([
    ['12.5000', 2, '12.50'],
    ['-0.5000', 2, '-0.50'],
    ['1000.0000', 0, '1000'],
    ['0.0000', 2, '0.00'],
    ['-0.0000', 2, '0.00'],
    ['.5', 4, '0.5000'],
    ['-.5', 1, '-0.5'],
    ['007.10', 2, '7.10'],
    ['007.1000', 2, '7.10'],
    ['12.3400', 2, '12.34'],
    ['-0.0000', 4, '0.0000'],
    ['-0.5000', 2, '-0.50'],
    ['1000.0000', 0, '1000'],
    ['-1000.0000', 0, '-1000'],
    ['0.0001', 4, '0.0001'],
  ])('%s with %i decimals is %s', (value, scale, expected) => {
    expect(normaliseDecimal(value, scale)).toBe(expected);
  });

  it('reads the numbers SQLite hands back, exact to 15 significant digits', () => {
    expect(normaliseDecimal(1234.57, 2)).toBe('1234.57');
    expect(normaliseDecimal(-99999999999.99, 2)).toBe('-99999999999.99');
    expect(normaliseDecimal(0.0001, 4)).toBe('0.0001');
    expect(normaliseDecimal(12n, 2)).toBe('12.00');
  });

  it('refuses what would lose digits or is not a plain decimal', () => {
    expect(() => normaliseDecimal('1.234', 2)).toThrow(/more than 2/);
    expect(() => normaliseDecimal('12.3450', 2)).toThrow(/more than 2/);
    expect(() => normaliseDecimal('5.5000', 0)).toThrow(/more than 0/);
    expect(() => normaliseDecimal(1e21, 2)).toThrow(/exponent/);
    expect(() => normaliseDecimal('12abc', 2)).toThrow(/Not a decimal/);
  });
});

describe('currencies', () => {
  it('knows active codes and their minor units, and not funds or test codes', () => {
    expect([minorUnits('USD'), minorUnits('JPY'), minorUnits('BHD'), minorUnits('CLF')]).toEqual([2, 0, 3, 4]);
    expect(['XXX', 'XTS', 'XAU', 'usd', 'EURO'].map(isCurrency)).toEqual([false, false, false, false, false]);
    expect(() => minorUnits('XXX')).toThrow();
  });
});
