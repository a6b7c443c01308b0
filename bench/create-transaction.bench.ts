/**
 * §Performance: POST /create-transaction, 50 connections, against the database's own ceiling in
 * the same run: a bare pg pool (the product's pool size) running the same two INSERTs (the
 * transaction and its pending audit entry, in one database transaction) at the same concurrency.
 * Target ≥ 0.5 × its inserts/s, 0 errors, rows stored = 201 answers, and every entry sealed into
 * the chain. For the profile, the same anchor with the chain sealed in the change's transaction (a
 * head-row lock, and a one-statement form). The same on embedded SQLite against bare better-sqlite3
 * prepared INSERTs of the same two rows in one transaction, reported.
 *
 *   npm run bench -- create-transaction [--duration 10] [--repeat 3] [--connections 50] [--profile <dir>]
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Pool } from 'pg';
import { ROOT, Server, freePort, start } from './http-load';
import { child, machine, median, psql, table } from './support';

/** better-sqlite3 ships no types (the product reaches it through TypeORM): what this file uses of it. */
interface SqliteDatabase {
  pragma(source: string): unknown;
  prepare(sql: string): { run(...params: unknown[]): unknown; get(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] };
  transaction(fn: () => void): () => void;
  close(): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Database = require('better-sqlite3') as new (path: string, options?: { readonly?: boolean }) => SqliteDatabase;

const API_ENTRY = join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');
const POSTGRES = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = 'bench_create_transaction';
const ADMIN_PASSWORD = 'bench-admin-password';
const SECRET_KEY = 'bench-secret-key-of-at-least-32-bytes-long';
/** The product's pg pool (libs/database/src/data-source-options.ts). */
const PG_POOL_SIZE = 20;
const BODY = { amount: '12.34', currency: 'USD', occurred_at: '2026-03-01T10:00:00Z', description: 'bench', category: 'bench' };
/** The statement TypeORM sends for one create (columns in the entity's order). */
const INSERT = 'INSERT INTO transactions (id, user_id, amount, currency, description, category, occurred_at, created_at, updated_at, version) VALUES ';
/**
 * And its audit entry's, pending until the product's sealer chains it (libs/audit/src/audit-sealer.ts);
 * into a copy of audit_pending (same columns and indexes), so the product never seals the anchor's rows.
 */
const PENDING_INSERT =
  'INSERT INTO bench_audit_pending (id, at, actor_id, actor_username, action, subject_type, subject_id, request_id, before, after) VALUES ';
/** The chained entry, for the profile's in-transaction chain; its seq numbers start far past the product's, so they never collide. */
const AUDIT_INSERT =
  'INSERT INTO audit_entries (seq, id, at, actor_id, actor_username, action, subject_type, subject_id, request_id, before, after, prev_hash, hash) VALUES ';
const ANCHOR_SEQ_FROM = 1_000_000_000_000;

const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};

function rowValues(userId: string): unknown[] {
  const now = new Date();
  return [randomUUID(), userId, BODY.amount, BODY.currency, BODY.description, BODY.category, new Date(BODY.occurred_at), now, now, 1];
}

/**
 * Child mode: `connections` loops on a pg pool for `seconds`, each a database transaction of the
 * two INSERTs the product's change transaction runs (the transaction, its pending audit entry);
 * `chain` adds an in-transaction chain for the profile. Prints {rps, errors}.
 */
async function anchorPostgres(url: string, userId: string, seconds: number, connections: number, chain: ChainVariant): Promise<void> {
  const pool = new Pool({ connectionString: url, max: PG_POOL_SIZE });
  const sql = `${INSERT}($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;
  const pendingSql = `${PENDING_INSERT}($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9)`;
  const auditSql = `${AUDIT_INSERT}($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10, $11, $12)`;
  const once = async () => {
    const client = await pool.connect();
    try {
      const row = rowValues(userId);
      await client.query('BEGIN');
      await client.query(sql, row);
      const after = JSON.stringify({ amount: BODY.amount, currency: BODY.currency });
      const entry = [randomUUID(), row[7], userId, 'admin', 'transaction.create', 'transaction', row[0], randomUUID(), after];
      const hashes = ['0'.repeat(64), '1'.repeat(64)];
      if (chain === 'none') {
        await client.query(pendingSql, entry);
      } else if (chain === 'head-row') {
        // The chain sealed in the change's transaction: the head row locked, the entry, the head moved on.
        const head = await client.query<{ seq: string }>('SELECT seq FROM bench_chain_head WHERE id = 1 FOR UPDATE');
        await client.query(auditSql, [Number(head.rows[0].seq) + 1 + ANCHOR_SEQ_FROM, ...entry, ...hashes]);
        await client.query('UPDATE bench_chain_head SET seq = seq + 1 WHERE id = 1');
      } else {
        // The least a chain-head lock in the change's transaction can cost: one statement moving the head and inserting the entry.
        await client.query(
          `WITH head AS (UPDATE bench_chain_head SET seq = seq + 1 WHERE id = 1 RETURNING seq) ${AUDIT_INSERT.replace(' VALUES ', ' ')} SELECT head.seq + ${ANCHOR_SEQ_FROM}, $1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10, $11 FROM head`,
          [...entry, ...hashes],
        );
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
  await once(); // connect and plan once before the clock starts
  let done = 0;
  let errors = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < until) {
        await once().then(
          () => (done += 1),
          () => (errors += 1),
        );
      }
    }),
  );
  await pool.end();
  console.log(JSON.stringify({ rps: done / seconds, errors }));
}

/**
 * What the anchor does about the chain: `none` is the target's anchor (the two INSERTs); the other
 * two are for the profile: the chain sealed inside the change's transaction (the product before its
 * sealer), its head row locked to the commit, and the same lock taken by a single statement, which
 * is the least any chain sealed in the change's transaction can cost.
 */
type ChainVariant = 'none' | 'head-row' | 'one-statement';

/** Child mode: the prepared INSERT on the product's SQLite file, same pragmas, for `seconds`. */
function anchorSqlite(path: string, userId: string, seconds: number): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const insert = db.prepare(`${INSERT}(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const pending = db.prepare(`${PENDING_INSERT}(?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`);
  const sqliteRow = () => rowValues(userId).map((v) => (v instanceof Date ? v.toISOString().replace('T', ' ').replace('Z', '') : v));
  const after = JSON.stringify({ amount: BODY.amount, currency: BODY.currency });
  // The same two INSERTs in one transaction, as the product's create.
  const create = db.transaction(() => {
    const row = sqliteRow();
    insert.run(...row);
    pending.run(randomUUID(), row[7], userId, 'admin', 'transaction.create', 'transaction', row[0], randomUUID(), after);
  });
  let done = 0;
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    create();
    done += 1;
  }
  db.close();
  console.log(JSON.stringify({ rps: done / seconds, errors: 0 }));
}

/** bench_audit_pending on the product's SQLite file: audit_pending's own DDL under another name. */
function copyPendingTable(path: string): void {
  const db = new Database(path);
  const ddl = db.prepare("SELECT sql FROM sqlite_master WHERE tbl_name = 'audit_pending' AND sql IS NOT NULL").all() as Array<{ sql: string }>;
  for (const { sql } of ddl) db.prepare(sql.replace(/audit_pending/g, 'bench_audit_pending')).run();
  db.close();
}

function startProduct(port: number, env: Record<string, string>, profile: string[] = []): Promise<Server> {
  if (!existsSync(API_ENTRY)) throw new Error(`${API_ENTRY} is missing: run "npm run build" first`);
  // The product as deployed: info level, an access-log line per request (to a pipe here).
  return start(
    [...profile, '--max-semi-space-size=64', API_ENTRY],
    { NODE_ENV: 'production', PORT: String(port), METRICS_PORT: '0', SECRET_KEY, ADMIN_PASSWORD, LOG_LEVEL: 'info', ...env },
    port,
    '/health/live',
  );
}

async function signIn(port: number): Promise<{ token: string; userId: string }> {
  const base = `http://127.0.0.1:${port}`;
  const login = await fetch(`${base}/api/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  const token = ((await login.json()) as { access_token: string }).access_token;
  const me = (await (await fetch(`${base}/users/me`, { headers: { authorization: `Bearer ${token}` } })).json()) as { id: string };
  return { token, userId: me.id };
}

async function hammer(port: number, token: string, seconds: number, connections: number) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/create-transaction',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(BODY),
      },
    ],
  });
  return { rps: result.requests.average, p99: result.latency.p99, created: result['2xx'], failed: result.non2xx + result.errors + result.timeouts };
}

interface Side {
  name: string;
  anchor: () => { rps: number; errors: number };
  /** The anchor with a chain-head lock (PostgreSQL only): what the chain itself allows. */
  chained?: (variant: Exclude<ChainVariant, 'none'>) => { rps: number; errors: number };
  product: () => Promise<{ rps: number; p99: number; created: number; failed: number }>;
  rows: () => Promise<number>;
  /** Entries still waiting for the sealer (0 once the last answer is out). */
  unsealed: () => Promise<number>;
  target?: number;
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode === '--anchor-pg')
    return anchorPostgres(process.argv[3], process.argv[4], Number(process.argv[5]), Number(process.argv[6]), process.argv[7] as ChainVariant);
  if (mode === '--anchor-sqlite') return anchorSqlite(process.argv[3], process.argv[4], Number(process.argv[5]));

  const seconds = arg('duration', 10);
  const repeat = arg('repeat', 3);
  const connections = arg('connections', 50);
  psql(POSTGRES, `DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  psql(POSTGRES, `CREATE DATABASE ${DB_NAME}`);
  const pgUrl = new URL(POSTGRES);
  pgUrl.pathname = `/${DB_NAME}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-create-'));
  const embeddedDir = mkdtempSync(join(tmpdir(), 'bench-create-embedded-'));
  // The settlement database and the queue stay embedded: only the finance database is measured.
  // `--profile <dir>`: the product on PostgreSQL writes a CPU profile there when it stops (node dist/bench/cpu-profile-top.js reads it).
  const profileDir = process.argv.includes('--profile') ? process.argv[process.argv.indexOf('--profile') + 1] : undefined;
  const onPostgres = await startProduct(
    await freePort(),
    { DATABASE_URL: pgUrl.toString(), SETTLEMENT_DATABASE_URL: `sqlite:${join(dataDir, 'settlement.sqlite')}`, DATA_DIR: dataDir },
    profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  );
  const embedded = await startProduct(await freePort(), { DATA_DIR: embeddedDir });
  const pool = new Pool({ connectionString: pgUrl.toString(), max: 1 });
  try {
    await pool.query('CREATE TABLE bench_chain_head (id int PRIMARY KEY, seq bigint NOT NULL); INSERT INTO bench_chain_head VALUES (1, 0)');
    await pool.query('CREATE TABLE bench_audit_pending (LIKE audit_pending INCLUDING ALL)');
    const pgUser = await signIn(onPostgres.port);
    const sqliteUser = await signIn(embedded.port);
    const sqliteFile = join(embeddedDir, 'finance.sqlite');
    copyPendingTable(sqliteFile);
    const sides: Side[] = [
      {
        name: 'PostgreSQL',
        anchor: () => child(__filename, ['--anchor-pg', pgUrl.toString(), pgUser.userId, String(seconds), String(connections), 'none']),
        chained: (variant) => child(__filename, ['--anchor-pg', pgUrl.toString(), pgUser.userId, String(seconds), String(connections), variant]),
        product: () => hammer(onPostgres.port, pgUser.token, seconds, connections),
        rows: async () =>
          Number((await pool.query('SELECT COUNT(*) AS n FROM transactions WHERE description = $1 AND user_id = $2', ['bench', pgUser.userId])).rows[0].n),
        unsealed: async () => Number((await pool.query('SELECT COUNT(*) AS n FROM audit_pending')).rows[0].n),
        target: 0.5,
      },
      {
        name: 'embedded SQLite',
        anchor: () => child(__filename, ['--anchor-sqlite', sqliteFile, sqliteUser.userId, String(seconds)]),
        product: () => hammer(embedded.port, sqliteUser.token, seconds, connections),
        rows: async () => {
          const db = new Database(sqliteFile, { readonly: true });
          const n = (
            db.prepare('SELECT COUNT(*) AS n FROM transactions WHERE description = ? AND user_id = ?').get('bench', sqliteUser.userId) as { n: number }
          ).n;
          db.close();
          return n;
        },
        unsealed: async () => {
          const db = new Database(sqliteFile, { readonly: true });
          const n = (db.prepare('SELECT COUNT(*) AS n FROM audit_pending').get() as { n: number }).n;
          db.close();
          return n;
        },
      },
    ];
    const results: Array<Record<string, string | number>> = [];
    let failed = 0;
    for (const side of sides) {
      await side.product(); // warm-up: JIT, pools, statement caches
      const anchorRuns: number[] = [];
      const chainedRuns: Record<'head-row' | 'one-statement', number[]> = { 'head-row': [], 'one-statement': [] };
      const productRuns: Array<{ rps: number; p99: number }> = [];
      let truthful = true;
      const counts: string[] = [];
      for (let round = 0; round < repeat; round++) {
        anchorRuns.push(side.anchor().rps);
        if (side.chained) for (const variant of ['head-row', 'one-statement'] as const) chainedRuns[variant].push(side.chained(variant).rps);
        // Rows this run stored (counted after the anchor, so its rows are not among them).
        const before = await side.rows();
        const run = await side.product();
        const stored = (await side.rows()) - before;
        // autocannon stops counting at the deadline: up to one request per connection is stored unanswered.
        if (stored < run.created || stored - run.created > connections) truthful = false;
        counts.push(`${stored}/${run.created}`);
        failed += run.failed;
        productRuns.push(run);
      }
      // The last answers came after their seals; what a request cut at the deadline left is sealed by then too.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const unsealed = await side.unsealed();
      const anchor = median(anchorRuns);
      const product = median(productRuns.map((r) => r.rps));
      const ratio = product / anchor;
      results.push({
        database: side.name,
        'anchor inserts/s (median)': anchor.toFixed(0),
        'product req/s (median)': product.toFixed(0),
        'product p99 ms': median(productRuns.map((r) => r.p99)).toFixed(1),
        'anchor + head-row lock / one-statement lock': side.chained
          ? `${median(chainedRuns['head-row']).toFixed(0)} / ${median(chainedRuns['one-statement']).toFixed(0)}`
          : '-',
        ratio: ratio.toFixed(2),
        'rows stored / 201s': `${counts.join(', ')}${truthful ? '' : ' (NO)'}`,
        'entries unsealed': unsealed,
        target: side.target ? `≥ ${side.target}` : 'reported',
        verdict: !truthful || unsealed > 0 ? 'FAIL' : side.target ? (ratio >= side.target ? 'PASS' : 'FAIL') : '-',
      });
    }
    console.log(`\nPOST /create-transaction, ${connections} connections, ${seconds} s × ${repeat} (medians); ${machine()}`);
    console.log(`\n${table(results)}\n`);
    if (failed > 0) throw new Error(`${failed} requests failed under load`);
    if (results.some((r) => r.verdict === 'FAIL')) process.exitCode = 1;
  } finally {
    await pool.end();
    await Promise.all([onPostgres.stop(), embedded.stop()]);
    psql(POSTGRES, `DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(embeddedDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
