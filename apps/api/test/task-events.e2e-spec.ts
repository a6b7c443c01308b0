import { JOBS, TASK_EVENTS, TaskWatcher, TasksService } from '@app/jobs';
import { CreatedUser, SseStreamResult, TestApp, createTestApp, createUser, grantSubscription, loginAdmin, openSse, statusesOf } from '@app/testing';

/**
 * GET /task-status/{task_id}/events (§HTTP, §Events) through the real HTTP pipeline on a real port:
 * the in-process driver and change emitter here (e2e), Bull and Redis pub/sub in the integration
 * tier; test/integration/task-events-replicas.int-spec.ts streams from another api than the worker's.
 */
describe('task events: GET /task-status/{task_id}/events', () => {
  let t: TestApp;
  let base: string;
  let admin: string;
  let owner: CreatedUser;
  let stranger: CreatedUser;
  let tasks: TasksService;

  const eventsUrl = (taskId: string) => `${base}/task-status/${taskId}/events`;
  const newTask = async () => (await tasks.create(owner.id, JOBS.generateExtract, { manual: true })).id;
  const ids = (result: SseStreamResult) => result.events.map((event) => Number(event.id));
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = await t.app.getUrl();
    admin = await loginAdmin(t);
    owner = await createUser(t, admin);
    stranger = await createUser(t, admin);
    await grantSubscription(t, admin, owner.username);
    tasks = t.app.get(TasksService);
  }, 60_000);
  afterAll(() => t.close());

  it('follows a real extract: its status at once, each change, and the end after SUCCESS', async () => {
    const res = await t.http().post('/generate-data').auth(owner.token, { type: 'bearer' }).send({ days_before: 30 }).expect(202);
    const stream = await openSse(eventsUrl(res.body.task_id), { token: owner.token, timeoutMs: 30_000 });
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['cache-control']).toBe('no-cache, no-transform');
    expect(stream.headers['x-request-id']).toEqual(expect.any(String));
    expect(stream.retry).toBe(TASK_EVENTS.retryMs);
    expect(stream.ended).toBe(true);
    expect(stream.events.every((event) => event.event === 'status')).toBe(true);
    // Ids are the task's version: increasing, so Last-Event-ID means "seen up to here".
    expect(ids(stream)).toEqual([...ids(stream)].sort((a, b) => a - b));
    expect(new Set(ids(stream)).size).toBe(stream.events.length);
    const statuses = statusesOf(stream);
    expect(statuses.at(-1)!.state).toBe('SUCCESS');
    expect(statuses.slice(0, -1).map((s) => s.state)).not.toContain('SUCCESS');
    // The last event is the /task-status body, exactly.
    const polled = await t.http().get(`/task-status/${res.body.task_id}`).auth(owner.token, { type: 'bearer' }).expect(200);
    expect(statuses.at(-1)).toEqual(polled.body);
  });

  it('sends every change of state and progress, at most one event per 250 ms, and always the last', async () => {
    const taskId = await newTask();
    const changes = (async () => {
      await tasks.start(taskId, 1);
      for (let done = 1; done <= 20; done++) {
        await tasks.progress(taskId, done * 50, 1000);
        await sleep(30);
      }
      await tasks.succeed(taskId, { rows: 1000 });
    })();
    const stream = await openSse(eventsUrl(taskId), { token: owner.token, timeoutMs: 20_000 });
    await changes;
    expect(stream.ended).toBe(true);
    const statuses = statusesOf(stream);
    expect(statuses[0].state).toMatch(/PENDING|STARTED|PROGRESS/);
    expect(statuses.at(-1)).toMatchObject({ state: 'SUCCESS', progress: { done: 1000, total: 1000, percent: 100 }, result: { rows: 1000 } });
    // 22 changes in about 700 ms: some folded together, none sent sooner than 250 ms after the one before.
    expect(stream.events.length).toBeLessThan(12);
    expect(statuses.some((s) => s.state === 'PROGRESS')).toBe(true);
    const gaps = stream.events.slice(1).map((event, i) => event.at - stream.events[i].at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(TASK_EVENTS.minIntervalMs - 10);
  });

  it('sends no event for a write that changes nothing a client sees (the runner rewrites progress while a query runs)', async () => {
    const taskId = await newTask();
    await tasks.start(taskId, 1);
    await tasks.progress(taskId, 10, 100);
    const rewrites = async () => {
      for (const done of [10, 10, 20]) {
        await sleep(300);
        await tasks.progress(taskId, done, 100);
      }
    };
    const stream = await openSse(eventsUrl(taskId), {
      token: owner.token,
      until: (events) => events.length === 2,
      timeoutMs: 5_000,
      onOpen: () => void rewrites(),
    });
    expect(statusesOf(stream).map((s) => s.progress.done)).toEqual([10, 20]);
    // The rewrites made no version: a client resuming from the first event missed nothing.
    expect(Number(stream.events[1].id) - Number(stream.events[0].id)).toBe(1);
  });

  it('resumes with Last-Event-ID: only what changed since, nothing until something does, 204 after the end', async () => {
    const taskId = await newTask();
    const first = await openSse(eventsUrl(taskId), { token: owner.token, until: (events) => events.length === 1 });
    const seen = first.events[0].id!;
    expect(statusesOf(first)[0].state).toBe('PENDING');

    // Seen is current: the stream stays quiet until the task changes, then sends only the change.
    const quiet = openSse(eventsUrl(taskId), {
      token: owner.token,
      lastEventId: seen,
      until: (events) => events.length === 1,
      onOpen: () => void sleep(600).then(() => tasks.start(taskId, 1)),
    });
    const resumed = await quiet;
    expect(resumed.status).toBe(200);
    expect(resumed.events[0].at).toBeGreaterThanOrEqual(550);
    expect(Number(resumed.events[0].id)).toBeGreaterThan(Number(seen));
    expect(statusesOf(resumed)[0].state).toBe('STARTED');

    // Changes made while disconnected: one event with the latest status, at once.
    await tasks.progress(taskId, 10, 100);
    await tasks.progress(taskId, 20, 100);
    const caughtUp = await openSse(eventsUrl(taskId), { token: owner.token, lastEventId: resumed.events[0].id, until: (events) => events.length === 1 });
    expect(caughtUp.events[0].at).toBeLessThan(200);
    expect(statusesOf(caughtUp)[0]).toMatchObject({ state: 'PROGRESS', progress: { done: 20, total: 100 } });

    await tasks.succeed(taskId, { rows: 100 });
    const last = await openSse(eventsUrl(taskId), { token: owner.token, lastEventId: caughtUp.events[0].id });
    expect(last.ended).toBe(true);
    expect(statusesOf(last).map((s) => s.state)).toEqual(['SUCCESS']);
    // The final event seen: 204, which tells an EventSource to stop reconnecting.
    const done = await openSse(eventsUrl(taskId), { token: owner.token, lastEventId: last.events[0].id });
    expect({ status: done.status, events: done.events.length }).toEqual({ status: 204, events: 0 });
    // An id this stream never sent starts over with the current status.
    const future = await openSse(eventsUrl(taskId), { token: owner.token, lastEventId: '999999' });
    expect(statusesOf(future).map((s) => s.state)).toEqual(['SUCCESS']);
  });

  it("answers 404 for another user's task exactly as for no task, as GET /task-status does; admins may follow it", async () => {
    const taskId = await newTask();
    const theirs = await openSse(eventsUrl(taskId), { token: stranger.token });
    const missing = await openSse(eventsUrl('7a0e2f4c-6a55-4b8e-9d0a-2f1c3b4d5e6f'), { token: stranger.token });
    const polled = await t.http().get(`/task-status/${taskId}`).auth(stranger.token, { type: 'bearer' }).expect(404);
    const shape = (r: { status: number; body: string }) => {
      const { requestId: _requestId, ...rest } = JSON.parse(r.body);
      return { status: r.status, ...rest };
    };
    expect(shape(theirs)).toEqual(shape(missing));
    expect(shape(theirs)).toEqual({ status: 404, ...(({ requestId: _r, ...rest }) => rest)(polled.body) });

    const byAdmin = await openSse(eventsUrl(taskId), { token: admin, until: (events) => events.length === 1 });
    expect(statusesOf(byAdmin)[0]).toMatchObject({ task_id: taskId, state: 'PENDING' });
  });

  it('refuses a task id that is not one, a Last-Event-ID that is not a number, and no token', async () => {
    expect((await openSse(`${base}/task-status/not-a-task/events`, { token: owner.token })).status).toBe(400);
    const badId = await openSse(eventsUrl(await newTask()), { token: owner.token, lastEventId: 'abc' });
    expect(badId.status).toBe(400);
    expect(JSON.parse(badId.body).details).toEqual([{ field: 'Last-Event-ID', problems: [expect.stringContaining('Last-Event-ID')] }]);
    expect((await openSse(eventsUrl(await newTask()), {})).status).toBe(401);
  });

  it('lets go of a task once the last client following it has gone', async () => {
    const watcher = t.app.get(TaskWatcher);
    const before = watcher.watched;
    const taskId = await newTask();
    const followers = await Promise.all([1, 2].map(() => openSse(eventsUrl(taskId), { token: owner.token, until: (events) => events.length === 1 })));
    expect(followers.map((f) => f.events.length)).toEqual([1, 1]);
    for (let i = 0; watcher.watched !== before && i < 100; i++) await sleep(20);
    expect(watcher.watched).toBe(before);
  });

  it('ends the streams still open when the app closes, so they never hold up a shutdown', async () => {
    const other = await createTestApp();
    await other.app.listen(0, '127.0.0.1');
    const otherAdmin = await loginAdmin(other);
    const taskId = (await other.app.get(TasksService).create('someone', JOBS.generateExtract, {})).id;
    const open = openSse(`${await other.app.getUrl()}/task-status/${taskId}/events`, { token: otherAdmin, timeoutMs: 10_000 }).then((result) => ({
      result,
      endedAt: Date.now(),
    }));
    await sleep(300);
    const started = Date.now();
    await other.close();
    const { result, endedAt } = await open;
    expect(result).toMatchObject({ status: 200, ended: true });
    expect(statusesOf(result).map((s) => s.state)).toEqual(['PENDING']);
    expect(endedAt - started).toBeLessThan(5_000);
    // A second app: on the real servers its scratch databases and migrations take seconds.
  }, 30_000);
});
