import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { FINANCE_DB, SETTLEMENT_DB } from '@app/database';
import { TestApp, createTestApp, createUser, loginAdmin, sumThroughServiceAndDatabase } from '@app/testing';

/**
 * The e2e suites run with finance on PostgreSQL and settlement on MariaDB; this runs the other
 * pairing, so both data sources' migrations are proven on both servers (and SQLite in e2e).
 */
describe.each([
  { finance: 'mysql', settlement: 'postgres' },
  { finance: 'postgres', settlement: 'mysql' },
] as const)('finance on $finance, settlement on $settlement', (servers) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({}, servers);
  });
  afterAll(() => t.close());

  // Before the revert test below, which drops the users table (and the admin with it).
  it(`a token's user is checked against ${servers.finance} on every request: a disabled user's token stops at once`, async () => {
    const admin = await loginAdmin(t);
    const user = await createUser(t, admin);
    await t.http().get('/users/me').auth(user.token, { type: 'bearer' }).expect(200);
    await t.http().post('/create-user').auth(admin, { type: 'bearer' }).send({ username: user.username, disabled: true }).expect(200);
    await t.http().get('/users/me').auth(user.token, { type: 'bearer' }).expect(401);
  });

  it.each([FINANCE_DB, SETTLEMENT_DB])('%s: migrations ran and match the entities', async (name) => {
    const dataSource = t.app.get<DataSource>(getDataSourceToken(name));
    expect(await dataSource.showMigrations()).toBe(false);
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it.each([FINANCE_DB, SETTLEMENT_DB])('%s: every migration reverts and re-applies cleanly', async (name) => {
    const dataSource = t.app.get<DataSource>(getDataSourceToken(name));
    const count = dataSource.migrations.length;
    for (let i = 0; i < count; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    const runner = dataSource.createQueryRunner();
    const left = [];
    for (const { tableName } of dataSource.entityMetadatas) if (await runner.hasTable(tableName)) left.push(tableName);
    await runner.release();
    expect(left).toEqual([]);
    await dataSource.runMigrations({ transaction: 'each' });
    expect((await dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
  });
});

describe('exact money with finance on MariaDB', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({}, { finance: 'mysql', settlement: 'postgres' });
  });
  afterAll(() => t.close());

  it('the sum of 100,000 amounts created through the service equals the sum the database computes', async () => {
    const user = await createUser(t, await loginAdmin(t));
    const { expected, actual, total } = await sumThroughServiceAndDatabase(t, user, 100_000);
    expect(total).toBe(100_000);
    expect(actual).toEqual(expected);
  }, 180_000);
});
