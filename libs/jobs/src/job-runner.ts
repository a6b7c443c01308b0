import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '@app/core';
import { JobTimeoutError, PermanentJobError } from './job-handler';
import { JobRegistry } from './job-registry';
import { HARD_TIME_LIMIT_MS, JOB_ATTEMPTS, JobName, SOFT_TIME_LIMIT_MS } from './jobs.constants';
import { TasksService } from './tasks.service';

export type RunOutcome = 'done' | 'failed' | 'retry';

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
  ) {}

  async run(name: JobName, taskId: string, attempt: number, limits = { soft: SOFT_TIME_LIMIT_MS, hard: HARD_TIME_LIMIT_MS }): Promise<RunOutcome> {
    const task = await this.tasks.find(taskId);
    if (!task || !(await this.tasks.start(taskId, attempt))) return 'done'; // gone, or already finished
    const reporter = this.tasks.progressReporter(taskId);
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
      return 'done';
    } catch (error) {
      await reporter.flush();
      const failure = controller.signal.aborted ? new JobTimeoutError() : (error as Error);
      const permanent = failure instanceof PermanentJobError || failure instanceof DomainError;
      if (permanent || attempt >= JOB_ATTEMPTS) {
        this.logger.warn({ taskId, job: name, attempt, err: failure }, `Job ${name} failed: ${failure.message}`);
        // A permanent error's message is for the owner; anything else may hold internals and stays in the logs.
        await this.tasks.fail(taskId, permanent ? failure.message : `failed after ${attempt} attempts (internal error, logged with the task id)`);
        return 'failed';
      }
      this.logger.warn({ taskId, job: name, attempt, err: failure }, `Job ${name} attempt ${attempt} failed; it will be retried`);
      await this.tasks.retrying(taskId, `attempt ${attempt} hit an internal error`);
      return 'retry';
    } finally {
      clearTimeout(soft);
      clearTimeout(hardTimer);
    }
  }
}
