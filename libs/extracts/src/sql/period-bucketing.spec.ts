import { extractSql } from './period-bucketing';

describe('extractSql', () => {
  it.each([
    ['postgres', 'postgres'],
    ['mysql', 'mysql'],
    ['mariadb', 'mysql'],
    ['better-sqlite3', 'sqlite'],
  ])('a %s data source gets the %s SQL', (type, dialect) => {
    expect(extractSql(type).dialect).toBe(dialect);
  });

  it('PostgreSQL buckets a DATE as a plain timestamp, so the session time zone cannot shift it', () => {
    expect(extractSql('postgres').periodStart('c.trans_date', 'week', 'date')).toBe("to_char(date_trunc('week', c.trans_date::timestamp), 'YYYY-MM-DD')");
    expect(extractSql('postgres').periodStart('t.occurred_at', 'week')).toBe("to_char(date_trunc('week', t.occurred_at), 'YYYY-MM-DD')");
  });

  it('only SQLite sums through decimal_sum', () => {
    expect(extractSql('better-sqlite3').sum('x')).toBe('decimal_sum(x)');
    expect(extractSql('mariadb').sum('x')).toBe('SUM(x)');
  });
});
