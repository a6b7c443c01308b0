/**
 * §Performance, extracts on PostgreSQL. Anchors run in the same run, on the same data:
 *  - month aggregation: the product vs `\copy (SELECT … GROUP BY …) TO` (target ≤ 1.5×)
 *  - detailed extract:  the product vs `\copy (SELECT … ORDER BY …) TO` (target ≤ 2×)
 *  - peak RSS of the process running a detailed extract: 1M vs 3M rows (target: flat)
 *
 *   npm run bench -- extracts [--rows 1000000] [--big-rows 3000000] [--repeat 3] [--keep]
 * Needs PostgreSQL (BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { ApiModule } from '../apps/api/src/api.module';
import { AppConfigService, loadConfig } from '@app/core';
import { ExtractsService } from '@app/extracts';
import { ExtractsProcessor } from '../libs/extracts/src/extracts.processor';
import { dataSourceOptions, openDataSource } from '@app/database';
import { WORKER_NODE_FLAGS, child, machine, median, psql, table, timed, timedPsql } from './support';

const SERVER = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const OWNER = '11111111-1111-4111-8111-111111111111';
const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};

function databaseUrl(name: string): string {
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * The settlement data source of the product under test: an empty, migrated PostgreSQL database.
 * Not the embedded SQLite one: that would load the sample settlement file at boot, during the run.
 */
function settlementUrl(financeDatabase: string): string {
  return databaseUrl(`${financeDatabase}_settlement`);
}

/** A fresh database with the product's schema and `rows` transactions over 3 years, 3 currencies. */
async function prepare(name: string, rows: number): Promise<string> {
  const url = databaseUrl(name);
  const config = loadConfig({ DATABASE_URL: url, SETTLEMENT_DATABASE_URL: settlementUrl(name) });
  for (const source of ['finance', 'settlement'] as const) {
    const database = source === 'finance' ? name : `${name}_settlement`;
    psql(SERVER, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    psql(SERVER, `CREATE DATABASE ${database}`);
    const dataSource = await openDataSource({ ...(await dataSourceOptions(source, config[source], false)), name: source });
    await dataSource.runMigrations();
    await dataSource.destroy();
  }
  psql(
    url,
    `INSERT INTO transactions (id, user_id, amount, currency, description, category, occurred_at, created_at, updated_at, version)
     SELECT md5(g::text)::uuid::text, '${OWNER}',
            CASE WHEN g % 3 = 2 THEN (g % 200000) - 50000 ELSE ((g % 200000) - 50000) / 100.0 END,
            (ARRAY['USD','EUR','VND'])[1 + g % 3] , 'payment #' || g, (ARRAY['food','rent','travel','=cmd'])[1 + g % 4],
            timestamp '2023-01-01' + (g % 1095) * interval '1 day' + (g % 86400) * interval '1 second', now(), now(), 1
     FROM generate_series(1, ${rows}) g`,
  );
  psql(url, 'ANALYZE transactions');
  return url;
}

const PERIOD = { start: '2023-01-01', end: '2025-12-31' };

/** Child mode: boot the product against `url`, run one extract, print seconds, rows and peak RSS. */
async function runProduct(url: string, detailed: boolean): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-extracts-'));
  const config = new AppConfigService(
    loadConfig({
      DATABASE_URL: url,
      SETTLEMENT_DATABASE_URL: settlementUrl(new URL(url).pathname.slice(1)),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      RUN_MIGRATIONS: 'false',
      ADMIN_PASSWORD: 'bench-admin-password',
      // No HTTP here, and nothing scrapes it.
      METRICS_PORT: '0',
    }),
  );
  const app = await NestFactory.createApplicationContext(ApiModule.forRoot(config), { logger: ['error'] });
  const processor = app.get(ExtractsProcessor);
  const taskId = `bench-${process.pid}`;
  const { seconds, value } = await timed(() =>
    processor.generate({
      taskId,
      ownerId: OWNER,
      attempt: 1,
      params: { source: 'transactions', ...PERIOD, aggregation: 'month', detailed },
      signal: new AbortController().signal,
      progress: () => undefined,
    }),
  );
  const bytes = statSync(app.get(ExtractsService).filePath(taskId)).size;
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ seconds, rows: value.rows, bytes, maxRssMb }));
}

const AGGREGATE_SQL = `SELECT to_char(date_trunc('month', occurred_at), 'YYYY-MM-DD') AS period_start, currency, COUNT(*) AS count,
  SUM(amount) AS total, SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END) AS inflow, SUM(CASE WHEN amount < 0 THEN amount ELSE 0 END) AS outflow,
  MIN(amount) AS min, MAX(amount) AS max FROM transactions WHERE user_id = '${OWNER}' AND occurred_at >= '${PERIOD.start}' AND occurred_at < '2026-01-01'
  GROUP BY 1, 2 ORDER BY 1, 2`;
const DETAILED_SQL = `SELECT to_char(date_trunc('month', occurred_at), 'YYYY-MM-DD') AS period_start, id, occurred_at, currency, amount, category, description
  FROM transactions WHERE user_id = '${OWNER}' AND occurred_at >= '${PERIOD.start}' AND occurred_at < '2026-01-01' ORDER BY occurred_at, id`;

async function main(): Promise<void> {
  if (process.argv.includes('--child')) {
    await runProduct(process.argv[process.argv.indexOf('--child') + 1], process.argv.includes('--detailed'));
    return;
  }
  const rows = arg('rows', 1_000_000);
  const bigRows = arg('big-rows', 3_000_000);
  const repeat = arg('repeat', 3);
  const script = __filename;
  const out = join(mkdtempSync(join(tmpdir(), 'bench-anchor-')), 'anchor.csv');

  console.log(`Seeding ${rows} transactions…`);
  const url = await prepare('bench_extracts', rows);
  const results: Array<Record<string, string | number>> = [];
  for (const [label, sql, detailed, target] of [
    ['month aggregation', AGGREGATE_SQL, false, 1.5],
    ['detailed', DETAILED_SQL, true, 2],
  ] as const) {
    const anchor: number[] = [];
    const product: number[] = [];
    for (let i = 0; i < repeat; i++) {
      anchor.push(timedPsql(url, `\\copy (${sql.replace(/\n/g, ' ')}) TO '${out}' WITH CSV HEADER`));
      const run = child<{ seconds: number; rows: number }>(script, ['--child', url, ...(detailed ? ['--detailed'] : [])], {}, WORKER_NODE_FLAGS);
      // A fast path that lost rows would look like a fast extract: every row must be there.
      if (detailed && run.rows !== rows) throw new Error(`The detailed extract wrote ${run.rows} rows, not ${rows}`);
      product.push(run.seconds);
    }
    const ratio = median(product) / median(anchor);
    results.push({
      workload: `${label}, ${rows} rows`,
      'anchor \\copy (s, median)': median(anchor).toFixed(3),
      'product (s, median)': median(product).toFixed(3),
      ratio: ratio.toFixed(2),
      target: `≤ ${target}`,
      verdict: ratio <= target ? 'PASS' : 'FAIL',
      machine: machine(),
    });
  }
  const small = child<{ maxRssMb: number; rows: number }>(script, ['--child', url, '--detailed'], {}, WORKER_NODE_FLAGS);
  console.log(`Seeding ${bigRows} transactions…`);
  const bigUrl = await prepare('bench_extracts_big', bigRows);
  const big = child<{ maxRssMb: number; rows: number }>(script, ['--child', bigUrl, '--detailed'], {}, WORKER_NODE_FLAGS);
  results.push({
    workload: `peak RSS, detailed ${small.rows} vs ${big.rows} rows`,
    'anchor \\copy (s, median)': '-',
    'product (s, median)': `${small.maxRssMb.toFixed(0)} MB vs ${big.maxRssMb.toFixed(0)} MB`,
    ratio: (big.maxRssMb / small.maxRssMb).toFixed(2),
    target: '≈ 1 (flat)',
    verdict: big.maxRssMb / small.maxRssMb <= 1.2 ? 'PASS' : 'FAIL',
    machine: machine(),
  });
  if (!process.argv.includes('--keep')) {
    for (const database of ['bench_extracts_big', 'bench_extracts']) {
      psql(SERVER, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      psql(SERVER, `DROP DATABASE IF EXISTS ${database}_settlement WITH (FORCE)`);
    }
  }
  console.log(`\n${table(results)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
