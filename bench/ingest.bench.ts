/**
 * §Performance, settlement ingest. Anchors run in the same run, on the same file:
 *  - MariaDB:    the product (parse, validate, mask, de-duplicate, store, checkpoint) vs `LOAD DATA LOCAL INFILE` (target ≥ 0.8×)
 *  - PostgreSQL: the product vs psql `\copy … FROM` (target ≥ 0.8×)
 *  - SQLite:     the product (target ≥ 50k rows/s), shown beside a bare better-sqlite3 import of the
 *                same file into the same schema (indexes kept, and indexes built after the load)
 *  - peak RSS of the process ingesting: 1M vs 5M rows (target ≤ 256 MB, flat)
 *
 *   npm run bench -- ingest [--rows 1000000] [--big-rows 5000000] [--repeat 3] [--only mysql,postgres,sqlite]
 * Needs MariaDB and PostgreSQL (BENCH_MYSQL_URL, BENCH_POSTGRES_URL; defaults: the local servers).
 * Throughput counts the rows of the file; the product's time runs from the claimed file (hashing
 * included) to the file recorded completed and archived.
 */
import { NestFactory } from '@nestjs/core';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { AppConfigService, loadConfig } from '@app/core';
import { CliModule } from '../apps/cli/src/cli.module';
import { SQLITE_BATCH_ROWS, SettlementInboxService, SettlementIngestService, generateSettlementFile } from '@app/settlement-ingest';
import { loadDataInfileAnchor, psqlCopyAnchor, sqliteInsertAnchor } from './ingest-anchors';
import { WORKER_NODE_FLAGS, child, machine, median, psql, table, timed } from './support';

const MYSQL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';
const POSTGRES = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};
type Dialect = 'mysql' | 'postgres' | 'sqlite';

function withDatabase(server: string, name: string): string {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh, empty database for one run; the product migrates it. */
async function freshDatabase(dialect: Dialect, workDir: string): Promise<string> {
  const name = 'bench_ingest';
  if (dialect === 'postgres') {
    psql(POSTGRES, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    psql(POSTGRES, `CREATE DATABASE ${name}`);
    return withDatabase(POSTGRES, name);
  }
  if (dialect === 'mysql') {
    const connection = await createConnection({ uri: MYSQL });
    await connection.query(`DROP DATABASE IF EXISTS ${name}`);
    await connection.query(`CREATE DATABASE ${name}`);
    await connection.end();
    return withDatabase(MYSQL, name);
  }
  const file = join(workDir, `bench-${Date.now()}.sqlite`);
  return `sqlite:${file}`;
}

/** Child mode: the product's ingest of `file` into the database at `url`; prints seconds, rows, peak RSS. */
async function runProduct(url: string, file: string): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
  const config = new AppConfigService(
    loadConfig({ SETTLEMENT_DATABASE_URL: url, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ADMIN_PASSWORD: 'bench-admin-password' }),
  );
  // The CLI's composition (its settlement:ingest runs the same load): no HTTP, no queue processing.
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: ['error'] });
  // As from the inbox: the file is claimed by a rename (untimed copy first, to keep the original).
  const inboxDir = config.get('paths').inboxDir;
  mkdirSync(inboxDir, { recursive: true });
  copyFileSync(file, join(inboxDir, 'bench.csv'));
  const { seconds, value } = await timed(async () => {
    const [registered] = await app.get(SettlementInboxService).claimReady(Date.now() + 60_000);
    return app.get(SettlementIngestService).load(registered.id);
  });
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
  if (value.status !== 'completed') throw new Error(`ingest ended ${value.status}: ${value.error}`);
  console.log(JSON.stringify({ seconds, rows: value.rows_total, loaded: value.rows_loaded, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

async function main(): Promise<void> {
  if (process.argv.includes('--child')) {
    const index = process.argv.indexOf('--child');
    await runProduct(process.argv[index + 1], process.argv[index + 2]);
    return;
  }
  const rows = arg('rows', 1_000_000);
  const bigRows = arg('big-rows', 5_000_000);
  const repeat = arg('repeat', 3);
  const onlyIndex = process.argv.indexOf('--only');
  const dialects = (onlyIndex === -1 ? 'mysql,postgres,sqlite' : process.argv[onlyIndex + 1]).split(',') as Dialect[];
  const workDir = mkdtempSync(join(tmpdir(), 'bench-ingest-files-'));
  const file = join(workDir, 'canonical.csv');
  console.log(`Generating ${rows} rows…`);
  await generateSettlementFile(file, { rows, seed: 1, docPrefix: 'B' });

  const product = (dialect: Dialect, path: string) => async () => {
    const url = await freshDatabase(dialect, workDir);
    return child<{ seconds: number; rows: number; maxRssMb: number }>(__filename, ['--child', url, path], {}, WORKER_NODE_FLAGS);
  };
  const results: Array<Record<string, string | number>> = [];
  // Each row is printed as soon as it is measured, so a long run interrupted keeps what it measured.
  const report = (figures: Record<string, string | number>) => {
    const row = { ...figures, machine: machine() };
    results.push(row);
    console.log(JSON.stringify(row));
  };
  for (const dialect of dialects) {
    const anchorRates: number[] = [];
    const ceilingRates: number[] = [];
    const productRates: number[] = [];
    for (let i = 0; i < repeat; i++) {
      const url = await freshDatabase(dialect, workDir);
      if (dialect === 'mysql') anchorRates.push((await loadDataInfileAnchor(file, url)).rowsPerSecond);
      if (dialect === 'postgres') anchorRates.push((await psqlCopyAnchor(file, url)).rowsPerSecond);
      if (dialect === 'sqlite') {
        anchorRates.push((await sqliteInsertAnchor(file, url, SQLITE_BATCH_ROWS)).rowsPerSecond);
        ceilingRates.push((await sqliteInsertAnchor(file, url, SQLITE_BATCH_ROWS, true)).rowsPerSecond);
      }
      const run = await product(dialect, file)();
      productRates.push(run.rows / run.seconds);
    }
    const productRate = median(productRates);
    if (dialect === 'sqlite') {
      // §Performance: ≥ 0.9 × a bare better-sqlite3 import of the same file into the same schema.
      const anchorRate = median(anchorRates);
      report({
        workload: `ingest ${rows} rows, SQLite (vs bare better-sqlite3 INSERT, same indexes)`,
        'anchor (rows/s, median)': anchorRate.toFixed(0),
        'product (rows/s, median)': productRate.toFixed(0),
        ratio: (productRate / anchorRate).toFixed(2),
        target: '≥ 0.9',
        verdict: productRate / anchorRate >= 0.9 ? 'PASS' : 'FAIL',
      });
      report({
        workload: `for scale: bare better-sqlite3 INSERT, indexes built after the load`,
        'anchor (rows/s, median)': median(ceilingRates).toFixed(0),
        'product (rows/s, median)': '-',
        ratio: '-',
        target: '-',
        verdict: '-',
      });
      continue;
    }
    const anchorRate = median(anchorRates);
    report({
      workload: `ingest ${rows} rows, ${dialect === 'mysql' ? 'MariaDB vs LOAD DATA LOCAL INFILE' : 'PostgreSQL vs \\copy'}`,
      'anchor (rows/s, median)': anchorRate.toFixed(0),
      'product (rows/s, median)': productRate.toFixed(0),
      ratio: (productRate / anchorRate).toFixed(2),
      target: '≥ 0.8',
      verdict: productRate / anchorRate >= 0.8 ? 'PASS' : 'FAIL',
    });
  }
  if (bigRows > 0) {
    const rssDialect = dialects.includes('mysql') ? 'mysql' : dialects[0];
    const small = await product(rssDialect, file)();
    const bigFile = join(workDir, 'big.csv');
    console.log(`Generating ${bigRows} rows…`);
    await generateSettlementFile(bigFile, { rows: bigRows, seed: 2, docPrefix: 'G' });
    const big = await product(rssDialect, bigFile)();
    report({
      workload: `peak RSS, ${rssDialect}, ${small.rows} vs ${big.rows} rows`,
      'anchor (rows/s, median)': '-',
      'product (rows/s, median)': `${small.maxRssMb.toFixed(0)} MB vs ${big.maxRssMb.toFixed(0)} MB`,
      ratio: (big.maxRssMb / small.maxRssMb).toFixed(2),
      target: '≤ 256 MB, flat',
      verdict: big.maxRssMb <= 256 && big.maxRssMb / small.maxRssMb <= 1.2 ? 'PASS' : 'FAIL',
    });
  }
  rmSync(workDir, { recursive: true, force: true });
  console.log(`\n${table(results)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
