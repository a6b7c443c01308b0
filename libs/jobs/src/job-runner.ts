import { Injectable, Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { DomainError, ServiceUnavailableError } from '@app/core';
import { JobOutcome, Metrics } from '@app/metrics';
import { JobTimeoutError, PermanentJobError } from './job-handler';
import { JobRegistry } from './job-registry';
import { HARD_TIME_LIMIT_MS, JOB_ATTEMPTS, JOBS, JobName, SOFT_TIME_LIMIT_MS } from './jobs.constants';
import { TasksService } from './tasks.service';

export type RunOutcome = 'done' | 'failed' | 'retry';

/**
 * What a driver does when the runner itself could not run (the database unreachable while it
 * read or wrote the task): retry like a transient error, and on the last attempt still try to
 * leave the task FAILURE rather than unfinished.
 */
export async function outcomeOfRunnerFault(tasks: TasksService, taskId: string, attempt: number): Promise<RunOutcome> {
  if (attempt < JOB_ATTEMPTS) return 'retry';
  await tasks.fail(taskId, `failed after ${attempt} attempts (internal error, logged with the task id)`).catch(() => undefined);
  return 'failed';
}

/**
 * Runs one attempt of a job for either queue driver: state changes, progress, the soft limit
 * (abort signal), the hard limit, and the decision whether a failure is worth another attempt.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger(JobRunner.name);

  constructor(
    private readonly registry: JobRegistry,
    private readonly tasks: TasksService,
    private readonly metrics: Metrics,
  ) {
    metrics.declareJobs(Object.values(JOBS));
  }

  async run(name: JobName, taskId: string, attempt: number, limits = { soft: SOFT_TIME_LIMIT_MS, hard: HARD_TIME_LIMIT_MS }): Promise<RunOutcome> {
    const task = await this.tasks.find(taskId);
    if (!task || !(await this.tasks.start(taskId, attempt))) return 'done'; // gone, or already finished
    const startedAt = performance.now();
    const record = (outcome: JobOutcome) => this.metrics.jobRun(name, outcome, (performance.now() - startedAt) / 1000);
    const reporter = this.tasks.progressReporter(taskId);
    // §Extracts: progress reaches the task row at least every second, even while a query runs.
    const heartbeat = setInterval(() => void reporter.flush(), 1_000);
    const controller = new AbortController();
    const soft = setTimeout(() => controller.abort(new JobTimeoutError()), limits.soft);
    let hardTimer: NodeJS.Timeout | undefined;
    const hard = new Promise<never>((_, reject) => {
      hardTimer = setTimeout(() => reject(new JobTimeoutError()), limits.hard);
    });
    try {
      const handler = this.registry.get(name);
      const result = await Promise.race([
        handler({ taskId, ownerId: task.ownerId, params: task.params, attempt, signal: controller.signal, progress: reporter.report }),
        hard,
      ]);
      await reporter.flush();
      await this.tasks.succeed(taskId, result);
      record('completed');
      return 'done';
    } catch (error) {
      await reporter.flush();
      const failure = controller.signal.aborted ? new JobTimeoutError() : (error as Error);
      // A dependency that is down (a 503 to an HTTP caller) is the transient error retries exist for.
      const permanent = failure instanceof PermanentJobError || (failure instanceof DomainError && !(failure instanceof ServiceUnavailableError));
      if (permanent || attempt >= JOB_ATTEMPTS) {
        this.logger.warn({ taskId, job: name, attempt, err: failure }, `Job ${name} failed: ${failure.message}`);
        // A permanent error's message is for the owner; anything else may hold internals and stays in the logs.
        await this.tasks.fail(taskId, permanent ? failure.message : `failed after ${attempt} attempts (internal error, logged with the task id)`);
        record('failed');
        return 'failed';
      }
      this.logger.warn({ taskId, job: name, attempt, err: failure }, `Job ${name} attempt ${attempt} failed; it will be retried`);
      await this.tasks.retrying(taskId, `attempt ${attempt} hit an internal error`);
      record('retried');
      return 'retry';
    } finally {
      clearInterval(heartbeat);
      clearTimeout(soft);
      clearTimeout(hardTimer);
    }
  }
}
