import { Metrics, QUEUE_DEPTH_TIMEOUT_MS } from './metrics';

const lines = async (metrics: Metrics, prefix: string) => (await metrics.registry.metrics()).split('\n').filter((line) => line.startsWith(prefix));

describe('Metrics', () => {
  afterEach(() => jest.useRealTimers());

  it('counts cache hits and misses through counters bound to the cache', async () => {
    const metrics = new Metrics();
    const cache = metrics.cache('settlement_query');
    cache.hit();
    cache.hit();
    cache.miss();
    expect(await lines(metrics, 'payments_cache_')).toEqual([
      'payments_cache_hits_total{cache="settlement_query"} 2',
      'payments_cache_misses_total{cache="settlement_query"} 1',
    ]);
  });

  it('counts settlement rows by outcome and files by final status', async () => {
    const metrics = new Metrics();
    metrics.settlementBatch(10_000, 3);
    metrics.settlementBatch(250, 0);
    metrics.settlementFile('completed');
    metrics.settlementFile('duplicate');
    expect(await lines(metrics, 'payments_settlement_')).toEqual([
      'payments_settlement_rows_total{outcome="loaded"} 10250',
      'payments_settlement_rows_total{outcome="rejected"} 3',
      'payments_settlement_files_total{status="completed"} 1',
      'payments_settlement_files_total{status="failed"} 0',
      'payments_settlement_files_total{status="duplicate"} 1',
    ]);
  });

  it('counts job runs by outcome and times them by job name', async () => {
    const metrics = new Metrics();
    metrics.jobRun('generate-extract', 'completed', 1.5);
    metrics.jobRun('generate-extract', 'retried', 0.2);
    metrics.jobRun('ingest-settlement-file', 'failed', 40);
    const text = await metrics.registry.metrics();
    expect(text).toContain('payments_jobs_completed_total{job_name="generate-extract"} 1');
    expect(text).toContain('payments_jobs_retried_total{job_name="generate-extract"} 1');
    expect(text).toContain('payments_jobs_failed_total{job_name="ingest-settlement-file"} 1');
    expect(text).toContain('payments_job_duration_seconds_count{job_name="generate-extract",outcome="completed"} 1');
    expect(text).toContain('payments_job_duration_seconds_sum{job_name="ingest-settlement-file",outcome="failed"} 40');
  });

  it('reads the queue depth at scrape time, as it is then', async () => {
    const metrics = new Metrics();
    let waiting = 4;
    metrics.reportQueueDepth(async () => [
      { queue: 'extracts', state: 'waiting', jobs: waiting },
      { queue: 'extracts', state: 'active', jobs: 1 },
    ]);
    expect(await lines(metrics, 'payments_queue_jobs{')).toEqual([
      'payments_queue_jobs{queue="extracts",state="waiting"} 4',
      'payments_queue_jobs{queue="extracts",state="active"} 1',
    ]);
    waiting = 0;
    expect(await lines(metrics, 'payments_queue_jobs{queue="extracts",state="waiting"}')).toEqual(['payments_queue_jobs{queue="extracts",state="waiting"} 0']);
  });

  it('starts the counters of every closed set at 0, so the first increment shows in rate() and increase()', async () => {
    const metrics = new Metrics();
    metrics.declareJobs(['generate-extract']);
    metrics.cache('settlement_query');
    const text = await metrics.registry.metrics();
    for (const series of [
      'payments_login_failures_total{reason="bad_credentials"}',
      'payments_login_failures_total{reason="throttled"}',
      'payments_settlement_rows_total{outcome="rejected"}',
      'payments_settlement_files_total{status="failed"}',
      'payments_jobs_failed_total{job_name="generate-extract"}',
      'payments_jobs_retried_total{job_name="generate-extract"}',
      'payments_cache_misses_total{cache="settlement_query"}',
    ]) {
      expect(text).toContain(`${series} 0`);
    }
  });

  it('leaves the queue depth out of a scrape the queue cannot answer in time, and the rest in', async () => {
    jest.useFakeTimers();
    const metrics = new Metrics();
    metrics.reportQueueDepth(async () => [{ queue: 'extracts', state: 'waiting', jobs: 4 }]);
    expect(await lines(metrics, 'payments_queue_jobs{')).toHaveLength(1);
    metrics.reportQueueDepth(() => new Promise(() => undefined));
    metrics.loginFailed('throttled');
    const scrape = metrics.registry.metrics();
    await jest.advanceTimersByTimeAsync(QUEUE_DEPTH_TIMEOUT_MS);
    const text = await scrape;
    expect(text).not.toContain('payments_queue_jobs{');
    expect(text).toContain('payments_login_failures_total{reason="throttled"} 1');
  });

  it('exports every series of the catalogue, each with its help', async () => {
    const text = await new Metrics().registry.metrics();
    const names = text
      .split('\n')
      .filter((line) => line.startsWith('# HELP '))
      .map((line) => line.split(' ')[2]);
    expect(names.sort()).toEqual([
      'http_request_duration_seconds',
      'payments_cache_hits_total',
      'payments_cache_misses_total',
      'payments_job_duration_seconds',
      'payments_jobs_completed_total',
      'payments_jobs_failed_total',
      'payments_jobs_retried_total',
      'payments_login_failures_total',
      'payments_queue_jobs',
      'payments_settlement_files_total',
      'payments_settlement_rows_total',
    ]);
  });
});
