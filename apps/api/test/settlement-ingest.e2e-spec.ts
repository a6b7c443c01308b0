import { getDataSourceToken } from '@nestjs/typeorm';
import { parseString } from 'fast-csv';
import { readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { SETTLEMENT_DB } from '@app/database';
import { JOBS, TasksService } from '@app/jobs';
import { SettlementFile, SettlementInboxService } from '@app/settlement-ingest';
import { TestApp, createTestApp, createUser, loginAdmin, target, waitForTask } from '@app/testing';

const HEADER = 'DOC_IDT,TRANS_DATE,TRANS_TIME,AMOUNT,CURRENCY,CARD_NO,MERCHANT_ID,TRANS_TYPE,FEE';
const FULL_PAN = '4111111111111111';

/** Rows with unique DOC_IDTs per test, so files never collide with each other's records. */
let seq = 0;
const doc = () => `E2E-${process.pid}-${++seq}`;
const row = (id = doc(), overrides: Partial<Record<'date' | 'amount' | 'card' | 'type' | 'merchant', string>> = {}) =>
  [
    id,
    overrides.date ?? '2026-11-02',
    '10:15:00',
    overrides.amount ?? '125.50',
    'VND',
    overrides.card ?? '411111******1111',
    overrides.merchant ?? 'M001',
    overrides.type ?? 'PURCHASE',
    '1.25',
  ].join(',');

function csvRecords(text: string): Promise<Array<Record<string, string>>> {
  return new Promise((resolve, reject) => {
    const rows: Array<Record<string, string>> = [];
    parseString(text, { headers: true })
      .on('data', (r: Record<string, string>) => rows.push(r))
      .on('error', reject)
      .on('end', () => resolve(rows));
  });
}

describe('settlement ingest: upload, history, rejects, inbox', () => {
  let t: TestApp;
  let admin: string;
  let operator: string;
  let user: string;
  let db: DataSource;

  beforeAll(async () => {
    const profiles = join(tmpdir(), `settlement-profiles-${process.pid}-${Date.now()}.json`);
    writeFileSync(
      profiles,
      JSON.stringify([
        {
          name: 'semicolon',
          pattern: '*.ssv',
          delimiter: ';',
          encoding: 'utf-8',
          decimalSeparator: ',',
          thousandsSeparator: '.',
          dateFormat: 'DD/MM/YYYY',
          defaultCurrency: 'EUR',
        },
        { name: 'latin', pattern: '*.latin.csv', delimiter: ',', encoding: 'latin1' },
      ]),
    );
    t = await createTestApp({ SETTLEMENT_PROFILES: profiles, SETTLEMENT_UPLOAD_LIMIT: '1mb', SETTLEMENT_SCAN_CRON: '0 0 1 1 *' });
    admin = await loginAdmin(t);
    operator = (await createUser(t, admin, { role: 'operator' })).token;
    user = (await createUser(t, admin)).token;
    db = t.app.get<DataSource>(getDataSourceToken(SETTLEMENT_DB));
  });
  afterAll(() => t.close());

  async function upload(content: string | Buffer, name = `${doc()}.csv`, profile?: string) {
    const req = t.http().post('/api/settlement/files').auth(operator, { type: 'bearer' });
    if (profile) req.field('profile', profile);
    const res = await req.attach('file', Buffer.isBuffer(content) ? content : Buffer.from(content), name);
    expect(res.status).toBe(202);
    await waitForTask(t, operator, res.body.task_id);
    const file = await t.http().get(`/api/settlement/files/${res.body.file_id}`).auth(operator, { type: 'bearer' }).expect(200);
    return file.body;
  }

  async function rejectsOf(fileId: string) {
    const res = await t
      .http()
      .get(`/api/settlement/files/${fileId}/rejects`)
      .auth(operator, { type: 'bearer' })
      .buffer(true)
      .parse((r, cb) => {
        let text = '';
        r.on('data', (c: Buffer) => (text += c.toString('utf8')));
        r.on('end', () => cb(null, text));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    expect((res.body as string).split('\n')[0]).toBe('line,column,reason,raw');
    return csvRecords(res.body as string);
  }

  describe('a canonical file', () => {
    it('loads every valid row, keeps amounts exact and records line numbers', async () => {
      const ids = [doc(), doc(), doc()];
      const file = await upload([HEADER, row(ids[0]), row(ids[1], { amount: '-0.01' }), row(ids[2], { amount: '9999999999999.99' })].join('\n') + '\n');
      expect(file).toMatchObject({ status: 'completed', rows_total: 3, rows_loaded: 3, rows_rejected: 0, source: 'upload' });
      expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
      const rows = await db.getRepository('CardTransaction').findBy(ids.map((docIdt) => ({ docIdt })));
      expect(Object.fromEntries(rows.map((r) => [r.docIdt, [r.amount, r.line]]))).toEqual({
        [ids[0]]: ['125.50', 2],
        [ids[1]]: ['-0.01', 3],
        [ids[2]]: ['9999999999999.99', 4],
      });
    });
  });

  describe('bad input: each loads what is valid and records the rest with line and reason', () => {
    it.each([
      ['an empty file', '', /header/i],
      ['no header (the first line is data)', `${row()}\n${row()}\n`, /DOC_IDT|required/i],
      ['a required column missing', 'DOC_IDT,TRANS_DATE,CURRENCY\nA1,2026-01-01,VND\n', /AMOUNT/],
      ['a duplicated header', 'DOC_IDT,TRANS_DATE,AMOUNT,AMOUNT\nA1,2026-01-01,1.00,2.00\n', /AMOUNT/],
      ['semicolons without a profile', 'DOC_IDT;TRANS_DATE;AMOUNT\nA1;2026-01-01;1.00\n', /DOC_IDT|required/i],
    ])('%s fails as a whole, reason recorded, file moved to failed/', async (_case, content, reason) => {
      const file = await upload(content);
      expect(file.status).toBe('failed');
      expect(file.error).toMatch(reason);
      expect(file.rows_loaded).toBe(0);
      expect(readdirSync(join(t.dataDir, 'failed')).some((name) => name.startsWith(file.id))).toBe(true);
    });

    it('a header only completes with no rows', async () => {
      expect(await upload(`${HEADER}\n`)).toMatchObject({ status: 'completed', rows_total: 0, rows_loaded: 0 });
    });

    it('a BOM and CRLF line ends are read as the canonical form', async () => {
      const [a, b] = [doc(), doc()];
      const file = await upload(`\uFEFF${HEADER}\r\n${row(a)}\r\n${row(b, { date: '2024-02-30' })}\r\n`);
      expect(file).toMatchObject({ status: 'completed', rows_loaded: 1, rows_rejected: 1 });
      expect(await rejectsOf(file.id)).toEqual([expect.objectContaining({ line: '3', column: 'TRANS_DATE' })]);
    });

    it('semicolons, decimal commas and DD/MM/YYYY under a declared profile', async () => {
      const id = doc();
      const file = await upload(`DOC_IDT;TRANS_DATE;AMOUNT\n${id};02/11/2026;1.234,50\n`, `${id}.ssv`);
      expect(file).toMatchObject({ status: 'completed', rows_loaded: 1, profile: 'semicolon' });
      expect((await db.getRepository('CardTransaction').findOneByOrFail({ docIdt: id })).amount).toBe('1234.50');
    });

    it('quoted commas and newlines in fields keep the physical line numbers right', async () => {
      const [a, b] = [doc(), doc()];
      const content = `${HEADER}\n${a},2026-11-02,10:15:00,1.00,VND,,"M, 1",PURCHASE,\n"${doc()}",2026-11-02,,"2.00",VND,,"two\nlines",PURCHASE,\n${b},2026-13-01,,3.00,VND,,M3,PURCHASE,\n`;
      const file = await upload(content);
      expect(file).toMatchObject({ rows_loaded: 2, rows_rejected: 1 });
      expect(await rejectsOf(file.id)).toEqual([expect.objectContaining({ line: '5', column: 'TRANS_DATE' })]);
    });

    it('a truncated last line, too many and too few fields are rejected by line', async () => {
      const content = `${HEADER}\n${row()}\n${row()},EXTRA\nX1,2026-11-02,1.00\n${row()}\n"${doc()},2026-11-02,,1.00,VND,,"M`;
      const file = await upload(content);
      expect(file).toMatchObject({ status: 'completed', rows_loaded: 2, rows_rejected: 3 });
      expect((await rejectsOf(file.id)).map((r) => r.line)).toEqual(['3', '4', '6']);
    });

    it.each([
      ['2024-02-30 as TRANS_DATE', { date: '2024-02-30' }, 'TRANS_DATE'],
      ['amount "1,234.50"', { amount: '"1,234.50"' }, 'AMOUNT'],
      ['amount 1e5', { amount: '1e5' }, 'AMOUNT'],
      ['amount 12.345', { amount: '12.345' }, 'AMOUNT'],
      ['amount abc', { amount: 'abc' }, 'AMOUNT'],
      ['an empty amount', { amount: '' }, 'AMOUNT'],
      ['an unknown TRANS_TYPE', { type: 'GIFT' }, 'TRANS_TYPE'],
      ['a 100 KB field', { merchant: 'M'.repeat(100_000) }, 'MERCHANT_ID'],
    ])('%s is rejected naming the column; the rows around it load', async (_case, overrides, column) => {
      const bad = doc();
      const file = await upload(`${HEADER}\n${row()}\n${row(bad, overrides)}\n${row()}\n`);
      expect(file).toMatchObject({ status: 'completed', rows_loaded: 2, rows_rejected: 1 });
      const [reject] = await rejectsOf(file.id);
      expect(reject).toMatchObject({ line: '3', column });
      expect(reject.reason.length).toBeLessThan(300);
      expect(reject.raw.length).toBeLessThanOrEqual(2000);
      expect(reject.raw).toContain(bad);
    });

    it('a full PAN is masked in the database, the archive, the rejects and the logs', async () => {
      const [good, bad] = [doc(), doc()];
      const file = await upload(`${HEADER}\n${row(good, { card: FULL_PAN })}\n${row(bad, { card: FULL_PAN, date: '2024-02-30' })}\n`);
      expect(file).toMatchObject({ status: 'completed', rows_loaded: 1, rows_rejected: 1 });
      expect((await db.getRepository('CardTransaction').findOneByOrFail({ docIdt: good })).cardNo).toBe('411111******1111');
      const [reject] = await rejectsOf(file.id);
      expect(reject.raw).not.toContain(FULL_PAN);
      const archived = readdirSync(join(t.dataDir, 'archive')).find((name) => name.startsWith(file.id));
      expect(archived).toBeDefined();
      const archive = readFileSync(join(t.dataDir, 'archive', archived!), 'utf8');
      expect(archive).toContain(good);
      expect(archive).not.toContain(FULL_PAN);
      expect(t.logs.join('\n')).not.toContain(FULL_PAN);
      expect(readdirSync(join(t.dataDir, 'processing')).filter((name) => name.startsWith(file.id))).toEqual([]);
    });

    it('a latin1 file under the utf-8 profile loads its ASCII rows and rejects the others; under a latin1 profile all load', async () => {
      const [a, b, c, d] = [doc(), doc(), doc(), doc()];
      const latin = (x: string, y: string) => Buffer.from(`${HEADER}\n${row(x)}\n${row(y, { merchant: 'Café' })}\n`, 'latin1');
      const asUtf8 = await upload(latin(a, b));
      expect(asUtf8).toMatchObject({ status: 'completed', rows_loaded: 1, rows_rejected: 1 });
      expect(await rejectsOf(asUtf8.id)).toEqual([expect.objectContaining({ line: '3', reason: expect.stringMatching(/UTF-8/i) })]);
      const asLatin1 = await upload(latin(c, d), `${c}.latin.csv`);
      expect(asLatin1).toMatchObject({ status: 'completed', rows_loaded: 2, rows_rejected: 0, profile: 'latin' });
      expect((await db.getRepository('CardTransaction').findOneByOrFail({ docIdt: d })).merchantId).toBe('Café');
    });

    it('a DOC_IDT twice in one file and again in a later file is rejected, naming where it came from', async () => {
      const [a, b] = [doc(), doc()];
      const first = await upload(`${HEADER}\n${row(a)}\n${row(b)}\n${row(a, { amount: '99.00' })}\n`, 'first.csv');
      expect(first).toMatchObject({ rows_loaded: 2, rows_rejected: 1 });
      expect((await rejectsOf(first.id))[0]).toMatchObject({ line: '4', column: 'DOC_IDT', reason: expect.stringMatching(/line 2/) });
      const second = await upload(`${HEADER}\n${row(b, { amount: '5.00' })}\n${row()}\n`, 'second.csv');
      expect(second).toMatchObject({ rows_loaded: 1, rows_rejected: 1 });
      expect((await rejectsOf(second.id))[0]).toMatchObject({ line: '2', column: 'DOC_IDT', reason: expect.stringMatching(/first\.csv/) });
      expect((await db.getRepository('CardTransaction').findOneByOrFail({ docIdt: b })).amount).toBe('125.50');
    });

    it('the same content under another name is recorded as a duplicate and not loaded again', async () => {
      const content = `${HEADER}\n${row()}\n${row()}\n`;
      const original = await upload(content, 'original.csv');
      const again = await upload(content, 'renamed.csv');
      expect(again).toMatchObject({ status: 'duplicate', duplicate_of: original.id, rows_loaded: 0, sha256: original.sha256 });
    });
  });

  describe('routes', () => {
    it('refuses a file over SETTLEMENT_UPLOAD_LIMIT with 413', async () => {
      const res = await t.http().post('/api/settlement/files').auth(operator, { type: 'bearer' }).attach('file', Buffer.alloc(1_100_000, 'x'), 'big.csv');
      expect(res.status).toBe(413);
      expect(res.body.requestId).toBeDefined();
    });

    it('answers 400 without a file, or with an unknown profile', async () => {
      const none = await t.http().post('/api/settlement/files').auth(operator, { type: 'bearer' }).field('profile', 'semicolon');
      expect(none.status).toBe(400);
      expect(JSON.stringify(none.body)).toContain('file');
      const unknown = await t
        .http()
        .post('/api/settlement/files')
        .auth(operator, { type: 'bearer' })
        .field('profile', 'nope')
        .attach('file', Buffer.from(`${HEADER}\n`), 'x.csv');
      expect(unknown.status).toBe(400);
      expect(JSON.stringify(unknown.body)).toContain('profile');
    });

    it('lets operators read the history and refuses users and anonymous callers', async () => {
      const list = await t.http().get('/api/settlement/files?limit=5').auth(operator, { type: 'bearer' }).expect(200);
      expect(list.body.files.length).toBeLessThanOrEqual(5);
      expect(list.body.total).toBeGreaterThan(5);
      await t.http().get('/api/settlement/files').auth(user, { type: 'bearer' }).expect(403);
      await t.http().get('/api/settlement/files').expect(401);
      await t.http().post('/api/settlement/files').auth(user, { type: 'bearer' }).attach('file', Buffer.from(HEADER), 'x.csv').expect(403);
      await t.http().get('/api/settlement/files/not-a-uuid').auth(operator, { type: 'bearer' }).expect(400);
      await t.http().get('/api/settlement/files/00000000-0000-4000-8000-000000000000').auth(operator, { type: 'bearer' }).expect(404);
      await t.http().get('/api/settlement/files?limit=0').auth(operator, { type: 'bearer' }).expect(400);
    });

    it('lets only admins trigger a scan; the scan claims ready files and leaves growing ones', async () => {
      await t.http().post('/api/settlement/scan').auth(operator, { type: 'bearer' }).expect(403);
      const inbox = t.config.get('paths').inboxDir;
      const ready = join(inbox, 'ready.csv');
      const growing = join(inbox, 'growing.csv');
      const readyId = doc();
      writeFileSync(ready, `${HEADER}\n${row(readyId)}\n`);
      writeFileSync(growing, `${HEADER}\n${row()}\n`);
      const past = new Date(Date.now() - 60_000);
      utimesSync(ready, past, past);
      const res = await t.http().post('/api/settlement/scan').auth(admin, { type: 'bearer' }).expect(202);
      const scan = await waitForTask(t, admin, res.body.task_id);
      expect(scan).toMatchObject({ state: 'SUCCESS', result: { claimed: 1 } });
      const [fileId] = scan.result.queued as string[];
      await waitForTask(t, admin, fileId);
      const file = await t.http().get(`/api/settlement/files/${fileId}`).auth(operator, { type: 'bearer' }).expect(200);
      expect(file.body).toMatchObject({ name: 'ready.csv', status: 'completed', rows_loaded: 1, source: 'inbox' });
      expect(readdirSync(inbox)).toEqual(['growing.csv']);
    });

    /**
     * A file whose load failed for good (every attempt hit an outage), as the job runner leaves it:
     * the file `loading`, its task FAILURE after `run` runs.
     */
    async function stalledFile(rows: string[], run: number) {
      const inbox = t.config.get('paths').inboxDir;
      const path = join(inbox, `stalled-${doc()}.csv`);
      writeFileSync(path, `${HEADER}\n${rows.join('\n')}\n`);
      const past = new Date(Date.now() - 60_000);
      utimesSync(path, past, past);
      const [file] = await t.app.get(SettlementInboxService).claimReady();
      const tasks = t.app.get(TasksService);
      await tasks.createOnce(file.id, 'system', JOBS.ingestSettlementFile, { fileId: file.id, ...(run > 1 ? { run } : {}) });
      await tasks.fail(file.id, 'failed after 4 attempts (internal error, logged with the task id)');
      await db.getRepository(SettlementFile).update({ id: file.id }, { status: 'loading', taskId: file.id });
      return file.id;
    }

    it('the next scan loads again a file whose load failed for good (an outage through every attempt), from its checkpoint', async () => {
      const fileId = await stalledFile([row(), row()], 1);
      const res = await t.http().post('/api/settlement/scan').auth(admin, { type: 'bearer' }).expect(202);
      const scan = await waitForTask(t, admin, res.body.task_id);
      expect(scan.result).toMatchObject({ resumed: [fileId], given_up: [] });
      expect(await waitForTask(t, admin, fileId)).toMatchObject({ state: 'SUCCESS', result: { status: 'completed', rows_loaded: 2 } });
      const file = await t.http().get(`/api/settlement/files/${fileId}`).auth(operator, { type: 'bearer' }).expect(200);
      expect(file.body).toMatchObject({ status: 'completed', rows_loaded: 2 });
    });

    it('after its last run a stalled file is recorded failed with the reason, not retried forever', async () => {
      const fileId = await stalledFile([row()], 3);
      const res = await t.http().post('/api/settlement/scan').auth(admin, { type: 'bearer' }).expect(202);
      const scan = await waitForTask(t, admin, res.body.task_id);
      expect(scan.result).toMatchObject({ resumed: [], given_up: [fileId] });
      const file = await t.http().get(`/api/settlement/files/${fileId}`).auth(operator, { type: 'bearer' }).expect(200);
      expect(file.body).toMatchObject({ status: 'failed', rows_loaded: 0, error: expect.stringMatching(/loading stopped: 3 runs of 4 attempts/) });
      expect(readdirSync(t.config.get('paths').failedDir).some((name) => name.startsWith(fileId))).toBe(true);
      const again = await t.http().post('/api/settlement/scan').auth(admin, { type: 'bearer' }).expect(202);
      expect((await waitForTask(t, admin, again.body.task_id)).result).toMatchObject({ resumed: [], given_up: [] });
    });

    it(`loads the sample file on the first embedded start (${target()})`, async () => {
      const list = await t.http().get('/api/settlement/files?limit=500').auth(operator, { type: 'bearer' }).expect(200);
      const sample = list.body.files.find((f: { name: string }) => f.name === 'samples/settlement-sample.csv');
      if (target() === 'embedded') expect(sample).toMatchObject({ status: 'completed', rows_loaded: expect.any(Number) });
      else expect(sample).toBeUndefined();
    });
  });
});
