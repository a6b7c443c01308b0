/**
 * §Performance, GET /api/transactions on MariaDB, 1M records, 50 connections. In the same run, on the
 * same machine, each server in its own process:
 *  - bare: a bare Fastify JSON route                                              (moonshot: cached ≥ 0.5 × bare)
 *  - ceiling: the http-adapters benchmark's Nest-on-Fastify app, a constant 10-record page behind a
 *    bearer-token check (bench/nest-ceiling.ts), sent the product's own token       (cached ≥ 0.8 × ceiling)
 *  - cached: the product (services mode: PostgreSQL finance, MariaDB settlement, Redis cache), filter
 *    MERCHANT_ID, sort TRANS_DATE desc (indexed), limit 10, answers already cached
 *  - mysql2: a bare mysql2 pool (the product's size) running the product's page and COUNT statements
 *    for a stream of distinct queries at the same concurrency (bench/settlement-query-anchors.ts)
 *  - uncached: the product, cache on, on that same stream: every request a miss   (≥ 0.7 × mysql2 req/s, p99 ≤ 1.5 × its p99)
 *  - deep: pages 900,000 records deep reached with the cursor (page not cached)     (≤ 50 ms)
 *
 *   npm run bench -- settlement-query [--rows 1000000] [--duration 10] [--repeat 3] [--connections 50] [--keep] [--reuse] [--only cached] [--no-deep]
 * Needs MariaDB, PostgreSQL and Redis (BENCH_MYSQL_URL, BENCH_POSTGRES_URL, BENCH_REDIS_URL; defaults:
 * the local servers) and a build (`npm run build`: the product runs as dist/apps/api/src/main.js).
 * `--reuse` keeps an already seeded bench_settlement_query database; `--keep` leaves it behind.
 * `--only cached` runs the bare route, the ceiling and the cached product only (the Node 20/24 comparison);
 * `--profile <dir>` has the cached product write a CPU profile (`node --cpu-prof`) there, `--profile-uncached <dir>`
 * the uncached one; `--no-deep` skips the 900,000-record walk.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { loadConfig } from '@app/core';
import { dataSourceOptions, openDataSource } from '@app/database';
import { countStatement, pageStatement } from '../libs/settlement-query/src/settlement-sql';
import { Load, ROOT, Server, freePort, load, runBareFastify, start } from './http-load';
import { BENCH_SECRET_KEY, runNestCeiling } from './nest-ceiling';
import { MERCHANTS, SendMode, distinctPath, distinctQuery, merchantPath, mysqlAnchor } from './settlement-query-anchors';
import { machine, median, psql, table } from './support';

const MYSQL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';
const POSTGRES = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14';
const DB_NAME = 'bench_settlement_query';
const API_ENTRY = join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');
const SECRET_KEY = BENCH_SECRET_KEY;
const ADMIN_PASSWORD = 'bench-admin-password';
/** Queries of the distinct stream each measured run of the uncached read uses (a slice of its own). */
const SLICE = 100_000;
/** How the product sends its statements (settlement-query.repository.ts); the mysql2 anchor does the same. */
const SEND_MODE: SendMode = 'execute';

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
  const existing = await server.query(`SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name = 'card_transactions'`, [
    DB_NAME,
  ]);
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
  // `--profile <dir>` / `--profile-uncached <dir>`: the cached / uncached product writes a CPU profile
  // there when it stops (docs/settlement-query.md).
  const option = cacheTtl === 300 ? '--profile' : '--profile-uncached';
  const profile = process.argv.includes(option) ? [`--cpu-prof`, `--cpu-prof-dir=${process.argv[process.argv.indexOf(option) + 1]}`] : [];
  return start(
    [...profile, '--max-semi-space-size=64', API_ENTRY],
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

async function getJson(
  port: number,
  path: string,
  auth: string,
): Promise<{ ms: number; body: { next_cursor: string | null; transactions: unknown[]; total: number } }> {
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

/** Same answers from the product and from the anchor's statements: the anchor runs what the product runs. */
async function checkSameAnswers(port: number, auth: string, url: string, from: number): Promise<void> {
  const connection = await createConnection({ uri: url });
  try {
    for (let i = from; i < from + 5; i++) {
      const { body } = await getJson(port, distinctPath(i), auth);
      const page = pageStatement('mysql', distinctQuery(i));
      const count = countStatement('mysql', distinctQuery(i));
      const [rows] = (await connection.query(page.sql, page.params)) as unknown as [Array<{ DOC_IDT: string }>];
      const [[{ n }]] = (await connection.query(count.sql, count.params)) as unknown as [[{ n: number }]];
      const ids = (body.transactions as Array<{ DOC_IDT: string }>).map((r) => r.DOC_IDT);
      if (
        Number(n) !== body.total ||
        rows
          .slice(0, 10)
          .map((r) => r.DOC_IDT)
          .join() !== ids.join()
      ) {
        throw new Error(`the anchor's statements answer query ${i} differently from the product`);
      }
    }
  } finally {
    await connection.end();
  }
}

type Kind = 'bare' | 'ceiling' | 'cached' | 'mysql2' | 'uncached';

async function main(): Promise<void> {
  const child = process.argv.indexOf('--server');
  if (child !== -1) {
    const [kind, port] = [process.argv[child + 1], Number(process.argv[child + 2])];
    await (kind === 'bare' ? runBareFastify(port) : runNestCeiling('fastify', port));
    return;
  }
  const rows = arg('rows', 1_000_000);
  const seconds = arg('duration', 10);
  const repeat = arg('repeat', 3);
  const connections = arg('connections', 50);
  const cachedOnly = process.argv.includes('--only') && process.argv[process.argv.indexOf('--only') + 1] === 'cached';
  const depth = Math.min(900_000, rows - 1000);
  if (repeat > 6) throw new Error('at most 6 repeats: each uses its own slice of the distinct stream');

  const settlementUrl = withDatabase(MYSQL, DB_NAME);
  await seed(settlementUrl, rows);
  const financeName = `bench_settlement_query_finance_${process.pid}`;
  psql(POSTGRES, `DROP DATABASE IF EXISTS ${financeName} WITH (FORCE)`);
  psql(POSTGRES, `CREATE DATABASE ${financeName}`);
  const financeUrl = withDatabase(POSTGRES, financeName);

  const prefix = `bench-sq-${process.pid}`;
  const servers: Partial<Record<Kind, Server>> = {};
  for (const kind of ['bare', 'ceiling'] as const) {
    const port = await freePort();
    servers[kind] = await start([__filename, '--server', kind, String(port)], {}, port, '/');
  }
  servers.cached = await startProduct(await freePort(), settlementUrl, financeUrl, 300, prefix);
  // Misses only: a short TTL keeps what the stream writes to Redis small.
  if (!cachedOnly) servers.uncached = await startProduct(await freePort(), settlementUrl, financeUrl, 5, `${prefix}-miss`);
  const results: Array<Record<string, string | number>> = [];
  try {
    const auth = await token(servers.cached.port);
    const headers = { authorization: `Bearer ${auth}` };
    const cachedPaths = Array.from({ length: 200 }, (_, i) => merchantPath(i));
    const slice = (run: number) => (i: number) => distinctPath(run * SLICE + i);
    if (servers.uncached) await checkSameAnswers(servers.uncached.port, auth, settlementUrl, 7 * SLICE);
    // Warm up: JIT, pools, and every cached path asked once; the stream's slice 0 for the uncached side.
    for (const path of cachedPaths) await getJson(servers.cached.port, path, auth);
    await load(servers.bare!.port, ['/'], 3, connections);
    await load(servers.ceiling!.port, ['/api/transactions'], 3, connections, headers);
    await load(servers.cached.port, cachedPaths, 3, connections, headers);
    if (servers.uncached) {
      await mysqlAnchor(settlementUrl, 0, 3, connections, SEND_MODE);
      await load(servers.uncached.port, slice(0), 3, connections, headers);
    }

    const runs: Record<Kind, Load[]> = { bare: [], ceiling: [], cached: [], mysql2: [], uncached: [] };
    const loads: Record<Kind, string[]> = { bare: [], ceiling: [], cached: [], mysql2: [], uncached: [] };
    const measure = async (kind: Kind, run: () => Promise<Load>) => {
      runs[kind].push(await run());
      loads[kind].push(machine());
    };
    for (let i = 0; i < repeat; i++) {
      await measure('bare', () => load(servers.bare!.port, ['/'], seconds, connections));
      await measure('ceiling', () => load(servers.ceiling!.port, ['/api/transactions'], seconds, connections, headers));
      await measure('cached', () => load(servers.cached!.port, cachedPaths, seconds, connections, headers));
      if (servers.uncached) {
        // Both read slice i + 1 of the stream; which goes first alternates (MariaDB's buffer pool).
        const anchor = () => measure('mysql2', () => mysqlAnchor(settlementUrl, (i + 1) * SLICE, seconds, connections, SEND_MODE));
        const product = () => measure('uncached', () => load(servers.uncached!.port, slice(i + 1), seconds, connections, headers));
        if (i % 2 === 0) await anchor().then(product);
        else await product().then(anchor);
      }
      const line = (kind: Kind) => (runs[kind][i] ? `${kind} ${runs[kind][i].rps.toFixed(0)} (p99 ${runs[kind][i].p99} ms)` : null);
      console.log(`run ${i + 1}: ${(['bare', 'ceiling', 'cached', 'mysql2', 'uncached'] as const).map(line).filter(Boolean).join(', ')} req/s; ${machine()}`);
    }
    const m = (kind: Kind, key: keyof Load) => median(runs[kind].map((r) => r[key]));
    const failed = [...runs.ceiling, ...runs.cached, ...runs.mysql2, ...runs.uncached].reduce((sum, r) => sum + r.failed, 0);
    const row = (kind: Kind, workload: string, figure = '-', target = '-', verdict = '-') =>
      results.push({
        workload,
        'req/s (median)': m(kind, 'rps').toFixed(0),
        'p50 / p99 ms': `${m(kind, 'p50')} / ${m(kind, 'p99')}`,
        figure,
        target,
        verdict,
        machine: loads[kind][loads[kind].length - 1],
      });
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
    const toCeiling = m('cached', 'rps') / m('ceiling', 'rps');
    const toBare = m('cached', 'rps') / m('bare', 'rps');
    row('bare', `bare Fastify JSON route, ${connections} connections`);
    row('ceiling', 'ceiling: Nest on Fastify, token check, constant 10-record page');
    row(
      'cached',
      `cached: filter MERCHANT_ID, sort TRANS_DATE desc, limit 10, ${rows} rows`,
      `${toCeiling.toFixed(2)} × ceiling`,
      '≥ 0.8 × ceiling',
      verdict(toCeiling >= 0.8),
    );
    row('cached', '  the same against the bare route (moonshot)', `${toBare.toFixed(2)} × bare`, '≥ 0.5 × bare', verdict(toBare >= 0.5));
    if (servers.uncached) {
      const rpsRatio = m('uncached', 'rps') / m('mysql2', 'rps');
      const p99Ratio = m('uncached', 'p99') / m('mysql2', 'p99');
      row('mysql2', `mysql2 pool (${SEND_MODE}, 20 connections): the product's page + COUNT, distinct queries, ${connections} at a time`);
      row(
        'uncached',
        'uncached: the product on the same distinct queries (every one a miss)',
        `${rpsRatio.toFixed(2)} × mysql2 req/s`,
        '≥ 0.7 ×',
        verdict(rpsRatio >= 0.7),
      );
      row('uncached', "  its p99 against the anchor's", `${p99Ratio.toFixed(2)} × mysql2 p99`, '≤ 1.5 ×', verdict(p99Ratio <= 1.5));

      // `--no-deep`: the ratios only (the walk takes minutes).
      for (const [label, base] of flag('no-deep')
        ? []
        : ([
            ['sort TRANS_DATE desc', '/api/transactions?sort_by=TRANS_DATE&sort_order=desc'],
            ['sort MERCHANT_ID asc (2% NULL)', '/api/transactions?sort_by=MERCHANT_ID&sort_order=asc'],
          ] as const)) {
        const deep = await deepPage(servers.cached.port, auth, base, depth);
        results.push({
          workload: `a page ${depth} records deep with the cursor, ${label}, limit 10`,
          'req/s (median)': '-',
          'p50 / p99 ms': '-',
          figure: `median ${deep.median.toFixed(1)} ms, worst ${deep.max.toFixed(1)} ms of 5 (walk of ${depth / 1000} pages of 1000: ${deep.walkSeconds.toFixed(0)} s)`,
          target: '≤ 50 ms',
          verdict: verdict(deep.median <= 50),
          machine: machine(),
        });
      }
      // Offset paging reads and drops every skipped record: shown at a tenth of the depth, it already costs seconds.
      const offsetDepth = Math.round(depth / 10);
      const offset = await getJson(servers.uncached.port, `/api/transactions?sort_by=TRANS_DATE&sort_order=desc&limit=10&skip=${offsetDepth}`, auth);
      results.push({
        workload: `for contrast: skip=${offsetDepth} instead of a cursor, not cached`,
        'req/s (median)': '-',
        'p50 / p99 ms': '-',
        figure: `${offset.ms.toFixed(1)} ms`,
        target: '-',
        verdict: '-',
        machine: machine(),
      });
    }
    if (failed > 0) throw new Error(`${failed} requests failed under load`);
  } finally {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
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
