/**
 * §Performance, settlement ingest: the anchors the ingest bench compares against, each run into a
 * fresh copy of card_transactions (same columns, same indexes) in the database at `url`:
 *  - MySQL/MariaDB: `LOAD DATA LOCAL INFILE` of the canonical file (its header's columns mapped, IGNORE 1 LINES)
 *  - PostgreSQL:    psql `\copy … FROM … CSV HEADER`
 *  - SQLite:        a bare better-sqlite3 import (prepared INSERT per row, in transactions), indexes kept or built after
 * and, for comparison, the settlement batch writer alone (records already parsed, in memory), one
 * transaction per batch with a checkpoint update, as the ingest service commits them.
 *
 * Self-test (a generated file, every dialect):
 *   npm run build:bench && node dist/bench/ingest-anchors.js [--rows 200000] [--batch 5000[,10000…]] [--repeat 3] [--only postgres,mysql,sqlite]
 * Needs PostgreSQL and MariaDB (BENCH_POSTGRES_URL, BENCH_MYSQL_URL; defaults: the local servers);
 * it creates and drops the databases bench_ingest_anchors.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, createReadStream, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import type { DatabaseTarget } from '@app/core';
import { dataSourceOptions, openDataSource } from '@app/database';
import { CardTransaction } from '../libs/settlement-ingest/src/entities/card-transaction.entity';
import { SettlementFile } from '../libs/settlement-ingest/src/entities/settlement-file.entity';
import { SettlementReject } from '../libs/settlement-ingest/src/entities/settlement-reject.entity';
import type { TransType } from '../libs/settlement-ingest/src/entities/card-transaction.entity';
import { createSettlementBatchWriter } from '../libs/settlement-ingest/src/loading';
import { GenerateOptions, canonicalRow, generateSettlementFile, generatedValues } from '../libs/settlement-ingest/src/generator';
import { SETTLEMENT_COLUMNS, SettlementRecord } from '../libs/settlement-ingest/src/settlement-record';
import { median, psql, table, timedPsql } from './support';

export interface Throughput {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

const ANCHOR_TABLE = 'anchor_card_transactions';
/** Cells that may be empty in a canonical file: loaded as NULL, as the product stores them. */
const OPTIONAL = new Set(['TRANS_TIME', 'CARD_NO', 'MERCHANT_ID', 'TERMINAL_ID', 'MCC', 'RRN', 'AUTH_CODE', 'FEE', 'SETTLE_DATE']);
/** Optional cells with a default (§Settlement file): an empty or absent one takes it. */
const DEFAULTED = new Map([
  ['CURRENCY', 'VND'],
  ['TRANS_TYPE', 'PURCHASE'],
]);

// ---------------------------------------------------------------------------------------------
// Anchors

/**
 * `LOAD DATA LOCAL INFILE` of a canonical CSV file into a fresh copy of card_transactions on the
 * MySQL/MariaDB database at `url` (its settlement schema is migrated first if missing). Columns are
 * mapped from the header; unknown ones are skipped, empty optional cells become NULL or their
 * default. The file's lines must end with LF (as generated files do).
 */
export async function loadDataInfileAnchor(csvPath: string, url: string): Promise<Throughput> {
  await migrateSettlementSchema(url);
  const connection = await createConnection({ uri: url });
  try {
    await connection.query(`DROP TABLE IF EXISTS ${ANCHOR_TABLE}`);
    await connection.query(`CREATE TABLE ${ANCHOR_TABLE} LIKE card_transactions`);
    const header = csvHeader(csvPath);
    const variables = header.map((_, i) => `@c${i}`);
    const assignments = header.flatMap((name, i) => {
      if (!(SETTLEMENT_COLUMNS as readonly string[]).includes(name) || DEFAULTED.has(name)) return [];
      const column = name.toLowerCase();
      return [`${column} = ${OPTIONAL.has(name) ? `NULLIF(@c${i}, '')` : `@c${i}`}`];
    });
    for (const [name, fallback] of DEFAULTED) {
      const i = header.indexOf(name);
      assignments.push(`${name.toLowerCase()} = ${i === -1 ? `'${fallback}'` : `COALESCE(NULLIF(@c${i}, ''), '${fallback}')`}`);
    }
    assignments.push(`file_id = '${randomUUID()}'`, 'line = 0');
    const sql = `LOAD DATA LOCAL INFILE ? INTO TABLE ${ANCHOR_TABLE} CHARACTER SET utf8mb4
      FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' ESCAPED BY '' LINES TERMINATED BY '\\n' IGNORE 1 LINES
      (${variables.join(', ')}) SET ${assignments.join(', ')}`;
    const started = process.hrtime.bigint();
    await connection.query({ sql, values: [csvPath], infileStreamFactory: () => createReadStream(csvPath) });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const [[{ n }]] = (await connection.query(`SELECT COUNT(*) AS n FROM ${ANCHOR_TABLE}`)) as unknown as [[{ n: string }]];
    await connection.query(`DROP TABLE ${ANCHOR_TABLE}`);
    return throughput(Number(n), seconds);
  } finally {
    await connection.end();
  }
}

/**
 * psql `\copy … FROM … CSV HEADER` of a canonical CSV file into a fresh copy of card_transactions on
 * the PostgreSQL database at `url`. \copy cannot skip columns, so the file may hold only §Settlement
 * columns (any order); file_id, line and absent CURRENCY or TRANS_TYPE columns take table defaults.
 */
export async function psqlCopyAnchor(csvPath: string, url: string): Promise<Throughput> {
  await migrateSettlementSchema(url);
  const header = csvHeader(csvPath);
  const unknown = header.filter((name) => !(SETTLEMENT_COLUMNS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`the \\copy anchor cannot skip columns: ${unknown.join(', ')}`);
  psql(url, `DROP TABLE IF EXISTS ${ANCHOR_TABLE}`);
  psql(
    url,
    `CREATE TABLE ${ANCHOR_TABLE} (LIKE card_transactions INCLUDING ALL);
     ALTER TABLE ${ANCHOR_TABLE} ALTER file_id SET DEFAULT '${randomUUID()}', ALTER line SET DEFAULT 0,
       ALTER currency SET DEFAULT 'VND', ALTER trans_type SET DEFAULT 'PURCHASE'`,
  );
  const columns = header.map((name) => name.toLowerCase()).join(', ');
  // An empty CURRENCY or TRANS_TYPE cell would be NULL in NOT NULL columns: keep it as '' instead.
  const notNull = ['currency', 'trans_type'].filter((c) => header.includes(c.toUpperCase()));
  const force = notNull.length > 0 ? `, FORCE_NOT_NULL (${notNull.join(', ')})` : '';
  const seconds = timedPsql(url, `\\copy ${ANCHOR_TABLE} (${columns}) FROM '${csvPath.replace(/'/g, "''")}' WITH (FORMAT csv, HEADER true${force})`);
  const rows = Number(psql(url, `SELECT COUNT(*) FROM ${ANCHOR_TABLE}`));
  psql(url, `DROP TABLE ${ANCHOR_TABLE}`);
  return throughput(rows, seconds);
}

/**
 * SQLite has no bulk loader, so its anchor is what a bare better-sqlite3 import does: the canonical
 * CSV split on commas and newlines (no quoting, no validation: generated files need neither), one
 * prepared INSERT per row, `batchSize` rows per transaction, into a fresh copy of card_transactions
 * in the database at `url` (`sqlite:path`) with the same pragmas as the product. With
 * `indexesAfter`, the copy starts with its primary key only and gets the product's other indexes
 * once loaded: the most a load can do while those indexes exist at the end.
 */
export async function sqliteInsertAnchor(csvPath: string, url: string, batchSize: number, indexesAfter = false): Promise<Throughput> {
  const dataSource = await openSettlement(url);
  try {
    const db = (await dataSource.driver.createQueryRunner('master').connect()) as {
      exec(sql: string): void;
      prepare(sql: string): { run(...params: unknown[]): unknown };
      transaction(fn: (rows: unknown[][]) => void): (rows: unknown[][]) => void;
    };
    const schema = (await dataSource.query("SELECT type, sql FROM sqlite_master WHERE tbl_name = 'card_transactions' AND sql IS NOT NULL")) as Array<{
      type: string;
      sql: string;
    }>;
    const rename = (sql: string) => sql.replace(/"card_transactions"/g, `"${ANCHOR_TABLE}"`).replace(/"ix_card_tx_/g, '"ix_anchor_');
    const indexes = schema.filter((s) => s.type === 'index').map((s) => rename(s.sql));
    db.exec(`DROP TABLE IF EXISTS ${ANCHOR_TABLE}`);
    db.exec(rename(schema.find((s) => s.type === 'table')!.sql));
    if (!indexesAfter) indexes.forEach((sql) => db.exec(sql));
    const header = csvHeader(csvPath);
    const columns = [...header.map((name) => name.toLowerCase()), 'file_id', 'line'];
    const insert = db.prepare(`INSERT OR IGNORE INTO ${ANCHOR_TABLE} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    const commit = db.transaction((rows: unknown[][]) => rows.forEach((row) => insert.run(row)));
    const fileId = randomUUID();
    const started = process.hrtime.bigint();
    let lineNo = 0;
    let pending: unknown[][] = [];
    let rest = '';
    for await (const chunk of createReadStream(csvPath, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        if (lineNo++ === 0 || line === '') continue; // the header
        pending.push([...line.split(',').map((cell) => (cell === '' ? null : cell)), fileId, lineNo]);
        if (pending.length === batchSize) {
          commit(pending);
          pending = [];
        }
      }
    }
    commit(pending);
    if (indexesAfter) indexes.forEach((sql) => db.exec(sql));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const [{ n }] = (await dataSource.query(`SELECT COUNT(*) AS n FROM ${ANCHOR_TABLE}`)) as [{ n: number }];
    db.exec(`DROP TABLE ${ANCHOR_TABLE}`);
    return throughput(Number(n), seconds);
  } finally {
    await dataSource.destroy();
  }
}

/** The canonical header of a file, upper-cased and trimmed as §Settlement file matches it. */
function csvHeader(csvPath: string): string[] {
  const fd = openSync(csvPath, 'r');
  const start = Buffer.alloc(64 * 1024);
  const length = readSync(fd, start, 0, start.length, 0);
  closeSync(fd);
  return start
    .toString('utf8', 0, length)
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)[0]
    .split(',')
    .map((h) => h.trim().toUpperCase());
}

// ---------------------------------------------------------------------------------------------
// The writer alone

/**
 * The settlement batch writer alone on the database at `url` (postgres://, mysql://, sqlite:path):
 * `rows` generated records (see generatedRecord) in batches of `batchSize`, each in its own transaction
 * with a checkpoint update, as the ingest service commits them. Only the transactions are timed.
 */
export async function writerThroughput(url: string, rows: number, batchSize: number): Promise<Throughput> {
  const dataSource = await openSettlement(url);
  try {
    const empty = dataSource.options.type === 'better-sqlite3' ? 'DELETE FROM' : 'TRUNCATE TABLE';
    await dataSource.query(`${empty} settlement_rejects`);
    await dataSource.query(`${empty} card_transactions`);
    const file = { id: randomUUID(), name: 'bench.csv' };
    await dataSource.getRepository(SettlementFile).insert({
      id: file.id,
      name: file.name,
      sha256: '0'.repeat(64),
      sizeBytes: 0,
      profile: null,
      status: 'loading',
      receivedAt: new Date(),
    });
    const writer = createSettlementBatchWriter(dataSource);
    let nanos = 0n;
    let loaded = 0;
    for (let start = 0; start < rows; start += batchSize) {
      const records = Array.from({ length: Math.min(batchSize, rows - start) }, (_, k) => generatedRecord(start + k + 1));
      const started = process.hrtime.bigint();
      await dataSource.transaction(async (manager) => {
        const result = await writer.write(manager, file, { records, rejects: [], lastLine: records[records.length - 1].line });
        loaded += result.loaded;
        await manager.getRepository(SettlementFile).update({ id: file.id }, { linesDone: records[records.length - 1].line, rowsLoaded: loaded });
      });
      nanos += process.hrtime.bigint() - started;
    }
    if (loaded !== rows) throw new Error(`writer loaded ${loaded} of ${rows} rows`);
    return throughput(loaded, Number(nanos) / 1e9);
  } finally {
    await dataSource.destroy();
  }
}

/** The settlement data source at `url`, migrated, with its entities. */
export async function openSettlement(url: string): Promise<DataSource> {
  const options = await dataSourceOptions('settlement', databaseTarget(url), true);
  return openDataSource({ ...options, name: 'settlement', entities: [SettlementFile, CardTransaction, SettlementReject] });
}

async function migrateSettlementSchema(url: string): Promise<void> {
  await (await openSettlement(url)).destroy();
}

function databaseTarget(url: string): DatabaseTarget {
  if (/^sqlite:/i.test(url)) return { kind: 'sqlite', url: url.replace(/^sqlite:/i, ''), embedded: false };
  return { kind: /^postgres(ql)?:/i.test(url) ? 'postgres' : 'mysql', url: url.replace(/^mariadb:/i, 'mysql:'), embedded: false };
}

function throughput(rows: number, seconds: number): Throughput {
  return { rows, seconds, rowsPerSecond: rows / seconds };
}

// ---------------------------------------------------------------------------------------------
// Test data: libs/settlement-ingest/src/generator.ts, the same rows in the file and in memory

const GENERATED = { seed: 1, docPrefix: 'W' };

/** Row n (1-based) of a generated canonical file as the parser hands it over: line n + 1, empty cells NULL. */
export function generatedRecord(n: number, options: Pick<GenerateOptions, 'seed' | 'docPrefix'> = GENERATED): SettlementRecord {
  const v = generatedValues(n, { rows: n, ...options });
  const cell = (value: string | null | undefined) => (value ? value : null);
  return {
    line: n + 1,
    docIdt: v.DOC_IDT!,
    transDate: v.TRANS_DATE!,
    transTime: cell(v.TRANS_TIME),
    amount: v.AMOUNT!,
    currency: v.CURRENCY || 'VND',
    cardNo: cell(v.CARD_NO),
    merchantId: cell(v.MERCHANT_ID),
    terminalId: cell(v.TERMINAL_ID),
    mcc: cell(v.MCC),
    rrn: cell(v.RRN),
    authCode: cell(v.AUTH_CODE),
    transType: (v.TRANS_TYPE || 'PURCHASE') as TransType,
    fee: cell(v.FEE),
    settleDate: cell(v.SETTLE_DATE),
    raw: canonicalRow(v),
  };
}

// ---------------------------------------------------------------------------------------------
// Self-test

const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1];
};

/**
 * Anchor and writer alternate `repeat` times on the same file (the machine is shared and noisy);
 * medians are quoted, with the writer's ratio to the anchor.
 */
async function selfTest(): Promise<void> {
  const rows = Number(arg('rows', '200000'));
  const batches = arg('batch', '5000').split(',').map(Number);
  const repeat = Number(arg('repeat', '3'));
  const only = arg('only', 'postgres,mysql,sqlite').split(',');
  const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-anchors-'));
  const csv = join(dir, 'settlement.csv');
  await generateSettlementFile(csv, { rows, ...GENERATED });
  const results: Array<Record<string, string | number>> = [];
  const measure = async (dialect: string, anchorName: string, anchor: (() => Promise<Throughput>) | null, url: string) => {
    const anchors: number[] = [];
    const writers = new Map<number, number[]>(batches.map((b) => [b, []]));
    for (let i = 0; i < repeat; i++) {
      if (anchor) anchors.push((await anchor()).rowsPerSecond);
      for (const size of batches) writers.get(size)!.push((await writerThroughput(url, rows, size)).rowsPerSecond);
    }
    if (anchor) results.push({ dialect, what: anchorName, rows, 'rows/s (median)': Math.round(median(anchors)), 'vs anchor': '1.00' });
    for (const [size, figures] of writers) {
      results.push({
        dialect,
        what: `writer alone, batches of ${size}`,
        rows,
        'rows/s (median)': Math.round(median(figures)),
        'vs anchor': anchor ? (median(figures) / median(anchors)).toFixed(2) : '-',
      });
    }
  };
  try {
    if (only.includes('postgres')) {
      const server = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
      psql(server, 'DROP DATABASE IF EXISTS bench_ingest_anchors WITH (FORCE)');
      psql(server, 'CREATE DATABASE bench_ingest_anchors');
      const url = withDatabase(server, 'bench_ingest_anchors');
      await measure('postgres', '\\copy … FROM … CSV HEADER', () => psqlCopyAnchor(csv, url), url);
      psql(server, 'DROP DATABASE IF EXISTS bench_ingest_anchors WITH (FORCE)');
    }
    if (only.includes('mysql')) {
      const server = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/mysql';
      const admin = await createConnection({ uri: server });
      await admin.query('DROP DATABASE IF EXISTS bench_ingest_anchors');
      await admin.query('CREATE DATABASE bench_ingest_anchors CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
      const url = withDatabase(server, 'bench_ingest_anchors');
      await measure('mysql', 'LOAD DATA LOCAL INFILE', () => loadDataInfileAnchor(csv, url), url);
      await admin.query('DROP DATABASE IF EXISTS bench_ingest_anchors');
      await admin.end();
    }
    if (only.includes('sqlite')) {
      const url = `sqlite:${join(dir, 'settlement.sqlite')}`;
      await measure('sqlite', 'better-sqlite3 INSERT, 25,000 per transaction', () => sqliteInsertAnchor(csv, url, 25_000), url);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n${table(results)}\n`);
}

function withDatabase(server: string, name: string): string {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

if (require.main === module) {
  selfTest().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
