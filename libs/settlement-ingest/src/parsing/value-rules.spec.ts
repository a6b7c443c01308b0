import {
  compileDateFormat,
  DATE_FAULT,
  DECIMAL_FAULT,
  echo,
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

/** The rules read a cell in place; here each cell is a whole string, and sits inside a longer one. */
function inPlace<T>(rule: (s: string, a: number, b: number) => T): (value: string) => T {
  return (value) => {
    const result = rule(`x,${value},y`, 2, 2 + value.length);
    expect(rule(value, 0, value.length)).toEqual(result);
    return result;
  };
}

const DOT = 46;
const COMMA = 44;
const NONE = -1;

describe('parseAmount', () => {
  const canonical = inPlace((s, a, b) => parseAmount(s, a, b, DOT, NONE));

  it.each([
    ['12.50', '12.50'],
    ['-12.50', '-12.50'],
    ['12.5', '12.5'],
    ['0', '0'],
    ['0.01', '0.01'],
    ['-0.5', '-0.5'],
    ['007.50', '7.50'],
    ['000', '0'],
    ['1234567890123.99', '1234567890123.99'],
    ['-1234567890123', '-1234567890123'],
    ['0001234567890123', '1234567890123'],
  ])('reads %j as %j', (text, expected) => {
    expect(canonical(text)).toBe(expected);
  });

  it.each([
    ['1,234.50', DECIMAL_FAULT.format],
    ['1e5', DECIMAL_FAULT.format],
    ['abc', DECIMAL_FAULT.format],
    ['+5', DECIMAL_FAULT.format],
    ['-', DECIMAL_FAULT.format],
    ['.5', DECIMAL_FAULT.format],
    ['5.', DECIMAL_FAULT.format],
    ['1.2.3', DECIMAL_FAULT.format],
    ['1 000', DECIMAL_FAULT.format],
    ['--1', DECIMAL_FAULT.format],
    ['12.345', DECIMAL_FAULT.scale],
    ['12345678901234', DECIMAL_FAULT.range],
  ])('refuses %j', (text, fault) => {
    expect(canonical(text)).toBe(fault);
  });

  it('reads decimal commas and thousands dots when the profile declares them, in groups of three', () => {
    const european = inPlace((s, a, b) => parseAmount(s, a, b, COMMA, DOT));
    expect(european('1.234,50')).toBe('1234.50');
    expect(european('-1.234.567')).toBe('-1234567');
    expect(european('12,5')).toBe('12.5');
    expect(european('1234,50')).toBe('1234.50');
    expect(european('12.345')).toBe('12345');
    expect(european('1.23,5')).toBe(DECIMAL_FAULT.format);
    expect(european('1234.567')).toBe(DECIMAL_FAULT.format);
    expect(european('.123')).toBe(DECIMAL_FAULT.format);
    expect(european('1.2345')).toBe(DECIMAL_FAULT.format);
    expect(european('12.50')).toBe(DECIMAL_FAULT.format);
  });
});

describe('parseDate', () => {
  const iso = compileDateFormat('YYYY-MM-DD');
  const european = compileDateFormat('DD/MM/YYYY');
  const compact = compileDateFormat('YYYYMMDD');

  it('reads real dates in the declared format as YYYY-MM-DD', () => {
    expect(inPlace((s, a, b) => parseDate(s, a, b, iso))('2024-02-29')).toBe('2024-02-29');
    expect(inPlace((s, a, b) => parseDate(s, a, b, european))('31/12/2023')).toBe('2023-12-31');
    expect(inPlace((s, a, b) => parseDate(s, a, b, compact))('20000229')).toBe('2000-02-29');
  });

  it.each([
    ['2024-02-30', DATE_FAULT.notReal],
    ['2023-02-29', DATE_FAULT.notReal],
    ['1900-02-29', DATE_FAULT.notReal],
    ['2024-04-31', DATE_FAULT.notReal],
    ['2024-13-01', DATE_FAULT.notReal],
    ['2024-00-10', DATE_FAULT.notReal],
    ['2024-01-00', DATE_FAULT.notReal],
    ['0999-01-01', DATE_FAULT.range],
    ['2024/01/01', DATE_FAULT.format],
    ['2024-1-01', DATE_FAULT.format],
    ['24-01-01', DATE_FAULT.format],
    ['2024-01-0a', DATE_FAULT.format],
    ['2024-01-01T00', DATE_FAULT.format],
  ])('refuses %j', (text, fault) => {
    expect(inPlace((s, a, b) => parseDate(s, a, b, iso))(text)).toBe(fault);
  });

  it('refuses formats that are not YYYY, MM, DD and separators', () => {
    expect(() => compileDateFormat('YYYY-MM')).toThrow('DD is missing');
    expect(() => compileDateFormat('YY-MM-DD')).toThrow(/neither YYYY/);
    expect(() => compileDateFormat('YYYY-MM-DD-DD')).toThrow('DD appears twice');
  });
});

describe('parseTime', () => {
  it('reads HH:MM:SS within the day', () => {
    const time = inPlace(parseTime);
    expect(time('00:00:00')).toBe('00:00:00');
    expect(time('23:59:59')).toBe('23:59:59');
    for (const bad of ['24:00:00', '12:60:00', '12:00:60', '1:00:00', '12:00', '12-00-00', 'ab:cd:ef']) expect(time(bad)).toBeNull();
  });
});

describe('parseCardNo', () => {
  const card = inPlace(parseCardNo);

  it('keeps masked PANs as given', () => {
    expect(card('411111******1111')).toBe('411111******1111');
    expect(card('411111XXX1111')).toBe('411111XXX1111');
    expect(card('411111*********1111')).toBe('411111*********1111');
  });

  it('masks full PANs, grouped or not, Luhn or not', () => {
    expect(card('4111111111111111')).toBe('411111******1111');
    expect(card('4111 1111 1111 1111')).toBe('411111******1111');
    expect(card('4111-1111-1111-1112')).toBe('411111******1112');
    expect(card('4111111111111')).toBe('411111***1111');
    expect(card('4111111111111111111')).toBe('411111*********1111');
  });

  it.each([
    '4111',
    '411111**1111',
    '41111******1111',
    '411111******111',
    '4111111111111111111111',
    '4111  1111 1111 1111',
    ' 4111',
    'abcd',
    '411111*****11111',
    '411111**1*1**1111',
  ])('refuses %j', (text) => {
    expect(card(text)).toBeNull();
  });
});

describe('codes and identifiers', () => {
  it('reads currencies in any case, upper-cased', () => {
    const currency = inPlace(parseCurrency);
    expect(currency('usd')).toBe('USD');
    expect(currency('Vnd')).toBe('VND');
    for (const bad of ['US', 'USDT', 'XYZ', 'U$D', '']) expect(currency(bad)).toBeNull();
  });

  it('reads transaction types in any case', () => {
    const type = inPlace(parseTransType);
    expect(type('PURCHASE')).toBe('PURCHASE');
    expect(type('reversal')).toBe('REVERSAL');
    expect(type('Cash')).toBe('CASH');
    expect(type('ChargeBack')).toBe('CHARGEBACK');
    expect(type('refund')).toBe('REFUND');
    for (const bad of ['PAYMENT', 'PURCHASES', 'REF', '']) expect(type(bad)).toBeNull();
  });

  it('checks DOC_IDT and MCC', () => {
    const doc = inPlace(validDocIdt);
    expect(doc('A-b_9')).toBe(true);
    expect(doc('x'.repeat(32))).toBe(true);
    for (const bad of ['', 'x'.repeat(33), 'a b', 'a/b', 'é']) expect(doc(bad)).toBe(false);
    const mcc = inPlace(parseMcc);
    expect(mcc('5411')).toBe('5411');
    for (const bad of ['541', '54111', '54a1']) expect(mcc(bad)).toBeNull();
  });

  it('trims blanks around a cell', () => {
    const s = '  a b \t';
    expect([trimStart(s, 0, s.length), trimEnd(s, 0, s.length)]).toEqual([2, 5]);
    expect(trimEnd('   ', trimStart('   ', 0, 3), 3)).toBe(3);
  });
});

describe('echo and maskCardNumbers', () => {
  it('never echoes a card number and cuts at 40 characters', () => {
    expect(echo('4111111111111111')).toBe('411111******1111');
    expect(echo('card 4111 1111 1111 1112 end')).toBe('card 411111******1112 end');
    expect(echo('x'.repeat(100))).toBe(`${'x'.repeat(40)}…`);
    expect(echo(`${'x'.repeat(50)}4111111111111111`)).toBe(`${'x'.repeat(40)}…`);
    expect(echo('2024-02-30')).toBe('2024-02-30');
  });

  it('masks Luhn-valid card numbers in text, plain or grouped', () => {
    expect(maskCardNumbers('a,4111111111111111,b')).toBe('a,411111******1111,b');
    expect(maskCardNumbers('a,"4111 1111 1111 1111",b')).toBe('a,"411111******1111",b');
    expect(maskCardNumbers('a,5500-0000-0000-0004,b')).toBe('a,550000******0004,b');
    expect(maskCardNumbers('a,1234 5678 9012 3456,b')).toBe('a,1234 5678 9012 3456,b');
    expect(maskCardNumbers('2024-01-15,12.50')).toBe('2024-01-15,12.50');
  });
});
