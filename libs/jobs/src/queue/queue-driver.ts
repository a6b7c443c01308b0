import type { QueueDepth } from '@app/metrics';
import type { JobName, MessageJobName } from '../jobs.constants';

export const QUEUE_DRIVER = Symbol('QUEUE_DRIVER');

/**
 * The seam between features and the queue (Twenty's pattern): Bull on Redis in services mode, an
 * in-process driver in embedded mode, both running the same handlers through JobRunner.
 */
export interface QueueDriver {
  readonly kind: 'bull' | 'in-process';
  /** Queues `job` for the task; `jobId` (a business key) collapses duplicates. Throws when the queue is down. */
  enqueue(job: JobName, taskId: string, jobId?: string): Promise<void>;
  /**
   * Queues a message job (no task row) to run once, `delayMs` from now; while it waits or runs, the
   * same `jobId` queued again is the same job. Throws when the queue is down.
   */
  send(job: MessageJobName, data: Record<string, unknown>, options: MessageOptions): Promise<void>;
  /** Starts running jobs in this process (workers, or the api in embedded mode). */
  startProcessing(concurrency: number): Promise<void>;
  /** Whether new jobs can be queued now. */
  isAvailable(): boolean;
  /** What each queue holds now, by state, for the metrics; throws when the queue cannot say. */
  depth(): Promise<QueueDepth[]>;
}

export interface MessageOptions {
  jobId: string;
  delayMs?: number;
}
