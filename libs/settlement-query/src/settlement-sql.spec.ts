import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SettlementListQuery } from './settlement-list-query';
import { SqlDialect, countStatement, dialectOf, pageStatement } from './settlement-sql';

const base: SettlementListQuery = {
  filter: null,
  dateFrom: null,
  dateTo: null,
  sort: { column: 'DOC_IDT', order: 'asc' },
  skip: 0,
  limit: 10,
  after: null,
};

/** The statements reviewed in settlement-sql.md: one per shape of query. */
const CASES: Array<[string, SettlementListQuery]> = [
  ['default page', base],
  [
    'filter MERCHANT_ID, sort TRANS_DATE desc, dates, offset',
    {
      ...base,
      filter: { column: 'MERCHANT_ID', value: 'M1' },
      sort: { column: 'TRANS_DATE', order: 'desc' },
      dateFrom: '2026-01-01',
      dateTo: '2026-01-31',
      skip: 20,
    },
  ],
  [
    'filter AMOUNT, cursor on AMOUNT asc',
    { ...base, filter: { column: 'AMOUNT', value: '100.50' }, sort: { column: 'AMOUNT', order: 'asc' }, after: { sortValue: '100.50', docIdt: 'D9' } },
  ],
  ['cursor on a nullable column, desc', { ...base, sort: { column: 'SETTLE_DATE', order: 'desc' }, after: { sortValue: '2026-01-02', docIdt: 'D9' } }],
  ['cursor inside the NULLs of a nullable column, asc', { ...base, sort: { column: 'MERCHANT_ID', order: 'asc' }, after: { sortValue: null, docIdt: 'D9' } }],
  ['cursor on DOC_IDT desc', { ...base, sort: { column: 'DOC_IDT', order: 'desc' }, after: { sortValue: 'D9', docIdt: 'D9' } }],
];
const DIALECTS: SqlDialect[] = ['mysql', 'postgres', 'sqlite'];
const FILE = join(__dirname, 'settlement-sql.md');

function render(): string {
  const parts = [
    '# Settlement query SQL',
    '',
    'What `settlement-sql.ts` builds, per dialect, for each shape of query. Generated and checked by',
    '`settlement-sql.spec.ts` (`UPDATE_SQL=1 npx jest libs/settlement-query/src/settlement-sql.spec.ts --selectProjects unit`',
    'rewrites it), so a change to the SQL shows in review. Values are bound parameters, listed under each statement.',
  ];
  const block = (title: string, statement: { sql: string; params: unknown[] }) =>
    parts.push('', `### ${title}`, '', '```sql', statement.sql, '```', '', `params: \`${JSON.stringify(statement.params)}\``);
  for (const [title, query] of CASES) {
    parts.push('', `## ${title}`);
    for (const dialect of DIALECTS) block(dialect, pageStatement(dialect, query));
  }
  parts.push('', '## total (filter and dates)');
  for (const dialect of DIALECTS) block(dialect, countStatement(dialect, CASES[1][1]));
  return `${parts.join('\n')}\n`;
}

describe('settlement SQL', () => {
  it('is the SQL committed in settlement-sql.md', () => {
    const rendered = render();
    // Jest runs product tests with TZ set by setup-env; this switch only regenerates the reviewed file.
    if (process.env.UPDATE_SQL === '1') writeFileSync(FILE, rendered);
    expect(readFileSync(FILE, 'utf8')).toBe(rendered);
  });

  it('binds every value and never splices one into the SQL', () => {
    const hostile = "x' OR '1'='1";
    const query: SettlementListQuery = {
      ...base,
      filter: { column: 'RRN', value: hostile },
      sort: { column: 'MERCHANT_ID', order: 'desc' },
      dateFrom: hostile,
      after: { sortValue: hostile, docIdt: hostile },
    };
    for (const dialect of DIALECTS) {
      const { sql, params } = pageStatement(dialect, query);
      expect(sql).not.toContain(hostile);
      expect(params.filter((p) => p === hostile).length).toBeGreaterThanOrEqual(4);
    }
  });

  it('asks for one record more than the limit, to know whether another page follows', () => {
    expect(pageStatement('sqlite', { ...base, limit: 10 }).params).toEqual([11]);
  });

  it('numbers PostgreSQL placeholders in order of their values', () => {
    const { sql, params } = pageStatement('postgres', CASES[2][1]);
    const numbers = [...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
    expect(numbers).toEqual(params.map((_, i) => i + 1));
  });

  it('refuses a row count that is not a whole number', () => {
    expect(() => pageStatement('mysql', { ...base, skip: -1 })).toThrow(/Not a row count/);
    expect(() => pageStatement('mysql', { ...base, limit: 1.5 })).toThrow(/Not a row count/);
  });

  it('knows the three dialects by their TypeORM driver type', () => {
    expect(['mysql', 'mariadb', 'postgres', 'better-sqlite3'].map(dialectOf)).toEqual(['mysql', 'mysql', 'postgres', 'sqlite']);
    expect(() => dialectOf('oracle')).toThrow(/No settlement query SQL/);
  });
});
