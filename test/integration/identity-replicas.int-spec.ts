import { execFileSync } from 'node:child_process';
import { TestApp, createTestApp, createUser, loginAdmin } from '@app/testing';

/**
 * Two api replicas on one finance database and one Redis, as deployed. A change to a user made
 * through one replica, or in SQL directly, takes effect on the other on the very next request
 * (SPEC §Roles: a disabled or deleted user's token stops working at once), also when many requests
 * of that user share one identity query (IdentityLoader).
 */
describe('identities across replicas', () => {
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

  it('a user disabled or deleted in SQL directly is refused at once, by every one of many parallel requests', async () => {
    const admin = await loginAdmin(a);
    const user = await createUser(a, admin);
    const parallel = async () => (await Promise.all(Array.from({ length: 30 }, () => me(b, user.token)))).map((res) => res.status);
    expect(new Set(await parallel())).toEqual(new Set([200]));

    execFileSync('psql', [a.env.DATABASE_URL!, '-qc', `UPDATE users SET disabled = true WHERE id = '${user.id}'`]);
    expect(new Set(await parallel())).toEqual(new Set([401]));

    execFileSync('psql', [a.env.DATABASE_URL!, '-qc', `UPDATE users SET disabled = false WHERE id = '${user.id}'`]);
    await me(b, user.token).expect(200);
    execFileSync('psql', [a.env.DATABASE_URL!, '-qc', `DELETE FROM users WHERE id = '${user.id}'`]);
    await me(b, user.token).expect(401);
  });
});
