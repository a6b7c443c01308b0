import { FINANCE_DB } from '@app/database';
import { TasksService } from '@app/jobs';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { TransactionsService } from '@app/transactions';
import { TestApp, createTestApp, createUser, grantSubscription, loginAdmin, startBuiltApp, stopProcess, waitForTask } from '@app/testing';

/** The worker app as a separate process on PostgreSQL + Redis (Bull), as in services mode. */
describe('worker process (Bull on Redis)', () => {
  let t: TestApp;
  let user: Awaited<ReturnType<typeof createUser>>;
  const ROWS = 150_000;

  beforeAll(async () => {
    t = await createTestApp({ WORKER_IN_API: 'false' });
    user = await createUser(t, await loginAdmin(t));
    await grantSubscription(t, await loginAdmin(t), user.username);
    const actor = { id: user.id, username: user.username, role: 'user' as const };
    const rows = Array.from({ length: ROWS }, (_, i) => ({
      amount: `${(i % 1000) - 300}.${String(i % 100).padStart(2, '0')}`,
      currency: 'USD',
      description: `row ${i}`,
      occurred_at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    }));
    await t.app.get(TransactionsService).createMany(actor, rows);
  }, 120_000);
  afterAll(() => t.close());

  it('the api only queues; a separate worker process runs the job to SUCCESS', async () => {
    const res = await t
      .http()
      .post('/generate-data')
      .auth(user.token, { type: 'bearer' })
      .send({ start_date: '2026-01-01', end_date: '2026-12-31', aggregation: 'month' })
      .expect(202);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const queued = await t.http().get(`/task-status/${res.body.task_id}`).auth(user.token, { type: 'bearer' }).expect(200);
    expect(queued.body.state).toBe('PENDING');

    const worker = startBuiltApp('worker', t.env);
    try {
      const status = await waitForTask(t, user.token, res.body.task_id, 60_000);
      expect(status).toMatchObject({ state: 'SUCCESS', result: { rows: 1 } }); // 150,000 seconds all fall in January
    } finally {
      await stopProcess(worker);
    }
  }, 90_000);

  it('a worker killed (-9) in the middle of a job: the job is picked up again and ends SUCCESS once', async () => {
    const res = await t
      .http()
      .post('/generate-data')
      .auth(user.token, { type: 'bearer' })
      .send({ start_date: '2026-01-01', end_date: '2026-12-31', detailed: true })
      .expect(202);
    const taskId = res.body.task_id;
    // The extract itself takes well under a second, so hold it mid-way: a lock on the transactions
    // table lets the worker claim the job (STARTED) and then blocks its read. Kill it there, without warning.
    const finance = t.app.get<DataSource>(getDataSourceToken(FINANCE_DB));
    expect(finance.options.type).toBe('postgres');
    const lock = finance.createQueryRunner();
    await lock.connect();
    await lock.startTransaction();
    await lock.query('LOCK TABLE transactions IN ACCESS EXCLUSIVE MODE');
    const first = startBuiltApp('worker', t.env);
    try {
      for (let i = 0; ; i++) {
        const status = (await t.http().get(`/task-status/${taskId}`).auth(user.token, { type: 'bearer' })).body;
        if (status.state === 'STARTED' || status.state === 'PROGRESS') break;
        if (status.state !== 'PENDING' || i > 600) {
          throw new Error(`job never seen started: ${JSON.stringify(status)}\n${first.output.join('')}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await stopProcess(first, 'SIGKILL');
    } finally {
      await lock.rollbackTransaction();
      await lock.release();
    }

    const second = startBuiltApp('worker', t.env);
    try {
      // Bull re-queues the stalled job once its lock expires (30 s) and a worker checks (15 s).
      const status = await waitForTask(t, user.token, taskId, 120_000);
      expect(status.state).toBe('SUCCESS');
      expect(status.result.rows).toBe(ROWS);
      const csv = await t
        .http()
        .get(`/extracts/${taskId}/download`)
        .auth(user.token, { type: 'bearer' })
        .buffer(true)
        .parse((r, cb) => {
          let n = 0;
          r.on('data', (chunk: Buffer) => (n += chunk.toString().split('\n').length - 1));
          r.on('end', () => cb(null, n));
        });
      expect(csv.body).toBe(ROWS + 1); // header + each row exactly once
    } finally {
      await stopProcess(second);
    }
  }, 180_000);
});

describe('Redis unreachable', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ REDIS_URL: 'redis://127.0.0.1:6399/0', WORKER_IN_API: 'false' });
  });
  afterAll(() => t.close());

  it('POST /generate-data answers 503 with a clear message and leaves no task PENDING', async () => {
    const admin = await loginAdmin(t);
    const user = await createUser(t, admin);
    await grantSubscription(t, admin, user.username);
    const res = await t.http().post('/generate-data').auth(user.token, { type: 'bearer' }).send({ days_before: 7 }).expect(503);
    expect(res.body.message).toMatch(/job queue is unavailable/);
    expect(await t.app.get(TasksService).unfinished(['generate-extract'])).toEqual([]);
  });

  it('/health/ready stays 200 and says Redis is down (degraded); /health answers 503', async () => {
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.details.redis.status).toBe('degraded');
    const full = await t.http().get('/health').expect(503);
    expect(full.body.error.redis.status).toBe('down');
  });

  it('login still works, throttled in memory', async () => {
    await loginAdmin(t);
  });
});
