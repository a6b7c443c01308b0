import { SETTLEMENT_COLUMNS } from '@app/settlement-ingest';
import { COLUMN_SPECS, parseColumnValue, resolveColumn } from './settlement-columns';

describe('resolveColumn', () => {
  it('accepts every settlement column in any letter case', () => {
    for (const name of SETTLEMENT_COLUMNS) {
      expect(resolveColumn(name)).toBe(name);
      expect(resolveColumn(name.toLowerCase())).toBe(name);
    }
    expect(resolveColumn('Trans_Date')).toBe('TRANS_DATE');
  });

  it.each(['AMOUNT;DROP TABLE x', '(select 1)', 'amount ', 'doc_idt--', 'id', '', 'file_id', 'line', 5, null, ['AMOUNT']])('refuses %p', (input) => {
    expect(resolveColumn(input)).toBeUndefined();
  });

  it('maps every column to a fixed SQL identifier', () => {
    for (const name of SETTLEMENT_COLUMNS) expect(COLUMN_SPECS[name].db).toMatch(/^[a-z_]+$/);
  });
});

describe('parseColumnValue', () => {
  const ok = (column: Parameters<typeof parseColumnValue>[0], raw: string) => {
    const parsed = parseColumnValue(column, raw);
    if (!parsed.ok) throw new Error(parsed.problem);
    return parsed.value;
  };
  const problem = (column: Parameters<typeof parseColumnValue>[0], raw: string) => {
    const parsed = parseColumnValue(column, raw);
    if (parsed.ok) throw new Error(`accepted ${raw} as ${parsed.value}`);
    return parsed.problem;
  };

  it('reads amounts and fees as decimals in stored form', () => {
    expect(ok('AMOUNT', '100.5')).toBe('100.50');
    expect(ok('AMOUNT', '-3')).toBe('-3.00');
    expect(ok('FEE', '0.01')).toBe('0.01');
    expect(ok('AMOUNT', '1234567890123.99')).toBe('1234567890123.99');
  });

  it.each(['abc', '1.234', '1e3', '1,000.00', '+1', '12345678901234', ' 1', '1 OR 1=1'])('refuses the amount %p', (raw) => {
    expect(problem('AMOUNT', raw)).toMatch(/^filter_value for AMOUNT /);
  });

  it('reads dates and times as real ones', () => {
    expect(ok('TRANS_DATE', '2024-02-29')).toBe('2024-02-29');
    expect(problem('TRANS_DATE', '2023-02-29')).toContain('YYYY-MM-DD');
    expect(problem('SETTLE_DATE', '2024-1-01')).toContain('YYYY-MM-DD');
    expect(ok('TRANS_TIME', '23:59:59')).toBe('23:59:59');
    expect(problem('TRANS_TIME', '24:00:00')).toContain('HH:MM:SS');
  });

  it('keeps text as it is (exact, letter case as stored), within the column length', () => {
    expect(ok('MERCHANT_ID', 'merch-01')).toBe('merch-01');
    expect(problem('MERCHANT_ID', 'M'.repeat(16))).toContain('at most 15');
    expect(problem('AUTH_CODE', 'ABCDEFG')).toContain('at most 6');
    expect(problem('RRN', 'a\u0000b')).toContain('control characters');
  });

  it('upper-cases a transaction type and refuses an unknown one', () => {
    expect(ok('TRANS_TYPE', 'refund')).toBe('REFUND');
    expect(problem('TRANS_TYPE', 'GIFT')).toContain('PURCHASE, REFUND');
  });

  it('checks DOC_IDT, CURRENCY and MCC formats', () => {
    expect(ok('DOC_IDT', 'A-1_b')).toBe('A-1_b');
    expect(problem('DOC_IDT', "x' OR '1'='1")).toContain('letters, digits');
    expect(problem('CURRENCY', 'vnd')).toContain('upper case');
    expect(problem('MCC', '54111')).toContain('4 digits');
  });

  it('masks a full card number before it is used, and accepts a masked one', () => {
    expect(ok('CARD_NO', '4111111111111111')).toBe('411111******1111');
    expect(ok('CARD_NO', '411111******1111')).toBe('411111******1111');
    expect(problem('CARD_NO', '4111')).toContain('masked card number');
  });

  it('refuses an empty value for every column', () => {
    for (const name of SETTLEMENT_COLUMNS) expect(problem(name, '')).toContain('must not be empty');
  });
});
