import { execFileSync } from 'node:child_process';
import { TestApp, createTestApp, createUser, loginAdmin } from '@app/testing';

/**
 * Two api replicas on one finance database and one Redis, as deployed. Each keeps the identities of
 * recent tokens in memory; a change made through one replica must take effect on the other at once
 * (SPEC §Roles: a disabled user's token stops working at once), not after a TTL.
 */
describe('identity cache across replicas', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await createTestApp();
    b = await createTestApp({
      DATABASE_URL: a.env.DATABASE_URL!,
      SETTLEMENT_DATABASE_URL: a.env.SETTLEMENT_DATABASE_URL!,
      REDIS_PREFIX: a.env.REDIS_PREFIX!,
    });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const me = (t: TestApp, token: string) => t.http().get('/users/me').auth(token, { type: 'bearer' });

  it('a user disabled through one replica is refused by the other on the next request', async () => {
    const admin = await loginAdmin(a);
    const user = await createUser(a, admin, { role: 'operator' });
    await me(b, user.token).expect(200); // b now holds the identity
    await me(b, user.token).expect(200);

    await a.http().post('/create-user').auth(admin, { type: 'bearer' }).send({ username: user.username, disabled: true }).expect(200);
    await me(b, user.token).expect(401);

    await a.http().post('/create-user').auth(admin, { type: 'bearer' }).send({ username: user.username, disabled: false }).expect(200);
    await me(b, user.token).expect(200);
  });

  it('a role taken away through one replica is taken away on the other at once', async () => {
    const admin = await loginAdmin(a);
    const operator = await createUser(a, admin, { role: 'operator' });
    await b.http().get('/api/transactions').auth(operator.token, { type: 'bearer' }).expect(200);

    await a.http().post('/create-user').auth(admin, { type: 'bearer' }).send({ username: operator.username, role: 'user' }).expect(200);
    await b.http().get('/api/transactions').auth(operator.token, { type: 'bearer' }).expect(403);
    expect((await me(b, operator.token).expect(200)).body.role).toBe('user');
  });

  // Also what shows that b caches at all: without a cache the tests above would pass as well.
  it('a change made in SQL directly (no version bump) is seen at the next change through the API', async () => {
    const admin = await loginAdmin(a);
    const user = await createUser(a, admin);
    await me(b, user.token).expect(200);
    // Outside the API nothing bumps the version: b still trusts its entry…
    execFileSync('psql', [a.env.DATABASE_URL!, '-qc', `UPDATE users SET disabled = true WHERE id = '${user.id}'`]);
    await me(b, user.token).expect(200);
    // …until any change through the API moves the shared version (or IDENTITY_CACHE_TTL_MS passes).
    await a.http().post('/create-user').auth(admin, { type: 'bearer' }).send({ username: 'admin', full_name: 'Admin' }).expect(200);
    await me(b, user.token).expect(401);
  });
});
