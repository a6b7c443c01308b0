import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { JOBS, TasksService } from '@app/jobs';
import { SettlementInboxService } from '@app/settlement-ingest';
import { TestApp, createTestApp, createUser, loginAdmin, target, waitForTask } from '@app/testing';

const COOKIE = 'payments_admin_session';

/** The session cookie of a Set-Cookie answer, as a browser sends it back. */
function sessionCookie(setCookie: string | string[] | undefined): string {
  const header = [setCookie ?? []].flat().find((value) => value.startsWith(`${COOKIE}=`));
  if (!header) throw new Error(`no ${COOKIE} cookie in ${JSON.stringify(setCookie)}`);
  return header.split(';')[0];
}

/**
 * §Operations, Queue dashboard: bull-board at /admin/queues for admins, in services mode, reached
 * from a browser through the session POST /admin/session sets; §Roles for everyone else.
 */
describe('queue dashboard and its browser session', () => {
  let t: TestApp;
  let admin: string;
  let user: string;
  let operator: string;

  beforeAll(async () => {
    t = await createTestApp({ SETTLEMENT_SCAN_CRON: '0 0 1 1 *' });
    admin = await loginAdmin(t);
    user = (await createUser(t, admin)).token;
    operator = (await createUser(t, admin, { role: 'operator' })).token;
  });
  afterAll(() => t.close());

  const signIn = async (token = admin) => {
    const res = await t.http().post('/admin/session').auth(token, { type: 'bearer' }).expect(200);
    return { res, cookie: sessionCookie(res.headers['set-cookie']) };
  };

  describe('POST /admin/session', () => {
    it('gives an admin a 15-minute HttpOnly, SameSite=Strict cookie sent only to /admin/queues', async () => {
      const { res } = await signIn();
      const header = [res.headers['set-cookie']].flat().find((value) => value!.startsWith(`${COOKIE}=`))!;
      expect(header.split('; ').slice(1).sort()).toEqual(['HttpOnly', 'Max-Age=900', 'Path=/admin/queues', 'SameSite=Strict']);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({
        dashboard_url: '/admin/queues',
        expires_in: 900,
        expires_at: expect.any(String),
        dashboard_available: target() === 'services',
      });
      expect(new Date(res.body.expires_at).getTime() - Date.now()).toBeGreaterThan(890_000);
    });

    it('marks the cookie Secure when the request came over HTTPS (a TLS proxy in front)', async () => {
      const res = await t.http().post('/admin/session').auth(admin, { type: 'bearer' }).set('X-Forwarded-Proto', 'https').expect(200);
      expect([res.headers['set-cookie']].flat().join(';')).toContain('Secure');
    });

    it('refuses a user or an operator (403) and anyone without a token (401)', async () => {
      for (const token of [user, operator]) {
        const res = await t.http().post('/admin/session').auth(token, { type: 'bearer' }).expect(403);
        expect(res.headers['set-cookie']).toBeUndefined();
      }
      const anonymous = await t.http().post('/admin/session').expect(401);
      expect(anonymous.headers['www-authenticate']).toBe('Bearer');
    });

    it('the cookie is no bearer token: the API refuses it as one', async () => {
      const { cookie } = await signIn();
      await t
        .http()
        .get('/users/me')
        .auth(cookie.slice(COOKIE.length + 1), { type: 'bearer' })
        .expect(401);
    });

    it('DELETE /admin/session clears the cookie', async () => {
      const res = await t.http().delete('/admin/session').expect(204);
      const header = [res.headers['set-cookie']].flat()[0]!;
      expect(header).toMatch(new RegExp(`^${COOKIE}=; Max-Age=0; Path=/admin/queues; HttpOnly; SameSite=Strict$`));
    });
  });

  // One tier each: registered only where it runs, so no tier reports a skipped test.
  if (target() === 'embedded')
    describe('embedded mode', () => {
      it('has no dashboard (no Bull queues), and says so in the error shape', async () => {
        const { cookie } = await signIn();
        for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
          const res = await t.http().get(path).set('Cookie', cookie).expect(404);
          expect(res.body).toMatchObject({ statusCode: 404, message: expect.stringContaining('services mode'), requestId: expect.any(String) });
        }
      });
    });

  if (target() === 'services')
    describe('GET /admin/queues (services mode: Bull on Redis)', () => {
      it('an admin signed in from the browser sees bull-board and its three queues', async () => {
        const { cookie } = await signIn();
        const page = await t.http().get('/admin/queues').set('Cookie', cookie).expect(200);
        expect(page.headers['content-type']).toMatch(/^text\/html/);
        expect(page.text).toContain('<base href="/admin/queues/"');
        const api = await t.http().get('/admin/queues/api/queues').set('Cookie', cookie).expect(200);
        expect(api.body.queues.map((queue: { name: string }) => queue.name).sort()).toEqual(['extracts', 'settlement', 'webhooks']);
        const script = /src="(static\/js\/main\.[^"]+\.js)"/.exec(page.text)![1];
        await t.http().get(`/admin/queues/${script}`).set('Cookie', cookie).expect(200);
      });

      it('an admin may also come with the bearer token (scripts)', async () => {
        await t.http().get('/admin/queues/api/queues').auth(admin, { type: 'bearer' }).expect(200);
      });

      it('nobody signed in gets 401, with how to sign in, for the page, its API and its files', async () => {
        for (const path of ['/admin/queues', '/admin/queues/api/queues', '/admin/queues/static/js/anything.js']) {
          const res = await t.http().get(path).expect(401);
          expect(res.body).toMatchObject({ statusCode: 401, message: expect.stringContaining('POST /admin/session'), requestId: expect.any(String) });
          expect(res.headers['www-authenticate']).toBe('Bearer');
        }
        const forged = `${COOKIE}=v1.${Buffer.from(JSON.stringify({ sub: 'x', exp: 9e9 })).toString('base64url')}.forged`;
        await t.http().get('/admin/queues').set('Cookie', forged).expect(401);
      });

      it('a user or an operator gets 403 (§Roles: a role they lack)', async () => {
        for (const token of [user, operator]) {
          const res = await t.http().get('/admin/queues').auth(token, { type: 'bearer' }).expect(403);
          expect(res.body).toMatchObject({ statusCode: 403, message: 'The queue dashboard needs the admin role' });
        }
      });

      it('a session stops at once when its admin is made a user', async () => {
        const second = await createUser(t, admin, { role: 'admin' });
        const { cookie } = await signIn(second.token);
        await t.http().get('/admin/queues').set('Cookie', cookie).expect(200);
        await t.http().post('/create-user').auth(admin, { type: 'bearer' }).send({ username: second.username, email: second.email, role: 'user' }).expect(200);
        await t.http().get('/admin/queues').set('Cookie', cookie).expect(403);
      });

      it('retries a job Bull gave up on, and the task then finishes', async () => {
        const { cookie } = await signIn();
        const queue = t.app.get<Queue>(getQueueToken('settlement'), { strict: false });
        const task = await t.app.get(TasksService).create('system', JOBS.scanSettlementInbox, { trigger: 'test' });
        // One attempt only, which meets a transient fault: Bull files the job under failed.
        jest.spyOn(t.app.get(SettlementInboxService), 'claimReady').mockRejectedValueOnce(new Error('inbox unreadable'));
        await queue.add(JOBS.scanSettlementInbox, { taskId: task.id }, { jobId: task.id, attempts: 1 });
        for (let i = 0; !(await queue.getJob(task.id))?.failedReason; i++) {
          if (i > 200) throw new Error('the job never failed');
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        const failed = await t.http().get('/admin/queues/api/queues?activeQueue=settlement&status=failed').set('Cookie', cookie).expect(200);
        const settlement = failed.body.queues.find((q: { name: string }) => q.name === 'settlement');
        expect(settlement.jobs.map((job: { id: string }) => job.id)).toContain(task.id);

        await t.http().put(`/admin/queues/api/queues/settlement/${task.id}/retry`).set('Cookie', cookie).expect(204);
        expect(await waitForTask(t, admin, task.id)).toMatchObject({ state: 'SUCCESS' });
      });

      it('refuses what would strand tasks (empty, clean, add, remove, pause), and any write from another site', async () => {
        const { cookie } = await signIn();
        for (const [method, path] of [
          ['put', '/admin/queues/api/queues/extracts/empty'],
          ['put', '/admin/queues/api/queues/extracts/clean/completed'],
          ['put', '/admin/queues/api/queues/extracts/pause'],
          ['post', '/admin/queues/api/queues/extracts/add'],
        ] as const) {
          const res = await t.http()[method](path).set('Cookie', cookie).send({});
          expect({ path, status: res.status }).toEqual({ path, status: 403 });
        }
        const crossSite = await t.http().put('/admin/queues/api/queues/settlement/retry/failed').set('Cookie', cookie).set('Origin', 'https://evil.example');
        expect(crossSite.status).toBe(403);
        expect(crossSite.body.message).toBe('The queue dashboard takes no request from another site');
      });
    });
});
