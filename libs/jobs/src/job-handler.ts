import { SetMetadata } from '@nestjs/common';
import type { JobName, MessageJobName } from './jobs.constants';

export const JOB_HANDLER = 'jobs:handler';
export const MESSAGE_HANDLER = 'jobs:message-handler';

/** What a job handler gets: its task, its parameters, a way to report progress and a stop signal. */
export interface JobContext<P = Record<string, unknown>> {
  taskId: string;
  ownerId: string;
  params: P;
  attempt: number;
  /** Aborted at the soft time limit; the handler stops cleanly and removes partial output. */
  signal: AbortSignal;
  progress(done: number, total: number): void;
}

/** Marks the one method that runs a job. Boot fails when a job has no handler or two. */
export const JobHandler = (name: JobName) => SetMetadata(JOB_HANDLER, name);

/**
 * Marks the one method that runs a message job (MESSAGE_JOBS): it gets the job's data and keeps its
 * own state; a throw is logged and the job is not run again by the queue.
 */
export const MessageHandler = (name: MessageJobName) => SetMetadata(MESSAGE_HANDLER, name);

/** An error retrying cannot fix (bad parameters, missing data): the job fails at once. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

/** The soft time limit was reached and the handler stopped. */
export class JobTimeoutError extends PermanentJobError {
  constructor() {
    super('timed out');
    this.name = 'JobTimeoutError';
  }
}
