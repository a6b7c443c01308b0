import { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { FINANCE_DB, SETTLEMENT_DB } from '@app/database';
import {
  AT_ONCE,
  CreatedUser,
  TestApp,
  WRITE_LAYOUTS,
  createTestApp,
  createUser,
  grantSubscription,
  histogram,
  inWaves,
  loginAdmin,
  uniqueName,
  waitForTask,
} from '@app/testing';

/**
 * §HTTP Concurrency: many simultaneous writers on every write path, each answered truthfully: every
 * 2xx stored exactly once, nothing stored behind a 4xx or 5xx. Embedded (SQLite) in the e2e tier;
 * in the integration tier with the finance database on PostgreSQL and on MariaDB.
 */
// Dozens of writes each, some hashing a password (bcrypt, on purpose slow): on a loaded 2-core
// machine a test takes 5-11 s, past jest's default 5 s. Nothing here waits on a timer.
jest.setTimeout(30_000);

describe.each(WRITE_LAYOUTS)('concurrent writers (finance on %o)', (servers) => {
  let t: TestApp;
  let admin: string;
  let alice: CreatedUser;
  let finance: DataSource;
  let settlement: DataSource;
  const count = async (db: DataSource, sql: string, params: unknown[] = []) => Number((await db.query(numbered(db, sql), params))[0].n);
  const ownRows = (user: CreatedUser) => count(finance, 'SELECT COUNT(*) AS n FROM transactions WHERE user_id = ?', [user.id]);
  const as = (token: string) => ({ post: (path: string) => t.http().post(path).auth(token, { type: 'bearer' }) });

  beforeAll(async () => {
    t = await createTestApp({}, servers);
    finance = t.app.get<DataSource>(getDataSourceToken(FINANCE_DB));
    settlement = t.app.get<DataSource>(getDataSourceToken(SETTLEMENT_DB));
    admin = await loginAdmin(t);
    alice = await createUser(t, admin);
  });
  afterAll(() => t.close());

  const create = (user: CreatedUser, i: number) =>
    as(user.token)
      .post('/create-transaction')
      .send({ amount: `${i}.25`, currency: 'USD', occurred_at: '2026-03-01T10:00:00Z' });

  describe('transactions', () => {
    it('240 creates by one user, 16 at a time: all 201, 240 rows stored', async () => {
      const before = await ownRows(alice);
      const statuses = await inWaves(240, (i) => create(alice, i));
      expect(histogram(statuses)).toEqual({ 201: 240 });
      expect((await ownRows(alice)) - before).toBe(240);
    });

    it('16 deletes of one transaction at once: exactly one 200, the rest 404', async () => {
      const id = (await create(alice, 1).expect(201)).body.id;
      const statuses = await inWaves(AT_ONCE, () => as(alice.token).post('/delete-transaction').send({ id }));
      expect(histogram(statuses)).toEqual({ 200: 1, 404: 15 });
    });

    it('16 updates of one version at once: exactly one 200, the rest 409, the version moved by one', async () => {
      const row = (await create(alice, 1).expect(201)).body;
      const statuses = await inWaves(AT_ONCE, (i) =>
        as(alice.token)
          .post('/update-transaction')
          .send({ id: row.id, version: row.version, amount: `${i}.00` }),
      );
      expect(histogram(statuses)).toEqual({ 200: 1, 409: 15 });
      expect(await count(finance, 'SELECT version AS n FROM transactions WHERE id = ?', [row.id])).toBe(row.version + 1);
    });
  });

  describe('users', () => {
    it('16 creates of one username at once: one 201, the rest 409, one row', async () => {
      const username = uniqueName('race');
      const statuses = await inWaves(AT_ONCE, (i) =>
        as(admin)
          .post('/create-user')
          .send({ username, email: `${username}-${i}@example.com`, password: 'a-long-password-1' }),
      );
      // The loser of the race either hears "taken" (409) or, arriving after the winner, updates it (200).
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.every((s) => [200, 201, 409].includes(s))).toBe(true);
      expect(await count(finance, 'SELECT COUNT(*) AS n FROM users WHERE username = ?', [username])).toBe(1);
    });

    it('32 creates of distinct users, 16 at a time: 32 201s, 32 rows', async () => {
      const prefix = uniqueName('many');
      const statuses = await inWaves(32, (i) =>
        as(admin)
          .post('/create-user')
          .send({ username: `${prefix}_${i}`, email: `${prefix}_${i}@example.com`, password: 'a-long-password-1' }),
      );
      expect(histogram(statuses)).toEqual({ 201: 32 });
      expect(await count(finance, 'SELECT COUNT(*) AS n FROM users WHERE username LIKE ?', [`${prefix}_%`])).toBe(32);
    });
  });

  describe('subscriptions', () => {
    it('16 grants to one user at once: every 200 stored, exactly one grant left open', async () => {
      const bob = await createUser(t, admin);
      const statuses = await inWaves(AT_ONCE, () => as(admin).post('/grant-subscription').send({ username: bob.username, days: 30 }));
      expect(histogram(statuses)).toEqual({ 200: AT_ONCE });
      expect(await count(finance, 'SELECT COUNT(*) AS n FROM subscriptions WHERE user_id = ?', [bob.id])).toBe(AT_ONCE);
      expect(await count(finance, 'SELECT COUNT(*) AS n FROM subscriptions WHERE user_id = ? AND ended_at IS NULL', [bob.id])).toBe(1);
    });

    it('16 revocations at once: one 200, the rest 409', async () => {
      const carol = await createUser(t, admin);
      await grantSubscription(t, admin, carol.username);
      const statuses = await inWaves(AT_ONCE, () => as(admin).post('/revoke-subscription').send({ username: carol.username }));
      expect(histogram(statuses)).toEqual({ 200: 1, 409: 15 });
      expect(await count(finance, "SELECT COUNT(*) AS n FROM subscriptions WHERE user_id = ? AND end_reason = 'revoked'", [carol.id])).toBe(1);
    });
  });

  describe('extracts, uploads and scans', () => {
    it('16 extract requests at once: 16 202s, 16 tasks, every one SUCCESS', async () => {
      await grantSubscription(t, admin, alice.username);
      const responses = await Promise.all(Array.from({ length: AT_ONCE }, () => as(alice.token).post('/generate-data').send({ days_before: 30 })));
      expect(histogram(responses.map((r) => r.status))).toEqual({ 202: AT_ONCE });
      const ids = responses.map((r) => r.body.task_id as string);
      expect(new Set(ids).size).toBe(AT_ONCE);
      const finished = await Promise.all(ids.map((id) => waitForTask(t, alice.token, id)));
      expect(finished.map((f) => f.state)).toEqual(Array(AT_ONCE).fill('SUCCESS'));
    });

    it('16 uploads of distinct files at once: 16 202s, 16 files, every record stored once', async () => {
      const operator = await createUser(t, admin, { role: 'operator' });
      const tag = uniqueName('UP');
      const csv = (f: number) => ['DOC_IDT,TRANS_DATE,AMOUNT', ...Array.from({ length: 50 }, (_, i) => `${tag}-${f}-${i},2026-01-02,${i}.50`)].join('\n');
      const responses = await Promise.all(
        Array.from({ length: AT_ONCE }, (_, f) =>
          as(operator.token)
            .post('/api/settlement/files')
            .attach('file', Buffer.from(csv(f)), `${tag}-${f}.csv`),
        ),
      );
      expect(histogram(responses.map((r) => r.status))).toEqual({ 202: AT_ONCE });
      await Promise.all(responses.map((r) => waitForTask(t, operator.token, r.body.task_id)));
      expect(await count(settlement, 'SELECT COUNT(*) AS n FROM settlement_files WHERE name LIKE ?', [`${tag}-%`])).toBe(AT_ONCE);
      expect(await count(settlement, 'SELECT COUNT(*) AS n FROM card_transactions WHERE doc_idt LIKE ?', [`${tag}-%`])).toBe(AT_ONCE * 50);
    });

    it('16 scans at once: 16 202s, every one finishes', async () => {
      const responses = await Promise.all(Array.from({ length: AT_ONCE }, () => as(admin).post('/api/settlement/scan')));
      expect(histogram(responses.map((r) => r.status))).toEqual({ 202: AT_ONCE });
      const finished = await Promise.all(responses.map((r) => waitForTask(t, admin, r.body.task_id)));
      expect(finished.map((f) => f.state)).toEqual(Array(AT_ONCE).fill('SUCCESS'));
    });
  });

  it('creates beside a settlement upload and reads: no 5xx anywhere', async () => {
    const operator = await createUser(t, admin, { role: 'operator' });
    const csv = ['DOC_IDT,TRANS_DATE,AMOUNT', ...Array.from({ length: 2000 }, (_, i) => `CONC-${servers.finance}-${i},2026-01-02,${i}.50`)].join('\n');
    const before = await ownRows(alice);
    const [upload, ...rest] = await Promise.all([
      as(operator.token).post('/api/settlement/files').attach('file', Buffer.from(csv), 'concurrent.csv'),
      ...Array.from({ length: 32 }, (_, i) => (i % 2 ? create(alice, i) : t.http().get('/transactions').auth(alice.token, { type: 'bearer' }))),
    ]);
    expect(upload.status).toBe(202);
    expect(histogram(rest.map((r) => r.status))).toEqual({ 200: 16, 201: 16 });
    expect((await ownRows(alice)) - before).toBe(16);
  });
});

/** `?` placeholders as PostgreSQL wants them ($1, $2, …). */
function numbered(db: DataSource, sql: string): string {
  if (db.options.type !== 'postgres') return sql;
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
