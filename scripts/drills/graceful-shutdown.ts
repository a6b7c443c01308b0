/**
 * §Reliability drill: graceful shutdown under load.
 *
 * 1. api: 50 connections of mixed reads and keyed creates; SIGTERM mid-load. Expects every request
 *    the api received answered (none reset, none 5xx; a connection refused after the listener
 *    closed was never received), creates answered 2xx = rows stored, exit 0 within the grace period.
 * 2. worker mid-extract: a detailed extract of 1,000,000 transactions; SIGTERM once it is STARTED,
 *    a second worker started at once. Expects SUCCESS once, the file whole (every row once).
 * 3. worker mid-ingest: a 500,000-row settlement upload; SIGTERM once it is loading, a second
 *    worker started. Expects the file `completed` with every row stored once.
 *
 *   npm run build && node -r ts-node/register/transpile-only scripts/drills/graceful-shutdown.ts
 *
 * Its own databases (drill_shutdown on both servers), Redis keys under its own prefix, an api on 3997.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import {
  ADMIN_PASSWORD,
  API_ENTRY,
  AppProcess,
  WORKER_ENTRY,
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
  waitFor,
} from './support';

const DB = 'drill_shutdown';
const API_PORT = 3997;
const BASE = `http://127.0.0.1:${API_PORT}`;
const GRACE_MS = 25_000;
const EXTRACT_ROWS = 1_000_000;
const INGEST_ROWS = 500_000;

type Databases = { finance: string; settlement: string };

async function pg<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function startApi(env: Record<string, string>): AppProcess {
  return startApp(API_ENTRY, { ...env, PORT: String(API_PORT), WORKER_IN_API: 'false' });
}

async function apiUp(): Promise<void> {
  await waitFor(async () => (await fetch(`${BASE}/health/live`)).ok, 60_000, 'api start');
}

async function api(token: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${BASE}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) } });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : { text } };
}

async function waitForState(
  token: string,
  taskId: string,
  done: (body: Record<string, unknown>) => boolean,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  let last: Record<string, unknown> = {};
  await waitFor(
    async () => {
      last = (await api(token, `/task-status/${taskId}`)).body;
      return done(last);
    },
    timeoutMs,
    `task ${taskId}`,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; last seen ${JSON.stringify(last)}`);
  });
  return last;
}

/** Part 1: SIGTERM to the api under 50 connections. */
async function apiUnderLoad(env: Record<string, string>, databases: Databases) {
  const server = startApi(env);
  await apiUp();
  const token = await login(BASE, 'admin', ADMIN_PASSWORD);
  const me = (await api(token, '/users/me')).body as { id: string };
  const auth = { authorization: `Bearer ${token}` };
  const keyOf = new Map<number, string>();
  let signalledAt = 0;
  const started = Date.now();
  const answers = loadLoops(
    BASE,
    50,
    (loop, i) => {
      if (i % 3 === 0) {
        const key = keyOf.get(loop) ?? randomUUID();
        keyOf.set(loop, key);
        const body = JSON.stringify({ amount: '2.50', currency: 'EUR', occurred_at: '2026-04-01T08:00:00Z' });
        return {
          kind: 'create',
          path: '/create-transaction',
          init: { method: 'POST', headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': key }, body },
        };
      }
      return i % 3 === 1
        ? { kind: 'list', path: '/transactions?limit=20', init: { headers: auth } }
        : { kind: 'settlement', path: `/api/settlement/files?limit=5&skip=${i % 3}`, init: { headers: auth } };
    },
    // Until the api is gone: then every loop has been refused.
    () => server.child.exitCode !== null,
    (loop, answer) => {
      if (answer.kind === 'create' && answer.status === 201) keyOf.delete(loop);
    },
  );
  await sleep(5_000);
  log('SIGTERM to the api');
  signalledAt = Date.now();
  server.child.kill('SIGTERM');
  const exit = await server.exited;
  const all = await answers;
  const stored = await pg(
    databases.finance,
    async (c) => (await c.query('SELECT COUNT(*)::int AS n FROM transactions WHERE user_id = $1', [me.id])).rows[0].n as number,
  );
  const afterSignal = all.filter((a) => a.at >= signalledAt - started);
  return {
    answers: all,
    signalledAtMs: signalledAt - started,
    exitMs: exit.at - signalledAt,
    exitCode: exit.code,
    answeredAfterSignal: afterSignal.filter((a) => a.status > 0).length,
    fiveHundreds: all.filter((a) => a.status >= 500).length,
    dropped: all.filter((a) => a.status === 0 && a.error !== 'ECONNREFUSED').length,
    refused: all.filter((a) => a.error === 'ECONNREFUSED').length,
    created: all.filter((a) => a.kind === 'create' && a.status === 201).length,
    stored,
    log: server.output.join(''),
  };
}

/** Part 2 and 3: SIGTERM to a worker while `taskId` runs; a second worker takes over if it must. */
async function workerHandOver(env: Record<string, string>, token: string, submit: () => Promise<string>, what: string) {
  const first = startApp(WORKER_ENTRY, env);
  await sleep(3_000);
  const taskId = await submit();
  await waitForState(token, taskId, (b) => b.state !== 'PENDING', 120_000);
  const running = await api(token, `/task-status/${taskId}`);
  if (running.body.state !== 'STARTED') throw new Error(`the ${what} was not running when the drill meant to signal: ${JSON.stringify(running.body)}`);
  log(`SIGTERM to the worker mid-${what} (${JSON.stringify(running.body.progress)})`);
  const signalledAt = Date.now();
  first.child.kill('SIGTERM');
  const second = startApp(WORKER_ENTRY, env);
  const exit = await first.exited;
  const final = await waitForState(token, taskId, (b) => b.state === 'SUCCESS' || b.state === 'FAILURE', 300_000);
  await stop(second);
  // Bull's close() lets the signalled worker finish its job; one killed instead hands it on as stalled.
  const finishedBy = Date.parse(String(final.finished_at)) <= exit.at ? 'the signalled worker' : 'the second worker';
  return { taskId, final, finishedBy, exitMs: exit.at - signalledAt, exit: exit.code ?? exit.signal, firstLog: first.output.join('') };
}

async function main(): Promise<void> {
  requireBuild();
  const databases = await freshDatabases(DB);
  const env = servicesEnv(databases, `drill-shutdown-${process.pid}`);
  let helper: AppProcess | undefined;
  const verdicts: string[] = [];
  try {
    // 1. the api
    const a = await apiUnderLoad(env, databases);
    printPerSecond(`api under 50 connections, SIGTERM at ${(a.signalledAtMs / 1000).toFixed(1)} s`, a.answers);
    const apiOk = a.fiveHundreds === 0 && a.dropped === 0 && a.exitCode === 0 && a.exitMs <= GRACE_MS && a.created === a.stored;
    verdicts.push(
      `| api, 50 connections | ${a.answers.length} requests, ${a.answeredAfterSignal} answered after SIGTERM, ${a.refused} refused after the listener closed | ` +
        `5xx ${a.fiveHundreds}, reset ${a.dropped}; creates 201 ${a.created} = rows ${a.stored} | exit ${a.exitCode} after ${a.exitMs} ms | ${apiOk ? 'PASS' : 'FAIL'} |`,
    );
    if (!apiOk) console.log(a.log.slice(-3000));

    // 2. the worker mid-extract
    helper = startApi(env);
    await apiUp();
    const token = await login(BASE, 'admin', ADMIN_PASSWORD);
    const me = (await api(token, '/users/me')).body as { id: string };
    await pg(databases.finance, (c) =>
      c.query(
        `INSERT INTO transactions (id, user_id, amount, currency, description, category, occurred_at, created_at, updated_at, version)
         SELECT gen_random_uuid()::text, $1, (g % 100000) / 100.0, 'USD', NULL, 'drill', TIMESTAMP '2026-01-01' + (g % 300) * INTERVAL '1 hour', now(), now(), 1
         FROM generate_series(1, ${EXTRACT_ROWS}) AS g`,
        [me.id],
      ),
    );
    const e = await workerHandOver(
      env,
      token,
      async () => {
        const res = await api(token, '/generate-data', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ start_date: '2026-01-01', end_date: '2026-01-31', detailed: true }),
        });
        if (res.status !== 202) throw new Error(`generate-data: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body.task_id as string;
      },
      'extract',
    );
    const download = await fetch(`${BASE}/extracts/${e.taskId}/download`, { headers: { authorization: `Bearer ${token}` } });
    const lines = (await download.text()).trimEnd().split('\n').length - 1;
    const extractOk = e.final.state === 'SUCCESS' && lines === EXTRACT_ROWS && e.exitMs <= GRACE_MS * 12;
    verdicts.push(
      `| worker mid-extract (${EXTRACT_ROWS.toLocaleString('en')} rows, detailed) | ${e.final.state} once, finished by ${e.finishedBy} | CSV rows ${lines.toLocaleString('en')} | signalled worker exit ${e.exit} after ${e.exitMs} ms | ${extractOk ? 'PASS' : 'FAIL'} |`,
    );
    if (!extractOk) console.log(e.firstLog.slice(-3000));

    // 3. the worker mid-ingest
    const csv = [
      'DOC_IDT,TRANS_DATE,AMOUNT',
      ...Array.from({ length: INGEST_ROWS }, (_, i) => `SHUT${String(i).padStart(10, '0')},2026-01-${String((i % 28) + 1).padStart(2, '0')},${i % 1000}.25`),
    ].join('\n');
    const i = await workerHandOver(
      env,
      token,
      async () => {
        const form = new FormData();
        form.append('file', new Blob([csv], { type: 'text/csv' }), 'shutdown-drill.csv');
        const res = await api(token, '/api/settlement/files', { method: 'POST', body: form });
        if (res.status !== 202) throw new Error(`upload: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body.task_id as string;
      },
      'ingest',
    );
    const connection = await createConnection({ uri: databases.settlement });
    const [[row]] = (await connection.query(
      "SELECT COUNT(*) AS n, COUNT(DISTINCT doc_idt) AS d FROM card_transactions WHERE doc_idt LIKE 'SHUT%'",
    )) as unknown as [[{ n: number; d: number }]];
    const [[file]] = (await connection.query("SELECT status FROM settlement_files WHERE name = 'shutdown-drill.csv'")) as unknown as [[{ status: string }]];
    await connection.end();
    const ingestOk = i.final.state === 'SUCCESS' && Number(row.n) === INGEST_ROWS && Number(row.d) === INGEST_ROWS && file.status === 'completed';
    verdicts.push(
      `| worker mid-ingest (${INGEST_ROWS.toLocaleString('en')} rows) | ${i.final.state} once, finished by ${i.finishedBy}, file ${file.status} | rows ${Number(row.n).toLocaleString('en')}, distinct ${Number(row.d).toLocaleString('en')} | signalled worker exit ${i.exit} after ${i.exitMs} ms | ${ingestOk ? 'PASS' : 'FAIL'} |`,
    );
    if (!ingestOk) console.log(i.firstLog.slice(-3000));

    console.log('\n| SIGTERM to | outcome | checks | exit | verdict |\n|---|---|---|---|---|');
    verdicts.forEach((v) => console.log(v));
    console.log(
      `\nNode ${process.version}, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    const passed = verdicts.every((v) => v.endsWith('PASS |'));
    console.log(`drill: ${passed ? 'PASSED' : 'FAILED'}`);
    if (!passed) process.exitCode = 1;
  } finally {
    await stop(helper);
    await dropDatabases(DB);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
