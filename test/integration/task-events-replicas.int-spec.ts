import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import { FINANCE_DB } from '@app/database';
import { TASK_CHANGE_BUS, TASK_EVENTS, TaskChangeBus, TasksService } from '@app/jobs';
import { verifySignature } from '@app/webhooks';
import {
  CreatedUser,
  TestApp,
  WebhookReceiver,
  createTestApp,
  createUser,
  freePort,
  grantSubscription,
  loginAdmin,
  openSse,
  startBuiltApp,
  startWebhookReceiver,
  statusesOf,
  stopProcess,
} from '@app/testing';

type AppProcess = ReturnType<typeof startBuiltApp>;

const SECRET = 'whsec-replicas-0123456789abcdef0123456789abcdef';

async function waitForOutput(child: AppProcess, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(child.output.join(''))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${pattern} from the process:\n${child.output.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * GET /task-status/{task_id}/events as deployed in services mode (§Events): two api replicas (one
 * in this process, one a built process) and a worker process on one PostgreSQL, MariaDB and Redis,
 * neither api running jobs. The api that streams is never the process that runs the job: every
 * change reaches it over Redis pub/sub. A client resumes on the other replica with Last-Event-ID,
 * also when its replica drains for a restart. The worker's task.finished goes out through Bull.
 */
describe('task events across api replicas and a worker (services mode)', () => {
  let a: TestApp;
  let b: AppProcess;
  let bUrl: string;
  let worker: AppProcess | undefined;
  let receiver: WebhookReceiver;
  let admin: string;
  let owner: CreatedUser;
  let stranger: CreatedUser;
  /** The task ids api A heard about on the change bus (it runs no job: every notice came over Redis). */
  const heardOnA: string[] = [];

  const aUrl = () => a.app.getUrl();
  const eventsPath = (taskId: string) => `/task-status/${taskId}/events`;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    // Answers 500 to the first two attempts of each event, then 200.
    receiver = await startWebhookReceiver((request, before) =>
      before.filter((r) => r.headers['webhook-id'] === request.headers['webhook-id']).length < 2 ? 500 : 200,
    );
    a = await createTestApp({ WORKER_IN_API: 'false', WEBHOOK_URLS: receiver.url('/hooks'), WEBHOOK_SECRET: SECRET });
    await a.app.listen(0, '127.0.0.1');
    const port = await freePort();
    bUrl = `http://127.0.0.1:${port}`;
    b = startBuiltApp('api', { ...a.env, PORT: String(port) });
    a.app.get<TaskChangeBus>(TASK_CHANGE_BUS).subscribe((change) => change !== 'resync' && heardOnA.push(change.taskId));
    admin = await loginAdmin(a);
    owner = await createUser(a, admin);
    stranger = await createUser(a, admin);
    await grantSubscription(a, admin, owner.username);
    await waitForOutput(b, /API listening/);
  }, 90_000);
  afterAll(async () => {
    if (worker) await stopProcess(worker);
    await stopProcess(b);
    await a?.close();
    await receiver?.close();
  });

  it('streams from api A a job the worker runs, heartbeat included, then resumes on api B with Last-Event-ID to the end', async () => {
    const res = await a.http().post('/generate-data').auth(owner.token, { type: 'bearer' }).send({ days_before: 30 }).expect(202);
    const taskId = res.body.task_id as string;
    // The extract itself takes milliseconds: a lock on the transactions table holds it after it
    // started (the worker claims the task, then its read waits), long enough to see a heartbeat.
    const lock: QueryRunner = a.app.get<DataSource>(getDataSourceToken(FINANCE_DB)).createQueryRunner();
    await lock.connect();
    await lock.startTransaction();
    await lock.query('LOCK TABLE transactions IN ACCESS EXCLUSIVE MODE');
    try {
      // The worker starts only once the stream is open: its changes cannot have been read at open.
      const openedAt = Date.now();
      const onA = await openSse(`${await aUrl()}${eventsPath(taskId)}`, {
        token: owner.token,
        timeoutMs: 60_000,
        onOpen: () => void (worker = startBuiltApp('worker', a.env)),
        until: (events, comments) => comments.includes('heartbeat') && events.some((e) => JSON.parse(e.data).state === 'PROGRESS'),
      });
      expect(onA.status).toBe(200);
      expect(onA.retry).toBe(TASK_EVENTS.retryMs);
      const seenOnA = statusesOf(onA);
      expect(seenOnA[0]).toMatchObject({ task_id: taskId, state: 'PENDING' });
      expect(seenOnA.map((s) => s.state)).toEqual(expect.arrayContaining(['STARTED', 'PROGRESS']));
      expect(heardOnA.filter((id) => id === taskId).length).toBeGreaterThanOrEqual(2);
      // Each change arrived as it was made, not at the fallback read (every 10 s).
      const started = onA.events.find((e) => JSON.parse(e.data).state === 'STARTED')!;
      expect(openedAt + started.at - Date.parse(JSON.parse(started.data).started_at)).toBeLessThan(2_000);
      // The heartbeat comment came heartbeatMs after the stream opened, while no event did.
      expect(Date.now() - openedAt).toBeGreaterThanOrEqual(TASK_EVENTS.heartbeatMs - 1_000);
      expect(Date.now() - openedAt).toBeLessThan(TASK_EVENTS.heartbeatMs + 5_000);

      // The same client on the other replica: nothing it has seen, the rest as it comes, the end.
      const lastSeen = onA.events.at(-1)!.id!;
      const onB = await openSse(`${bUrl}${eventsPath(taskId)}`, {
        token: owner.token,
        lastEventId: lastSeen,
        timeoutMs: 30_000,
        onOpen: () => void lock.rollbackTransaction(),
      });
      expect(onB).toMatchObject({ status: 200, ended: true });
      expect(onB.events.length).toBeGreaterThan(0);
      expect(onB.events.every((e) => Number(e.id) > Number(lastSeen))).toBe(true);
      const seenOnB = statusesOf(onB);
      expect(seenOnB.map((s) => s.state)).not.toContain('PENDING');
      expect(seenOnB.at(-1)!.state).toBe('SUCCESS');
      const polled = await fetch(`${bUrl}/task-status/${taskId}`, { headers: { authorization: `Bearer ${owner.token}` } });
      expect(seenOnB.at(-1)).toEqual(await polled.json());
    } finally {
      if (lock.isTransactionActive) await lock.rollbackTransaction();
      await lock.release();
    }

    // task.finished from the worker through Bull: 500, 500, then 200, one Webhook-Id, each signed.
    const ours = (all: WebhookReceiver['received']) => all.filter((r) => JSON.parse(r.body).data.task_id === taskId);
    const attempts = ours(await receiver.waitFor((all) => ours(all).length === 3, 20_000));
    expect(attempts.map((r) => r.answered)).toEqual([500, 500, 200]);
    expect(new Set(attempts.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(new Set(attempts.map((r) => r.body)).size).toBe(1);
    for (const attempt of attempts) expect(verifySignature(SECRET, attempt.headers['webhook-signature'] as string, attempt.body)).toBe(true);
    const listed = await fetch(`${bUrl}/webhook-deliveries?event_id=${attempts[0].headers['webhook-id']}`, { headers: { authorization: `Bearer ${admin}` } });
    expect(((await listed.json()) as { deliveries: unknown[] }).deliveries).toEqual([
      expect.objectContaining({ status: 'delivered', attempts: 3, last_status_code: 200 }),
    ]);
  }, 90_000);

  it("answers 404 on either replica for another user's task, as for no task; its owner and admins follow it", async () => {
    const taskId = (await a.app.get(TasksService).create(owner.id, 'generate-extract', { manual: true })).id;
    for (const base of [await aUrl(), bUrl]) {
      const theirs = await openSse(`${base}${eventsPath(taskId)}`, { token: stranger.token });
      const none = await openSse(`${base}${eventsPath('7a0e2f4c-6a55-4b8e-9d0a-2f1c3b4d5e6f')}`, { token: stranger.token });
      expect([theirs.status, none.status]).toEqual([404, 404]);
      expect(JSON.parse(theirs.body).message).toBe(JSON.parse(none.body).message);
      for (const token of [owner.token, admin]) {
        const followed = await openSse(`${base}${eventsPath(taskId)}`, { token, until: (events) => events.length === 1 });
        expect(statusesOf(followed)[0]).toMatchObject({ task_id: taskId, state: 'PENDING' });
      }
    }
  }, 20_000);

  it('a replica that drains for a restart ends its streams at once; the client resumes on the other', async () => {
    const tasks = a.app.get(TasksService);
    const taskId = (await tasks.create(owner.id, 'generate-extract', { manual: true })).id;
    const onB = openSse(`${bUrl}${eventsPath(taskId)}`, { token: owner.token, timeoutMs: 20_000 });
    await sleep(500);
    const signalledAt = Date.now();
    b.kill('SIGTERM');
    const ended = await onB;
    expect(ended).toMatchObject({ status: 200, ended: true });
    expect(statusesOf(ended).map((s) => s.state)).toEqual(['PENDING']);
    expect(Date.now() - signalledAt).toBeLessThan(5_000);
    await new Promise((resolve) => (b.exitCode !== null ? resolve(undefined) : b.once('exit', resolve)));
    expect(b.exitCode).toBe(0);

    // Nothing new on A until the task changes (made here, announced over Redis like any other change).
    const onA = openSse(`${await aUrl()}${eventsPath(taskId)}`, {
      token: owner.token,
      lastEventId: ended.events[0].id,
      until: (events) => events.length === 1,
      onOpen: () => void sleep(600).then(() => tasks.start(taskId, 1)),
    });
    const resumed = await onA;
    expect(resumed.events[0].at).toBeGreaterThanOrEqual(550);
    expect(statusesOf(resumed)[0].state).toBe('STARTED');
  }, 30_000);
});
