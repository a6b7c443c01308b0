import { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { FINANCE_DB } from '@app/database';
import { CreatedUser, ServerKind, TestApp, createTestApp, createUser, loginAdmin, target } from '@app/testing';

/**
 * §HTTP Concurrency: many simultaneous writers, each answered truthfully: every 2xx stored exactly
 * once, nothing stored behind a 4xx or 5xx. Embedded (SQLite) in the e2e tier; in the integration
 * tier once with the finance database on PostgreSQL and once on MariaDB.
 */
const layouts: Array<{ finance: ServerKind; settlement: ServerKind }> =
  target() === 'services' ? [{ finance: 'postgres', settlement: 'mysql' }, { finance: 'mysql', settlement: 'postgres' }] : [{ finance: 'postgres', settlement: 'mysql' }];

const AT_ONCE = 16;

/** Runs `count` calls, `AT_ONCE` at a time, and answers their statuses. */
async function inWaves(count: number, call: (i: number) => PromiseLike<{ status: number }>): Promise<number[]> {
  const statuses: number[] = [];
  for (let start = 0; start < count; start += AT_ONCE) {
    const wave = await Promise.all(Array.from({ length: Math.min(AT_ONCE, count - start) }, (_, k) => call(start + k)));
    statuses.push(...wave.map((r) => r.status));
  }
  return statuses;
}

const histogram = (statuses: number[]) => statuses.reduce<Record<number, number>>((h, s) => ({ ...h, [s]: (h[s] ?? 0) + 1 }), {});

describe.each(layouts)('concurrent writers (finance on %o)', (servers) => {
  let t: TestApp;
  let admin: string;
  let alice: CreatedUser;
  let finance: DataSource;
  const count = async (sql: string, params: unknown[] = []) => Number((await finance.query(sql, params))[0].n);
  const ownRows = (user: CreatedUser) => count(`SELECT COUNT(*) AS n FROM transactions WHERE user_id = ${finance.options.type === 'postgres' ? '$1' : '?'}`, [user.id]);

  beforeAll(async () => {
    t = await createTestApp({}, servers);
    finance = t.app.get<DataSource>(getDataSourceToken(FINANCE_DB));
    admin = await loginAdmin(t);
    alice = await createUser(t, admin);
  });
  afterAll(() => t.close());

  const create = (user: CreatedUser, i: number) =>
    t.http().post('/create-transaction').auth(user.token, { type: 'bearer' }).send({ amount: `${i}.25`, currency: 'USD', occurred_at: '2026-03-01T10:00:00Z' });

  it('240 creates by one user, 16 at a time: all 201, 240 rows stored', async () => {
    const before = await ownRows(alice);
    const statuses = await inWaves(240, (i) => create(alice, i));
    expect(histogram(statuses)).toEqual({ 201: 240 });
    expect((await ownRows(alice)) - before).toBe(240);
  });

  it('16 deletes of one transaction at once: exactly one 200, the rest 404', async () => {
    const id = (await create(alice, 1).expect(201)).body.id;
    const statuses = await inWaves(16, () => t.http().post('/delete-transaction').auth(alice.token, { type: 'bearer' }).send({ id }));
    expect(histogram(statuses)).toEqual({ 200: 1, 404: 15 });
  });

  it('16 updates of one version at once: exactly one 200, the rest 409, the version moved by one', async () => {
    const row = (await create(alice, 1).expect(201)).body;
    const statuses = await inWaves(16, (i) =>
      t.http().post('/update-transaction').auth(alice.token, { type: 'bearer' }).send({ id: row.id, version: row.version, amount: `${i}.00` }),
    );
    expect(histogram(statuses)).toEqual({ 200: 1, 409: 15 });
  });

  it('creates beside a settlement upload and reads: no 5xx anywhere', async () => {
    const operator = await createUser(t, admin, { role: 'operator' });
    const csv = ['DOC_IDT,TRANS_DATE,AMOUNT', ...Array.from({ length: 2000 }, (_, i) => `CONC-${servers.finance}-${i},2026-01-02,${i}.50`)].join('\n');
    const before = await ownRows(alice);
    const [upload, ...rest] = await Promise.all([
      t.http().post('/api/settlement/files').auth(operator.token, { type: 'bearer' }).attach('file', Buffer.from(csv), 'concurrent.csv'),
      ...Array.from({ length: 32 }, (_, i) => (i % 2 ? create(alice, i) : t.http().get('/transactions').auth(alice.token, { type: 'bearer' }))),
    ]);
    expect(upload.status).toBe(202);
    expect(histogram(rest.map((r) => r.status))).toEqual({ 200: 16, 201: 16 });
    expect((await ownRows(alice)) - before).toBe(16);
  });
});
