import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { JobRunner, outcomeOfRunnerFault } from '../job-runner';
import type { QueueDepth, QueueState } from '@app/metrics';
import { JOB_BACKOFF_MS, JOB_QUEUE, JOBS, JobName, QUEUE_DEPTH_STATES, QUEUES } from '../jobs.constants';
import { TasksService } from '../tasks.service';
import { QueueDriver } from './queue-driver';

interface Entry {
  job: JobName;
  taskId: string;
  key: string;
  attempt: number;
}

/**
 * Embedded mode's queue: jobs run in this process with the configured concurrency and the same
 * retries as Bull. Tasks left unfinished by a previous run of the process are queued again at start.
 */
@Injectable()
export class InProcessDriver implements QueueDriver, OnApplicationShutdown {
  readonly kind = 'in-process';
  private readonly logger = new Logger(InProcessDriver.name);
  private readonly waiting: Entry[] = [];
  private readonly keys = new Set<string>();
  /** Entries waiting for their retry's backoff, by timer. */
  private readonly timers = new Map<NodeJS.Timeout, Entry>();
  private readonly active = new Set<Entry>();
  private concurrency = 0;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  /**
   * The async context of the driver's creation (no request, no transaction): jobs run in it, not in
   * the context of the request that queued them, whose ambient transaction and request id have
   * ended by then (a job inheriting them would write through a committed transaction's runner).
   */
  private readonly detached = AsyncLocalStorage.snapshot();

  constructor(
    private readonly runner: JobRunner,
    private readonly tasks: TasksService,
  ) {}

  isAvailable(): boolean {
    return !this.stopped;
  }

  async depth(): Promise<QueueDepth[]> {
    // Failed jobs are not kept here: the task row holds the failure.
    const entries: Record<QueueState, Entry[]> = { waiting: this.waiting, active: [...this.active], delayed: [...this.timers.values()], failed: [] };
    return Object.values(QUEUES).flatMap((queue) =>
      QUEUE_DEPTH_STATES.map((state) => ({ queue, state, jobs: entries[state].filter((entry) => JOB_QUEUE[entry.job] === queue).length })),
    );
  }

  async enqueue(job: JobName, taskId: string, jobId = taskId): Promise<void> {
    if (this.keys.has(jobId)) return;
    this.keys.add(jobId);
    this.waiting.push({ job, taskId, key: jobId, attempt: 1 });
    this.pump();
  }

  async startProcessing(concurrency: number): Promise<void> {
    this.concurrency = concurrency;
    const lost = await this.tasks.unfinished(Object.values(JOBS));
    for (const task of lost) await this.enqueue(task.type as JobName, task.id);
    if (lost.length > 0) this.logger.log(`Re-queued ${lost.length} unfinished task(s) from the previous run`);
    this.pump();
  }

  /** Resolves when nothing is queued, running or waiting for a retry (tests and shutdown). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.keys()) clearTimeout(timer);
    // Running jobs finish; anything still queued is picked up again at the next start.
    while (this.active.size > 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  private isIdle(): boolean {
    return this.active.size === 0 && this.waiting.length === 0 && this.timers.size === 0;
  }

  private pump(): void {
    while (!this.stopped && this.active.size < this.concurrency && this.waiting.length > 0) {
      const entry = this.waiting.shift()!;
      this.active.add(entry);
      void this.detached(() => this.execute(entry));
    }
    if (this.isIdle()) this.idleWaiters.splice(0).forEach((resolve) => resolve());
  }

  private async execute(entry: Entry): Promise<void> {
    let outcome: Awaited<ReturnType<JobRunner['run']>> = 'failed';
    try {
      outcome = await this.runner.run(entry.job, entry.taskId, entry.attempt);
    } catch (error) {
      this.logger.error({ err: error, taskId: entry.taskId }, 'Job runner failed');
      outcome = await outcomeOfRunnerFault(this.tasks, entry.taskId, entry.attempt);
    } finally {
      this.active.delete(entry);
    }
    if (outcome === 'retry' && !this.stopped) {
      const delay = JOB_BACKOFF_MS * 2 ** (entry.attempt - 1);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.waiting.push({ ...entry, attempt: entry.attempt + 1 });
        this.pump();
      }, delay);
      this.timers.set(timer, entry);
    } else {
      this.keys.delete(entry.key);
    }
    this.pump();
  }
}
