import { Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { withTimeout } from '@app/core';
import { BoundHistogram } from './bound-histogram';

/**
 * Request durations, in seconds. The api's target p99 is tens of milliseconds, so most buckets sit
 * between 5 and 100 ms (a p99 read from them is off by at most the gap to the next bound); the
 * tail is coarse, up to the 10 s after which a request is a fault anyway.
 */
export const HTTP_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** Job durations, in seconds: an inbox scan takes milliseconds, an extract or a 1M-row ingest minutes (hard limit 30). */
export const JOB_DURATION_BUCKETS = [0.05, 0.25, 1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800];

/** How long a scrape waits for the queue's counts (Redis) before it leaves them out. */
export const QUEUE_DEPTH_TIMEOUT_MS = 1_000;

export type HttpLabel = 'method' | 'route' | 'status';
export const LOGIN_FAILURES = ['bad_credentials', 'throttled'] as const;
export type LoginFailure = (typeof LOGIN_FAILURES)[number];
export const SETTLEMENT_ROW_OUTCOMES = ['loaded', 'rejected'] as const;
export const SETTLEMENT_FILE_OUTCOMES = ['completed', 'failed', 'duplicate'] as const;
export type SettlementFileOutcome = (typeof SETTLEMENT_FILE_OUTCOMES)[number];
export type JobOutcome = 'completed' | 'failed' | 'retried';
export type QueueState = 'waiting' | 'active' | 'delayed' | 'failed';

/** What a queue holds now, as its driver counts it. */
export interface QueueDepth {
  queue: string;
  state: QueueState;
  jobs: number;
}

export interface CacheCounters {
  hit(): void;
  miss(): void;
}

/**
 * Every series the product exports, in one place (docs/operations.md says what each means). Label
 * values come only from closed sets (the unions above, route templates, job and queue names of
 * jobs.constants, HTTP status codes), so the number of series stays bounded whatever clients send.
 * No label is called `job` or `instance`: Prometheus gives those to the target (a job's name is
 * `job_name`).
 * Features record through the methods; the exporter (MetricsExporterModule) serves the registry.
 *
 * Every counter of a closed set starts at 0 for each of its values: a series that appears only at
 * its first increment hides that increment from rate() and increase(), and so from an alert.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private readonly logger = new Logger(Metrics.name);

  /** Its `_count` is the request count: one observation per request, nothing more on the hot path. */
  readonly httpRequests = new BoundHistogram<HttpLabel>(
    'http_request_duration_seconds',
    'Time from receiving a request to the end of its response, by method, route template and status; _count counts requests',
    ['method', 'route', 'status'],
    HTTP_DURATION_BUCKETS,
  );

  private readonly loginFailures = this.counter(
    'payments_login_failures_total',
    'reason',
    'Refused logins on POST /token and /api/token: wrong credentials (unknown user, wrong password, disabled) or throttled (429)',
  );

  /**
   * Cache lookups sit on the cached read path, so they add to plain numbers; the counters take them
   * at scrape time (prom-client's own inc() hashes its labels every call).
   */
  private readonly cacheLookups = new Map<string, { hits: number; misses: number }>();

  private readonly cacheHits = this.cacheCounter(
    'payments_cache_hits_total',
    'hits',
    'Cache lookups answered from the cache (this process or Redis), by cache',
  );

  private readonly cacheMisses = this.cacheCounter(
    'payments_cache_misses_total',
    'misses',
    'Cache lookups the database answered: not cached yet, or the cache unreachable or skipped, by cache',
  );

  private readonly settlementRows = this.counter(
    'payments_settlement_rows_total',
    'outcome',
    'Settlement rows committed by ingests in this process: loaded, or rejected (kept with the reason)',
  );

  private readonly settlementFiles = this.counter(
    'payments_settlement_files_total',
    'status',
    'Settlement files that reached a final status in this process: completed, failed, or duplicate (same content as an earlier file)',
  );

  private readonly jobsCompleted = this.counter('payments_jobs_completed_total', 'job_name', 'Job runs that succeeded in this process, by job name');

  private readonly jobsFailed = this.counter(
    'payments_jobs_failed_total',
    'job_name',
    'Job runs that failed for good in this process (permanent error, or the last attempt), by job name',
  );

  private readonly jobsRetried = this.counter(
    'payments_jobs_retried_total',
    'job_name',
    'Job attempts that failed and were handed back for another attempt, by job name',
  );

  private readonly jobDuration = new Histogram({
    name: 'payments_job_duration_seconds',
    help: 'Time one attempt of a job ran in this process, by job name and outcome',
    labelNames: ['job_name', 'outcome'] as const,
    buckets: JOB_DURATION_BUCKETS,
    registers: [this.registry],
  });

  private queueDepthSource?: () => Promise<QueueDepth[]>;

  private readonly queueJobs = new Gauge({
    name: 'payments_queue_jobs',
    help: 'Jobs a queue holds now, by queue and state (waiting, active, delayed for a retry, failed and kept); the same for every process sharing the queue',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
    // Read at scrape time from the queue itself; no answer in time (Redis down) leaves the series out.
    collect: async () => {
      this.queueJobs.reset();
      if (!this.queueDepthSource) return;
      try {
        for (const { queue, state, jobs } of await withTimeout(this.queueDepthSource(), QUEUE_DEPTH_TIMEOUT_MS)) {
          this.queueJobs.set({ queue, state }, jobs);
        }
      } catch (error) {
        this.logger.warn(`Queue depth left out of this scrape: ${(error as Error).message}`);
      }
    },
  });

  constructor() {
    this.registry.registerMetric(this.httpRequests.asMetric());
    for (const reason of LOGIN_FAILURES) this.loginFailures.inc({ reason }, 0);
    for (const outcome of SETTLEMENT_ROW_OUTCOMES) this.settlementRows.inc({ outcome }, 0);
    for (const status of SETTLEMENT_FILE_OUTCOMES) this.settlementFiles.inc({ status }, 0);
  }

  private counter<L extends string>(name: string, label: L, help: string): Counter<L> {
    return new Counter({ name, help, labelNames: [label], registers: [this.registry] });
  }

  private cacheCounter(name: string, field: 'hits' | 'misses', help: string): Counter<'cache'> {
    const lookups = this.cacheLookups;
    return new Counter({
      name,
      help,
      labelNames: ['cache'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [cache, counts] of lookups) this.inc({ cache }, counts[field]);
      },
    });
  }

  loginFailed(reason: LoginFailure): void {
    this.loginFailures.inc({ reason });
  }

  /** Counters bound to one cache, for its read path (an increment, no label lookup). */
  cache(name: string): CacheCounters {
    let counts = this.cacheLookups.get(name);
    if (!counts) this.cacheLookups.set(name, (counts = { hits: 0, misses: 0 }));
    const bound = counts;
    return { hit: () => void (bound.hits += 1), miss: () => void (bound.misses += 1) };
  }

  settlementBatch(loaded: number, rejected: number): void {
    if (loaded > 0) this.settlementRows.inc({ outcome: 'loaded' }, loaded);
    if (rejected > 0) this.settlementRows.inc({ outcome: 'rejected' }, rejected);
  }

  settlementFile(status: SettlementFileOutcome): void {
    this.settlementFiles.inc({ status });
  }

  /** The job names there are (jobs.constants), so each one's counters start at 0. */
  declareJobs(jobs: readonly string[]): void {
    for (const job of jobs) for (const counter of [this.jobsCompleted, this.jobsFailed, this.jobsRetried]) counter.inc({ job_name: job }, 0);
  }

  jobRun(job: string, outcome: JobOutcome, seconds: number): void {
    const counter = outcome === 'completed' ? this.jobsCompleted : outcome === 'failed' ? this.jobsFailed : this.jobsRetried;
    counter.inc({ job_name: job });
    this.jobDuration.observe({ job_name: job, outcome }, seconds);
  }

  /** Where `payments_queue_jobs` is read from at scrape time (the job layer's queue driver). */
  reportQueueDepth(source: () => Promise<QueueDepth[]>): void {
    this.queueDepthSource = source;
  }
}
