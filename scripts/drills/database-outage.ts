/**
 * §Reliability drill: a database cut off under mixed load, then back. For each database in turn
 * (the finance database on PostgreSQL, the settlement database on MariaDB) a TCP proxy between the
 * api and it resets every connection and refuses new ones for `--outage` seconds.
 *
 * Expects: every 5xx a 503 with Retry-After (never a 500), the other database's routes unharmed
 * where they do not need the one that is down, every route 2xx again within 5 s of the return, and
 * writes truthful: creates retried with their Idempotency-Key after a 503 leave exactly one row each.
 *
 *   npm run build && node -r ts-node/register/transpile-only scripts/drills/database-outage.ts [--outage 10]
 *
 * Its own databases (drill_db_outage on both servers), proxies on 15432 and 13306, an api on 3996.
 */
import { randomUUID } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import {
  ADMIN_PASSWORD,
  API_ENTRY,
  Answer,
  TcpProxy,
  arg,
  dropDatabases,
  freshDatabases,
  loadLoops,
  log,
  login,
  printPerSecond,
  requireBuild,
  servicesEnv,
  sleep,
  startApp,
  stop,
  viaPort,
  waitFor,
} from './support';

const DB = 'drill_db_outage';
const API_PORT = 3996;
const BASE = `http://127.0.0.1:${API_PORT}`;
const CONNECTIONS = 20;
const RECOVERY_LIMIT_MS = 5_000;

type Part = 'finance' | 'settlement';

async function seedSettlement(url: string): Promise<void> {
  const connection = await createConnection({ uri: url });
  await connection.query(
    `INSERT INTO card_transactions (doc_idt, trans_date, amount, currency, merchant_id, trans_type, file_id, line)
     SELECT CONCAT('OUT', LPAD(seq, 10, '0')), DATE_ADD('2025-01-01', INTERVAL seq % 365 DAY), (seq % 100000) / 100, 'VND',
            CONCAT('MERCH', LPAD(seq % 500, 10, '0')), 'PURCHASE', '00000000-0000-4000-8000-00000000d112', seq + 1
     FROM seq_1_to_20000`,
  );
  await connection.end();
}

async function financeRows(url: string, userId: string): Promise<number> {
  const pg = new Client({ connectionString: url });
  await pg.connect();
  const { rows } = await pg.query('SELECT COUNT(*)::int AS n FROM transactions WHERE user_id = $1', [userId]);
  await pg.end();
  return rows[0].n;
}

interface Outcome {
  part: Part;
  answers: Answer[];
  cutAt: number;
  restoredAt: number;
  fiveHundreds: number;
  missingRetryAfter: number;
  recoveryMs: number;
  createsAcknowledged: number;
  rowsStored: number;
}

async function drill(part: Part, outageSeconds: number): Promise<Outcome> {
  const databases = await freshDatabases(DB);
  const proxies = {
    finance: new TcpProxy(15432, { host: '127.0.0.1', port: Number(new URL(databases.finance).port || 5432) }),
    settlement: new TcpProxy(13306, { host: '127.0.0.1', port: Number(new URL(databases.settlement).port || 3306) }),
  };
  await Promise.all(Object.values(proxies).map((p) => p.start()));
  const api = startApp(
    API_ENTRY,
    servicesEnv({ finance: viaPort(databases.finance, 15432), settlement: viaPort(databases.settlement, 13306) }, `drill-outage-${process.pid}`, {
      PORT: String(API_PORT),
      WORKER_IN_API: 'false',
    }),
  );
  try {
    await waitFor(async () => (await fetch(`${BASE}/health/live`)).ok, 60_000, 'api start');
    await seedSettlement(databases.settlement);
    const token = await login(BASE, 'admin', ADMIN_PASSWORD);
    const me = (await (await fetch(`${BASE}/users/me`, { headers: { authorization: `Bearer ${token}` } })).json()) as { id: string };
    const auth = { authorization: `Bearer ${token}` };

    // Each loop creates with a key and retries that key until it is answered 2xx: the client
    // every payments API expects. Reads: the finance list, and settlement pages, cached and not.
    const pendingKey = new Map<number, string>();
    const acknowledged = new Set<string>();
    const before = 10_000;
    const after = 15_000;
    const total = before + outageSeconds * 1000 + after;
    const started = Date.now();
    const load = loadLoops(
      BASE,
      CONNECTIONS,
      (loop, i) => {
        const kind = ['create', 'list', 'settlement', 'settlement-cached'][i % 4];
        if (kind === 'create') {
          const key = pendingKey.get(loop) ?? randomUUID();
          pendingKey.set(loop, key);
          return {
            kind,
            path: '/create-transaction',
            init: {
              method: 'POST',
              headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': key },
              body: JSON.stringify({ amount: '1.25', currency: 'USD', occurred_at: '2026-03-01T10:00:00Z', description: key }),
            },
          };
        }
        if (kind === 'list') return { kind, path: '/transactions?limit=10', init: { headers: auth } };
        const merchant = kind === 'settlement' ? (loop * 1000 + i) % 500 : loop % 5;
        const order = kind === 'settlement' ? (i % 2 ? 'asc' : 'desc') : 'desc';
        return {
          kind,
          path: `/api/transactions?filter_by=MERCHANT_ID&filter_value=MERCH${String(merchant).padStart(10, '0')}&sort_by=AMOUNT&sort_order=${order}&limit=10&skip=${kind === 'settlement' ? i % 7 : 0}`,
          init: { headers: auth },
        };
      },
      () => Date.now() - started > total,
      // A create answered 2xx frees its loop's key; the next create takes a new one.
      (loop, answer) => {
        if (answer.kind !== 'create' || answer.status < 200 || answer.status >= 300) return;
        acknowledged.add(pendingKey.get(loop)!);
        pendingKey.delete(loop);
      },
    );
    await sleep(before);
    log(`cutting the ${part} database off for ${outageSeconds} s`);
    const cutAt = Date.now() - started;
    await proxies[part].cut();
    await sleep(outageSeconds * 1000);
    await proxies[part].restore();
    const restoredAt = Date.now() - started;
    log(`the ${part} database is back`);
    const answers = await load;
    // A create still unanswered 2xx when the load stopped is retried with its key until it is, as
    // its client would: then every row stored has been acknowledged exactly once.
    for (const key of pendingKey.values()) {
      const body = JSON.stringify({ amount: '1.25', currency: 'USD', occurred_at: '2026-03-01T10:00:00Z', description: key });
      const res = await fetch(`${BASE}/create-transaction`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': key },
        body,
      });
      if (res.ok) acknowledged.add(key);
    }
    const createsAcknowledged = acknowledged.size;
    const rowsStored = await financeRows(databases.finance, me.id);
    const failures = answers.filter((a) => a.status >= 500 || a.status === 0);
    const afterReturn = answers.filter((a) => a.at >= restoredAt && (a.status < 200 || a.status >= 300));
    const lastFailure = afterReturn.reduce((latest, a) => Math.max(latest, a.at), restoredAt);
    return {
      part,
      answers,
      cutAt,
      restoredAt,
      fiveHundreds: failures.filter((a) => a.status !== 503).length,
      missingRetryAfter: failures.filter((a) => a.status === 503 && !a.retryAfter).length,
      recoveryMs: lastFailure - restoredAt,
      createsAcknowledged,
      rowsStored,
    };
  } catch (error) {
    console.error(api.output.join('').slice(-3000));
    throw error;
  } finally {
    await stop(api);
    await Promise.all(Object.values(proxies).map((p) => p.cut().catch(() => undefined)));
    await dropDatabases(DB);
  }
}

async function main(): Promise<void> {
  requireBuild();
  const outageSeconds = arg('outage', 10);
  let passed = true;
  const rows: string[] = [];
  for (const part of ['finance', 'settlement'] as const) {
    const o = await drill(part, outageSeconds);
    printPerSecond(`${part} database cut at ${(o.cutAt / 1000).toFixed(1)} s, back at ${(o.restoredAt / 1000).toFixed(1)} s`, o.answers);
    const byKind = (kind: string) => {
      const during = o.answers.filter((a) => a.kind === kind && a.at >= o.cutAt && a.at < o.restoredAt);
      return `${during.filter((a) => a.status >= 200 && a.status < 300).length}/${during.length}`;
    };
    const ok = o.fiveHundreds === 0 && o.missingRetryAfter === 0 && o.recoveryMs <= RECOVERY_LIMIT_MS && o.rowsStored === o.createsAcknowledged;
    passed &&= ok;
    rows.push(
      `| ${part} | ${o.answers.length} | ${o.answers.filter((a) => a.status === 503).length} | ${o.fiveHundreds} | ${o.missingRetryAfter} | ` +
        `${byKind('list')} · ${byKind('settlement')} · ${byKind('settlement-cached')} | ${(o.recoveryMs / 1000).toFixed(1)} s | ${o.createsAcknowledged} / ${o.rowsStored} | ${ok ? 'PASS' : 'FAIL'} |`,
    );
  }
  console.log(
    '\n| database cut | requests | 503 (all with Retry-After) | other 5xx or no answer | 503 without Retry-After | 2xx during the cut: finance list · settlement uncached · cached | last failure after return | creates 2xx / rows stored | verdict |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  rows.forEach((row) => console.log(row));
  console.log(
    `\nNode ${process.version}, load average ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(`drill: ${passed ? 'PASSED' : 'FAILED'}`);
  if (!passed) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
