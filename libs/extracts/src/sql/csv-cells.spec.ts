import { CURRENCY_MINOR_UNITS } from '@app/core';
import { postgresCsvCells } from './csv-cells';

describe('postgresCsvCells: the SQL side of neutralise and normaliseDecimal', () => {
  it('neutralises exactly the characters neutralise() does', () => {
    const sql = postgresCsvCells.text('c');
    const codes = /ascii\(c\) IN \(([\d, ]+)\)/
      .exec(sql)?.[1]
      .split(', ')
      .map((code) => String.fromCharCode(Number(code)));
    expect(codes?.sort()).toEqual(['=', '+', '-', '@', '\t', '\r'].sort());
    expect(sql).toContain("ELSE NULLIF(c, '')");
  });

  it('gives every known currency the minor units of CURRENCY_MINOR_UNITS, and no unknown code any', () => {
    const sql = postgresCsvCells.money('t.amount', 't.currency');
    const units: Record<string, number> = {};
    for (const [, list, unit] of sql.matchAll(/WHEN t\.currency IN \(([^)]*)\) THEN (\d)/g)) {
      for (const code of list.split(', ')) units[code.replace(/'/g, '')] = Number(unit);
    }
    expect(units).toEqual(CURRENCY_MINOR_UNITS);
    // No ELSE in the units CASE: an unknown code gives NULL, which fails the exactness test below.
    expect(sql).toMatch(/THEN \d END\)/);
  });

  it('writes the rounded amount only when rounding changes nothing, and fails the statement otherwise', () => {
    const sql = postgresCsvCells.money('a', 'c');
    expect(sql).toMatch(/^CASE WHEN round\(a, CASE .* END\) = a THEN round\(a, CASE .* END\)::text ELSE \(.*\)::numeric::text END$/);
  });
});
