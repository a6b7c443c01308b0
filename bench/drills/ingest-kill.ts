/**
 * §Reliability drill: kill -9 of the worker at random points of a 1M-row ingest, N times.
 * A worker (built app, Bull on Redis, settlement on MariaDB) loads a generated file from the inbox;
 * whenever the stored row count passes a random threshold the worker is killed without warning and
 * a new one started. At the end: the file `completed`, every valid row stored exactly once.
 *
 *   npm run build && npm run build:bench && node dist/bench/drills/ingest-kill.js [--rows 1000000] [--kills 5]
 * Needs MariaDB and Redis (DRILL_MYSQL_URL, DRILL_REDIS_URL; defaults: the local servers).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { generateSettlementFile } from '@app/settlement-ingest';
import { table } from '../support';

const MYSQL = process.env.DRILL_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';
const REDIS = process.env.DRILL_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const ROOT = join(__dirname, '..', '..', '..');
const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function startWorker(env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--max-semi-space-size=64', join(ROOT, 'dist', 'apps', 'worker', 'src', 'main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, TZ: 'UTC', ...env },
    stdio: 'ignore',
  });
}

async function main(): Promise<void> {
  const rows = arg('rows', 1_000_000);
  const kills = arg('kills', 5);
  const dataDir = mkdtempSync(join(tmpdir(), 'drill-ingest-'));
  const admin = await createConnection({ uri: MYSQL });
  await admin.query('DROP DATABASE IF EXISTS drill_ingest');
  await admin.query('CREATE DATABASE drill_ingest');
  await admin.end();
  const url = new URL(MYSQL);
  url.pathname = '/drill_ingest';
  const db = await createConnection({ uri: url.toString() });
  const env = {
    DATA_DIR: dataDir,
    SETTLEMENT_DATABASE_URL: url.toString(),
    REDIS_URL: REDIS,
    REDIS_PREFIX: `drill-${process.pid}`,
    SETTLEMENT_SCAN_CRON: '*/2 * * * * *',
    SECRET_KEY: 'drill-secret-key-of-at-least-32-bytes!!',
    ADMIN_PASSWORD: 'drill-admin-password',
    LOG_LEVEL: 'warn',
  };

  console.log(`Generating ${rows} rows…`);
  const inbox = join(dataDir, 'inbox');
  mkdirSync(inbox, { recursive: true });
  const path = join(inbox, 'drill.csv');
  const generated = await generateSettlementFile(path, { rows, badRows: Math.round(rows / 10_000), seed: 7, docPrefix: 'DRILL-' });
  utimesSync(path, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));

  const loaded = async () => {
    const [result] = await db.query(`SELECT status, rows_loaded FROM settlement_files LIMIT 1`).catch(() => [[]]);
    const file = (result as Array<{ status: string; rows_loaded: number }>)[0];
    return file ? { status: file.status, rows: Number(file.rows_loaded) } : { status: 'none', rows: 0 };
  };
  // Random kill points, spread over the file, in order.
  const thresholds = Array.from({ length: kills }, (_, i) => Math.floor(((i + 0.2 + Math.random() * 0.6) / (kills + 1)) * generated.valid));
  const events: Array<Record<string, string | number>> = [];
  const started = Date.now();
  let worker = startWorker(env);
  for (const [i, threshold] of thresholds.entries()) {
    for (;;) {
      const state = await loaded();
      if (state.rows >= threshold || state.status === 'completed') break;
      await sleep(20);
    }
    worker.kill('SIGKILL');
    await new Promise((resolve) => worker.once('exit', resolve));
    const atKill = await loaded();
    const killedAt = Date.now();
    worker = startWorker(env);
    // Recovery: until the stored row count moves again (Bull hands the stalled job on).
    for (;;) {
      const state = await loaded();
      if (state.rows > atKill.rows || state.status === 'completed') break;
      await sleep(100);
    }
    events.push({
      kill: i + 1,
      'rows stored at kill': atKill.rows,
      'of valid': generated.valid,
      'resumed after (s)': ((Date.now() - killedAt) / 1000).toFixed(1),
    });
  }
  for (;;) {
    const state = await loaded();
    if (state.status === 'completed' || state.status === 'failed') break;
    await sleep(200);
  }
  worker.kill('SIGTERM');
  const [[file]] = (await db.query(`SELECT id, status, rows_loaded, rows_rejected FROM settlement_files`)) as never as [
    [{ id: string; status: string; rows_loaded: number; rows_rejected: number }],
  ];
  const [[counts]] = (await db.query(
    `SELECT COUNT(*) AS n, COUNT(DISTINCT doc_idt) AS distinct_ids, (SELECT COUNT(*) FROM settlement_rejects) AS rejects FROM card_transactions`,
  )) as never as [[{ n: number; distinct_ids: number; rejects: number }]];
  await db.end();
  rmSync(dataDir, { recursive: true, force: true });

  console.log(`\n${table(events)}\n`);
  const checks = [
    { check: 'file status', expected: 'completed', actual: file.status },
    { check: 'rows stored', expected: generated.valid, actual: Number(counts.n) },
    { check: 'distinct DOC_IDT', expected: generated.valid, actual: Number(counts.distinct_ids) },
    { check: 'rows_loaded', expected: generated.valid, actual: Number(file.rows_loaded) },
    { check: 'rejects stored', expected: generated.bad, actual: Number(counts.rejects) },
  ].map((c) => ({ ...c, verdict: String(c.expected) === String(c.actual) ? 'PASS' : 'FAIL' }));
  console.log(`${table(checks)}\n\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s for ${rows} rows and ${kills} kills`);
  process.exit(checks.every((c) => c.verdict === 'PASS') ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
