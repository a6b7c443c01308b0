/**
 * Every queue, job name, retry and time limit in one place (STYLE.md §5). A job id is a business key
 * where one exists, so enqueuing the same work twice collapses into one job.
 */
export const QUEUES = {
  extracts: 'extracts',
  settlement: 'settlement',
  webhooks: 'webhooks',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const JOBS = {
  generateExtract: 'generate-extract',
  ingestSettlementFile: 'ingest-settlement-file',
  scanSettlementInbox: 'scan-settlement-inbox',
} as const;
export type JobName = (typeof JOBS)[keyof typeof JOBS];

/**
 * Jobs that carry their own data instead of a task row: their handler keeps its own state (a webhook
 * delivery's row) and decides what a failure means; the queue runs each one once, when it is due.
 */
export const MESSAGE_JOBS = {
  deliverWebhook: 'deliver-webhook',
} as const;
export type MessageJobName = (typeof MESSAGE_JOBS)[keyof typeof MESSAGE_JOBS];

export const MESSAGE_JOB_QUEUE: Record<MessageJobName, QueueName> = {
  [MESSAGE_JOBS.deliverWebhook]: QUEUES.webhooks,
};
/** Message jobs wait on other servers, not on the CPU: more of them run at once than WORKER_CONCURRENCY. */
export const MESSAGE_JOB_CONCURRENCY = 8;
/** A message job still running after this is abandoned by Bull (its handler's own state lets it be run again). */
export const MESSAGE_JOB_TIMEOUT_MS = 60_000;

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

/** §Events, webhooks: delivered at least once, retried with exponential backoff for 24 h. */
export const WEBHOOK_DELIVERY = {
  /** The wait after the first failed attempt; it doubles after each failure up to maxRetryMs. */
  firstRetryMs: 2_000,
  maxRetryMs: 60 * 60 * 1000,
  /** No attempt starts later than this after the event. */
  windowMs: 24 * 60 * 60 * 1000,
  /** One attempt: connect, send, and the receiver's status line. */
  timeoutMs: 10_000,
  /** An attempt claimed by a process that then died is taken up again after this. */
  leaseMs: 60_000,
  /** How often processing processes look for deliveries whose job was lost (a crash, a Redis flush). */
  sweepEveryMs: 30_000,
  sweepBatch: 500,
  /** Finished deliveries are kept this long for admins, then deleted. */
  retentionDays: 30,
} as const;
