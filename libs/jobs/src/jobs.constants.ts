/**
 * Every queue, job name, retry and time limit in one place (STYLE.md §5). A job id is a business key
 * where one exists, so enqueuing the same work twice collapses into one job.
 */
export const QUEUES = {
  extracts: 'extracts',
  settlement: 'settlement',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const JOBS = {
  generateExtract: 'generate-extract',
  ingestSettlementFile: 'ingest-settlement-file',
  scanSettlementInbox: 'scan-settlement-inbox',
} as const;
export type JobName = (typeof JOBS)[keyof typeof JOBS];

/** The states a queue's depth is reported in (metrics); Bull's completed jobs are only a trimmed history. */
export const QUEUE_DEPTH_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** Which queue carries each job. */
export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JOBS.generateExtract]: QUEUES.extracts,
  [JOBS.ingestSettlementFile]: QUEUES.settlement,
  [JOBS.scanSettlementInbox]: QUEUES.settlement,
};

/** §Extracts: transient errors retry 3 times with backoff; 25 min soft limit, 30 min hard limit. */
export const JOB_ATTEMPTS = 4;
export const JOB_BACKOFF_MS = 2_000;
export const SOFT_TIME_LIMIT_MS = 25 * 60 * 1000;
export const HARD_TIME_LIMIT_MS = 30 * 60 * 1000;
/** How often a running job writes its progress (§Extracts: at least every second). */
export const PROGRESS_EVERY_MS = 500;
/** How long enqueuing may wait for Redis before the request answers 503. */
export const ENQUEUE_TIMEOUT_MS = 3_000;

export const TASK_STATES = ['PENDING', 'STARTED', 'PROGRESS', 'SUCCESS', 'FAILURE'] as const;
export type TaskState = (typeof TASK_STATES)[number];
export const FINISHED_STATES: readonly TaskState[] = ['SUCCESS', 'FAILURE'];

/** §Events, GET /task-status/{task_id}/events. */
export const TASK_EVENTS = {
  /** At most one `status` event per stream in this long (§HTTP). */
  minIntervalMs: 250,
  /** A comment line this often keeps proxies from closing an idle stream (most cut at 30–60 s). */
  heartbeatMs: 15_000,
  /** The `retry:` an EventSource waits before it reconnects with Last-Event-ID. */
  retryMs: 2_000,
  /** A watched task is read again this often even without a change notice (one lost on a Redis blip). */
  fallbackReadMs: 10_000,
} as const;
