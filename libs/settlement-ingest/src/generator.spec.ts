import { createReadStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BAD_ROW_KINDS, CANONICAL_HEADER, canonicalRow, csvCell, generatedRow, generateSettlementFile } from './generator';
import { parseSettlementFile } from './parsing';
import { CANONICAL_PROFILE, RejectedRow, SettlementRecord } from './settlement-record';

const dir = mkdtempSync(join(tmpdir(), 'generator-'));

async function parseFile(path: string): Promise<{ records: SettlementRecord[]; rejects: RejectedRow[] }> {
  const records: SettlementRecord[] = [];
  const rejects: RejectedRow[] = [];
  for await (const batch of parseSettlementFile(createReadStream(path), CANONICAL_PROFILE, { batchSize: 997 })) {
    records.push(...batch.records);
    rejects.push(...batch.rejects);
  }
  return { records, rejects };
}

describe('canonicalRow', () => {
  it('writes every column in order, quoting only what needs it', () => {
    expect(CANONICAL_HEADER.split(',')).toHaveLength(14);
    expect(canonicalRow({ DOC_IDT: 'A', AMOUNT: '1,5', MERCHANT_ID: 'say "x"', SETTLE_DATE: 'a\nb' })).toBe('A,,,"1,5",,,"say ""x""",,,,,,,"a\nb"');
    expect(csvCell(null)).toBe('');
  });
});

describe('generateSettlementFile', () => {
  it('writes the same file for the same seed, another for another seed', async () => {
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    const c = join(dir, 'c.csv');
    await generateSettlementFile(a, { rows: 500, badRows: 20, seed: 3 });
    await generateSettlementFile(b, { rows: 500, badRows: 20, seed: 3 });
    await generateSettlementFile(c, { rows: 500, badRows: 20, seed: 4 });
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
    expect(readFileSync(a, 'utf8')).not.toBe(readFileSync(c, 'utf8'));
    const lines = readFileSync(a, 'utf8').split('\n');
    expect(lines[0]).toBe(CANONICAL_HEADER);
    expect(lines[1]).toBe(generatedRow(1, { rows: 500, badRows: 20, seed: 3 }).text);
    expect(lines).toHaveLength(502); // header, 500 rows, '' after the last line break
  });

  it('writes rows the parser loads, and bad rows it rejects, each kind with its column', async () => {
    const path = join(dir, 'mixed.csv');
    const badRows = BAD_ROW_KINDS.length * 3;
    const result = await generateSettlementFile(path, { rows: 3000, badRows, seed: 11, docPrefix: 'T-', fullPans: 40 });
    expect(result).toEqual({ rows: 3000, valid: 3000 - badRows, bad: badRows });

    const { records, rejects } = await parseFile(path);
    expect(records).toHaveLength(result.valid);
    expect(rejects).toHaveLength(result.bad);
    const expectedColumns = Array.from({ length: badRows }, (_, k) => BAD_ROW_KINDS[k % BAD_ROW_KINDS.length].column);
    expect(rejects.map((r) => r.column)).toEqual(expectedColumns);
    // Spread through the file, not bunched at one end.
    expect(rejects[0].line).toBeLessThan(3000 / badRows + 2);
    expect(rejects[badRows - 1].line).toBeGreaterThan(3000 - 3000 / badRows);

    const ids = new Set(records.map((r) => r.docIdt));
    expect(ids.size).toBe(records.length);
    expect([...ids].every((id) => /^T-\d+$/.test(id))).toBe(true);
    expect(new Set(records.map((r) => r.currency))).toEqual(new Set(['VND', 'USD', 'EUR']));
    expect(new Set(records.map((r) => r.transType))).toEqual(new Set(['PURCHASE', 'REFUND', 'REVERSAL', 'CHARGEBACK', 'CASH']));
    for (const r of records) {
      expect(r.cardNo).toMatch(/^\d{6}\*{6}\d{4}$/);
      expect(r.amount.startsWith('-')).toBe(['REFUND', 'REVERSAL', 'CHARGEBACK'].includes(r.transType));
      expect(r.settleDate! > r.transDate).toBe(true);
    }
  });

  it('puts the requested number of full PANs in the file, all masked by the parser', async () => {
    const path = join(dir, 'pans.csv');
    await generateSettlementFile(path, { rows: 1000, fullPans: 25, seed: 5 });
    const text = readFileSync(path, 'utf8');
    expect(text.match(/,\d{16},/g)).toHaveLength(25);
    const { records } = await parseFile(path);
    expect(records.filter((r) => !/\*/.test(r.raw))).toHaveLength(0);
    expect(records.some((r) => /\d{16}/.test(r.raw) || /\d{16}/.test(r.cardNo ?? ''))).toBe(false);
  });

  it('writes a header-only file for no rows and refuses impossible options', async () => {
    const empty = join(dir, 'empty.csv');
    expect(await generateSettlementFile(empty, { rows: 0 })).toEqual({ rows: 0, valid: 0, bad: 0 });
    expect(readFileSync(empty, 'utf8')).toBe(`${CANONICAL_HEADER}\n`);
    await expect(generateSettlementFile(empty, { rows: 10, badRows: 11 })).rejects.toThrow(RangeError);
    await expect(generateSettlementFile(empty, { rows: -1 })).rejects.toThrow(RangeError);
    await expect(generateSettlementFile(empty, { rows: 1, docPrefix: 'a b' })).rejects.toThrow(RangeError);
  });
});

describe('samples/settlement-sample.csv', () => {
  it('loads 192 rows, rejects 8, and masks the full test card number', async () => {
    const { records, rejects } = await parseFile(join(__dirname, '../../../samples/settlement-sample.csv'));
    expect([records.length, rejects.length]).toEqual([192, 8]);
    expect(new Set(rejects.map((r) => r.column))).toEqual(new Set(['TRANS_DATE', 'AMOUNT', 'TRANS_TYPE', null, 'CURRENCY', 'CARD_NO']));
    const five = records.find((r) => r.docIdt === 'SAMPLE-5');
    expect(five?.cardNo).toBe('411111******1111');
    expect(five?.raw).toContain(',411111******1111,');
  });
});
