import type { JobRunner, RunOutcome } from '../job-runner';
import type { MessageRunner } from '../message-runner';
import { JOBS, MESSAGE_JOBS } from '../jobs.constants';
import type { TasksService } from '../tasks.service';
import { InProcessDriver } from './in-process.driver';

function messageRunner(run: (job: string, data: Record<string, unknown>) => Promise<unknown> = async () => undefined): MessageRunner {
  return { run } as unknown as MessageRunner;
}

function driverWith(outcomes: RunOutcome[], lost: Array<{ id: string; type: string }> = []) {
  const run = jest.fn(async (_job: string, _taskId: string, _attempt: number): Promise<RunOutcome> => outcomes.shift() ?? 'done');
  const tasks = { unfinished: jest.fn(async () => lost) } as unknown as TasksService;
  return { driver: new InProcessDriver({ run } as unknown as JobRunner, tasks, messageRunner()), run };
}

describe('InProcessDriver', () => {
  afterEach(() => jest.useRealTimers());

  it('runs queued jobs once processing starts', async () => {
    const { driver, run } = driverWith(['done']);
    await driver.enqueue(JOBS.generateExtract, 't1');
    expect(run).not.toHaveBeenCalled();
    await driver.startProcessing(1);
    await driver.idle();
    expect(run).toHaveBeenCalledWith(JOBS.generateExtract, 't1', 1);
  });

  it('retries a transient failure with backoff, counting attempts', async () => {
    jest.useFakeTimers();
    const { driver, run } = driverWith(['retry', 'retry', 'done']);
    await driver.startProcessing(1);
    await driver.enqueue(JOBS.generateExtract, 't1');
    const idle = driver.idle();
    await jest.advanceTimersByTimeAsync(2_000 + 4_000);
    await idle;
    expect(run.mock.calls.map((call) => call[2])).toEqual([1, 2, 3]);
  });

  it('collapses a job id queued twice into one run', async () => {
    const { driver, run } = driverWith([]);
    await driver.enqueue(JOBS.generateExtract, 't1', 'business-key');
    await driver.enqueue(JOBS.generateExtract, 't2', 'business-key');
    await driver.startProcessing(2);
    await driver.idle();
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('re-queues tasks a previous run of the process left unfinished', async () => {
    const { driver, run } = driverWith([], [{ id: 'lost', type: JOBS.generateExtract }]);
    await driver.startProcessing(1);
    await driver.idle();
    expect(run).toHaveBeenCalledWith(JOBS.generateExtract, 'lost', 1);
  });

  it('runs no more jobs at once than its concurrency', async () => {
    let active = 0;
    let peak = 0;
    const run = jest.fn(async () => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 10));
      active -= 1;
      return 'done' as const;
    });
    const driver = new InProcessDriver({ run } as unknown as JobRunner, { unfinished: async () => [] } as unknown as TasksService, messageRunner());
    await driver.startProcessing(2);
    for (let i = 0; i < 6; i++) await driver.enqueue(JOBS.generateExtract, `t${i}`);
    await driver.idle();
    expect(run).toHaveBeenCalledTimes(6);
    expect(peak).toBe(2);
  });

  it('reports what each queue holds: waiting, active, delayed for a retry (failed jobs are not kept)', async () => {
    jest.useFakeTimers();
    let release!: () => void;
    const run = jest.fn(async (_job: string, taskId: string) => {
      if (taskId === 'slow') await new Promise<void>((resolve) => (release = resolve));
      return taskId === 'flaky' ? ('retry' as const) : ('done' as const);
    });
    const driver = new InProcessDriver({ run } as unknown as JobRunner, { unfinished: async () => [] } as unknown as TasksService, messageRunner());
    await driver.startProcessing(2);
    await driver.enqueue(JOBS.generateExtract, 'slow');
    await driver.enqueue(JOBS.ingestSettlementFile, 'flaky');
    await driver.enqueue(JOBS.generateExtract, 'queued');
    await jest.advanceTimersByTimeAsync(0);
    const depth = Object.fromEntries((await driver.depth()).map((d) => [`${d.queue} ${d.state}`, d.jobs]));
    expect(depth).toEqual({
      'extracts waiting': 0,
      'extracts active': 1,
      'extracts delayed': 0,
      'extracts failed': 0,
      'settlement waiting': 0,
      'settlement active': 0,
      'settlement delayed': 1,
      'settlement failed': 0,
      'webhooks waiting': 0,
      'webhooks active': 0,
      'webhooks delayed': 0,
      'webhooks failed': 0,
    });
    release();
    await jest.advanceTimersByTimeAsync(0);
    expect((await driver.depth()).find((d) => d.queue === 'extracts' && d.state === 'active')?.jobs).toBe(0);
    await driver.onApplicationShutdown();
  });

  describe('message jobs', () => {
    const idle = { unfinished: async () => [] } as unknown as TasksService;

    it('run once processing starts, after their delay, with their data', async () => {
      jest.useFakeTimers();
      const run = jest.fn(async () => undefined);
      const driver = new InProcessDriver({} as JobRunner, idle, messageRunner(run));
      await driver.send(MESSAGE_JOBS.deliverWebhook, { deliveryId: 'now' }, { jobId: 'now' });
      await driver.send(MESSAGE_JOBS.deliverWebhook, { deliveryId: 'later' }, { jobId: 'later', delayMs: 5_000 });
      await jest.advanceTimersByTimeAsync(0);
      expect(run).not.toHaveBeenCalled();
      await driver.startProcessing(1);
      await jest.advanceTimersByTimeAsync(0);
      expect(run.mock.calls).toEqual([[MESSAGE_JOBS.deliverWebhook, { deliveryId: 'now' }]]);
      const delayed = (await driver.depth()).find((d) => d.queue === 'webhooks' && d.state === 'delayed');
      expect(delayed?.jobs).toBe(1);
      await jest.advanceTimersByTimeAsync(5_000);
      expect(run).toHaveBeenLastCalledWith(MESSAGE_JOBS.deliverWebhook, { deliveryId: 'later' });
      await driver.onApplicationShutdown();
    });

    it('collapse a job id sent again while it waits, and take it again once it ran', async () => {
      jest.useFakeTimers();
      const run = jest.fn(async () => undefined);
      const driver = new InProcessDriver({} as JobRunner, idle, messageRunner(run));
      await driver.startProcessing(1);
      await driver.send(MESSAGE_JOBS.deliverWebhook, { n: 1 }, { jobId: 'd1:2', delayMs: 1_000 });
      await driver.send(MESSAGE_JOBS.deliverWebhook, { n: 2 }, { jobId: 'd1:2', delayMs: 1_000 });
      await jest.advanceTimersByTimeAsync(1_000);
      expect(run).toHaveBeenCalledTimes(1);
      await driver.send(MESSAGE_JOBS.deliverWebhook, { n: 3 }, { jobId: 'd1:2' });
      await jest.advanceTimersByTimeAsync(0);
      expect(run).toHaveBeenCalledTimes(2);
      await driver.onApplicationShutdown();
    });

    it('do not wait behind task jobs that fill the concurrency', async () => {
      let release!: () => void;
      const tasksRun = jest.fn(() => new Promise<'done'>((resolve) => (release = () => resolve('done'))));
      const run = jest.fn(async () => undefined);
      const driver = new InProcessDriver({ run: tasksRun } as unknown as JobRunner, idle, messageRunner(run));
      await driver.startProcessing(1);
      await driver.enqueue(JOBS.generateExtract, 'long');
      await driver.send(MESSAGE_JOBS.deliverWebhook, {}, { jobId: 'm' });
      await new Promise((resolve) => setImmediate(resolve));
      expect(run).toHaveBeenCalledTimes(1);
      release();
      await driver.idle();
    });
  });
});
