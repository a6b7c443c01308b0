/**
 * §Performance, GET /api/transactions on MariaDB. In the same run, on the same machine:
 *  - anchor: a bare Fastify JSON route (its own process), 50 connections
 *  - cached: the product (services mode: PostgreSQL finance, MariaDB settlement, Redis cache), limit 10,
 *    filter MERCHANT_ID and sort TRANS_DATE (indexed), answers already cached      target ≥ 0.5 × anchor req/s
 *  - uncached: the same requests with the cache off (SETTLEMENT_CACHE_TTL_SECONDS=0)  target p99 ≤ 25 ms
 *  - deep: pages 900,000 records deep reached with the cursor (page not cached)     target ≤ 50 ms
 *
 *   npm run bench -- settlement-query [--rows 1000000] [--duration 10] [--repeat 3] [--connections 50] [--keep] [--reuse]
 * Needs MariaDB, PostgreSQL and Redis (BENCH_MYSQL_URL, BENCH_POSTGRES_URL, BENCH_REDIS_URL; defaults:
 * the local servers) and a build (`npm run build`: the product runs as dist/apps/api/src/main.js).
 * `--reuse` keeps an already seeded bench_settlement_query database; `--keep` leaves it behind.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { loadConfig } from '@app/core';
import { dataSourceOptions, openDataSource } from '@app/database';
import { Load, ROOT, Server, freePort, load, runBareFastify, start } from './http-load';
import { median, psql, table } from './support';

const MYSQL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';
const POSTGRES = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14';
const DB_NAME = 'bench_settlement_query';
const API_ENTRY = join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');
const SECRET_KEY = 'bench-secret-key-of-at-least-32-bytes-long';
const ADMIN_PASSWORD = 'bench-admin-password';
const MERCHANTS = 1000;

const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};
const flag = (name: string) => process.argv.includes(`--${name}`);

function withDatabase(server: string, name: string): string {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * The settlement schema from the product's migrations, then `rows` records generated in SQL
 * (INSERT … SELECT over MariaDB's sequence engine: no file, no round trip per row). Values repeat so
 * every indexed column has ties: 1,000 merchants (2% of records without one), 730 days, 5,000 terminals.
 */
async function seed(url: string, rows: number): Promise<void> {
  const server = await createConnection({ uri: MYSQL });
  const existing = await server.query(`SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name = 'card_transactions'`, [DB_NAME]);
  if (flag('reuse') && Number((existing[0] as Array<{ n: number }>)[0].n) > 0) {
    const [[{ n }]] = (await server.query(`SELECT COUNT(*) AS n FROM ${DB_NAME}.card_transactions`)) as unknown as [[{ n: number }]];
    if (Number(n) === rows) {
      console.log(`Reusing ${DB_NAME} with ${rows} records`);
      await server.end();
      return;
    }
  }
  await server.query(`DROP DATABASE IF EXISTS ${DB_NAME}`);
  await server.query(`CREATE DATABASE ${DB_NAME} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await server.end();

  const config = loadConfig({ SETTLEMENT_DATABASE_URL: url });
  const dataSource = await openDataSource({ ...(await dataSourceOptions('settlement', config.settlement, false)), name: 'settlement' });
  await dataSource.runMigrations();
  await dataSource.destroy();

  const connection = await createConnection({ uri: url });
  const started = Date.now();
  for (let from = 1; from <= rows; from += 250_000) {
    const to = Math.min(rows, from + 249_999);
    await connection.query(
      `INSERT INTO card_transactions (doc_idt, trans_date, trans_time, amount, currency, card_no, merchant_id, terminal_id, mcc, rrn,
         auth_code, trans_type, fee, settle_date, file_id, line)
       SELECT CONCAT('DOC', LPAD(seq, 12, '0')),
              DATE_ADD('2024-01-01', INTERVAL (seq * 7919) % 730 DAY),
              SEC_TO_TIME((seq * 104729) % 86400),
              (CAST((seq * 15485863) % 20000000 AS SIGNED) - 2000000) / 100,
              'VND',
              CONCAT('411111******', LPAD(seq % 10000, 4, '0')),
              IF(seq % 50 = 0, NULL, CONCAT('MERCH', LPAD(seq % ${MERCHANTS}, 10, '0'))),
              CONCAT('TERM', LPAD(seq % 5000, 12, '0')),
              '5411', LPAD(seq, 12, '0'), LPAD(seq % 1000000, 6, '0'),
              ELT(1 + seq % 5, 'PURCHASE', 'REFUND', 'REVERSAL', 'CHARGEBACK', 'CASH'),
              (seq % 10000) / 100,
              DATE_ADD('2024-01-02', INTERVAL (seq * 7919) % 730 DAY),
              '00000000-0000-4000-8000-000000000001', seq + 1
       FROM seq_${from}_to_${to}`,
    );
  }
  await connection.query('ANALYZE TABLE card_transactions');
  await connection.end();
  console.log(`Seeded ${rows} records in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function startProduct(port: number, settlementUrl: string, financeUrl: string, cacheTtl: number, prefix: string): Promise<Server> {
  if (!existsSync(API_ENTRY)) throw new Error(`${API_ENTRY} is missing: run "npm run build" first`);
  return start(
    ['--max-semi-space-size=64', API_ENTRY],
    {
      NODE_ENV: 'production',
      PORT: String(port),
      DATABASE_URL: financeUrl,
      SETTLEMENT_DATABASE_URL: settlementUrl,
      REDIS_URL: REDIS,
      REDIS_PREFIX: prefix,
      SECRET_KEY,
      ADMIN_PASSWORD,
      SETTLEMENT_CACHE_TTL_SECONDS: String(cacheTtl),
      // The product as deployed: info level, one access-log line per request (to a pipe here), and
      // metrics on (one histogram observation per request), each product on a port of its own.
      LOG_LEVEL: 'info',
      METRICS_PORT: String(await freePort()),
      SETTLEMENT_SCAN_CRON: '0 0 1 1 *',
    },
    port,
    '/health/live',
  );
}

async function token(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/api/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

const merchantPath = (i: number) =>
  `/api/transactions?filter_by=MERCHANT_ID&filter_value=MERCH${String(i % MERCHANTS).padStart(10, '0')}&sort_by=TRANS_DATE&sort_order=desc&limit=10`;

async function getJson(port: number, path: string, auth: string): Promise<{ ms: number; body: { next_cursor: string | null; transactions: unknown[]; total: number } }> {
  const started = process.hrtime.bigint();
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${auth}` } });
  const body = (await res.json()) as { next_cursor: string | null; transactions: unknown[]; total: number };
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return { ms, body };
}

/**
 * Walks `depth` records with 1,000-record cursor pages, then asks for 10 records from the cursors of
 * the walk's last 5 pages (about `depth` deep): pages never asked before (not cached), their total
 * shared with the walk (counted once per data version). Median and worst of the 5.
 */
async function deepPage(port: number, auth: string, base: string, depth: number): Promise<{ median: number; max: number; walkSeconds: number }> {
  const started = Date.now();
  let cursor: string | null = null;
  const last: string[] = [];
  for (let walked = 0; walked < depth; walked += 1000) {
    const page = await getJson(port, `${base}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`, auth);
    cursor = page.body.next_cursor;
    if (!cursor) throw new Error(`ran out of records at ${walked}`);
    last.push(cursor);
    if (last.length > 5) last.shift();
  }
  const walkSeconds = (Date.now() - started) / 1000;
  const times: number[] = [];
  for (const position of last) {
    const page = await getJson(port, `${base}&limit=10&cursor=${position}`, auth);
    if (page.body.transactions.length !== 10) throw new Error('deep page is short');
    times.push(page.ms);
  }
  return { median: median(times), max: Math.max(...times), walkSeconds };
}

async function main(): Promise<void> {
  if (process.argv.includes('--anchor')) {
    await runBareFastify(Number(process.argv[process.argv.indexOf('--anchor') + 1]));
    return;
  }
  const rows = arg('rows', 1_000_000);
  const seconds = arg('duration', 10);
  const repeat = arg('repeat', 3);
  const connections = arg('connections', 50);
  const depth = Math.min(900_000, rows - 1000);

  const settlementUrl = withDatabase(MYSQL, DB_NAME);
  await seed(settlementUrl, rows);
  const financeName = 'bench_settlement_query_finance';
  psql(POSTGRES, `DROP DATABASE IF EXISTS ${financeName} WITH (FORCE)`);
  psql(POSTGRES, `CREATE DATABASE ${financeName}`);
  const financeUrl = withDatabase(POSTGRES, financeName);

  const prefix = `bench-sq-${process.pid}`;
  const anchorPort = await freePort();
  const anchor = await start([__filename, '--anchor', String(anchorPort)], {}, anchorPort, '/');
  const cached = await startProduct(await freePort(), settlementUrl, financeUrl, 300, prefix);
  const uncached = await startProduct(await freePort(), settlementUrl, financeUrl, 0, `${prefix}-off`);
  const results: Array<Record<string, string | number>> = [];
  try {
    const auth = await token(cached.port);
    const headers = { authorization: `Bearer ${auth}` };
    const cachedPaths = Array.from({ length: 200 }, (_, i) => merchantPath(i));
    const uncachedPaths = Array.from({ length: MERCHANTS }, (_, i) => merchantPath(i));
    // Warm up: JIT, pools, and every cached path asked once.
    for (const path of cachedPaths) await getJson(cached.port, path, auth);
    await load(anchor.port, ['/'], 3, connections);
    await load(cached.port, cachedPaths, 3, connections, headers);
    await load(uncached.port, uncachedPaths, 3, connections, headers);

    const runs: Record<'anchor' | 'cached' | 'uncached', Load[]> = { anchor: [], cached: [], uncached: [] };
    for (let i = 0; i < repeat; i++) {
      runs.anchor.push(await load(anchor.port, ['/'], seconds, connections));
      runs.cached.push(await load(cached.port, cachedPaths, seconds, connections, headers));
      runs.uncached.push(await load(uncached.port, uncachedPaths, seconds, connections, headers));
      console.log(`run ${i + 1}: anchor ${runs.anchor[i].rps.toFixed(0)} req/s, cached ${runs.cached[i].rps.toFixed(0)} req/s, uncached ${runs.uncached[i].rps.toFixed(0)} req/s p99 ${runs.uncached[i].p99} ms`);
    }
    const m = (list: Load[], key: keyof Load) => median(list.map((r) => r[key]));
    const failed = [...runs.cached, ...runs.uncached].reduce((sum, r) => sum + r.failed, 0);
    const ratio = m(runs.cached, 'rps') / m(runs.anchor, 'rps');
    results.push({
      workload: `bare Fastify JSON route (anchor), ${connections} connections`,
      'req/s (median)': m(runs.anchor, 'rps').toFixed(0),
      'p50 / p99 ms': `${m(runs.anchor, 'p50')} / ${m(runs.anchor, 'p99')}`,
      figure: '-',
      target: '-',
      verdict: '-',
    });
    results.push({
      workload: `cached: filter MERCHANT_ID, sort TRANS_DATE desc, limit 10, ${rows} rows`,
      'req/s (median)': m(runs.cached, 'rps').toFixed(0),
      'p50 / p99 ms': `${m(runs.cached, 'p50')} / ${m(runs.cached, 'p99')}`,
      figure: `${ratio.toFixed(2)} × anchor`,
      target: '≥ 0.5 × anchor',
      verdict: ratio >= 0.5 ? 'PASS' : 'FAIL',
    });
    results.push({
      workload: 'uncached: the same requests, cache off',
      'req/s (median)': m(runs.uncached, 'rps').toFixed(0),
      'p50 / p99 ms': `${m(runs.uncached, 'p50')} / ${m(runs.uncached, 'p99')}`,
      figure: `p99 ${m(runs.uncached, 'p99')} ms`,
      target: 'p99 ≤ 25 ms',
      verdict: m(runs.uncached, 'p99') <= 25 ? 'PASS' : 'FAIL',
    });

    for (const [label, base] of [
      ['sort TRANS_DATE desc', '/api/transactions?sort_by=TRANS_DATE&sort_order=desc'],
      ['sort MERCHANT_ID asc (2% NULL)', '/api/transactions?sort_by=MERCHANT_ID&sort_order=asc'],
    ] as const) {
      const deep = await deepPage(cached.port, auth, base, depth);
      results.push({
        workload: `a page ${depth} records deep with the cursor, ${label}, limit 10`,
        'req/s (median)': '-',
        'p50 / p99 ms': '-',
        figure: `median ${deep.median.toFixed(1)} ms, worst ${deep.max.toFixed(1)} ms of 5 (walk of ${depth / 1000} pages of 1000: ${deep.walkSeconds.toFixed(0)} s)`,
        target: '≤ 50 ms',
        verdict: deep.median <= 50 ? 'PASS' : 'FAIL',
      });
    }
    // Offset paging reads and drops every skipped record: shown at a tenth of the depth, it already costs seconds.
    const offsetDepth = Math.round(depth / 10);
    const offset = await getJson(uncached.port, `/api/transactions?sort_by=TRANS_DATE&sort_order=desc&limit=10&skip=${offsetDepth}`, auth);
    results.push({
      workload: `for contrast: skip=${offsetDepth} instead of a cursor, cache off`,
      'req/s (median)': '-',
      'p50 / p99 ms': '-',
      figure: `${offset.ms.toFixed(1)} ms`,
      target: '-',
      verdict: '-',
    });
    if (failed > 0) throw new Error(`${failed} requests failed under load`);
  } finally {
    await Promise.all([anchor.stop(), cached.stop(), uncached.stop()]);
    psql(POSTGRES, `DROP DATABASE IF EXISTS ${financeName} WITH (FORCE)`);
    if (!flag('keep') && !flag('reuse')) {
      const connection = await createConnection({ uri: MYSQL });
      await connection.query(`DROP DATABASE IF EXISTS ${DB_NAME}`);
      await connection.end();
    }
  }
  console.log(`\n${table(results)}\n`);
  if (results.some((r) => r.verdict === 'FAIL')) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
