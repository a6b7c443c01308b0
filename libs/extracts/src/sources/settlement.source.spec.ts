import { settlementAggregateCells, settlementDetailedCells } from './settlement.source';

describe('settlementAggregateCells', () => {
  it('normalises the exact sums to 2 decimals and takes net = gross − fees on BigInts', () => {
    // What SQLite's decimal_sum answers (4 decimals) and PostgreSQL/MySQL (2 decimals).
    const cells = settlementAggregateCells({
      period_start: '2021-01-04',
      currency: 'VND',
      count: '3',
      gross: '99999999999999.9900',
      fees: '0.03',
      refund_count: 1,
      refund_total: '-0.01',
    });
    expect(cells).toEqual(['2021-01-04', 'VND', '3', '99999999999999.99', '0.03', '99999999999999.96', '1', '-0.01']);
  });

  it('a net below zero keeps its sign', () => {
    expect(settlementAggregateCells({ period_start: 'p', currency: 'USD', count: 1, gross: 0.5, fees: 1, refund_count: 0, refund_total: 0 })).toEqual([
      'p',
      'USD',
      '1',
      '0.50',
      '1.00',
      '-0.50',
      '0',
      '0.00',
    ]);
  });
});

describe('settlementDetailedCells', () => {
  const row = (overrides: Partial<Record<number, unknown>> = {}) => {
    const base: unknown[] = [
      '2021-01-04',
      'DOC1',
      '2021-01-05',
      '10:00:00',
      12.5,
      'VND',
      '411111******1111',
      'M1',
      'T1',
      '5411',
      'RRN1',
      'AUTH01',
      'PURCHASE',
      null,
      null,
    ];
    for (const [i, value] of Object.entries(overrides)) base[Number(i)] = value;
    return base;
  };

  it('writes amounts with 2 decimals and nulls as empty cells', () => {
    expect(settlementDetailedCells(row({ 3: null, 13: '-0.5', 14: '2021-01-06' }))).toEqual([
      '2021-01-04',
      'DOC1',
      '2021-01-05',
      '',
      '12.50',
      'VND',
      '411111******1111',
      'M1',
      'T1',
      '5411',
      'RRN1',
      'AUTH01',
      'PURCHASE',
      '-0.50',
      '2021-01-06',
    ]);
  });

  it('neutralises text cells but never the amounts', () => {
    const cells = settlementDetailedCells(row({ 1: '-DOC', 4: '-12.00', 7: '=cmd', 10: '@x', 11: '+1', 13: '-1.00' }));
    expect(cells[1]).toBe("'-DOC");
    expect(cells[4]).toBe('-12.00');
    expect([cells[7], cells[10], cells[11]]).toEqual(["'=cmd", "'@x", "'+1"]);
    expect(cells[13]).toBe('-1.00');
  });

  it('masks a full PAN that reached the table anyway', () => {
    expect(settlementDetailedCells(row({ 6: '4111111111111111' }))[6]).toBe('411111******1111');
  });
});
