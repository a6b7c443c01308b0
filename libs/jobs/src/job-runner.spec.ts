import { ValidationError } from '@app/core';
import { Metrics } from '@app/metrics';
import { PermanentJobError } from './job-handler';
import type { Handler, JobRegistry } from './job-registry';
import { JobRunner } from './job-runner';
import { JOBS } from './jobs.constants';
import type { TasksService } from './tasks.service';

function setup(handler: Handler, options: { started?: boolean } = {}) {
  const calls: Array<[string, ...unknown[]]> = [];
  const tasks = {
    find: jest.fn(async () => ({ id: 't1', ownerId: 'u1', params: { a: 1 } })),
    start: jest.fn(async () => options.started ?? true),
    succeed: jest.fn(async (...args: unknown[]) => void calls.push(['succeed', ...args])),
    fail: jest.fn(async (...args: unknown[]) => void calls.push(['fail', ...args])),
    retrying: jest.fn(async (...args: unknown[]) => void calls.push(['retrying', ...args])),
    progressReporter: () => ({ report: () => undefined, flush: async () => undefined }),
  } as unknown as TasksService;
  const registry = { get: () => handler } as unknown as JobRegistry;
  const metrics = new Metrics();
  return { runner: new JobRunner(registry, tasks, metrics), calls, tasks, metrics };
}

const limits = { soft: 5_000, hard: 10_000 };

describe('JobRunner', () => {
  it('runs the handler with the task and stores its result', async () => {
    const handler = jest.fn(async () => ({ rows: 3 }));
    const { runner, calls } = setup(handler);
    await expect(runner.run(JOBS.generateExtract, 't1', 1, limits)).resolves.toBe('done');
    expect(handler).toHaveBeenCalledWith(expect.objectContaining({ taskId: 't1', ownerId: 'u1', params: { a: 1 }, attempt: 1 }));
    expect(calls).toEqual([['succeed', 't1', { rows: 3 }]]);
  });

  it('asks for a retry on a transient error before the last attempt', async () => {
    const { runner, calls } = setup(async () => {
      throw new Error('connection reset');
    });
    await expect(runner.run(JOBS.generateExtract, 't1', 1, limits)).resolves.toBe('retry');
    expect(calls).toEqual([['retrying', 't1', 'attempt 1 hit an internal error']]);
  });

  it('fails after the fourth attempt (3 retries) without leaking the internal message', async () => {
    const { runner, calls } = setup(async () => {
      throw new Error('password authentication failed for user finance');
    });
    await expect(runner.run(JOBS.generateExtract, 't1', 4, limits)).resolves.toBe('failed');
    expect(calls).toEqual([['fail', 't1', 'failed after 4 attempts (internal error, logged with the task id)']]);
  });

  it.each([new PermanentJobError('bad parameters'), new ValidationError('bad parameters')])('never retries a validation error (%p)', async (error) => {
    const { runner, calls } = setup(async () => {
      throw error;
    });
    await expect(runner.run(JOBS.generateExtract, 't1', 1, limits)).resolves.toBe('failed');
    expect(calls).toEqual([['fail', 't1', 'bad parameters']]);
  });

  it('aborts the handler at the soft limit and fails the task "timed out"', async () => {
    const { runner, calls } = setup(
      (ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('stopped at a batch boundary')))),
    );
    await expect(runner.run(JOBS.generateExtract, 't1', 1, { soft: 20, hard: 1_000 })).resolves.toBe('failed');
    expect(calls).toEqual([['fail', 't1', 'timed out']]);
  });

  it('gives up on a handler that ignores the signal at the hard limit', async () => {
    const { runner, calls } = setup(() => new Promise(() => undefined));
    await expect(runner.run(JOBS.generateExtract, 't1', 1, { soft: 10, hard: 40 })).resolves.toBe('failed');
    expect(calls).toEqual([['fail', 't1', 'timed out']]);
  });

  it('does not run a task that already finished (a duplicate delivery)', async () => {
    const handler = jest.fn(async () => ({}));
    const { runner, calls } = setup(handler, { started: false });
    await expect(runner.run(JOBS.generateExtract, 't1', 1, limits)).resolves.toBe('done');
    expect(handler).not.toHaveBeenCalled();
    expect(calls).toEqual([]);
  });

  it('counts each run by outcome and times it, by job name; a duplicate delivery counts nothing', async () => {
    const outcomes = [async () => ({}), async () => Promise.reject(new Error('reset')), async () => Promise.reject(new PermanentJobError('no'))];
    const { runner, metrics } = setup(async (ctx) => outcomes[ctx.attempt - 1]());
    await runner.run(JOBS.generateExtract, 't1', 1, limits);
    await runner.run(JOBS.generateExtract, 't1', 2, limits);
    await runner.run(JOBS.generateExtract, 't1', 3, limits);
    const text = await metrics.registry.metrics();
    for (const counter of ['completed', 'retried', 'failed']) {
      expect(text).toContain(`payments_jobs_${counter}_total{job_name="generate-extract"} 1`);
      expect(text).toContain(`payments_job_duration_seconds_count{job_name="generate-extract",outcome="${counter}"} 1`);
    }
    const duplicate = setup(async () => ({}), { started: false });
    await duplicate.runner.run(JOBS.generateExtract, 't1', 1, limits);
    const untouched = await duplicate.metrics.registry.metrics();
    expect(untouched).toContain('payments_jobs_completed_total{job_name="generate-extract"} 0');
    expect(untouched).not.toContain('payments_job_duration_seconds_count{job_name="generate-extract"');
  });
});
