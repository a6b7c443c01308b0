import { getDataSourceToken } from '@nestjs/typeorm';
import { mkdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { SETTLEMENT_DB } from '@app/database';
import { generateSettlementFile } from '@app/settlement-ingest';
import { TestApp, createTestApp, createUser, loginAdmin, startBuiltApp, stopProcess, waitForTask } from '@app/testing';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Ingest across processes: worker replicas sharing one inbox, and a worker killed mid-file. */
describe('settlement ingest with worker processes (MariaDB + Redis)', () => {
  let t: TestApp;
  let operator: string;
  let db: DataSource;

  beforeAll(async () => {
    // Every worker fires the scan every 2 seconds; the api only serves.
    t = await createTestApp({ WORKER_IN_API: 'false', SETTLEMENT_SCAN_CRON: '*/2 * * * * *' });
    operator = (await createUser(t, await loginAdmin(t), { role: 'operator' })).token;
    db = t.app.get<DataSource>(getDataSourceToken(SETTLEMENT_DB));
  });
  afterAll(() => t.close());

  const fileRow = async (id: string) => (await t.http().get(`/api/settlement/files/${id}`).auth(operator, { type: 'bearer' }).expect(200)).body;
  const count = async (sql: string, params: unknown[] = []) => Number((await db.query(sql, params))[0].n);

  it('two workers and one inbox: every file is claimed and loaded exactly once, one scan per tick', async () => {
    const inbox = t.config.get('paths').inboxDir;
    mkdirSync(join(inbox, 'bank-a'), { recursive: true });
    const expected = new Map<string, number>();
    for (let i = 0; i < 6; i++) {
      const name = i % 2 ? `bank-a/settle-${i}.csv` : `settle-${i}.csv`;
      const path = join(inbox, name);
      const result = await generateSettlementFile(path, { rows: 5_000, badRows: 10, seed: i + 1, docPrefix: `TWO${i}-` });
      utimesSync(path, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
      expected.set(name, result.valid);
    }
    const workers = [startBuiltApp('worker', t.env), startBuiltApp('worker', t.env)];
    try {
      const deadline = Date.now() + 90_000;
      for (;;) {
        const completed = await count(`SELECT COUNT(*) AS n FROM settlement_files WHERE status = 'completed'`);
        if (completed >= expected.size) break;
        if (Date.now() > deadline) throw new Error(`only ${completed} files completed\n${workers.map((w) => w.output.join('')).join('\n---\n')}`);
        await sleep(500);
      }
      await sleep(3_000); // a few more ticks: nothing may be loaded twice afterwards
    } finally {
      await Promise.all(workers.map((w) => stopProcess(w)));
    }
    const files = (await db.query(`SELECT name, status, rows_loaded FROM settlement_files ORDER BY name`)) as Array<{
      name: string;
      status: string;
      rows_loaded: number;
    }>;
    expect(files.map((f) => [f.name, f.status, Number(f.rows_loaded)])).toEqual(
      [...expected.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, valid]) => [name, 'completed', valid]),
    );
    const total = [...expected.values()].reduce((a, b) => a + b, 0);
    expect(await count(`SELECT COUNT(*) AS n FROM card_transactions`)).toBe(total);
    expect(await count(`SELECT COUNT(*) AS n FROM settlement_rejects WHERE reason LIKE 'duplicate%'`)).toBe(0);
  }, 150_000);

  it('a worker killed (-9) in the middle of a file: after restart every valid row is stored once and the file completes', async () => {
    const path = join(t.dataDir, 'kill.csv');
    const generated = await generateSettlementFile(path, { rows: 300_000, badRows: 30, seed: 99, docPrefix: 'KILL-' });
    const res = await t.http().post('/api/settlement/files').auth(operator, { type: 'bearer' }).attach('file', path).expect(202);
    const fileId = res.body.file_id;
    const first = startBuiltApp('worker', t.env);
    for (let i = 0; ; i++) {
      const file = await fileRow(fileId);
      if (file.rows_loaded > 0) break;
      if (file.status === 'completed' || i > 1200) throw new Error(`never seen mid-load: ${JSON.stringify(file)}\n${first.output.join('')}`);
      await sleep(25);
    }
    await stopProcess(first, 'SIGKILL');
    const partial = await fileRow(fileId);
    expect(partial.status).toBe('loading');
    expect(partial.rows_loaded).toBeLessThan(generated.valid);

    const second = startBuiltApp('worker', t.env);
    try {
      // Bull hands the stalled job on once its lock expires (30 s) and a worker checks (15 s).
      const task = await waitForTask(t, operator, res.body.task_id, 150_000);
      expect(task.state).toBe('SUCCESS');
    } finally {
      await stopProcess(second);
    }
    const file = await fileRow(fileId);
    expect(file).toMatchObject({ status: 'completed', rows_loaded: generated.valid, rows_rejected: generated.bad });
    expect(await count(`SELECT COUNT(*) AS n FROM card_transactions WHERE file_id = ?`, [fileId])).toBe(generated.valid);
    expect(await count(`SELECT COUNT(*) AS n FROM settlement_rejects WHERE file_id = ?`, [fileId])).toBe(generated.bad);
  }, 240_000);
});
