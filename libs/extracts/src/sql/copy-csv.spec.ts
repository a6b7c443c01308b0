import { inlineParams } from './copy-csv';

describe('inlineParams (COPY takes no bound parameters)', () => {
  const escape = (text: string) => `'${text.replace(/'/g, "''")}'`;

  it('replaces each placeholder, in order, by the escaped literal of its parameter', () => {
    expect(inlineParams('SELECT a FROM t WHERE u = ? AND at >= ? AND n < ?', ["o'brien", new Date('2024-01-02T03:04:05.006Z'), 7], escape)).toBe(
      "SELECT a FROM t WHERE u = 'o''brien' AND at >= '2024-01-02T03:04:05.006Z' AND n < 7",
    );
  });

  it('refuses a count of parameters that does not match the placeholders', () => {
    expect(() => inlineParams('a = ? AND b = ?', ['x'], escape)).toThrow(/placeholders than parameters/);
    expect(() => inlineParams('a = ?', ['x', 'y'], escape)).toThrow(/parameters than placeholders/);
  });

  it('refuses what it cannot write as a literal rather than guess', () => {
    expect(() => inlineParams('a = ?', [null], escape)).toThrow(/object/);
    expect(() => inlineParams('a = ?', [Number.NaN], escape)).toThrow(/number/);
  });
});
