import type { RejectedRow, SettlementRecord } from '../settlement-record';
import { tsvBuffer } from './record-rows';
import { BatchStore, StoredOrigin, splitRepeats, writeBatch } from './write-batch';

function record(docIdt: string, line: number, raw = `${docIdt},2025-01-01,1.00`): SettlementRecord {
  return {
    line,
    docIdt,
    transDate: '2025-01-01',
    transTime: null,
    amount: '1.00',
    currency: 'VND',
    cardNo: null,
    merchantId: null,
    terminalId: null,
    mcc: null,
    rrn: null,
    authCode: null,
    transType: 'PURCHASE',
    fee: null,
    settleDate: null,
    raw,
  };
}

/** card_transactions as a map, insert-ignore semantics, counting the statements a write costs. */
class MemoryStore implements BatchStore {
  readonly rows = new Map<string, StoredOrigin>();
  readonly rejects: RejectedRow[] = [];
  readonly calls: string[] = [];
  /** DOC_IDTs a concurrent load takes between our insert and our look-up. */
  lost = new Set<string>();

  keyOf(docIdt: string): string {
    return docIdt;
  }
  async insertIgnore(records: SettlementRecord[], fileId: string): Promise<number> {
    this.calls.push('insert');
    let inserted = 0;
    for (const r of records) {
      if (this.rows.has(r.docIdt) || this.lost.has(r.docIdt)) continue;
      this.rows.set(r.docIdt, { docIdt: r.docIdt, fileId, line: r.line });
      inserted += 1;
    }
    return inserted;
  }
  async findStored(docIdts: string[]): Promise<StoredOrigin[]> {
    this.calls.push('find');
    return docIdts.flatMap((id) => (this.rows.has(id) ? [this.rows.get(id)!] : []));
  }
  async fileNames(ids: string[]): Promise<Map<string, string>> {
    this.calls.push('names');
    return new Map(ids.map((id) => [id, `${id}.csv`]));
  }
  async insertRejects(_fileId: string, rejects: RejectedRow[]): Promise<void> {
    this.calls.push('rejects');
    this.rejects.push(...rejects);
  }
}

const file = { id: 'f2', name: 'today.csv' };

describe('writeBatch', () => {
  it('a batch of new records costs one statement', async () => {
    const store = new MemoryStore();
    const result = await writeBatch(store, file, { records: [record('B', 2), record('A', 3)], rejects: [], lastLine: 3 });
    expect(result).toEqual({ loaded: 2, rejected: 0, alreadyStored: 0 });
    expect(store.calls).toEqual(['insert']);
  });

  it('looks up where refused records are stored only when some were refused, and names their file', async () => {
    const store = new MemoryStore();
    store.rows.set('A', { docIdt: 'A', fileId: 'f1', line: 40 });
    const result = await writeBatch(store, file, { records: [record('A', 2), record('B', 3), record('A', 4)], rejects: [], lastLine: 4 });
    expect(result).toEqual({ loaded: 1, rejected: 2, alreadyStored: 0 });
    expect(store.calls).toEqual(['insert', 'find', 'names', 'rejects']);
    expect(store.rejects.map((r) => [r.line, r.column, r.reason])).toEqual([
      [2, 'DOC_IDT', 'duplicate DOC_IDT: already loaded from f1.csv line 40'],
      [4, 'DOC_IDT', 'duplicate DOC_IDT: already loaded from f1.csv line 40'],
    ]);
  });

  it('fails loudly when a record was neither inserted nor found (never drops a row silently)', async () => {
    const store = new MemoryStore();
    store.lost.add('A');
    await expect(writeBatch(store, file, { records: [record('A', 2)], rejects: [], lastLine: 2 })).rejects.toThrow(
      'DOC_IDT at line 2 was neither inserted nor found stored',
    );
  });

  it("masks PANs in a duplicate's raw text and cuts every reject to its column sizes", async () => {
    const store = new MemoryStore();
    const long = 'y'.repeat(5000);
    await writeBatch(store, file, {
      records: [record('A', 2), record('A', 3, `A,4111111111111111,${long}`)],
      rejects: [{ line: 4, column: 'C'.repeat(40), reason: 'r'.repeat(300), raw: long }],
      lastLine: 4,
    });
    const [parser, duplicate] = store.rejects;
    expect([parser.column!.length, parser.reason.length, parser.raw.length]).toEqual([32, 255, 2000]);
    expect(duplicate.raw).toMatch(/^A,411111\*{6}1111,y+$/);
    expect(duplicate.raw).toHaveLength(2000);
  });
});

describe('splitRepeats', () => {
  it('keeps the first of each key, sorted bytewise for a lock order every load shares', () => {
    const { firsts, repeats } = splitRepeats([record('b', 2), record('B', 3), record('a', 4), record('b', 5)], (id) => id);
    expect(firsts.map((r) => r.docIdt)).toEqual(['B', 'a', 'b']);
    expect(repeats.map((r) => [r.record.line, r.first.line])).toEqual([[5, 2]]);
  });

  it('follows the database comparison given as keyOf', () => {
    const { firsts, repeats } = splitRepeats([record('b', 2), record('B', 3)], (id) => id.toLowerCase());
    expect(firsts.map((r) => r.line)).toEqual([2]);
    expect(repeats.map((r) => r.record.line)).toEqual([3]);
  });
});

describe('tsvBuffer', () => {
  it('escapes what COPY and LOAD DATA read as separators, and writes NULL as \\N', () => {
    const r = { ...record('A', 7), merchantId: 'a\tb\\c\nd\re', fee: '-0.50' };
    const line = 'A\t2025-01-01\t\\N\t1.00\tVND\t\\N\ta\\tb\\\\c\\nd\\re\t\\N\t\\N\t\\N\t\\N\tPURCHASE\t-0.50\t\\N\tf1\t7\n';
    expect(tsvBuffer([r], 'f1').toString('utf8')).toBe(line);
  });

  it('writes multi-byte text whole and grows past its first guess of the size', () => {
    const long = { ...record('B', 9), merchantId: 'é€😀'.repeat(400) };
    const data = tsvBuffer([long, long], 'f1').toString('utf8');
    expect(data.split('\n')).toHaveLength(3);
    expect(data.split('\t')[6]).toBe(long.merchantId);
  });
});
