import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, In } from 'typeorm';
import { dataSourceOptions, openDataSource } from '@app/database';
import { CardTransaction } from '@app/settlement-ingest/entities/card-transaction.entity';
import { SettlementFile } from '@app/settlement-ingest/entities/settlement-file.entity';
import { REJECT_RAW_MAX, SettlementReject } from '@app/settlement-ingest/entities/settlement-reject.entity';
import type { ParsedBatch, RejectedRow, SettlementRecord } from '@app/settlement-ingest/settlement-record';
import {
  MysqlBatchWriter,
  PostgresBatchWriter,
  SettlementBatchWriter,
  SettlementFileRef,
  SqliteBatchWriter,
  createSettlementBatchWriter,
} from '@app/settlement-ingest/loading';
import { ScratchDatabase, createScratchDatabase } from '@app/testing';

type Kind = 'postgres' | 'mysql' | 'sqlite';

interface Setup {
  dataSource: DataSource;
  writer: SettlementBatchWriter;
  close(): Promise<void>;
}

/**
 * The settlement data source on a scratch database (or a temp SQLite file), migrated. `noLocalInfile`:
 * the mysql2 client without the LOCAL_FILES capability, so the server refuses LOAD DATA LOCAL as one
 * with local_infile=OFF does.
 */
async function open(kind: Kind, noLocalInfile = false): Promise<Setup> {
  let scratch: ScratchDatabase | undefined;
  let dir: string | undefined;
  let url: string;
  if (kind === 'sqlite') {
    dir = mkdtempSync(join(tmpdir(), 'settlement-writers-'));
    url = join(dir, 'settlement.sqlite');
  } else {
    scratch = await createScratchDatabase(kind);
    url = scratch.url;
  }
  const options = await dataSourceOptions('settlement', { kind, url, embedded: false }, true);
  const extra = noLocalInfile ? { extra: { ...(options.extra as object), flags: '-LOCAL_FILES' } } : {};
  const dataSource = await openDataSource({
    ...options,
    ...extra,
    name: 'settlement',
    entities: [SettlementFile, CardTransaction, SettlementReject],
  } as typeof options & { name: 'settlement' });
  return {
    dataSource,
    writer: createSettlementBatchWriter(dataSource),
    close: async () => {
      await dataSource.destroy();
      await scratch?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

let names = 0;
async function registerFile(dataSource: DataSource, name = `settlement-${++names}.csv`): Promise<SettlementFileRef> {
  const id = randomUUID();
  await dataSource.getRepository(SettlementFile).insert({
    id,
    name,
    sha256: randomUUID().replace(/-/g, '').padEnd(64, '0'),
    sizeBytes: 1000,
    profile: null,
    status: 'loading',
    receivedAt: new Date(),
  });
  return { id, name };
}

function record(docIdt: string, line: number, fields: Partial<SettlementRecord> = {}): SettlementRecord {
  const r: SettlementRecord = {
    line,
    docIdt,
    transDate: '2025-03-01',
    transTime: '10:11:12',
    amount: '100.00',
    currency: 'VND',
    cardNo: '411111******1111',
    merchantId: 'MERCHANT01',
    terminalId: 'TERM0001',
    mcc: '5411',
    rrn: '123456789012',
    authCode: 'A1B2C3',
    transType: 'PURCHASE',
    fee: null,
    settleDate: '2025-03-02',
    raw: '',
    ...fields,
  };
  r.raw ||= `${r.docIdt},${r.transDate},${r.amount}`;
  return r;
}

function batch(records: SettlementRecord[], rejects: RejectedRow[] = []): ParsedBatch {
  return { records, rejects, lastLine: Math.max(0, ...records.map((r) => r.line), ...rejects.map((r) => r.line)) };
}

describe.each([
  { name: 'postgres', kind: 'postgres' as Kind, noLocalInfile: false },
  { name: 'mysql', kind: 'mysql' as Kind, noLocalInfile: false },
  { name: 'mysql, LOAD DATA LOCAL refused', kind: 'mysql' as Kind, noLocalInfile: true },
  { name: 'sqlite', kind: 'sqlite' as Kind, noLocalInfile: false },
])('settlement batch writer on $name', ({ kind, noLocalInfile }) => {
  let s: Setup;
  beforeAll(async () => {
    s = await open(kind, noLocalInfile);
  }, 60_000);
  afterAll(() => s.close());

  const write = (file: SettlementFileRef, b: ParsedBatch) => s.dataSource.transaction((manager) => s.writer.write(manager, file, b));
  const stored = (fileId: string) => s.dataSource.getRepository(CardTransaction).find({ where: { fileId }, order: { line: 'ASC' } });
  const rejects = (fileId: string) => s.dataSource.getRepository(SettlementReject).find({ where: { fileId }, order: { line: 'ASC' } });

  it('the factory picks the dialect of the data source', () => {
    const expected = { postgres: PostgresBatchWriter, mysql: MysqlBatchWriter, sqlite: SqliteBatchWriter }[kind];
    expect(s.writer).toBeInstanceOf(expected);
  });

  it('stores a batch exactly: every field, exact decimals, NULLs, and the parser rejects', async () => {
    const file = await registerFile(s.dataSource);
    const records = [
      record('EXACT-1', 2, { amount: '-12.50', transType: 'REFUND', fee: '0.01' }),
      record('EXACT-2', 3, { amount: '9999999999999.99', fee: '-9999999999999.99', currency: 'USD' }),
      record('exact_3', 5, {
        amount: '0.00',
        transTime: null,
        cardNo: null,
        merchantId: null,
        terminalId: null,
        mcc: null,
        rrn: null,
        authCode: null,
        settleDate: null,
      }),
      // Characters the bulk formats escape (tab, backslash) must arrive as they are.
      record('EXACT-4', 6, { merchantId: 'M\\1\t"q",x', terminalId: 'ÄÖ–€', amount: '1234567.89' }),
    ];
    const parserRejects: RejectedRow[] = [{ line: 4, column: 'AMOUNT', reason: 'AMOUNT: not a decimal', raw: 'EXACT-X,2025-03-01,abc' }];

    const result = await write(file, batch(records, parserRejects));

    expect(result).toEqual({ loaded: 4, rejected: 1, alreadyStored: 0 });
    const rows = await stored(file.id);
    expect(rows).toEqual(
      records.map((r) => ({
        docIdt: r.docIdt,
        transDate: r.transDate,
        transTime: r.transTime,
        amount: r.amount,
        currency: r.currency,
        cardNo: r.cardNo,
        merchantId: r.merchantId,
        terminalId: r.terminalId,
        mcc: r.mcc,
        rrn: r.rrn,
        authCode: r.authCode,
        transType: r.transType,
        fee: r.fee,
        settleDate: r.settleDate,
        fileId: file.id,
        line: r.line,
      })),
    );
    expect(await rejects(file.id)).toEqual([{ fileId: file.id, line: 4, column: 'AMOUNT', reason: 'AMOUNT: not a decimal', raw: 'EXACT-X,2025-03-01,abc' }]);
    if (kind === 'mysql') expect((s.writer as MysqlBatchWriter).useLoadData).toBe(!noLocalInfile);
  });

  it('a value too long for its column is never stored cut: the batch fails (SQLite, untyped, keeps it whole)', async () => {
    const file = await registerFile(s.dataSource);
    const long = record('LONG-1', 2, { merchantId: 'M'.repeat(40) });
    if (kind === 'sqlite') {
      await write(file, batch([long]));
      expect((await stored(file.id)).map((r) => r.merchantId)).toEqual(['M'.repeat(40)]);
    } else {
      await expect(write(file, batch([record('LONG-0', 1), long]))).rejects.toThrow(/too long|altered 1 value/);
      expect(await stored(file.id)).toEqual([]);
    }
  });

  it('a DOC_IDT repeated inside the batch: the first loads, the later ones are rejected naming its line', async () => {
    const file = await registerFile(s.dataSource, 'repeats.csv');
    const result = await write(file, batch([record('REP-A', 2), record('REP-B', 3), record('REP-A', 4, { amount: '1.00' }), record('REP-A', 7)]));

    expect(result).toEqual({ loaded: 2, rejected: 2, alreadyStored: 0 });
    expect((await stored(file.id)).map((r) => [r.docIdt, r.line, r.amount])).toEqual([
      ['REP-A', 2, '100.00'],
      ['REP-B', 3, '100.00'],
    ]);
    expect(await rejects(file.id)).toEqual([
      { fileId: file.id, line: 4, column: 'DOC_IDT', reason: 'duplicate DOC_IDT: already loaded from repeats.csv line 2', raw: 'REP-A,2025-03-01,1.00' },
      { fileId: file.id, line: 7, column: 'DOC_IDT', reason: 'duplicate DOC_IDT: already loaded from repeats.csv line 2', raw: 'REP-A,2025-03-01,100.00' },
    ]);
  });

  it('a DOC_IDT stored by an earlier file is rejected naming that file and line; new ones in the batch still load', async () => {
    const first = await registerFile(s.dataSource, 'first-file.csv');
    await write(first, batch([record('EARLY-1', 2), record('EARLY-2', 9)]));
    const second = await registerFile(s.dataSource, 'second-file.csv');

    const result = await write(second, batch([record('LATER-1', 2), record('EARLY-2', 3), record('LATER-2', 4), record('EARLY-2', 5)]));

    expect(result).toEqual({ loaded: 2, rejected: 2, alreadyStored: 0 });
    expect((await stored(second.id)).map((r) => r.docIdt)).toEqual(['LATER-1', 'LATER-2']);
    expect((await stored(first.id)).map((r) => r.docIdt)).toEqual(['EARLY-1', 'EARLY-2']);
    // The repeat of a duplicate names where the DOC_IDT really is, not the refused first occurrence.
    expect((await rejects(second.id)).map((r) => [r.line, r.column, r.reason])).toEqual([
      [3, 'DOC_IDT', 'duplicate DOC_IDT: already loaded from first-file.csv line 9'],
      [5, 'DOC_IDT', 'duplicate DOC_IDT: already loaded from first-file.csv line 9'],
    ]);
  });

  it('a DOC_IDT stored by an earlier batch of the same file is rejected naming that line', async () => {
    const file = await registerFile(s.dataSource, 'two-batches.csv');
    await write(file, batch([record('SAME-1', 2), record('SAME-2', 3)]));

    const result = await write(file, batch([record('SAME-3', 4), record('SAME-1', 5)]));

    expect(result).toEqual({ loaded: 1, rejected: 1, alreadyStored: 0 });
    expect(await rejects(file.id)).toEqual([
      expect.objectContaining({ line: 5, column: 'DOC_IDT', reason: 'duplicate DOC_IDT: already loaded from two-batches.csv line 2' }),
    ]);
  });

  it('a rolled-back transaction leaves nothing; the same batch written again is exact', async () => {
    const file = await registerFile(s.dataSource);
    const records = Array.from({ length: 300 }, (_, i) => record(`ROLL-${i}`, i + 2));
    records.push(record('ROLL-7', 400));
    const parserRejects = [{ line: 401, column: null, reason: 'expected 14 fields, found 3', raw: 'a,b,c' }];

    await expect(
      s.dataSource.transaction(async (manager) => {
        const result = await s.writer.write(manager, file, batch(records, parserRejects));
        expect(result).toEqual({ loaded: 300, rejected: 2, alreadyStored: 0 });
        throw new Error('crash before the checkpoint');
      }),
    ).rejects.toThrow('crash before the checkpoint');
    expect(await stored(file.id)).toEqual([]);
    expect(await rejects(file.id)).toEqual([]);

    const retried = await write(file, batch(records, parserRejects));
    expect(retried).toEqual({ loaded: 300, rejected: 2, alreadyStored: 0 });
    expect((await stored(file.id)).map((r) => r.docIdt)).toEqual(records.slice(0, 300).map((r) => r.docIdt));
    expect((await rejects(file.id)).map((r) => [r.line, r.reason])).toEqual([
      [400, `duplicate DOC_IDT: already loaded from ${file.name} line 9`],
      [401, 'expected 14 fields, found 3'],
    ]);
  });

  it('a batch written again after its commit loads nothing twice and adds no reject', async () => {
    const file = await registerFile(s.dataSource);
    const b = batch([record('AGAIN-1', 2), record('AGAIN-2', 3), record('AGAIN-1', 4)], [{ line: 5, column: 'MCC', reason: 'MCC: 4 digits', raw: 'x' }]);
    expect(await write(file, b)).toEqual({ loaded: 2, rejected: 2, alreadyStored: 0 });

    expect(await write(file, b)).toEqual({ loaded: 0, rejected: 2, alreadyStored: 2 });
    expect(await stored(file.id)).toHaveLength(2);
    expect((await rejects(file.id)).map((r) => r.line)).toEqual([4, 5]);
  });

  it("a full PAN in another field of a duplicate's raw text is masked in the stored reject", async () => {
    const file = await registerFile(s.dataSource);
    const raw = 'PAN-DUP,2025-03-01,10.00,VND,411111******1111,note 4111111111111111 and 5555-5555-5555-4444';
    const result = await write(file, batch([record('PAN-DUP', 2), record('PAN-DUP', 3, { raw })]));

    expect(result.rejected).toBe(1);
    const [reject] = await rejects(file.id);
    expect(reject.raw).toContain('note 411111******1111 and');
    expect(reject.raw).not.toContain('4111111111111111');
  });

  it('a 100 KB raw text is cut at REJECT_RAW_MAX, for a duplicate and for a parser reject', async () => {
    const file = await registerFile(s.dataSource);
    const huge = `HUGE-1,2025-03-01,10.00,${'x'.repeat(100 * 1024)}`;
    const result = await write(
      file,
      batch([record('HUGE-1', 2), record('HUGE-1', 3, { raw: huge })], [{ line: 4, column: 'MERCHANT_ID', reason: 'MERCHANT_ID: too long', raw: huge }]),
    );

    expect(result).toEqual({ loaded: 1, rejected: 2, alreadyStored: 0 });
    const stored = await rejects(file.id);
    expect(stored.map((r) => r.raw.length)).toEqual([REJECT_RAW_MAX, REJECT_RAW_MAX]);
    expect(stored[0].raw).toBe(huge.slice(0, REJECT_RAW_MAX));
  });

  it('DOC_IDTs differing only in letter case are told apart exactly as the database compares them', async () => {
    const file = await registerFile(s.dataSource);
    const result = await write(file, batch([record('case-id', 2), record('CASE-ID', 3)]));
    // MySQL's utf8mb4_unicode_ci primary key holds one of the two; PostgreSQL and SQLite hold both.
    const caseInsensitive = kind === 'mysql';
    expect(result).toEqual({ loaded: caseInsensitive ? 1 : 2, rejected: caseInsensitive ? 1 : 0, alreadyStored: 0 });
    expect((await rejects(file.id)).map((r) => r.reason)).toEqual(caseInsensitive ? [`duplicate DOC_IDT: already loaded from ${file.name} line 2`] : []);
  });

  it('refuses to write outside a transaction', async () => {
    const file = await registerFile(s.dataSource);
    await expect(s.writer.write(s.dataSource.manager, file, batch([record('NO-TX', 2)]))).rejects.toThrow(/open transaction/);
    expect(await stored(file.id)).toEqual([]);
  });
});

/** SQLite has one writer at a time (one connection per process); concurrent loads are a server matter. */
describe.each([
  { name: 'postgres', kind: 'postgres' as Kind, noLocalInfile: false },
  { name: 'mysql', kind: 'mysql' as Kind, noLocalInfile: false },
  { name: 'mysql, LOAD DATA LOCAL refused', kind: 'mysql' as Kind, noLocalInfile: true },
])('concurrent loads on $name', ({ kind, noLocalInfile }) => {
  let s: Setup;
  beforeAll(async () => {
    s = await open(kind, noLocalInfile);
  }, 60_000);
  afterAll(() => s.close());

  /** Records for ids [from, to) of a round, in a shuffled file order, lines from 2. */
  function records(round: string, from: number, to: number, seed: number): SettlementRecord[] {
    const ids = Array.from({ length: to - from }, (_, i) => from + i);
    for (let i = ids.length - 1; i > 0; i--) {
      const j = (Math.imul(i + 1, seed) >>> 0) % (i + 1);
      [ids[i], ids[j]] = [ids[j], ids[i]];
    }
    return ids.map((id, i) => record(`${round}-${String(id).padStart(5, '0')}`, i + 2));
  }

  /** Every DOC_IDT stored once; each file's record is either stored from it or rejected naming the other file. */
  async function expectConsistent(files: Array<{ file: SettlementFileRef; records: SettlementRecord[]; result: { loaded: number; rejected: number } }>) {
    const ids = new Set(files.flatMap((f) => f.records.map((r) => r.docIdt)));
    const rows = await s.dataSource.getRepository(CardTransaction).find({ where: { docIdt: In([...ids]) } });
    expect(rows).toHaveLength(ids.size);
    const where = new Map(rows.map((r) => [r.docIdt, r]));
    for (const { file, records: recs, result } of files) {
      const fileRejects = new Map((await s.dataSource.getRepository(SettlementReject).findBy({ fileId: file.id })).map((r) => [r.line, r]));
      let loaded = 0;
      for (const r of recs) {
        const row = where.get(r.docIdt)!;
        if (row.fileId === file.id) {
          expect(row.line).toBe(r.line);
          expect(fileRejects.has(r.line)).toBe(false);
          loaded += 1;
        } else {
          const other = files.find((f) => f.file.id === row.fileId)!;
          expect(fileRejects.get(r.line)?.reason).toBe(`duplicate DOC_IDT: already loaded from ${other.file.name} line ${row.line}`);
        }
      }
      expect(result).toEqual(expect.objectContaining({ loaded, rejected: recs.length - loaded }));
      expect(fileRejects.size).toBe(recs.length - loaded);
    }
  }

  it('a load that waits on another holding the same DOC_IDTs uncommitted rejects them once the other commits', async () => {
    const [a, b] = [await registerFile(s.dataSource, 'held-a.csv'), await registerFile(s.dataSource, 'held-b.csv')];
    const recordsA = records('HELD', 0, 2000, 7919);
    const recordsB = records('HELD', 1000, 3000, 104729);
    let written!: () => void;
    const aWritten = new Promise<void>((resolve) => (written = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));

    const loadA = s.dataSource.transaction(async (manager) => {
      const result = await s.writer.write(manager, a, batch(recordsA));
      written();
      await held;
      return result;
    });
    await aWritten;
    const loadB = s.dataSource.transaction(async (manager) => {
      // A read first, as a caller might do: under REPEATABLE READ it fixes B's snapshot before A commits.
      await manager.getRepository(SettlementFile).findOneByOrFail({ id: b.id });
      await manager.getRepository(CardTransaction).count();
      return s.writer.write(manager, b, batch(recordsB));
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    release();
    const [resultA, resultB] = await Promise.all([loadA, loadB]);

    expect(resultA).toEqual({ loaded: 2000, rejected: 0, alreadyStored: 0 });
    expect(resultB).toEqual({ loaded: 1000, rejected: 1000, alreadyStored: 0 });
    await expectConsistent([
      { file: a, records: recordsA, result: resultA },
      { file: b, records: recordsB, result: resultB },
    ]);
  }, 60_000);

  it('two loads racing on overlapping DOC_IDTs, batch after batch: no failure, every DOC_IDT stored once', async () => {
    const [a, b] = [await registerFile(s.dataSource, 'race-a.csv'), await registerFile(s.dataSource, 'race-b.csv')];
    const all = { a: [] as SettlementRecord[], b: [] as SettlementRecord[] };
    const totals = { a: { loaded: 0, rejected: 0 }, b: { loaded: 0, rejected: 0 } };
    for (let round = 0; round < 6; round++) {
      const lineBase = round * 10_000;
      const shift = (recs: SettlementRecord[]) => recs.map((r) => ({ ...r, line: r.line + lineBase }));
      const recordsA = shift(records(`RACE${round}`, 0, 1500, 7919 + round));
      const recordsB = shift(records(`RACE${round}`, 500, 2000, 104729 + round));
      const [ra, rb] = await Promise.all([
        s.dataSource.transaction((manager) => s.writer.write(manager, a, batch(recordsA))),
        s.dataSource.transaction((manager) => s.writer.write(manager, b, batch(recordsB))),
      ]);
      expect(ra.loaded + rb.loaded).toBe(2000);
      expect(ra.rejected + rb.rejected).toBe(1000);
      all.a.push(...recordsA);
      all.b.push(...recordsB);
      totals.a.loaded += ra.loaded;
      totals.a.rejected += ra.rejected;
      totals.b.loaded += rb.loaded;
      totals.b.rejected += rb.rejected;
    }
    await expectConsistent([
      { file: a, records: all.a, result: totals.a },
      { file: b, records: all.b, result: totals.b },
    ]);
  }, 120_000);
});
