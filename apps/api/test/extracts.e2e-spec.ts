import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { FINANCE_DB } from '@app/database';
import { ExtractsCleanup } from '@app/extracts';
import { TasksService } from '@app/jobs';
import { CreatedUser, TestApp, createTestApp, createUser, grantSubscription, loginAdmin, parseCsv, prng, randomAmount, waitForTask } from '@app/testing';

type Aggregation = 'day' | 'week' | 'month' | 'year';

/** The first day of the period `iso` falls in, computed independently of the product's SQL. */
function periodStart(iso: string, aggregation: Aggregation): string {
  const day = iso.slice(0, 10);
  if (aggregation === 'day') return day;
  if (aggregation === 'month') return `${day.slice(0, 7)}-01`;
  if (aggregation === 'year') return `${day.slice(0, 4)}-01-01`;
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7));
  return date.toISOString().slice(0, 10);
}

describe('extracts: /generate-data, /task-status, download', () => {
  let t: TestApp;
  let admin: string;
  let subscriber: CreatedUser;
  const inputs: Array<{ amount: string; currency: string; occurred_at: string }> = [];

  const generate = (user: { token: string }, body: object) => t.http().post('/generate-data').auth(user.token, { type: 'bearer' }).send(body);
  const download = async (user: { token: string }, taskId: string) =>
    (
      await t
        .http()
        .get(`/extracts/${taskId}/download`)
        .auth(user.token, { type: 'bearer' })
        .buffer(true)
        .parse((res, cb) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          res.on('end', () => cb(null, text));
        })
        .expect(200)
    ).body as string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await loginAdmin(t);
    subscriber = await createUser(t, admin);
    await grantSubscription(t, admin, subscriber.username);
    const random = prng(7);
    // Two years around a year end, including the ISO-week edge days of 2025/2026.
    const edges = ['2025-12-28T23:59:59Z', '2025-12-29T00:00:00Z', '2026-01-01T12:00:00Z', '2026-01-04T23:59:59Z', '2026-01-05T00:00:00Z'];
    for (let i = 0; i < 400; i++) {
      const currency = (['USD', 'JPY', 'BHD'] as const)[i % 3];
      const occurred_at = i < edges.length ? edges[i] : new Date(Date.UTC(2025, 0, 1) + Math.floor(random() * 700) * 86_400_000 + i * 1000).toISOString();
      inputs.push({ amount: randomAmount(random, currency), currency, occurred_at });
    }
    for (const row of inputs) {
      await t.http().post('/create-transaction').auth(subscriber.token, { type: 'bearer' }).send(row).expect(201);
    }
  }, 120_000);
  afterAll(() => t.close());

  it.each(['day', 'week', 'month', 'year'] as const)('%s aggregation: the CSV sums equal the exact sums of the inputs', async (aggregation) => {
    const res = await generate(subscriber, { start_date: '2025-01-01', end_date: '2026-12-31', aggregation }).expect(202);
    expect(res.body).toEqual({ task_id: expect.any(String), status_url: `/task-status/${res.body.task_id}` });
    const status = await waitForTask(t, subscriber.token, res.body.task_id);
    expect(status).toMatchObject({ state: 'SUCCESS', error: null, progress: { percent: 100 } });
    expect(status.result).toMatchObject({ rows: expect.any(Number), bytes: expect.any(Number), download_url: `/extracts/${res.body.task_id}/download` });

    const rows = parseCsv(await download(subscriber, res.body.task_id));
    expect(Object.keys(rows[0])).toEqual(['period_start', 'currency', 'count', 'total', 'inflow', 'outflow', 'min', 'max']);
    const expected = new Map<string, { count: number; total: bigint }>();
    for (const input of inputs) {
      const key = `${periodStart(input.occurred_at, aggregation)} ${input.currency}`;
      const entry = expected.get(key) ?? { count: 0, total: 0n };
      entry.count += 1;
      entry.total += BigInt(input.amount.replace('.', ''));
      expected.set(key, entry);
    }
    const actual = new Map(rows.map((r) => [`${r.period_start} ${r.currency}`, { count: Number(r.count), total: BigInt(r.total.replace('.', '')) }]));
    expect(actual).toEqual(expected);
    expect(status.result.rows).toBe(rows.length);
  });

  it('puts ISO weeks on Mondays across the year end', async () => {
    const res = await generate(subscriber, { start_date: '2025-12-28', end_date: '2026-01-05', aggregation: 'week', detailed: true }).expect(202);
    await waitForTask(t, subscriber.token, res.body.task_id);
    const rows = parseCsv(await download(subscriber, res.body.task_id));
    const byTime = Object.fromEntries(rows.map((r) => [r.occurred_at, r.period_start]));
    expect(byTime).toMatchObject({
      '2025-12-28T23:59:59.000Z': '2025-12-22',
      '2025-12-29T00:00:00.000Z': '2025-12-29',
      '2026-01-01T12:00:00.000Z': '2025-12-29',
      '2026-01-04T23:59:59.000Z': '2025-12-29',
      '2026-01-05T00:00:00.000Z': '2026-01-05',
    });
  });

  it('detailed: one row per record in the period, amounts exact, text cells neutralised, numbers untouched', async () => {
    const user = await createUser(t, admin);
    await grantSubscription(t, admin, user.username);
    const rows = [
      { amount: '-5.00', currency: 'USD', occurred_at: '2026-02-01T10:00:00Z', description: '=HYPERLINK("http://evil")', category: '+cmd' },
      { amount: '1234.56', currency: 'USD', occurred_at: '2026-02-02T10:00:00Z', description: 'plain, with "quotes"', category: '@x' },
      { amount: '7', currency: 'USD', occurred_at: '2026-03-01T00:00:00Z', description: '-minus', category: 'ok' },
    ];
    for (const row of rows) await t.http().post('/create-transaction').auth(user.token, { type: 'bearer' }).send(row).expect(201);
    const res = await generate(user, { start_date: '2026-02-01', end_date: '2026-02-28', detailed: true, aggregation: 'day' }).expect(202);
    const status = await waitForTask(t, user.token, res.body.task_id);
    expect(status.progress).toEqual({ done: 2, total: 2, percent: 100 });
    const csv = parseCsv(await download(user, res.body.task_id));
    expect(csv).toEqual([
      expect.objectContaining({ period_start: '2026-02-01', amount: '-5.00', description: `'=HYPERLINK("http://evil")`, category: "'+cmd" }),
      expect.objectContaining({ period_start: '2026-02-02', amount: '1234.56', description: 'plain, with "quotes"', category: "'@x" }),
    ]);
  });

  it('an extract with no rows still has its header row', async () => {
    const res = await generate(subscriber, { start_date: '2001-01-01', end_date: '2001-01-31' }).expect(202);
    const status = await waitForTask(t, subscriber.token, res.body.task_id);
    expect(status.result.rows).toBe(0);
    expect(await download(subscriber, res.body.task_id)).toBe('period_start,currency,count,total,inflow,outflow,min,max\n');
  });

  it('days_before covers the last N days up to today', async () => {
    const user = await createUser(t, admin);
    await grantSubscription(t, admin, user.username);
    const today = new Date().toISOString().slice(0, 10);
    await t
      .http()
      .post('/create-transaction')
      .auth(user.token, { type: 'bearer' })
      .send({ amount: '1.00', currency: 'USD', occurred_at: `${today}T00:00:01Z` })
      .expect(201);
    await t
      .http()
      .post('/create-transaction')
      .auth(user.token, { type: 'bearer' })
      .send({ amount: '2.00', currency: 'USD', occurred_at: '2000-01-01T00:00:00Z' })
      .expect(201);
    const res = await generate(user, { days_before: 1, aggregation: 'day' }).expect(202);
    await waitForTask(t, user.token, res.body.task_id);
    expect(parseCsv(await download(user, res.body.task_id))).toEqual([expect.objectContaining({ period_start: today, total: '1.00' })]);
  });

  describe('bad input', () => {
    it.each([
      [{ start_date: '2026-01-01', end_date: '2026-01-31', days_before: 5 }, 'period'],
      [{}, 'period'],
      [{ start_date: '2026-01-01' }, 'end_date'],
      [{ start_date: '2025-01-01', end_date: null }, 'end_date'],
      [{ start_date: '2026-02-01', end_date: '2026-01-01' }, 'end_date'],
      [{ days_before: 0 }, 'days_before'],
      [{ days_before: -1 }, 'days_before'],
      [{ days_before: 100000 }, 'days_before'],
      [{ days_before: '7' }, 'days_before'],
      [{ days_before: 7, aggregation: 'fortnight' }, 'aggregation'],
      [{ start_date: '1990-01-01', end_date: '2039-12-31' }, 'end_date'],
      [{ start_date: '2024-02-30', end_date: '2024-03-01' }, 'start_date'],
      [{ days_before: 7, detailed: 'yes' }, 'detailed'],
      [{ days_before: 7, source: 'everything' }, 'source'],
      [{ days_before: 7, user_id: 'someone' }, 'user_id'],
    ])('%j → 400 naming %s', async (body, field) => {
      const res = await generate(subscriber, body).expect(400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toEqual([field]);
    });

    it('no subscription → 403 saying one is needed', async () => {
      const user = await createUser(t, admin);
      const res = await generate(user, { days_before: 7 }).expect(403);
      expect(res.body.message).toMatch(/active subscription is needed/);
    });

    it('an expired subscription → 403', async () => {
      const user = await createUser(t, admin);
      await grantSubscription(t, admin, user.username);
      await generate(user, { days_before: 7 }).expect(202);
      const finance = t.app.get<DataSource>(getDataSourceToken(FINANCE_DB));
      await finance
        .createQueryBuilder()
        .update('subscriptions')
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where('user_id = :id', { id: user.id })
        .execute();
      await generate(user, { days_before: 7 }).expect(403);
    });

    it('settlement source: a subscribed user gets 403, an operator 202 (see extracts-settlement.e2e-spec.ts)', async () => {
      const refused = await generate(subscriber, { days_before: 7, source: 'settlement' }).expect(403);
      expect(refused.body.message).toMatch(/operator/);
      const operator = await createUser(t, admin, { role: 'operator' });
      await generate(operator, { days_before: 7, source: 'settlement' }).expect(202);
    });

    it("someone else's task id → 404 on status and download; admin sees it; not an id → 400", async () => {
      const res = await generate(subscriber, { days_before: 7 }).expect(202);
      await waitForTask(t, subscriber.token, res.body.task_id);
      const other = await createUser(t, admin);
      const foreign = await t.http().get(`/task-status/${res.body.task_id}`).auth(other.token, { type: 'bearer' }).expect(404);
      const missing = await t.http().get('/task-status/00000000-0000-4000-8000-000000000000').auth(other.token, { type: 'bearer' }).expect(404);
      expect(foreign.body.message).toBe(missing.body.message);
      await t.http().get(`/extracts/${res.body.task_id}/download`).auth(other.token, { type: 'bearer' }).expect(404);
      await t.http().get(`/task-status/${res.body.task_id}`).auth(admin, { type: 'bearer' }).expect(200);
      const bad = await t.http().get('/task-status/not-an-id').auth(other.token, { type: 'bearer' }).expect(400);
      expect(bad.body.details[0].field).toBe('task_id');
      await t.http().get("/extracts/1'%20OR%201=1/download").auth(other.token, { type: 'bearer' }).expect(400);
    });

    it('downloading before SUCCESS → 409', async () => {
      const pending = await t.app.get(TasksService).create(subscriber.id, 'generate-extract', {});
      const res = await t.http().get(`/extracts/${pending.id}/download`).auth(subscriber.token, { type: 'bearer' }).expect(409);
      expect(res.body.message).toMatch(/not ready \(state PENDING\)/);
    });

    it('an expired file → 410', async () => {
      const res = await generate(subscriber, { days_before: 7 }).expect(202);
      await waitForTask(t, subscriber.token, res.body.task_id);
      const removed = await t.app.get(ExtractsCleanup).purgeExpired(Date.now() + 169 * 3_600_000);
      expect(removed).toBeGreaterThanOrEqual(1);
      await t.http().get(`/extracts/${res.body.task_id}/download`).auth(subscriber.token, { type: 'bearer' }).expect(410);
    });
  });
});
