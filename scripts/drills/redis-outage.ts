/**
 * §Reliability drill: Redis stopped for 30 s under settlement read load, then started again.
 * Expects 0 failed reads, /health/ready saying Redis is down during the outage and up after it,
 * the same api process throughout, and the cache back in use after Redis returns.
 *
 *   npm run build && node -r ts-node/register/transpile-only scripts/drills/redis-outage.ts [--outage 30] [--rate 150]
 *
 * Everything it touches is its own: a redis-server on port 6392 (never the shared 6379), the
 * databases drill_redis_outage (MariaDB) and drill_redis_outage_finance (PostgreSQL), an api on
 * port 3994. Traffic only goes to 127.0.0.1 and stops by itself.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import autocannon from 'autocannon';
import Redis from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { ADMIN_PASSWORD, API_ENTRY, ROOT, arg, dropDatabases, freshDatabases, log, sleep, waitFor } from './support';

const REDIS_PORT = 6392;
const API_PORT = 3994;
const DB = 'drill_redis_outage';
const PREFIX = `drill-${process.pid}`;
const ROWS = 200_000;
const MERCHANTS = 500;

/** Records straight into the table the api migrated (the drill is about reads, not ingest). */
async function seed(settlementUrl: string): Promise<void> {
  const connection = await createConnection({ uri: settlementUrl });
  await connection.query(
    `INSERT INTO card_transactions (doc_idt, trans_date, amount, currency, merchant_id, trans_type, file_id, line)
     SELECT CONCAT('DRILL', LPAD(seq, 10, '0')), DATE_ADD('2025-01-01', INTERVAL seq % 365 DAY),
            (seq % 100000) / 100, 'VND', CONCAT('MERCH', LPAD(seq % ${MERCHANTS}, 10, '0')), 'PURCHASE',
            '00000000-0000-4000-8000-00000000d111', seq + 1
     FROM seq_1_to_${ROWS}`,
  );
  await connection.end();
}

function startRedis(): ChildProcess {
  return spawn('redis-server', ['--port', String(REDIS_PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function main(): Promise<void> {
  const outageSeconds = arg('outage', 30);
  const rate = arg('rate', 150);
  const before = 10;
  const after = 20;
  if (!existsSync(API_ENTRY)) throw new Error(`${API_ENTRY} is missing: run "npm run build" first`);

  const probe = new Redis(`redis://127.0.0.1:${REDIS_PORT}/0`, { lazyConnect: true, maxRetriesPerRequest: 1 });
  probe.on('error', () => undefined);
  if (
    await probe.ping().then(
      () => true,
      () => false,
    )
  )
    throw new Error(`port ${REDIS_PORT} is taken: the drill needs its own redis-server`);

  const { settlement, finance } = await freshDatabases(DB);
  let redis = startRedis();
  await waitFor(async () => (await probe.ping()) === 'PONG', 10_000, 'redis-server start');

  const api = spawn(process.execPath, [API_ENTRY], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      TZ: 'UTC',
      NODE_ENV: 'production',
      PORT: String(API_PORT),
      DATABASE_URL: finance,
      SETTLEMENT_DATABASE_URL: settlement,
      REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}/0`,
      REDIS_PREFIX: PREFIX,
      SECRET_KEY: 'drill-secret-key-of-at-least-32-bytes-long',
      ADMIN_PASSWORD,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // However the drill ends, nothing it started outlives it.
  process.on('exit', () => [redis, api].forEach((c) => c.exitCode === null && c.kill('SIGKILL')));
  const apiLog: string[] = [];
  api.stdout!.on('data', (c: Buffer) => apiLog.push(c.toString()));
  api.stderr!.on('data', (c: Buffer) => apiLog.push(c.toString()));
  const base = `http://127.0.0.1:${API_PORT}`;
  try {
    await waitFor(async () => (await fetch(`${base}/health/live`)).ok, 60_000, 'api start');
    await seed(settlement);
    const login = await fetch(`${base}/api/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    const token = ((await login.json()) as { access_token: string }).access_token;
    const paths = Array.from(
      { length: MERCHANTS },
      (_, i) => `/api/transactions?filter_by=MERCHANT_ID&filter_value=MERCH${String(i).padStart(10, '0')}&sort_by=TRANS_DATE&sort_order=desc&limit=10`,
    );

    // Health every second, remembered with the second it was taken.
    const started = Date.now();
    const health: Array<{ second: number; status: number; overall: string; redis: string }> = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const res = await fetch(`${base}/health/ready`).catch(() => undefined);
        const body = res ? ((await res.json()) as { status: string; details?: { redis?: { status: string } } }) : undefined;
        health.push({
          second: Math.round((Date.now() - started) / 1000),
          status: res?.status ?? 0,
          overall: body?.status ?? 'no answer',
          redis: body?.details?.redis?.status ?? '?',
        });
        await sleep(1000);
      }
    })();

    // The load: `rate` requests/s over 20 connections for the whole drill; every answer is counted.
    const perSecond = new Map<number, { ok: number; failed: number }>();
    let next = 0;
    let settle!: (result: autocannon.Result) => void;
    let fail!: (error: Error) => void;
    const finished = new Promise<autocannon.Result>((resolve, reject) => ((settle = resolve), (fail = reject)));
    const instance = autocannon(
      {
        url: base,
        connections: 20,
        overallRate: rate,
        duration: before + outageSeconds + after,
        timeout: 10,
        headers: { authorization: `Bearer ${token}` },
        requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }],
      },
      (error, result) => (error ? fail(error) : settle(result)),
    );
    instance.on('response', (_client: unknown, statusCode: number) => {
      const second = Math.floor((Date.now() - started) / 1000);
      const bucket = perSecond.get(second) ?? { ok: 0, failed: 0 };
      if (statusCode >= 200 && statusCode < 300) bucket.ok += 1;
      else bucket.failed += 1;
      perSecond.set(second, bucket);
    });

    await sleep(before * 1000);
    log(`stopping Redis for ${outageSeconds} s`);
    const stoppedAt = Math.round((Date.now() - started) / 1000);
    await stop(redis);
    await sleep(outageSeconds * 1000);
    log('starting Redis again');
    redis = startRedis();
    const restartedAt = Math.round((Date.now() - started) / 1000);
    const result = await finished;
    polling = false;
    await poller;

    // The cache is in use again: answers stored in the restarted Redis, by the same api process.
    const cachedAfter = (await probe.keys(`${PREFIX}:settlement-query*`)).length;
    const apiStillUp = api.exitCode === null;
    const failed = result.non2xx + result.errors + result.timeouts;
    const downSeconds = health.filter((h) => h.redis !== 'up').map((h) => h.second);
    const readyCodes = [...new Set(health.map((h) => h.status))];
    const lastHealth = health[health.length - 1];

    const summary = {
      requests: result.requests.total,
      failed,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
      redisStoppedAtSecond: stoppedAt,
      redisStartedAtSecond: restartedAt,
      healthReadyStatusCodes: readyCodes,
      healthSaysRedisDownFromSecond: downSeconds[0] ?? null,
      healthSaysRedisDownUntilSecond: downSeconds[downSeconds.length - 1] ?? null,
      healthAtEnd: lastHealth,
      cacheEntriesInRestartedRedis: cachedAfter,
      sameApiProcessThroughout: apiStillUp,
    };
    console.log('\nper-second answers (ok/failed):');
    console.log(
      [...perSecond]
        .sort((a, b) => a[0] - b[0])
        .map(([s, b]) => `${s}:${b.ok}/${b.failed}`)
        .join(' '),
    );
    console.log('\nhealth/ready each second (second:http/overall/redis):');
    console.log(health.map((h) => `${h.second}:${h.status}/${h.overall}/${h.redis}`).join(' '));
    console.log(`\n${JSON.stringify(summary, null, 2)}`);
    const passed = failed === 0 && downSeconds.length > 0 && lastHealth.redis === 'up' && readyCodes.every((c) => c === 200) && cachedAfter > 0 && apiStillUp;
    console.log(`\ndrill: ${passed ? 'PASSED' : 'FAILED'}`);
    if (!passed) process.exitCode = 1;
  } catch (error) {
    console.error(apiLog.join('').slice(-3000));
    throw error;
  } finally {
    await stop(api);
    await stop(redis);
    probe.disconnect();
    await dropDatabases(DB);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
