import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bull';
import type { JobOptions, Queue } from 'bull';
import { ServiceUnavailableError } from '@app/core';
import type { QueueDepth } from '@app/metrics';
import { JobRunner, RunOutcome, outcomeOfRunnerFault } from '../job-runner';
import { TasksService } from '../tasks.service';
import {
  ENQUEUE_TIMEOUT_MS,
  HARD_TIME_LIMIT_MS,
  JOB_ATTEMPTS,
  JOB_BACKOFF_MS,
  JOB_QUEUE,
  JobName,
  MESSAGE_JOB_CONCURRENCY,
  MESSAGE_JOB_QUEUE,
  MESSAGE_JOB_TIMEOUT_MS,
  MessageJobName,
  QUEUE_DEPTH_STATES,
  QUEUES,
} from '../jobs.constants';
import { MessageRunner } from '../message-runner';
import { MessageOptions, QueueDriver } from './queue-driver';

const UNAVAILABLE = 'The job queue is unavailable (Redis cannot be reached); try again shortly';

/** Bull on Redis: any number of worker processes share the queues; a dead worker's job is re-run (stalled). */
@Injectable()
export class BullDriver implements QueueDriver, OnApplicationShutdown {
  readonly kind = 'bull';
  private readonly logger = new Logger(BullDriver.name);
  private readonly queues = new Map<string, Queue>();

  constructor(
    moduleRef: ModuleRef,
    private readonly runner: JobRunner,
    private readonly tasks: TasksService,
    private readonly messages: MessageRunner,
  ) {
    for (const name of Object.values(QUEUES)) this.queues.set(name, moduleRef.get<Queue>(getQueueToken(name), { strict: false }));
  }

  isAvailable(): boolean {
    return [...this.queues.values()].every((queue) => queue.client.status === 'ready');
  }

  async depth(): Promise<QueueDepth[]> {
    const counted = await Promise.all(
      [...this.queues].map(async ([name, queue]) => {
        // Asked while Redis is away, Bull would queue the command until it is back.
        if (queue.client.status !== 'ready') throw new Error(`queue ${name}: Redis is not ready`);
        const counts = await queue.getJobCounts();
        return QUEUE_DEPTH_STATES.map((state) => ({ queue: name, state, jobs: counts[state] }));
      }),
    );
    return counted.flat();
  }

  async enqueue(job: JobName, taskId: string, jobId = taskId): Promise<void> {
    await this.add(
      this.queues.get(JOB_QUEUE[job])!,
      job,
      { taskId },
      {
        jobId,
        attempts: JOB_ATTEMPTS,
        backoff: { type: 'exponential', delay: JOB_BACKOFF_MS },
        timeout: HARD_TIME_LIMIT_MS,
        removeOnComplete: 1000,
        removeOnFail: 1000,
      },
    );
  }

  async send(job: MessageJobName, data: Record<string, unknown>, options: MessageOptions): Promise<void> {
    // Removed once run, so the id is free again for the handler's sweep to queue it anew.
    await this.add(this.queues.get(MESSAGE_JOB_QUEUE[job])!, job, data, {
      jobId: options.jobId,
      delay: options.delayMs,
      attempts: 1,
      timeout: MESSAGE_JOB_TIMEOUT_MS,
      removeOnComplete: true,
      removeOnFail: true,
    });
  }

  private async add(queue: Queue, name: string, data: Record<string, unknown>, options: JobOptions): Promise<void> {
    if (queue.client.status !== 'ready') throw new ServiceUnavailableError(UNAVAILABLE);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ServiceUnavailableError(UNAVAILABLE)), ENQUEUE_TIMEOUT_MS);
    });
    try {
      await Promise.race([queue.add(name, data, options), timeout]);
    } catch (error) {
      if (error instanceof ServiceUnavailableError) throw error;
      throw new ServiceUnavailableError(UNAVAILABLE, undefined, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  async startProcessing(concurrency: number): Promise<void> {
    for (const [job, queueName] of Object.entries(JOB_QUEUE) as Array<[JobName, string]>) {
      const queue = this.queues.get(queueName)!;
      void queue.process(job, concurrency, async (bullJob) => {
        const attempt = bullJob.attemptsMade + 1;
        let outcome: RunOutcome;
        try {
          outcome = await this.runner.run(job, bullJob.data.taskId, attempt);
        } catch (error) {
          this.logger.error({ err: error, taskId: bullJob.data.taskId }, 'Job runner failed');
          outcome = await outcomeOfRunnerFault(this.tasks, bullJob.data.taskId, attempt);
        }
        // Only a transient failure goes back to Bull for another attempt; the task row holds the rest.
        if (outcome === 'retry') throw new Error('attempt failed; retrying');
      });
    }
    for (const [job, queueName] of Object.entries(MESSAGE_JOB_QUEUE) as Array<[MessageJobName, string]>) {
      void this.queues.get(queueName)!.process(job, MESSAGE_JOB_CONCURRENCY, (bullJob) => this.messages.run(job, bullJob.data));
    }
    this.logger.log(
      `Processing ${Object.keys(JOB_QUEUE).join(', ')} with concurrency ${concurrency}; ${Object.keys(MESSAGE_JOB_QUEUE).join(', ')} with ${MESSAGE_JOB_CONCURRENCY}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    // close() waits for running jobs to finish; a job cut short by a kill is re-run as stalled.
    await Promise.all([...this.queues.values()].map((queue) => queue.close().catch(() => undefined)));
  }
}
