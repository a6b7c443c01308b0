import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { JobRunner, outcomeOfRunnerFault } from '../job-runner';
import type { QueueDepth, QueueState } from '@app/metrics';
import {
  JOB_BACKOFF_MS,
  JOB_QUEUE,
  JOBS,
  JobName,
  MESSAGE_JOB_CONCURRENCY,
  MESSAGE_JOB_QUEUE,
  MessageJobName,
  QUEUE_DEPTH_STATES,
  QUEUES,
} from '../jobs.constants';
import { MessageRunner } from '../message-runner';
import { TasksService } from '../tasks.service';
import { MessageOptions, QueueDriver } from './queue-driver';

interface Entry {
  job: JobName;
  taskId: string;
  key: string;
  attempt: number;
}

interface MessageEntry {
  job: MessageJobName;
  data: Record<string, unknown>;
  key: string;
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
  /** Message jobs: a pool of their own, so a delivery never waits behind an hour-long extract. */
  private readonly messages = {
    keys: new Set<string>(),
    waiting: [] as MessageEntry[],
    delayed: new Map<NodeJS.Timeout, MessageEntry>(),
    active: new Set<MessageEntry>(),
    processing: false,
  };

  /**
   * The async context of the driver's creation (no request, no transaction): jobs run in it, not in
   * the context of the request that queued them, whose ambient transaction and request id have
   * ended by then (a job inheriting them would write through a committed transaction's runner).
   */
  private readonly detached = AsyncLocalStorage.snapshot();

  constructor(
    private readonly runner: JobRunner,
    private readonly tasks: TasksService,
    private readonly messageRunner: MessageRunner,
  ) {}

  isAvailable(): boolean {
    return !this.stopped;
  }

  async depth(): Promise<QueueDepth[]> {
    // Failed jobs are not kept here: the task row holds the failure.
    const m = this.messages;
    const queueOf = (entry: Entry | MessageEntry) =>
      entry.job in JOB_QUEUE ? JOB_QUEUE[entry.job as JobName] : MESSAGE_JOB_QUEUE[entry.job as MessageJobName];
    const entries: Record<QueueState, Array<Entry | MessageEntry>> = {
      waiting: [...this.waiting, ...m.waiting],
      active: [...this.active, ...m.active],
      delayed: [...this.timers.values(), ...m.delayed.values()],
      failed: [],
    };
    return Object.values(QUEUES).flatMap((queue) =>
      QUEUE_DEPTH_STATES.map((state) => ({ queue, state, jobs: entries[state].filter((entry) => queueOf(entry) === queue).length })),
    );
  }

  async enqueue(job: JobName, taskId: string, jobId = taskId): Promise<void> {
    if (this.keys.has(jobId)) return;
    this.keys.add(jobId);
    this.waiting.push({ job, taskId, key: jobId, attempt: 1 });
    this.pump();
  }

  async send(job: MessageJobName, data: Record<string, unknown>, options: MessageOptions): Promise<void> {
    const m = this.messages;
    if (m.keys.has(options.jobId) || this.stopped) return;
    m.keys.add(options.jobId);
    const entry = { job, data, key: options.jobId };
    if (!options.delayMs) {
      m.waiting.push(entry);
      this.pumpMessages();
      return;
    }
    const timer = setTimeout(() => {
      m.delayed.delete(timer);
      m.waiting.push(entry);
      this.pumpMessages();
    }, options.delayMs);
    m.delayed.set(timer, entry);
  }

  async startProcessing(concurrency: number): Promise<void> {
    this.concurrency = concurrency;
    this.messages.processing = true;
    this.pumpMessages();
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
    for (const timer of [...this.timers.keys(), ...this.messages.delayed.keys()]) clearTimeout(timer);
    // Running jobs finish; anything still queued is picked up again at the next start (tasks from
    // their rows, message jobs by their handler's sweep).
    while (this.active.size + this.messages.active.size > 0) await new Promise((resolve) => setTimeout(resolve, 50));
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

  private pumpMessages(): void {
    const m = this.messages;
    while (m.processing && !this.stopped && m.active.size < MESSAGE_JOB_CONCURRENCY && m.waiting.length > 0) {
      const entry = m.waiting.shift()!;
      m.active.add(entry);
      void this.detached(() => this.messageRunner.run(entry.job, entry.data)).finally(() => {
        m.active.delete(entry);
        m.keys.delete(entry.key);
        this.pumpMessages();
      });
    }
  }

  private async execute(entry: Entry): Promise<void> {
    let outcome: Awaited<ReturnType<JobRunner['run']>>;
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
