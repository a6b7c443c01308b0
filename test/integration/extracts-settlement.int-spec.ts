import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { FINANCE_DB, SETTLEMENT_DB } from '@app/database';
import { CardTransaction } from '@app/settlement-ingest';
import { CreatedUser, TestApp, createTestApp, createUser, loginAdmin, parseCsv, prng, waitForTask } from '@app/testing';

type Aggregation = 'day' | 'week' | 'month' | 'year';

/** More rows than one streamed batch (10,000), so cursors and streams hand over several batches. */
const ROWS = 25_000;
const FILE_ID = '00000000-0000-4000-8000-0000000f11e5';
const PERIOD = { start_date: '2020-06-01', end_date: '2021-06-30' };

function periodStart(day: string, aggregation: Aggregation): string {
  if (aggregation === 'day') return day;
  if (aggregation === 'month') return `${day.slice(0, 7)}-01`;
  if (aggregation === 'year') return `${day.slice(0, 4)}-01-01`;
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
  return date.toISOString().slice(0, 10);
}

const cents = (amount: string) => BigInt(amount.replace('.', ''));
const money = (value: bigint) => {
  const digits = (value < 0n ? -value : value).toString().padStart(3, '0');
  return `${value < 0n ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
};

interface Card {
  docIdt: string;
  transDate: string;
  amount: string;
  fee: string | null;
  currency: string;
}

/**
 * Settlement extracts with the two databases on different dialects: the period SQL must follow the
 * settlement data source (TRANS_DATE is a DATE), not the finance one. The e2e suite covers SQLite
 * (and, run in this tier, finance on PostgreSQL with settlement on MariaDB); this proves both
 * pairings with enough rows to stream several batches out of a PostgreSQL cursor and a MariaDB stream.
 */
describe.each([
  { finance: 'postgres', settlement: 'mysql', settlementType: 'mariadb' },
  { finance: 'mysql', settlement: 'postgres', settlementType: 'postgres' },
] as const)('settlement extracts: finance on $finance, settlement on $settlement', ({ finance, settlement: settlementServer, settlementType }) => {
  let t: TestApp;
  let operator: CreatedUser;
  const cards: Card[] = [];

  const extract = async (body: object) => {
    const res = await t
      .http()
      .post('/generate-data')
      .auth(operator.token, { type: 'bearer' })
      .send({ source: 'settlement', ...body })
      .expect(202);
    const status = await waitForTask(t, operator.token, res.body.task_id, 120_000);
    expect(status).toMatchObject({ state: 'SUCCESS', error: null });
    const file = await t
      .http()
      .get(`/extracts/${res.body.task_id}/download`)
      .auth(operator.token, { type: 'bearer' })
      .buffer(true)
      .parse((response, cb) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () => cb(null, text));
      })
      .expect(200);
    return { status, rows: parseCsv(file.body as string) };
  };

  beforeAll(async () => {
    t = await createTestApp({}, { finance, settlement: settlementServer });
    operator = await createUser(t, await loginAdmin(t), { role: 'operator' });
    const random = prng(23);
    // ISO-week and year edges first (Sun 27 Dec 2020, Mon 28 Dec, Fri 1 Jan 2021, Sun 3 Jan, Mon 4 Jan), a leap day, then random days.
    const edges = ['2020-12-27', '2020-12-28', '2021-01-01', '2021-01-03', '2021-01-04', '2020-02-29'];
    for (let i = 0; i < ROWS; i++) {
      const transDate = i < edges.length ? edges[i] : new Date(Date.UTC(2020, 4, 1) + Math.floor(random() * 450) * 86_400_000).toISOString().slice(0, 10);
      const amount = money(BigInt(Math.floor(random() * 1e12)) * (random() < 0.15 ? -1n : 1n));
      const fee = random() < 0.25 ? null : money(BigInt(Math.floor(random() * 1e6)));
      cards.push({ docIdt: `S${String(i).padStart(6, '0')}`, transDate, amount, fee, currency: (['VND', 'USD', 'EUR'] as const)[i % 3] });
    }
    const repository = t.app.get<DataSource>(getDataSourceToken(SETTLEMENT_DB)).getRepository(CardTransaction);
    for (let i = 0; i < cards.length; i += 1000) {
      const chunk = cards.slice(i, i + 1000).map((c, j) => ({
        ...c,
        transTime: '08:30:00',
        cardNo: '970400******1234',
        merchantId: 'MERCHANT1',
        terminalId: null,
        mcc: '5812',
        rrn: null,
        authCode: null,
        transType: c.amount.startsWith('-') ? 'REFUND' : 'PURCHASE',
        settleDate: c.transDate,
        fileId: FILE_ID,
        line: i + j + 2,
      }));
      await repository.insert(chunk as CardTransaction[]);
    }
  }, 180_000);
  afterAll(() => t.close());

  it('runs on the pairing it names', () => {
    expect(t.app.get<DataSource>(getDataSourceToken(SETTLEMENT_DB)).options.type).toBe(settlementType);
    expect(t.app.get<DataSource>(getDataSourceToken(FINANCE_DB)).options.type).not.toBe(settlementType);
  });

  it.each(['day', 'week', 'month', 'year'] as const)(
    '%s aggregation: every figure equals the exact BigInt sums',
    async (aggregation) => {
      const { rows } = await extract({ ...PERIOD, aggregation });
      const expected = new Map<string, { count: number; gross: bigint; fees: bigint; refunds: number; refundTotal: bigint }>();
      for (const c of cards) {
        if (c.transDate < PERIOD.start_date || c.transDate > PERIOD.end_date) continue;
        const key = `${periodStart(c.transDate, aggregation)} ${c.currency}`;
        const e = expected.get(key) ?? { count: 0, gross: 0n, fees: 0n, refunds: 0, refundTotal: 0n };
        e.count += 1;
        e.gross += cents(c.amount);
        e.fees += c.fee === null ? 0n : cents(c.fee);
        if (c.amount.startsWith('-')) {
          e.refunds += 1;
          e.refundTotal += cents(c.amount);
        }
        expected.set(key, e);
      }
      const actual = new Map(rows.map(({ period_start, currency, ...figures }) => [`${period_start} ${currency}`, figures]));
      expect(actual).toEqual(
        new Map(
          [...expected].map(([key, e]) => [
            key,
            {
              count: String(e.count),
              gross: money(e.gross),
              fees: money(e.fees),
              net: money(e.gross - e.fees),
              refund_count: String(e.refunds),
              refund_total: money(e.refundTotal),
            },
          ]),
        ),
      );
    },
    150_000,
  );

  it('detailed: streams every record of the period over several batches, in TRANS_DATE, DOC_IDT order, dates as YYYY-MM-DD', async () => {
    const { status, rows } = await extract({ ...PERIOD, aggregation: 'week', detailed: true });
    const inside = cards
      .filter((c) => c.transDate >= PERIOD.start_date && c.transDate <= PERIOD.end_date)
      .sort((a, b) => (a.transDate === b.transDate ? (a.docIdt < b.docIdt ? -1 : 1) : a.transDate < b.transDate ? -1 : 1));
    expect(inside.length).toBeGreaterThan(20_000);
    expect(status.progress).toEqual({ done: inside.length, total: inside.length, percent: 100 });
    expect(rows.map((r) => `${r.DOC_IDT} ${r.TRANS_DATE} ${r.SETTLE_DATE} ${r.period_start} ${r.AMOUNT} ${r.FEE}`)).toEqual(
      inside.map((c) => `${c.docIdt} ${c.transDate} ${c.transDate} ${periodStart(c.transDate, 'week')} ${c.amount} ${c.fee ?? ''}`),
    );
    expect(rows[0]).toMatchObject({ TRANS_TIME: '08:30:00', CARD_NO: '970400******1234', MCC: '5812', TERMINAL_ID: '' });
  }, 150_000);

  it('ISO weeks start on Monday across the year end, on a DATE column', async () => {
    const { rows } = await extract({ start_date: '2020-12-27', end_date: '2021-01-04', aggregation: 'week', detailed: true });
    const byDoc = Object.fromEntries(rows.map((r) => [r.DOC_IDT, r.period_start]));
    expect(byDoc).toMatchObject({ S000000: '2020-12-21', S000001: '2020-12-28', S000002: '2020-12-28', S000003: '2020-12-28', S000004: '2021-01-04' });
  }, 60_000);
});
