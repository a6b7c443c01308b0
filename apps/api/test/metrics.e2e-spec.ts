import { randomUUID } from 'node:crypto';
import { Metrics } from '@app/metrics';
import { TestApp, createTestApp, createUser, freePort, loginAdmin, uniqueName, waitForTask } from '@app/testing';

/** The value of one series in an exposition, 0 when it is absent (a counter not incremented yet). */
function valueOf(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

const HEADER = 'DOC_IDT,TRANS_DATE,TRANS_TIME,AMOUNT,CURRENCY,CARD_NO,MERCHANT_ID,TRANS_TYPE,FEE';
const row = (id: string, amount = '125.50') => [id, '2026-11-02', '10:15:00', amount, 'VND', '411111******1111', 'M001', 'PURCHASE', '1.25'].join(',');

/**
 * §Operations, Metrics: the series it lists, served on METRICS_PORT apart from the public port, after
 * real requests, logins, cached reads, an ingest and its job; labels are route templates and closed
 * sets. Embedded (in-process queue) in the e2e tier, Bull on Redis in the integration tier.
 */
describe('metrics on METRICS_PORT', () => {
  let t: TestApp;
  let port: number;
  let admin: string;
  let operator: string;

  const scrape = async () => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    return res.text();
  };

  /** Until the sample file the first embedded start loads (and any other) has finished. */
  const settled = async () => {
    for (;;) {
      const res = await t.http().get('/api/settlement/files').auth(operator, { type: 'bearer' }).expect(200);
      if (res.body.files.every((file: { status: string }) => !['pending', 'loading'].includes(file.status))) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    port = await freePort();
    t = await createTestApp({ METRICS_PORT: String(port), SETTLEMENT_SCAN_CRON: '0 0 1 1 *' });
    admin = await loginAdmin(t);
    operator = (await createUser(t, admin, { role: 'operator' })).token;
    await settled();
  });
  afterAll(() => t.close());

  it('are served on their own port in the Prometheus text format, and never on the public port', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await res.text()).toContain('# TYPE http_request_duration_seconds histogram');
    const publicPort = await t.http().get('/metrics');
    expect(publicPort.status).toBe(404);
    expect(publicPort.text).not.toContain('http_request_duration_seconds');
  });

  it('count requests and time them by method, route template and status: no URL, id or query in a label', async () => {
    const before = await scrape();
    const id = randomUUID();
    await t.http().get(`/task-status/${id}`).auth(admin, { type: 'bearer' }).expect(404);
    await t.http().get('/api/transactions?limit=7&filter_by=MERCHANT_ID&filter_value=M001').auth(operator, { type: 'bearer' }).expect(200);
    await t.http().get(`/no-such-page/${id}`).expect(404);
    const after = await scrape();
    const delta = (series: string) => valueOf(after, series) - valueOf(before, series);
    expect(delta('http_request_duration_seconds_count{method="GET",route="/task-status/:task_id",status="404"}')).toBe(1);
    expect(delta('http_request_duration_seconds_count{method="GET",route="/api/transactions",status="200"}')).toBe(1);
    expect(delta('http_request_duration_seconds_count{method="GET",route="(unmatched)",status="404"}')).toBe(1);
    expect(after).not.toContain(id);
    expect(after).not.toContain('limit=7');
    // Buckets resolve the tens of milliseconds an api's p99 lives in.
    for (const le of ['0.005', '0.01', '0.02', '0.05', '0.1']) {
      expect(after).toContain(`http_request_duration_seconds_bucket{le="${le}",method="GET",route="/api/transactions",status="200"}`);
    }
  });

  it('count refused logins by reason: wrong credentials, throttled', async () => {
    const before = await scrape();
    const username = uniqueName('locked');
    let res = await t.http().post('/api/token').send({ username, password: 'wrong password' });
    for (let i = 0; i < 10 && res.status !== 429; i++) res = await t.http().post('/api/token').send({ username, password: 'wrong password' });
    expect(res.status).toBe(429);
    const after = await scrape();
    expect(
      valueOf(after, 'payments_login_failures_total{reason="bad_credentials"}') - valueOf(before, 'payments_login_failures_total{reason="bad_credentials"}'),
    ).toBe(5);
    expect(valueOf(after, 'payments_login_failures_total{reason="throttled"}') - valueOf(before, 'payments_login_failures_total{reason="throttled"}')).toBe(1);
  });

  it('count cache hits and misses of the settlement query', async () => {
    const before = await scrape();
    const path = `/api/transactions?limit=3&filter_by=MERCHANT_ID&filter_value=${uniqueName('M')}`;
    await t.http().get(path).auth(operator, { type: 'bearer' }).expect(200);
    await t.http().get(path).auth(operator, { type: 'bearer' }).expect(200);
    const after = await scrape();
    const delta = (series: string) => valueOf(after, series) - valueOf(before, series);
    // The first read misses its page and its total; the second finds the page.
    expect(delta('payments_cache_misses_total{cache="settlement_query"}')).toBe(2);
    expect(delta('payments_cache_hits_total{cache="settlement_query"}')).toBe(1);
  });

  it('count settlement rows and files by outcome, and the ingest job by name, with its duration', async () => {
    const before = await scrape();
    const tag = randomUUID().slice(0, 8);
    const content = [HEADER, row(`MET-${tag}-1`), row(`MET-${tag}-2`), row(`MET-${tag}-3`, 'not-money')].join('\n');
    const upload = () => t.http().post('/api/settlement/files').auth(operator, { type: 'bearer' }).attach('file', Buffer.from(content), `${tag}.csv`);
    const first = await upload().expect(202);
    expect(await waitForTask(t, operator, first.body.task_id)).toMatchObject({ state: 'SUCCESS' });
    const again = await upload().expect(202); // the same content again: a duplicate, nothing loaded
    await waitForTask(t, operator, again.body.task_id);
    const after = await scrape();
    const delta = (series: string) => valueOf(after, series) - valueOf(before, series);
    expect(delta('payments_settlement_rows_total{outcome="loaded"}')).toBe(2);
    expect(delta('payments_settlement_rows_total{outcome="rejected"}')).toBe(1);
    expect(delta('payments_settlement_files_total{status="completed"}')).toBe(1);
    expect(delta('payments_settlement_files_total{status="duplicate"}')).toBe(1);
    // Both uploads are jobs: the duplicate's ends at once, having nothing to load.
    expect(delta('payments_jobs_completed_total{job_name="ingest-settlement-file"}')).toBe(2);
    expect(delta('payments_job_duration_seconds_count{job_name="ingest-settlement-file",outcome="completed"}')).toBe(2);
  });

  it('report what each queue holds, by state, from the queue itself', async () => {
    const text = await scrape();
    for (const queue of ['extracts', 'settlement']) {
      for (const state of ['waiting', 'active', 'delayed', 'failed']) {
        expect(text).toMatch(new RegExp(`^payments_queue_jobs\\{queue="${queue}",state="${state}"\\} \\d+$`, 'm'));
      }
    }
    expect(valueOf(text, 'payments_queue_jobs{queue="settlement",state="waiting"}')).toBe(0);
  });

  it('include the process defaults: event-loop lag, heap, GC', async () => {
    // Enough garbage for a few collections, whatever the tests before made.
    let garbage: object[] = [];
    for (let i = 0; i < 1_000_000; i++) {
      garbage.push({ i, text: `row ${i}` });
      if (garbage.length > 50_000) garbage = [];
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    const text = await scrape();
    expect(valueOf(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    expect(valueOf(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    const collections = text.split('\n').filter((line) => line.startsWith('nodejs_gc_duration_seconds_count{'));
    expect(collections.reduce((sum, line) => sum + Number(line.split(' ').pop()), 0)).toBeGreaterThan(0);
    expect(valueOf(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('METRICS_PORT=0: no listener and no request hook, nothing recorded per request', async () => {
    const off = await createTestApp({ METRICS_PORT: '0' });
    try {
      await off.http().get('/health/live').expect(200);
      expect(await off.app.get(Metrics).registry.metrics()).not.toContain('http_request_duration_seconds_count');
    } finally {
      await off.close();
    }
  });
});
