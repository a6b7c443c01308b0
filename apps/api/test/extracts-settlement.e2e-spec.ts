import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SETTLEMENT_DB } from '@app/database';
import { CardTransaction } from '@app/settlement-ingest';
import { CreatedUser, TestApp, createTestApp, createUser, grantSubscription, loginAdmin, parseCsv, prng, waitForTask } from '@app/testing';

type Aggregation = 'day' | 'week' | 'month' | 'year';

/** A card_transactions row as the test inserts it (amounts always with 2 decimals). */
interface Card {
  docIdt: string;
  transDate: string;
  transTime: string | null;
  amount: string;
  currency: string;
  cardNo: string | null;
  merchantId: string | null;
  terminalId: string | null;
  mcc: string | null;
  rrn: string | null;
  authCode: string | null;
  transType: string;
  fee: string | null;
  settleDate: string | null;
  fileId: string;
  line: number;
}

const FILE_ID = '00000000-0000-4000-8000-00000000f11e';

/** The first day of the period `day` falls in, computed independently of the product's SQL. */
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

/** What the aggregated CSV must hold, summed with BigInt: `period currency` → the row's figures. */
function expectedAggregates(cards: Card[], aggregation: Aggregation, start: string, end: string) {
  const sums = new Map<string, { count: number; gross: bigint; fees: bigint; refundCount: number; refunds: bigint }>();
  for (const card of cards) {
    if (card.transDate < start || card.transDate > end) continue;
    const key = `${periodStart(card.transDate, aggregation)} ${card.currency}`;
    const entry = sums.get(key) ?? { count: 0, gross: 0n, fees: 0n, refundCount: 0, refunds: 0n };
    entry.count += 1;
    entry.gross += cents(card.amount);
    entry.fees += card.fee === null ? 0n : cents(card.fee);
    if (cents(card.amount) < 0n) {
      entry.refundCount += 1;
      entry.refunds += cents(card.amount);
    }
    sums.set(key, entry);
  }
  return new Map(
    [...sums].map(([key, s]) => [
      key,
      {
        count: String(s.count),
        gross: money(s.gross),
        fees: money(s.fees),
        net: money(s.gross - s.fees),
        refund_count: String(s.refundCount),
        refund_total: money(s.refunds),
      },
    ]),
  );
}

function card(overrides: Partial<Card> & Pick<Card, 'docIdt' | 'transDate' | 'amount'>, line: number): Card {
  return {
    transTime: '12:00:00',
    currency: 'VND',
    cardNo: '411111******1111',
    merchantId: 'M001',
    terminalId: 'T001',
    mcc: '5411',
    rrn: null,
    authCode: null,
    transType: overrides.amount.startsWith('-') ? 'REFUND' : 'PURCHASE',
    fee: null,
    settleDate: null,
    fileId: FILE_ID,
    line,
    ...overrides,
  };
}

async function insertCards(settlement: DataSource, cards: Card[]): Promise<void> {
  for (let i = 0; i < cards.length; i += 200) {
    await settlement.getRepository(CardTransaction).insert(cards.slice(i, i + 200) as CardTransaction[]);
  }
}

describe('extracts: source settlement', () => {
  let t: TestApp;
  let admin: string;
  let operator: CreatedUser;
  let subscriber: CreatedUser;
  let settlement: DataSource;
  const cards: Card[] = [];

  const generate = (token: string, body: object) => t.http().post('/generate-data').auth(token, { type: 'bearer' }).send(body);
  const download = async (token: string, taskId: string) =>
    (
      await t
        .http()
        .get(`/extracts/${taskId}/download`)
        .auth(token, { type: 'bearer' })
        .buffer(true)
        .parse((res, cb) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          res.on('end', () => cb(null, text));
        })
        .expect(200)
    ).body as string;
  /** Runs a settlement extract as `token` to SUCCESS and answers its status and CSV text. */
  const extract = async (token: string, body: object) => {
    const res = await generate(token, { source: 'settlement', ...body }).expect(202);
    const status = await waitForTask(t, token, res.body.task_id);
    expect(status).toMatchObject({ state: 'SUCCESS', error: null });
    return { status, csv: await download(token, res.body.task_id), taskId: res.body.task_id as string };
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await loginAdmin(t);
    operator = await createUser(t, admin, { role: 'operator' });
    subscriber = await createUser(t, admin);
    await grantSubscription(t, admin, subscriber.username);
    settlement = t.app.get<DataSource>(getDataSourceToken(SETTLEMENT_DB));

    const random = prng(11);
    // The ISO-week and year edges of 2020/2021: Sunday 27 Dec, Monday 28 Dec, Friday 1 Jan,
    // Sunday 3 Jan, Monday 4 Jan; the rest spread over November 2020 to March 2021.
    const edges = ['2020-12-27', '2020-12-28', '2021-01-01', '2021-01-03', '2021-01-04'];
    for (let i = 0; i < 600; i++) {
      const day = i < edges.length ? edges[i] : new Date(Date.UTC(2020, 10, 1) + Math.floor(random() * 150) * 86_400_000).toISOString().slice(0, 10);
      const units = Math.floor(random() * 50_000_000);
      const amount = money(BigInt(units) * (random() < 0.2 ? -1n : 1n));
      const fee = random() < 0.3 ? null : money(BigInt(Math.floor(random() * 100_000)));
      cards.push(card({ docIdt: `D${String(i).padStart(5, '0')}`, transDate: day, amount, fee, currency: i % 3 === 0 ? 'USD' : 'VND' }, i + 2));
    }
    // Near the top of DECIMAL(15,2): their sum (about 1.1e14, 1.1e16 cents) is beyond what a float holds to the cent.
    const big = [...Array<string>(11).fill('9999999999999.99'), '-1234567890123.45', '0.01'];
    for (const [i, amount] of big.entries()) {
      cards.push(card({ docIdt: `BIG${String(i).padStart(2, '0')}`, transDate: '2021-02-14', amount, fee: '0.03', currency: 'USD' }, 700 + i));
    }
    await insertCards(settlement, cards);
  }, 120_000);
  afterAll(() => t.close());

  it.each(['day', 'week', 'month', 'year'] as const)('%s aggregation: count, gross, fees, net and refunds equal the exact sums', async (aggregation) => {
    const { status, csv } = await extract(operator.token, { start_date: '2020-11-01', end_date: '2021-03-31', aggregation });
    const rows = parseCsv(csv);
    expect(Object.keys(rows[0])).toEqual(['period_start', 'currency', 'count', 'gross', 'fees', 'net', 'refund_count', 'refund_total']);
    const actual = new Map(rows.map(({ period_start, currency, ...figures }) => [`${period_start} ${currency}`, figures]));
    expect(actual).toEqual(expectedAggregates(cards, aggregation, '2020-11-01', '2021-03-31'));
    expect(status.result.rows).toBe(rows.length);
    // Sorted by period, then currency.
    const keys = rows.map((r) => `${r.period_start} ${r.currency}`);
    expect(keys).toEqual([...keys].sort());
  });

  it('sums amounts near the top of DECIMAL(15,2) exactly', async () => {
    const { csv } = await extract(operator.token, { start_date: '2021-02-14', end_date: '2021-02-14', aggregation: 'day' });
    const usd = parseCsv(csv).find((r) => r.currency === 'USD');
    const expected = expectedAggregates(cards, 'day', '2021-02-14', '2021-02-14').get('2021-02-14 USD');
    expect(expected!.gross.length).toBeGreaterThan(17); // more significant digits than a float has
    expect(usd).toEqual({ period_start: '2021-02-14', currency: 'USD', ...expected });
  });

  it('both ends of the period are included (TRANS_DATE is a date), the days outside are not', async () => {
    const { csv } = await extract(operator.token, { start_date: '2020-12-28', end_date: '2021-01-03', aggregation: 'week', detailed: true });
    const rows = parseCsv(csv);
    const inside = cards.filter((c) => c.transDate >= '2020-12-28' && c.transDate <= '2021-01-03');
    expect(rows.map((r) => r.DOC_IDT).sort()).toEqual(inside.map((c) => c.docIdt).sort());
    expect(rows.map((r) => r.TRANS_DATE)).toEqual(expect.arrayContaining(['2020-12-28', '2021-01-03']));
    // The whole period is one ISO week, starting on Monday 28 December.
    expect(new Set(rows.map((r) => r.period_start))).toEqual(new Set(['2020-12-28']));
  });

  it('puts ISO weeks on Mondays across the year end', async () => {
    const { csv } = await extract(operator.token, { start_date: '2020-12-27', end_date: '2021-01-04', aggregation: 'week', detailed: true });
    const byDoc = Object.fromEntries(parseCsv(csv).map((r) => [r.DOC_IDT, r.period_start]));
    expect(byDoc).toMatchObject({ D00000: '2020-12-21', D00001: '2020-12-28', D00002: '2020-12-28', D00003: '2020-12-28', D00004: '2021-01-04' });
  });

  it('detailed: one row per record with its period, file column names, exact amounts, empty cells for nulls, ordered by TRANS_DATE then DOC_IDT', async () => {
    const { status, csv } = await extract(operator.token, { start_date: '2020-11-01', end_date: '2021-03-31', aggregation: 'month', detailed: true });
    const rows = parseCsv(csv);
    expect(Object.keys(rows[0])).toEqual([
      'period_start',
      'DOC_IDT',
      'TRANS_DATE',
      'TRANS_TIME',
      'AMOUNT',
      'CURRENCY',
      'CARD_NO',
      'MERCHANT_ID',
      'TERMINAL_ID',
      'MCC',
      'RRN',
      'AUTH_CODE',
      'TRANS_TYPE',
      'FEE',
      'SETTLE_DATE',
    ]);
    const ordered = [...cards].sort((a, b) => (a.transDate === b.transDate ? (a.docIdt < b.docIdt ? -1 : 1) : a.transDate < b.transDate ? -1 : 1));
    expect(rows.map((r) => [r.DOC_IDT, r.TRANS_DATE, r.AMOUNT, r.FEE, r.CURRENCY, r.period_start])).toEqual(
      ordered.map((c) => [c.docIdt, c.transDate, c.amount, c.fee ?? '', c.currency, periodStart(c.transDate, 'month')]),
    );
    expect(status.progress).toEqual({ done: cards.length, total: cards.length, percent: 100 });
    expect(status.result.rows).toBe(cards.length);
  });

  it('detailed: every column of a full record as written, text cells neutralised, a stray full PAN masked', async () => {
    const full = card(
      {
        docIdt: '-SUM1',
        transDate: '2019-05-06',
        transTime: '23:59:59',
        amount: '-1234.50',
        currency: 'EUR',
        cardNo: '4111111111111111',
        merchantId: '=HYPERLINK(1)',
        terminalId: '@T9',
        mcc: '6011',
        rrn: '+12345678901',
        authCode: 'A1B2C3',
        transType: 'CHARGEBACK',
        fee: '-0.75',
        settleDate: '2019-05-08',
      },
      900,
    );
    const plain = card(
      { docIdt: 'PLAIN', transDate: '2019-05-07', amount: '100.00', transTime: null, cardNo: null, merchantId: null, terminalId: null, mcc: null },
      901,
    );
    await insertCards(settlement, [full, plain]);
    const { csv } = await extract(operator.token, { start_date: '2019-05-01', end_date: '2019-05-31', aggregation: 'day', detailed: true });
    expect(csv).not.toContain('4111111111111111');
    expect(parseCsv(csv)).toEqual([
      {
        period_start: '2019-05-06',
        DOC_IDT: "'-SUM1",
        TRANS_DATE: '2019-05-06',
        TRANS_TIME: '23:59:59',
        AMOUNT: '-1234.50',
        CURRENCY: 'EUR',
        CARD_NO: '411111******1111',
        MERCHANT_ID: "'=HYPERLINK(1)",
        TERMINAL_ID: "'@T9",
        MCC: '6011',
        RRN: "'+12345678901",
        AUTH_CODE: 'A1B2C3',
        TRANS_TYPE: 'CHARGEBACK',
        FEE: '-0.75',
        SETTLE_DATE: '2019-05-08',
      },
      {
        period_start: '2019-05-07',
        DOC_IDT: 'PLAIN',
        TRANS_DATE: '2019-05-07',
        TRANS_TIME: '',
        AMOUNT: '100.00',
        CURRENCY: 'VND',
        CARD_NO: '',
        MERCHANT_ID: '',
        TERMINAL_ID: '',
        MCC: '',
        RRN: '',
        AUTH_CODE: '',
        TRANS_TYPE: 'PURCHASE',
        FEE: '',
        SETTLE_DATE: '',
      },
    ]);
  });

  it('an extract of a period without records still has its header row', async () => {
    const aggregated = await extract(operator.token, { start_date: '2001-01-01', end_date: '2001-12-31' });
    expect(aggregated.csv).toBe('period_start,currency,count,gross,fees,net,refund_count,refund_total\n');
    expect(aggregated.status.result.rows).toBe(0);
    const detailed = await extract(operator.token, { start_date: '2001-01-01', end_date: '2001-12-31', detailed: true });
    expect(detailed.csv).toBe(
      'period_start,DOC_IDT,TRANS_DATE,TRANS_TIME,AMOUNT,CURRENCY,CARD_NO,MERCHANT_ID,TERMINAL_ID,MCC,RRN,AUTH_CODE,TRANS_TYPE,FEE,SETTLE_DATE\n',
    );
  });

  it('days_before covers the last N days up to today (UTC)', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await insertCards(settlement, [
      card({ docIdt: 'TODAY', transDate: today, amount: '5.25', fee: '0.25', currency: 'CHF' }, 950),
      card({ docIdt: 'YESTERDAY', transDate: yesterday, amount: '7.00', currency: 'CHF' }, 951),
    ]);
    const { csv } = await extract(operator.token, { days_before: 1, aggregation: 'day' });
    expect(parseCsv(csv)).toEqual([
      { period_start: today, currency: 'CHF', count: '1', gross: '5.25', fees: '0.25', net: '5.00', refund_count: '0', refund_total: '0.00' },
    ]);
  });

  describe('who may ask', () => {
    it('an admin may run a settlement extract', async () => {
      const { csv } = await extract(admin, { start_date: '2021-01-04', end_date: '2021-01-04', aggregation: 'day' });
      expect(parseCsv(csv).length).toBeGreaterThan(0);
    });

    it('a user with a subscription gets 403 naming the operator role', async () => {
      const res = await generate(subscriber.token, { source: 'settlement', days_before: 7 }).expect(403);
      expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden', requestId: expect.any(String) });
      expect(res.body.message).toMatch(/operator role/);
    });

    it('a user without a subscription also gets 403 naming the operator role, not the subscription', async () => {
      const user = await createUser(t, admin);
      const res = await generate(user.token, { source: 'settlement', days_before: 7 }).expect(403);
      expect(res.body.message).toMatch(/operator role/);
    });

    it('users with a subscription keep the transactions source (explicit or by default)', async () => {
      await generate(subscriber.token, { days_before: 7 }).expect(202);
      await generate(subscriber.token, { source: 'transactions', days_before: 7 }).expect(202);
    });

    it('an operator needs no subscription, for settlement or for transactions', async () => {
      await generate(operator.token, { source: 'settlement', days_before: 7 }).expect(202);
      await generate(operator.token, { source: 'transactions', days_before: 7 }).expect(202);
    });

    it("another operator's settlement extract answers 404; an admin may download it", async () => {
      const { taskId } = await extract(operator.token, { start_date: '2021-01-01', end_date: '2021-01-31' });
      const other = await createUser(t, admin, { role: 'operator' });
      await t.http().get(`/task-status/${taskId}`).auth(other.token, { type: 'bearer' }).expect(404);
      await t.http().get(`/extracts/${taskId}/download`).auth(other.token, { type: 'bearer' }).expect(404);
      expect(await download(admin, taskId)).toMatch(/^period_start,currency,count,gross/);
    });
  });

  describe('bad input → 400 naming the field', () => {
    it.each([
      [{ source: 'settlement' }, 'period'],
      [{ source: 'settlement', start_date: '2021-01-01', end_date: '2021-01-31', days_before: 3 }, 'period'],
      [{ source: 'settlement', start_date: '2021-01-01' }, 'end_date'],
      [{ source: 'settlement', start_date: '2021-02-01', end_date: '2021-01-01' }, 'end_date'],
      [{ source: 'settlement', start_date: '2021-02-30', end_date: '2021-03-01' }, 'start_date'],
      [{ source: 'settlement', days_before: 0 }, 'days_before'],
      [{ source: 'settlement', days_before: 7, aggregation: 'quarter' }, 'aggregation'],
      [{ source: 'settlement', days_before: 7, detailed: 'true' }, 'detailed'],
      [{ source: 'SETTLEMENT', days_before: 7 }, 'source'],
      [{ source: ['settlement'], days_before: 7 }, 'source'],
      [{ source: 'settlement', days_before: 7, currency: 'USD' }, 'currency'],
    ])('%j', async (body, field) => {
      const res = await generate(operator.token, body).expect(400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toEqual([field]);
    });
  });
});
