import { getDataSourceToken } from '@nestjs/typeorm';
import jwt from 'jsonwebtoken';
import type { DataSource } from 'typeorm';
import { FINANCE_DB } from '@app/database';
import { CreatedUser, TEST_ADMIN_PASSWORD, TEST_SECRET_KEY, TestApp, createTestApp, createUser, login, loginAdmin, uniqueName } from '@app/testing';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('identity and access', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await loginAdmin(t);
  });
  afterAll(() => t.close());

  describe('the full flow', () => {
    it('admin logs in by form on /token and by JSON on /api/token, with the token shape of §HTTP', async () => {
      const form = await t.http().post('/token').type('form').send({ username: 'admin', password: TEST_ADMIN_PASSWORD, grant_type: 'password' }).expect(200);
      expect(form.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 1800 });
      const json = await t.http().post('/api/token').send({ username: 'admin', password: TEST_ADMIN_PASSWORD }).expect(200);
      const claims = jwt.verify(json.body.access_token, TEST_SECRET_KEY, { algorithms: ['HS256'] }) as jwt.JwtPayload;
      expect(claims).toMatchObject({ role: 'admin', sub: expect.any(String), iat: expect.any(Number), exp: expect.any(Number) });
      expect(claims.exp! - claims.iat!).toBe(1800);
    });

    it('admin creates a user, grants a subscription, the user sees it on /users/me, admin revokes it', async () => {
      const username = uniqueName('alice');
      const created = await t
        .http()
        .post('/create-user')
        .auth(admin, { type: 'bearer' })
        .send({ username, email: `${username}@example.com`, full_name: 'Alice', password: 'alice-secret-1' })
        .expect(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        username,
        email: `${username}@example.com`,
        full_name: 'Alice',
        role: 'user',
        disabled: false,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });

      const granted = await t.http().post('/grant-subscription').auth(admin, { type: 'bearer' }).send({ username, plan: 'pro', days: 10 }).expect(200);
      expect(granted.body).toMatchObject({ username, plan: 'pro', active: true, end_reason: null });

      const token = await login(t, username, 'alice-secret-1');
      const me = await t.http().get('/users/me').auth(token, { type: 'bearer' }).expect(200);
      expect(me.body).toMatchObject({ username, role: 'user', subscription: { plan: 'pro', active: true } });
      const days = (Date.parse(me.body.subscription.expires_at) - Date.parse(me.body.subscription.starts_at)) / 86_400_000;
      expect(days).toBe(10);

      await t.http().post('/revoke-subscription').auth(admin, { type: 'bearer' }).send({ username }).expect(200);
      const after = await t.http().get('/users/me').auth(token, { type: 'bearer' }).expect(200);
      expect(after.body.subscription).toBeNull();
      expect(after.body.subscription_history).toEqual([expect.objectContaining({ plan: 'pro', active: false, end_reason: 'revoked' })]);
    });

    it('a second grant supersedes the first and both stay in the history', async () => {
      const user = await createUser(t, admin);
      await t.http().post('/grant-subscription').auth(admin, { type: 'bearer' }).send({ username: user.username, days: 5 }).expect(200);
      await t
        .http()
        .post('/grant-subscription')
        .auth(admin, { type: 'bearer' })
        .send({ username: user.username, expires_at: '2099-01-01T00:00:00Z' })
        .expect(200);
      const me = await t.http().get('/users/me').auth(user.token, { type: 'bearer' }).expect(200);
      expect(me.body.subscription).toMatchObject({ active: true, expires_at: '2099-01-01T00:00:00.000Z' });
      expect(me.body.subscription_history.map((s: { end_reason: string | null }) => s.end_reason)).toEqual([null, 'superseded']);
    });

    it('never returns or logs a password or its hash', async () => {
      const user = await createUser(t, admin);
      const me = await t.http().get('/users/me').auth(user.token, { type: 'bearer' }).expect(200);
      expect(JSON.stringify(me.body)).not.toMatch(/password|\$2[aby]\$/);
      const logs = t.logs.join('\n');
      expect(logs).not.toContain(user.password);
      expect(logs).not.toContain(TEST_ADMIN_PASSWORD);
      expect(logs).not.toContain(user.token);
    });
  });

  describe('login', () => {
    it('answers a wrong password and an unknown user with the same 401', async () => {
      const user = await createUser(t, admin);
      const wrong = await t.http().post('/token').type('form').send({ username: user.username, password: 'not-the-password' }).expect(401);
      const unknown = await t
        .http()
        .post('/token')
        .type('form')
        .send({ username: uniqueName('ghost'), password: 'whatever-password' })
        .expect(401);
      expect(wrong.body.message).toBe('Incorrect username or password');
      expect(unknown.body.message).toBe(wrong.body.message);
      expect(Object.keys(unknown.body).sort()).toEqual(Object.keys(wrong.body).sort());
    });

    it('names every missing field with 400', async () => {
      const res = await t.http().post('/api/token').send({}).expect(400);
      expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['password', 'username']);
    });

    it('refuses unknown fields and wrong types, naming them', async () => {
      const extra = await t.http().post('/api/token').send({ username: 'admin', password: 'x', is_admin: true }).expect(400);
      expect(extra.body.details).toEqual([expect.objectContaining({ field: 'is_admin' })]);
      const types = await t
        .http()
        .post('/api/token')
        .send({ username: 123, password: ['a'] })
        .expect(400);
      expect(types.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['password', 'username']);
    });

    it('answers a 10 MB body with 413', async () => {
      const res = await t
        .http()
        .post('/api/token')
        .send({ username: 'admin', password: 'x'.repeat(10 * 1024 * 1024) });
      expect(res.status).toBe(413);
      expect(res.body.error).toBe('Payload Too Large');
    });

    it('a disabled user cannot log in', async () => {
      const user = await createUser(t, admin);
      await t.http().post('/create-user').auth(admin, { type: 'bearer' }).send({ username: user.username, disabled: true }).expect(200);
      await t.http().post('/api/token').send({ username: user.username, password: user.password }).expect(401);
    });

    it('after 5 failures per username and address answers 429 with Retry-After, even to the right password', async () => {
      const user = await createUser(t, admin);
      const attempt = (password: string, address = '10.1.1.1') =>
        t.http().post('/api/token').set('X-Forwarded-For', address).send({ username: user.username, password });
      for (let i = 0; i < 5; i++) expect((await attempt('wrong-password')).status).toBe(401);
      const blocked = await attempt(user.password);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(800);
      expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(900);
      expect(blocked.body.message).toMatch(/Too many failed logins/);
      // Another address is counted on its own.
      expect((await attempt(user.password, '10.2.2.2')).status).toBe(200);
    });

    it('parallel guesses cannot get past the limit: at most 5 are checked', async () => {
      const user = await createUser(t, admin);
      const results = await Promise.all(
        Array.from({ length: 30 }, () =>
          t.http().post('/api/token').set('X-Forwarded-For', '10.9.9.9').send({ username: user.username, password: 'wrong-guess' }),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 401)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(25);
    });

    it('a success resets the failure count', async () => {
      const user = await createUser(t, admin);
      const attempt = (password: string) => t.http().post('/api/token').set('X-Forwarded-For', '10.3.3.3').send({ username: user.username, password });
      for (let i = 0; i < 4; i++) await attempt('wrong-password').expect(401);
      await attempt(user.password).expect(200);
      for (let i = 0; i < 4; i++) await attempt('wrong-password').expect(401);
      await attempt(user.password).expect(200);
    });
  });

  describe('token attacks', () => {
    let user: CreatedUser;
    beforeAll(async () => {
      user = await createUser(t, admin);
    });
    const me = (token: string) => t.http().get('/users/me').auth(token, { type: 'bearer' });

    it('no token, or a malformed header, is 401 in the error shape', async () => {
      const res = await t.http().get('/users/me').expect(401);
      expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', requestId: expect.any(String) });
      await t.http().get('/users/me').set('Authorization', 'Basic YWRtaW46YWRtaW4=').expect(401);
      await me('not.a.token').expect(401);
    });

    it('refuses alg none', async () => {
      const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: user.id, role: 'admin', iat: Math.floor(Date.now() / 1000) })}.`;
      await me(token).expect(401);
    });

    it('refuses a token signed with another key', async () => {
      await me(jwt.sign({ sub: user.id, role: 'user' }, 'another-key-of-at-least-32-bytes-long!!', { algorithm: 'HS256' })).expect(401);
    });

    it('refuses an expired token, saying so', async () => {
      const token = jwt.sign(
        { sub: user.id, role: 'user', iat: Math.floor(Date.now() / 1000) - 120, exp: Math.floor(Date.now() / 1000) - 60 },
        TEST_SECRET_KEY,
      );
      const res = await me(token).expect(401);
      expect(res.body.message).toBe('Token expired');
    });

    it('refuses a token whose role claim was tampered with', async () => {
      const [header, , signature] = user.token.split('.');
      const claims = jwt.decode(user.token) as jwt.JwtPayload;
      const forged = `${header}.${b64({ ...claims, role: 'admin' })}.${signature}`;
      await t.http().post('/grant-subscription').auth(forged, { type: 'bearer' }).send({ username: user.username }).expect(401);
    });

    it('uses the role in the database, not the one in a validly signed token', async () => {
      const token = jwt.sign({ sub: user.id, role: 'admin' }, TEST_SECRET_KEY, { algorithm: 'HS256', expiresIn: 60 });
      await t.http().post('/grant-subscription').auth(token, { type: 'bearer' }).send({ username: user.username }).expect(403);
    });

    it("stops a disabled user's token at once", async () => {
      const victim = await createUser(t, admin);
      await me(victim.token).expect(200);
      await t.http().post('/create-user').auth(admin, { type: 'bearer' }).send({ username: victim.username, disabled: true }).expect(200);
      await me(victim.token).expect(401);
    });

    it("stops a deleted user's token at once", async () => {
      const victim = await createUser(t, admin);
      await me(victim.token).expect(200);
      const finance = t.app.get<DataSource>(getDataSourceToken(FINANCE_DB));
      await finance.createQueryBuilder().delete().from('users').where('id = :id', { id: victim.id }).execute();
      await me(victim.token).expect(401);
    });
  });

  describe('roles and /create-user', () => {
    it('a user calling admin routes gets 403', async () => {
      const user = await createUser(t, admin);
      const res = await t.http().post('/grant-subscription').auth(user.token, { type: 'bearer' }).send({ username: user.username }).expect(403);
      expect(res.body.message).toBe('This needs the admin role');
      await t.http().post('/revoke-subscription').auth(user.token, { type: 'bearer' }).send({ username: user.username }).expect(403);
    });

    it('an operator is not an admin either', async () => {
      const operator = await createUser(t, admin, { role: 'operator' });
      await t.http().post('/grant-subscription').auth(operator.token, { type: 'bearer' }).send({ username: operator.username }).expect(403);
      await t
        .http()
        .post('/create-user')
        .auth(operator.token, { type: 'bearer' })
        .send({ username: uniqueName(), email: 'x@example.com', password: 'password-123' })
        .expect(403);
    });

    it('a user updates their own email, full name and password', async () => {
      const user = await createUser(t, admin);
      const res = await t
        .http()
        .post('/create-user')
        .auth(user.token, { type: 'bearer' })
        .send({ username: user.username, email: `new-${user.email}`, full_name: 'New Name', password: 'a-new-password' })
        .expect(200);
      expect(res.body).toMatchObject({ email: `new-${user.email}`, full_name: 'New Name', role: 'user' });
      await login(t, user.username, 'a-new-password');
      await t.http().post('/api/token').send({ username: user.username, password: user.password }).expect(401);
    });

    it('a user cannot raise their own role or disable or enable themselves', async () => {
      const user = await createUser(t, admin);
      const res = await t.http().post('/create-user').auth(user.token, { type: 'bearer' }).send({ username: user.username, role: 'admin' }).expect(403);
      expect(res.body.message).toBe('Nobody can change their own role');
      await t.http().post('/create-user').auth(user.token, { type: 'bearer' }).send({ username: user.username, role: 'operator' }).expect(403);
      await t.http().post('/create-user').auth(user.token, { type: 'bearer' }).send({ username: user.username, disabled: false }).expect(200);
      await t.http().post('/create-user').auth(user.token, { type: 'bearer' }).send({ username: user.username, disabled: true }).expect(403);
      const me = await t.http().get('/users/me').auth(user.token, { type: 'bearer' }).expect(200);
      expect(me.body.role).toBe('user');
    });

    it('a user cannot edit another user or create one', async () => {
      const user = await createUser(t, admin);
      const other = await createUser(t, admin);
      await t.http().post('/create-user').auth(user.token, { type: 'bearer' }).send({ username: other.username, password: 'hijacked-password' }).expect(403);
      await login(t, other.username, other.password);
      await t
        .http()
        .post('/create-user')
        .auth(user.token, { type: 'bearer' })
        .send({ username: uniqueName(), email: 'new@example.com', password: 'password-123' })
        .expect(403);
    });

    it('an admin cannot demote or disable themselves', async () => {
      await t.http().post('/create-user').auth(admin, { type: 'bearer' }).send({ username: 'admin', role: 'user' }).expect(403);
      await t.http().post('/create-user').auth(admin, { type: 'bearer' }).send({ username: 'admin', disabled: true }).expect(403);
    });

    it('an admin sets roles, and the new role applies to the existing token at once', async () => {
      const user = await createUser(t, admin);
      await t.http().post('/create-user').auth(admin, { type: 'bearer' }).send({ username: user.username, role: 'admin' }).expect(200);
      await t.http().post('/grant-subscription').auth(user.token, { type: 'bearer' }).send({ username: user.username }).expect(200);
    });

    it('answers a username or email taken in another letter case with 409', async () => {
      const user = await createUser(t, admin);
      const upper = await t
        .http()
        .post('/create-user')
        .auth(admin, { type: 'bearer' })
        .send({ username: user.username.toUpperCase(), email: 'fresh@example.com', password: 'password-123' })
        .expect(409);
      expect(upper.body.message).toMatch(/taken/);
      const email = await t
        .http()
        .post('/create-user')
        .auth(admin, { type: 'bearer' })
        .send({ username: uniqueName(), email: user.email.toUpperCase(), password: 'password-123' })
        .expect(409);
      expect(email.body.message).toMatch(/Email already in use/);
    });

    it('refuses control characters (NUL) in full_name with 400', async () => {
      const res = await t
        .http()
        .post('/create-user')
        .auth(admin, { type: 'bearer' })
        .send({ username: uniqueName(), email: 'nul@example.com', password: 'password-123', full_name: 'a\u0000b' })
        .expect(400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(['full_name']);
    });

    it('names every bad field when creating', async () => {
      const res = await t
        .http()
        .post('/create-user')
        .auth(admin, { type: 'bearer' })
        .send({ username: 'a b', email: 'not-an-email', password: 'short', role: 'root' })
        .expect(400);
      expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['email', 'password', 'role', 'username']);
    });

    it('needs email and password to create', async () => {
      const res = await t.http().post('/create-user').auth(admin, { type: 'bearer' }).send({ username: uniqueName() }).expect(400);
      expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['email', 'password']);
    });

    // Found by the fuzz: a null password or email was a 500, a null role or disabled a 409 that lied.
    it('reads a JSON null for email, password, role or disabled as absent: a creation names them, an update keeps them', async () => {
      const created = await t
        .http()
        .post('/create-user')
        .auth(admin, { type: 'bearer' })
        .send({ username: uniqueName(), email: null, password: null, role: null, disabled: null })
        .expect(400);
      expect(created.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['email', 'password']);
      const user = await createUser(t, admin, { role: 'operator' });
      for (const [token, body] of [
        [user.token, { username: user.username, email: null, password: null }],
        [admin, { username: user.username, email: null, password: null, role: null, disabled: null }],
      ] as const) {
        const res = await t.http().post('/create-user').auth(token, { type: 'bearer' }).send(body).expect(200);
        expect(res.body).toMatchObject({ username: user.username, email: user.email, role: 'operator', disabled: false });
      }
      await login(t, user.username, user.password);
    });

    it('refuses a password over 72 bytes rather than truncating it', async () => {
      const res = await t
        .http()
        .post('/create-user')
        .auth(admin, { type: 'bearer' })
        .send({ username: uniqueName(), email: 'long@example.com', password: 'é'.repeat(40) })
        .expect(400);
      expect(res.body.details).toEqual([{ field: 'password', problems: ['password must be at most 72 bytes'] }]);
    });
  });

  describe('subscriptions', () => {
    it('grant for an unknown user is 404, revoke without an active one is 409', async () => {
      await t
        .http()
        .post('/grant-subscription')
        .auth(admin, { type: 'bearer' })
        .send({ username: uniqueName('nobody') })
        .expect(404);
      const user = await createUser(t, admin);
      await t.http().post('/revoke-subscription').auth(admin, { type: 'bearer' }).send({ username: user.username }).expect(409);
    });

    it('refuses days and expires_at together, a past expiry, an expiry without offset, and bad days', async () => {
      const user = await createUser(t, admin);
      const grant = (body: object) =>
        t
          .http()
          .post('/grant-subscription')
          .auth(admin, { type: 'bearer' })
          .send({ username: user.username, ...body });
      await grant({ days: 5, expires_at: '2099-01-01T00:00:00Z' }).expect(400);
      await grant({ expires_at: '2020-01-01T00:00:00Z' }).expect(400);
      await grant({ expires_at: '2099-01-01T00:00:00' }).expect(400);
      for (const days of [0, -1, 4000, '7', 1.5]) await grant({ days }).expect(400);
    });
  });
});
