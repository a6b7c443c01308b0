import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SETTLEMENT_DB } from '@app/database';
import { CardTransaction, SETTLEMENT_COLUMNS, SettlementDataVersion } from '@app/settlement-ingest';
import { CursorCodec } from '@app/settlement-query';
import { CreatedUser, ServerKind, TestApp, createTestApp, createUser, loginAdmin, target } from '@app/testing';

/**
 * GET /api/transactions and GET / (§HTTP), run by settlement-query.e2e-spec.ts (embedded SQLite; MariaDB
 * + Redis in the integration tier) and by test/integration/settlement-query.int-spec.ts (PostgreSQL). Records are written straight into card_transactions and the data
 * version bumped, as an ingest commit does. Every record here has a TRANS_DATE in 1990 (or 2099 for
 * the "most recent" ones), so whatever else is in the database cannot change what these tests see.
 */

export type Row = Record<(typeof SETTLEMENT_COLUMNS)[number], string | null>;

const TRANS_TYPES = ['PURCHASE', 'REFUND', 'REVERSAL', 'CHARGEBACK', 'CASH'];
const RANGE = { date_from: '1990-01-01', date_to: '1990-12-31' };

/** A record as the API shows it, built from a number so values repeat (ties) and some cells are empty. */
export function record(i: number, docPrefix = 'Q1990'): Row {
  const cents = ((i * 7919) % 200_001) - 50_000; // negative ones are refunds
  const amount = `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;
  return {
    DOC_IDT: `${docPrefix}${String(i).padStart(5, '0')}`,
    TRANS_DATE: `1990-${String(1 + (i % 3)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
    TRANS_TIME: i % 5 === 0 ? null : `${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:07`,
    AMOUNT: amount,
    CURRENCY: i % 4 === 0 ? 'USD' : 'VND',
    CARD_NO: i % 6 === 0 ? null : `411111******${String(1000 + (i % 9)).slice(-4)}`,
    MERCHANT_ID: i % 7 === 0 ? null : `M${String(i % 5).padStart(3, '0')}`,
    TERMINAL_ID: i % 3 === 0 ? null : `T${String(i % 11).padStart(4, '0')}`,
    MCC: i % 2 === 0 ? '5411' : null,
    RRN: `R${String(i).padStart(8, '0')}`,
    AUTH_CODE: i % 8 === 0 ? null : `A${String(i % 1000).padStart(5, '0')}`,
    TRANS_TYPE: TRANS_TYPES[i % TRANS_TYPES.length],
    FEE: i % 4 === 0 ? null : `${i % 50}.${String(i % 100).padStart(2, '0')}`,
    SETTLE_DATE: i % 5 === 1 ? null : `1990-04-${String(1 + (i % 20)).padStart(2, '0')}`,
  };
}

export function toEntity(row: Row, line: number): CardTransaction {
  return {
    docIdt: row.DOC_IDT!,
    transDate: row.TRANS_DATE!,
    transTime: row.TRANS_TIME,
    amount: row.AMOUNT!,
    currency: row.CURRENCY!,
    cardNo: row.CARD_NO,
    merchantId: row.MERCHANT_ID,
    terminalId: row.TERMINAL_ID,
    mcc: row.MCC,
    rrn: row.RRN,
    authCode: row.AUTH_CODE,
    transType: row.TRANS_TYPE as CardTransaction['transType'],
    fee: row.FEE,
    settleDate: row.SETTLE_DATE,
    fileId: '00000000-0000-4000-8000-00000000e2e0',
    line,
  };
}

const DECIMALS = new Set(['AMOUNT', 'FEE']);
const scaled = (value: string) => BigInt(value.replace('.', ''));

/** The order the API promises, computed independently: NULL lowest, amounts as numbers, ties by DOC_IDT. */
export function sorted(rows: Row[], column: keyof Row, order: 'asc' | 'desc'): Row[] {
  const compare = (a: Row, b: Row): number => {
    const [x, y] = [a[column], b[column]];
    let result: number;
    if (x === null || y === null) result = x === y ? 0 : x === null ? -1 : 1;
    else if (DECIMALS.has(column)) result = scaled(x) < scaled(y) ? -1 : scaled(x) > scaled(y) ? 1 : 0;
    else result = x < y ? -1 : x > y ? 1 : 0;
    if (result === 0) result = a.DOC_IDT! < b.DOC_IDT! ? -1 : 1;
    return order === 'asc' ? result : -result;
  };
  return [...rows].sort(compare);
}

/**
 * The suite, on the servers of the tier running it: embedded SQLite (e2e), or PostgreSQL finance +
 * MariaDB settlement + Redis (integration) unless `servers` says otherwise.
 */
export function describeSettlementQuery(servers?: { finance: ServerKind; settlement: ServerKind }): void {
  describe(`settlement query on ${target() === 'embedded' ? 'SQLite' : (servers?.settlement ?? 'mysql')}: GET /api/transactions and GET /`, () => {
    let t: TestApp;
    let admin: string;
    let operator: CreatedUser;
    let user: CreatedUser;
    let dataSource: DataSource;
    const rows: Row[] = Array.from({ length: 120 }, (_, i) => record(i + 1));

    const insert = async (batch: Row[], firstLine = 2) => {
      await dataSource.getRepository(CardTransaction).insert(batch.map((row, i) => toEntity(row, firstLine + i)));
    };
    /** What an ingest does after it commits. */
    const bump = () => t.app.get(SettlementDataVersion).bump();
    /** GET /api/transactions as the operator, or with another token, or (null) with none. */
    const list = (query: Record<string, string | number>, token: string | null = operator.token) => {
      const req = t.http().get('/api/transactions').query(query);
      return token === null ? req : req.auth(token, { type: 'bearer' });
    };
    /** Every record of a query, walking next_cursor pages. */
    const walk = async (query: Record<string, string | number>) => {
      const seen: Row[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 200; pages++) {
        const page: Record<string, string | number> = cursor ? { ...query, cursor } : query;
        const res: { body: { transactions: Row[]; next_cursor: string | null } } = await list(page).expect(200);
        seen.push(...res.body.transactions);
        cursor = res.body.next_cursor;
        if (!cursor) return seen;
      }
      throw new Error('cursor never ended');
    };

    beforeAll(async () => {
      t = await createTestApp({}, servers);
      admin = await loginAdmin(t);
      operator = await createUser(t, admin, { role: 'operator' });
      user = await createUser(t, admin, { role: 'user' });
      dataSource = t.app.get<DataSource>(getDataSourceToken(SETTLEMENT_DB));
      await insert(rows);
      await bump();
    }, 60_000);
    afterAll(() => t?.close());

    describe('who may read', () => {
      it('no token: 401', async () => {
        const res = await list(RANGE, null).expect(401);
        expect(res.body).toMatchObject({ statusCode: 401, message: 'Missing or invalid token', requestId: expect.any(String) });
      });

      it('a user token: 403', async () => {
        const res = await list(RANGE, user.token).expect(403);
        expect(res.body.message).toBe('This needs the operator role');
      });

      it('an operator and an admin: 200', async () => {
        await list(RANGE).expect(200);
        await list(RANGE, admin).expect(200);
      });
    });

    describe('the answer', () => {
      it('records keyed by the file’s column names, amounts as decimal strings, empty cells null', async () => {
        const res = await list({ ...RANGE, filter_by: 'DOC_IDT', filter_value: 'Q199000020' }).expect(200);
        expect(res.body).toEqual({ transactions: [rows[19]], total: 1, skip: 0, limit: 10, next_cursor: null });
        const [only] = res.body.transactions;
        expect(Object.keys(only)).toEqual([...SETTLEMENT_COLUMNS]);
        expect(only.FEE).toBeNull(); // 20 % 4 === 0
        expect(typeof only.AMOUNT).toBe('string');
        expect(only.AMOUNT).toMatch(/^-?\d+\.\d{2}$/);
      });

      it('defaults: 10 records sorted by DOC_IDT ascending, with total and a cursor', async () => {
        const res = await list(RANGE).expect(200);
        expect(res.body.transactions).toEqual(sorted(rows, 'DOC_IDT', 'asc').slice(0, 10));
        expect(res.body).toMatchObject({ total: rows.length, skip: 0, limit: 10, next_cursor: expect.any(String) });
      });

      it('date_from and date_to include both ends', async () => {
        const res = await list({ date_from: '1990-01-05', date_to: '1990-02-05', limit: 1000 }).expect(200);
        const expected = rows.filter((r) => r.TRANS_DATE! >= '1990-01-05' && r.TRANS_DATE! <= '1990-02-05');
        expect(expected.some((r) => r.TRANS_DATE === '1990-01-05') && expected.some((r) => r.TRANS_DATE === '1990-02-05')).toBe(true);
        expect(res.body.total).toBe(expected.length);
        expect(res.body.transactions).toEqual(sorted(expected, 'DOC_IDT', 'asc'));
      });
    });

    describe('sorting', () => {
      const columns = ['TRANS_DATE', 'AMOUNT', 'MERCHANT_ID', 'TERMINAL_ID', 'SETTLE_DATE', 'FEE', 'TRANS_TIME', 'DOC_IDT'] as const;
      it.each(
        columns.flatMap(
          (c) =>
            [
              [c, 'asc'],
              [c, 'desc'],
            ] as const,
        ),
      )('by %s %s: NULL lowest, ties by DOC_IDT', async (column, order) => {
        const res = await list({ ...RANGE, sort_by: column, sort_order: order, limit: 1000 }).expect(200);
        expect(res.body.transactions).toEqual(sorted(rows, column, order));
      });

      it('column names and sort_order in any letter case', async () => {
        const res = await list({ ...RANGE, sort_by: 'amount', sort_order: 'DESC', limit: 5 }).expect(200);
        expect(res.body.transactions).toEqual(sorted(rows, 'AMOUNT', 'desc').slice(0, 5));
      });
    });

    describe('filtering (exact match, typed by the column)', () => {
      const cases: Array<[string, string, (r: Row) => boolean]> = [
        ['MERCHANT_ID', 'M003', (r) => r.MERCHANT_ID === 'M003'],
        ['merchant_id', 'M003', (r) => r.MERCHANT_ID === 'M003'],
        ['AMOUNT', rows[9].AMOUNT!.replace(/0$/, ''), (r) => r.AMOUNT === rows[9].AMOUNT],
        ['TRANS_DATE', '1990-02-03', (r) => r.TRANS_DATE === '1990-02-03'],
        ['SETTLE_DATE', '1990-04-08', (r) => r.SETTLE_DATE === '1990-04-08'],
        ['TRANS_TYPE', 'refund', (r) => r.TRANS_TYPE === 'REFUND'],
        ['TRANS_TIME', rows[0].TRANS_TIME!, (r) => r.TRANS_TIME === rows[0].TRANS_TIME],
        ['CURRENCY', 'USD', (r) => r.CURRENCY === 'USD'],
        ['MCC', '5411', (r) => r.MCC === '5411'],
        ['FEE', '1.01', (r) => r.FEE === '1.01'],
        ['TERMINAL_ID', 'T0004', (r) => r.TERMINAL_ID === 'T0004'],
        ['AUTH_CODE', 'A00011', (r) => r.AUTH_CODE === 'A00011'],
        ['RRN', 'R00000042', (r) => r.RRN === 'R00000042'],
        ['CARD_NO', '411111******1003', (r) => r.CARD_NO === '411111******1003'],
      ];
      it.each(cases)('%s = %s', async (column, value, match) => {
        const expected = rows.filter(match);
        expect(expected.length).toBeGreaterThan(0);
        const res = await list({ ...RANGE, filter_by: column, filter_value: value, limit: 1000 }).expect(200);
        expect(res.body.total).toBe(expected.length);
        expect(res.body.transactions).toEqual(sorted(expected, 'DOC_IDT', 'asc'));
      });

      it('text is matched with its letter case as stored', async () => {
        const res = await list({ ...RANGE, filter_by: 'MERCHANT_ID', filter_value: 'm003' }).expect(200);
        expect(res.body).toMatchObject({ transactions: [], total: 0, next_cursor: null });
      });

      it('a full card number is masked, then matched', async () => {
        const full = '4111111111111003';
        const res = await list({ ...RANGE, filter_by: 'CARD_NO', filter_value: full, limit: 1000 }).expect(200);
        expect(res.body.total).toBe(rows.filter((r) => r.CARD_NO === '411111******1003').length);
        expect(JSON.stringify(t.logs)).not.toContain(full);
      });

      it('filter, dates and sort together, with the total of the filter', async () => {
        const query = {
          filter_by: 'MERCHANT_ID',
          filter_value: 'M001',
          date_from: '1990-02-01',
          date_to: '1990-03-31',
          sort_by: 'AMOUNT',
          sort_order: 'desc',
          limit: 3,
        };
        const expected = sorted(
          rows.filter((r) => r.MERCHANT_ID === 'M001' && r.TRANS_DATE! >= '1990-02-01'),
          'AMOUNT',
          'desc',
        );
        const res = await list(query).expect(200);
        expect(res.body.total).toBe(expected.length);
        expect(res.body.transactions).toEqual(expected.slice(0, 3));
      });
    });

    describe('paging', () => {
      it('skip and limit: consecutive pages are the sorted list, cut', async () => {
        const all = sorted(rows, 'AMOUNT', 'asc');
        const pages = [];
        for (let skip = 0; skip < rows.length; skip += 25) {
          const res = await list({ ...RANGE, sort_by: 'AMOUNT', skip, limit: 25 }).expect(200);
          expect(res.body.skip).toBe(skip);
          pages.push(...res.body.transactions);
        }
        expect(pages).toEqual(all);
      });

      it.each([
        ['TRANS_DATE', 'desc'],
        ['AMOUNT', 'asc'],
        ['MERCHANT_ID', 'asc'],
        ['MERCHANT_ID', 'desc'],
        ['SETTLE_DATE', 'desc'],
        ['FEE', 'asc'],
        ['DOC_IDT', 'desc'],
      ] as const)('the cursor walks every record once, by %s %s (NULLs and ties included)', async (column, order) => {
        const seen = await walk({ ...RANGE, sort_by: column, sort_order: order, limit: 7 });
        expect(seen).toEqual(sorted(rows, column, order));
      });

      it('the cursor walks a filtered query, and the last page has no next_cursor', async () => {
        const expected = sorted(
          rows.filter((r) => r.CURRENCY === 'VND'),
          'TERMINAL_ID',
          'asc',
        );
        const seen = await walk({ ...RANGE, filter_by: 'CURRENCY', filter_value: 'VND', sort_by: 'TERMINAL_ID', limit: 9 });
        expect(seen).toEqual(expected);
      });

      it('a cursor page says skip 0 and keeps the limit', async () => {
        const first = await list({ ...RANGE, limit: 4 }).expect(200);
        const second = await list({ ...RANGE, limit: 4, cursor: first.body.next_cursor }).expect(200);
        expect(second.body).toMatchObject({ skip: 0, limit: 4, total: rows.length });
        expect(second.body.transactions).toEqual(sorted(rows, 'DOC_IDT', 'asc').slice(4, 8));
      });
    });

    describe('bad input and attacks: 400 naming the parameter, the table untouched', () => {
      const bad: Array<[string, Record<string, string | number>, string]> = [
        ['an injection in filter_by', { filter_by: 'AMOUNT;DROP TABLE card_transactions', filter_value: '1' }, 'filter_by'],
        ['a subquery in sort_by', { sort_by: '(select 1)' }, 'sort_by'],
        ['an unknown column', { sort_by: 'PASSWORD' }, 'sort_by'],
        ['an SQL comment in filter_by', { filter_by: 'AMOUNT--', filter_value: '1' }, 'filter_by'],
        ['limit=0', { limit: 0 }, 'limit'],
        ['limit=100000', { limit: 100000 }, 'limit'],
        ['limit=1e3', { limit: '1e3' }, 'limit'],
        ['skip=-1', { skip: -1 }, 'skip'],
        ['skip=abc', { skip: 'abc' }, 'skip'],
        ['skip=1.5', { skip: '1.5' }, 'skip'],
        ['sort_order=sideways', { sort_order: 'sideways' }, 'sort_order'],
        ['an unknown parameter', { page: 2 }, 'page'],
        ['filter_value alone', { filter_value: 'x' }, 'filter_by'],
        ['filter_by alone', { filter_by: 'AMOUNT' }, 'filter_value'],
        ['an amount that is not a number', { filter_by: 'AMOUNT', filter_value: '1 OR 1=1' }, 'filter_value'],
        ['an amount with 3 decimals', { filter_by: 'AMOUNT', filter_value: '1.234' }, 'filter_value'],
        ['an impossible date', { filter_by: 'TRANS_DATE', filter_value: '2024-02-30' }, 'filter_value'],
        ['a time out of range', { filter_by: 'TRANS_TIME', filter_value: '24:00:00' }, 'filter_value'],
        ['an MCC of letters', { filter_by: 'MCC', filter_value: '54a1' }, 'filter_value'],
        ['an unknown transaction type', { filter_by: 'TRANS_TYPE', filter_value: 'GIFT' }, 'filter_value'],
        ['a merchant id too long', { filter_by: 'MERCHANT_ID', filter_value: 'M'.repeat(16) }, 'filter_value'],
        ['a quote in DOC_IDT', { filter_by: 'DOC_IDT', filter_value: "x' OR '1'='1" }, 'filter_value'],
        ['an empty filter value', { filter_by: 'MERCHANT_ID', filter_value: '' }, 'filter_value'],
        ['date_from after date_to', { date_from: '1990-02-01', date_to: '1990-01-31' }, 'date_to'],
        ['a date that is not one', { date_from: '1990-13-01' }, 'date_from'],
        ['garbage as cursor', { cursor: 'not a cursor' }, 'cursor'],
      ];
      it.each(bad)('%s', async (_why, query, field) => {
        const res = await list(query).expect(400);
        expect(res.body.message).toContain(field);
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      });

      it('lists the allowed columns when a column is unknown', async () => {
        const res = await list({ filter_by: 'nope', filter_value: '1' }).expect(400);
        expect(res.body.details[0].problems[0]).toContain('DOC_IDT, TRANS_DATE, TRANS_TIME, AMOUNT');
      });

      it('the table is still there with every record', async () => {
        const res = await list({ ...RANGE, limit: 1 }).expect(200);
        expect(res.body.total).toBe(rows.length);
      });
    });

    describe('cursors', () => {
      let cursor: string;
      const query = { ...RANGE, sort_by: 'AMOUNT', sort_order: 'desc', limit: 5 };
      beforeAll(async () => {
        cursor = (await list(query).expect(200)).body.next_cursor;
      });

      it('a forged cursor (payload changed, signature kept): 400', async () => {
        const [body, mac] = cursor.split('.');
        const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
        payload.k = '-99999.00';
        const forged = `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${mac}`;
        const res = await list({ ...query, cursor: forged }).expect(400);
        expect(res.body.details[0]).toEqual({ field: 'cursor', problems: [expect.stringMatching(/not valid/)] });
      });

      it.each([
        ['another sort column', { sort_by: 'TRANS_DATE' }],
        ['another order', { sort_order: 'asc' }],
        ['a filter', { filter_by: 'CURRENCY', filter_value: 'VND' }],
        ['other dates', { date_from: '1990-01-02' }],
      ])('a cursor from another query (%s): 400', async (_why, change) => {
        const res = await list({ ...query, ...change, cursor }).expect(400);
        expect(res.body.details[0].problems[0]).toMatch(/belongs to another query/);
      });

      it('skip with a cursor: 400', async () => {
        const res = await list({ ...query, cursor, skip: 5 }).expect(400);
        expect(res.body.details[0].field).toBe('skip');
      });

      it('a cursor signed with another key (another deployment): 400', async () => {
        const [body] = cursor.split('.');
        const { q, k, i } = JSON.parse(Buffer.from(body, 'base64url').toString());
        const foreign = new CursorCodec('another-secret-key-of-at-least-32-bytes').encode(q, { sortValue: k, docIdt: i });
        const res = await list({ ...query, cursor: foreign }).expect(400);
        expect(res.body.details[0]).toEqual({ field: 'cursor', problems: [expect.stringMatching(/not valid/)] });
      });

      it('the same limit can change between pages', async () => {
        const res = await list({ ...query, limit: 2, cursor }).expect(200);
        expect(res.body.transactions).toEqual(sorted(rows, 'AMOUNT', 'desc').slice(5, 7));
      });
    });

    describe('cache', () => {
      const extra = Array.from({ length: 3 }, (_, i) => record(500 + i, 'Q1990N'));
      const query = { ...RANGE, filter_by: 'CURRENCY', filter_value: 'USD', limit: 1000 };

      it('answers from the cache until an ingest commits, then the next read shows the new rows', async () => {
        const before = await list(query).expect(200);
        const usd = rows.filter((r) => r.CURRENCY === 'USD').length;
        expect(before.body.total).toBe(usd);

        // Rows written without a bump are not seen: the answer is the cached one.
        const written = extra.map((r) => ({ ...r, CURRENCY: 'USD' }));
        await insert(written, 1000);
        expect((await list(query).expect(200)).body.total).toBe(usd);

        // The ingest reports completed after its bump: the very next read has the new rows.
        await bump();
        const after = await list(query).expect(200);
        expect(after.body.total).toBe(usd + written.length);
        expect(after.body.transactions).toEqual(sorted([...rows.filter((r) => r.CURRENCY === 'USD'), ...written], 'DOC_IDT', 'asc'));
      });

      it('a miss and a hit send the same bytes: the page as JSON, its fields in order, with the JSON content type', async () => {
        const query = { ...RANGE, filter_by: 'TRANS_TYPE', filter_value: 'REFUND', sort_by: 'AMOUNT', sort_order: 'desc', limit: 7 };
        await bump();
        const miss = await list(query).expect(200);
        const hit = await list(query).expect(200);
        for (const res of [miss, hit]) {
          expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
          expect(Object.keys(res.body as object)).toEqual(['transactions', 'total', 'skip', 'limit', 'next_cursor']);
          // What Fastify wrote for the page object before pages were cached as text.
          expect(res.text).toBe(JSON.stringify(res.body));
          expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.text)));
        }
        expect(hit.text).toBe(miss.text);
        expect(Object.keys((miss.body as { transactions: object[] }).transactions[0])).toEqual([...SETTLEMENT_COLUMNS]);
      });

      it('equivalent queries share one entry (column case, amount form)', async () => {
        const a = await list({ ...RANGE, filter_by: 'amount', filter_value: '100.5' }).expect(200);
        const b = await list({ ...RANGE, filter_by: 'AMOUNT', filter_value: '100.50' }).expect(200);
        expect(a.body).toEqual(b.body);
      });
    });

    describe('GET /', () => {
      const recent = Array.from({ length: 12 }, (_, i) => ({ ...record(900 + i, 'Q2099'), TRANS_DATE: `2099-12-${String(20 + (i % 4)).padStart(2, '0')}` }));
      beforeAll(async () => {
        await insert(recent, 3000);
        await bump();
      });

      it('anyone: a welcome and links, no records', async () => {
        const res = await t.http().get('/').expect(200);
        expect(res.body).toEqual({
          message: expect.stringMatching(/^Welcome/),
          links: expect.objectContaining({ docs: '/docs', transactions: '/api/transactions', token: '/api/token' }),
        });
      });

      it('a user token: the welcome without records', async () => {
        const res = await t.http().get('/').auth(user.token, { type: 'bearer' }).expect(200);
        expect(res.body.recent_transactions).toBeUndefined();
      });

      it('an operator token: also the 10 most recent records', async () => {
        const res = await t.http().get('/').auth(operator.token, { type: 'bearer' }).expect(200);
        expect(res.body.recent_transactions).toEqual(sorted(recent, 'TRANS_DATE', 'desc').slice(0, 10));
      });

      it('an invalid token: 401, not a silent anonymous answer', async () => {
        await t.http().get('/').auth('not-a-token', { type: 'bearer' }).expect(401);
      });
    });

    describe('Swagger', () => {
      it('documents every parameter, the allowed columns and examples', async () => {
        const doc = (await t.http().get('/docs-json').expect(200)).body;
        const operation = doc.paths['/api/transactions'].get;
        const parameters = Object.fromEntries(operation.parameters.map((p: { name: string }) => [p.name, p]));
        expect(Object.keys(parameters).sort()).toEqual(
          ['cursor', 'date_from', 'date_to', 'filter_by', 'filter_value', 'limit', 'skip', 'sort_by', 'sort_order'].sort(),
        );
        expect(parameters.filter_by.schema.enum).toEqual([...SETTLEMENT_COLUMNS]);
        expect(parameters.sort_by.schema.enum).toEqual([...SETTLEMENT_COLUMNS]);
        // Every parameter but the cursor has an example; all of them sent together answer 200
        // (openapi-examples.e2e-spec.ts). A cursor is only ever one the API issued: it is described instead.
        const { cursor, ...exemplified } = parameters as Record<string, { schema: { example?: unknown }; example?: unknown; description?: string }>;
        for (const p of Object.values(exemplified)) expect(p.schema.example ?? p.example).toBeDefined();
        expect(cursor.schema.example ?? cursor.example).toBeUndefined();
        expect(cursor.description).toMatch(/next_cursor/);
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
        expect(doc.paths['/'].get.responses['200']).toBeDefined();
      });
    });

    it(`runs against ${target() === 'services' ? `${servers?.settlement ?? 'mysql'} and Redis` : 'embedded SQLite and memory'}`, () => {
      expect(t.config.get('settlement').kind).toBe(target() === 'services' ? (servers?.settlement ?? 'mysql') : 'sqlite');
      expect(Boolean(t.config.get('redis'))).toBe(target() === 'services');
    });
  });
}
