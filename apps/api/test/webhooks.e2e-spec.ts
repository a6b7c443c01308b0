import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { FINANCE_DB } from '@app/database';
import { TasksService } from '@app/jobs';
import { WebhookDelivery, WebhookEvents, WebhookSweeper, verifySignature } from '@app/webhooks';
import {
  CreatedUser,
  ReceivedWebhook,
  TestApp,
  WebhookReceiver,
  createTestApp,
  createUser,
  freePort,
  grantSubscription,
  loginAdmin,
  startWebhookReceiver,
  waitForTask,
} from '@app/testing';

const SECRET = 'whsec-test-0123456789abcdef0123456789abcdef';

/**
 * §Events webhooks against receivers this test starts on 127.0.0.1: the in-process driver here
 * (e2e), Bull in the integration tier. /flaky answers 500 to the first two attempts of each event,
 * /ok always 200; the third URL has nothing listening.
 */
describe('webhooks', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let admin: string;
  let user: CreatedUser;
  let deadUrl: string;

  const byEvent = (received: ReceivedWebhook[], path: string, eventId: string) =>
    received.filter((r) => r.path === path && r.headers['webhook-id'] === eventId);
  const deliveries = () => t.app.get<DataSource>(getDataSourceToken(FINANCE_DB)).getRepository(WebhookDelivery);

  beforeAll(async () => {
    receiver = await startWebhookReceiver((request, before) => {
      if (request.path === '/ok') return 200;
      return before.filter((r) => r.path === request.path && r.headers['webhook-id'] === request.headers['webhook-id']).length < 2 ? 500 : 200;
    });
    deadUrl = `http://127.0.0.1:${await freePort()}/gone`;
    t = await createTestApp({ WEBHOOK_URLS: [receiver.url('/flaky'), receiver.url('/ok'), deadUrl].join(','), WEBHOOK_SECRET: SECRET });
    admin = await loginAdmin(t);
    user = await createUser(t, admin);
    await grantSubscription(t, admin, user.username);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('a receiver that answers 500 twice then 200 gets task.finished three times: one Webhook-Id, one body, each validly signed', async () => {
    const res = await t.http().post('/generate-data').auth(user.token, { type: 'bearer' }).send({ days_before: 7 }).expect(202);
    const taskId = res.body.task_id as string;
    const status = await waitForTask(t, user.token, taskId);
    const first = (await receiver.waitFor((all) => all.some((r) => r.path === '/flaky' && JSON.parse(r.body).data.task_id === taskId))).find(
      (r) => r.path === '/flaky' && JSON.parse(r.body).data.task_id === taskId,
    )!;
    const eventId = first.headers['webhook-id'] as string;
    const attempts = await receiver.waitFor((all) => byEvent(all, '/flaky', eventId).length === 3, 20_000).then((all) => byEvent(all, '/flaky', eventId));

    expect(attempts.map((a) => a.answered)).toEqual([500, 500, 200]);
    expect(attempts.map((a) => a.headers['webhook-attempt'])).toEqual(['1', '2', '3']);
    expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
    for (const attempt of attempts) {
      expect(attempt.headers['content-type']).toBe('application/json');
      expect(attempt.headers['webhook-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verifySignature(SECRET, attempt.headers['webhook-signature'] as string, attempt.body)).toBe(true);
      expect(verifySignature('another secret', attempt.headers['webhook-signature'] as string, attempt.body)).toBe(false);
    }
    // Backoff: about 2 s, then about 4 s (plus at most 10%).
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i].at);
    expect(gaps[0]).toBeGreaterThanOrEqual(1_900);
    expect(gaps[1]).toBeGreaterThanOrEqual(3_900);
    expect(gaps[1]).toBeLessThan(6_000);

    const body = JSON.parse(attempts[0].body);
    expect(body).toEqual({
      id: eventId,
      type: 'task.finished',
      created_at: expect.any(String),
      data: { ...status, task_type: 'generate-extract', owner_id: user.id },
    });
    // The same event, with the same id, to the receiver that took it at once.
    expect(byEvent(receiver.received, '/ok', eventId).map((a) => a.answered)).toEqual([200]);

    const listed = await t.http().get('/webhook-deliveries').query({ event_id: eventId }).auth(admin, { type: 'bearer' }).expect(200);
    const rows = Object.fromEntries(listed.body.deliveries.map((d: { url: string }) => [d.url, d]));
    expect(listed.body.total).toBe(3);
    expect(rows[receiver.url('/flaky')]).toMatchObject({ status: 'delivered', attempts: 3, last_status_code: 200, last_error: null, event: body });
    expect(rows[receiver.url('/ok')]).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 200 });
    expect(rows[deadUrl]).toMatchObject({
      status: 'pending',
      last_status_code: null,
      last_error: expect.stringMatching(/^could not send: .*ECONNREFUSED/),
      next_attempt_at: expect.any(String),
    });
  }, 40_000);

  it('a settlement upload: settlement.file.finished with the file summary, and task.finished for its load', async () => {
    const operator = await createUser(t, admin, { role: 'operator' });
    const csv = `DOC_IDT,TRANS_DATE,TRANS_TIME,AMOUNT,CURRENCY,CARD_NO,MERCHANT_ID,TRANS_TYPE,FEE\nWH-${process.pid}-${Date.now()},2026-11-02,10:15:00,125.50,VND,411111******1111,M001,PURCHASE,1.25\n`;
    const upload = await t.http().post('/api/settlement/files').auth(operator.token, { type: 'bearer' }).attach('file', Buffer.from(csv), 'hooks.csv');
    expect(upload.status).toBe(202);
    await waitForTask(t, operator.token, upload.body.task_id);
    const file = await t.http().get(`/api/settlement/files/${upload.body.file_id}`).auth(operator.token, { type: 'bearer' }).expect(200);
    const ours = (all: ReceivedWebhook[]) =>
      all
        .filter((r) => r.path === '/ok')
        .map((r) => JSON.parse(r.body))
        .filter((b) => b.data.id === upload.body.file_id || b.data.task_id === upload.body.task_id);
    const events = ours(await receiver.waitFor((all) => ours(all).length >= 2));
    expect(events.find((e) => e.type === 'settlement.file.finished' && e.data.id === upload.body.file_id)?.data).toEqual(file.body);
    expect(events.find((e) => e.type === 'task.finished' && e.data.task_id === upload.body.task_id)?.data).toMatchObject({
      state: 'SUCCESS',
      task_type: 'ingest-settlement-file',
    });
  }, 30_000);

  it('records an event once however often it is reported (a retried job, two replicas)', async () => {
    const events = t.app.get(WebhookEvents);
    const event = { type: 'settlement.file.finished' as const, key: `test:${Date.now()}`, data: { n: 1 } };
    const first = await events.record(event);
    const again = await events.record({ ...event, data: { n: 2 } });
    expect(first).toHaveLength(3);
    expect(again).toEqual([]);
    expect(await deliveries().countBy({ eventId: first[0].eventId })).toBe(3);
    await events.dispatch(first);
    await receiver.waitFor((all) => byEvent(all, '/ok', first[0].eventId).length === 1);
  });

  it('the sweep sends a delivery whose job was lost, and one whose runner died mid-attempt (lease over)', async () => {
    const events = t.app.get(WebhookEvents);
    const lost = (await events.record({ type: 'task.finished', key: `lost:${Date.now()}`, data: {} })).find((d) => d.url.endsWith('/ok'))!;
    const died = (await events.record({ type: 'task.finished', key: `died:${Date.now()}`, data: {} })).find((d) => d.url.endsWith('/ok'))!;
    const past = new Date(Date.now() - 60_000);
    await deliveries().update({ id: lost.id }, { nextAttemptAt: past });
    await deliveries().update({ id: died.id }, { attempts: 1, lastAttemptAt: past, nextAttemptAt: past });

    expect(await t.app.get(WebhookSweeper).sweep()).toBeGreaterThanOrEqual(2);
    await receiver.waitFor((all) => byEvent(all, '/ok', lost.eventId).length === 1 && byEvent(all, '/ok', died.eventId).length === 1);
    const rows = await deliveries().findBy([{ id: lost.id }, { id: died.id }]);
    expect(Object.fromEntries(rows.map((r) => [r.id, [r.status, r.attempts]]))).toEqual({ [lost.id]: ['delivered', 1], [died.id]: ['delivered', 2] });
  });

  it('gives a delivery up as failed once its next attempt would be more than 24 h after the event', async () => {
    const events = t.app.get(WebhookEvents);
    const almostADayAgo = new Date(Date.now() - 24 * 3_600_000 + 1_000);
    const recorded = await events.record({ type: 'task.finished', key: `old:${Date.now()}`, data: {} }, almostADayAgo);
    const dead = recorded.find((d) => d.url === deadUrl)!;
    await events.queueAttempt(dead.id, 1, 0);
    for (let i = 0; i < 100 && (await deliveries().findOneByOrFail({ id: dead.id })).status === 'pending'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await deliveries().findOneByOrFail({ id: dead.id })).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastStatusCode: null,
      lastError: expect.stringMatching(/^could not send: .*ECONNREFUSED/),
      nextAttemptAt: null,
    });
  });

  it('GET /webhook-deliveries is for admins, paginated and filtered', async () => {
    await t.http().get('/webhook-deliveries').auth(user.token, { type: 'bearer' }).expect(403);
    await t.http().get('/webhook-deliveries').expect(401);
    const page = await t.http().get('/webhook-deliveries').query({ limit: 2, skip: 1 }).auth(admin, { type: 'bearer' }).expect(200);
    expect(page.body).toMatchObject({ skip: 1, limit: 2, total: expect.any(Number) });
    expect(page.body.deliveries).toHaveLength(2);
    const delivered = await t
      .http()
      .get('/webhook-deliveries')
      .query({ status: 'delivered', event_type: 'task.finished' })
      .auth(admin, { type: 'bearer' })
      .expect(200);
    expect(delivered.body.deliveries.every((d: { status: string; event_type: string }) => d.status === 'delivered' && d.event_type === 'task.finished')).toBe(
      true,
    );
    await t.http().get('/webhook-deliveries').query({ status: 'lost' }).auth(admin, { type: 'bearer' }).expect(400);
  });

  it('never writes the secret to a log line or to a delivery, nor a receiver URL past its origin (its path may be its secret)', async () => {
    expect(t.logs.filter((line) => line.includes(SECRET))).toEqual([]);
    expect(t.logs.filter((line) => line.includes('Webhook to'))).not.toEqual([]);
    expect(t.logs.filter((line) => [receiver.url('/flaky'), deadUrl].some((url) => line.includes(url)))).toEqual([]);
    const all = await deliveries().find();
    expect(all.filter((d) => `${d.payload}${d.lastError}`.includes(SECRET))).toEqual([]);
  });

  it('a task that ends without webhooks configured records nothing', async () => {
    const quiet = await createTestApp();
    try {
      const task = await quiet.app.get(TasksService).create('someone', 'generate-extract', {});
      await quiet.app.get(TasksService).succeed(task.id, {});
      expect(await quiet.app.get<DataSource>(getDataSourceToken(FINANCE_DB)).getRepository(WebhookDelivery).count()).toBe(0);
    } finally {
      await quiet.close();
    }
    // A second app: on the real servers its scratch databases and migrations take seconds.
  }, 30_000);
});
