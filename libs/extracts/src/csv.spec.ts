import { mkdtempSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvFileWriter, CsvLineWriter, CsvRecordCounter, csvCell, csvLine, neutralise } from './csv';

describe('neutralise (CSV injection)', () => {
  it.each(['=1+1', '+cmd', '-2+3', '@SUM(A1)', '\tx', '\rx'])('prefixes %p with a quote', (text) => {
    expect(neutralise(text)).toBe(`'${text}`);
  });

  it.each(['plain', 'a=b', '', '1-2'])('leaves %p alone', (text) => {
    expect(neutralise(text)).toBe(text);
  });

  it('writes null as an empty cell', () => {
    expect(neutralise(null)).toBe('');
  });
});

describe('csvCell and csvLine (RFC 4180, as PostgreSQL COPY writes non-null text)', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['"', '""""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rx', '"cr\rx"'],
    ['a|b', 'a|b'],
    [' spaced ', ' spaced '],
    ["'=1", "'=1"],
    ['ünïcødé €', 'ünïcødé €'],
  ])('%p is written %p', (text, cell) => {
    expect(csvCell(text)).toBe(cell);
  });

  it('joins the cells of a record with commas and ends it with a line feed', () => {
    expect(csvLine(['1', 'a,b', '', 'x'])).toBe('1,"a,b",,x\n');
  });
});

describe('CsvRecordCounter', () => {
  const csv = Buffer.from(['h1,h2\n', '1,plain\n', '2,"two\nlines"\n', '3,"quote "" and\r\nbreak"\n', '4,"a,b"\n', '5,""\n', '6,"""\n"""\n'].join(''));

  it('counts line feeds outside quoted cells', () => {
    expect(new CsvRecordCounter().count(csv)).toBe(7);
  });

  it('gives the same count whatever the chunks are cut, inside quotes and doubled quotes included', () => {
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const counter = new CsvRecordCounter();
      let records = 0;
      for (let at = 0; at < csv.length; at += size) records += counter.count(csv.subarray(at, at + size));
      expect({ size, records }).toEqual({ size, records: 7 });
    }
  });

  it('counts nothing for a record not yet ended', () => {
    expect(new CsvRecordCounter().count(Buffer.from('1,"open\n'))).toBe(0);
  });
});

describe('CsvFileWriter', () => {
  const dir = mkdtempSync(join(tmpdir(), 'csv-writer-'));

  it('writes the header and rows with RFC 4180 quoting, then renames the partial file', async () => {
    const path = join(dir, 'a.csv');
    const writer = new CsvFileWriter(path, ['x', 'y']);
    await writer.write(['1', 'has, comma']);
    await writer.write(['2', 'has "quote"']);
    expect(existsSync(path)).toBe(false);
    const { rows, bytes } = await writer.finish();
    const text = readFileSync(path, 'utf8');
    expect(text).toBe('x,y\n1,"has, comma"\n2,"has ""quote"""\n');
    expect({ rows, bytes }).toEqual({ rows: 2, bytes: Buffer.byteLength(text) });
    expect(readdirSync(dir).filter((name) => name.endsWith('.partial'))).toEqual([]);
  });

  it('discard removes the partial file and leaves no result', async () => {
    const path = join(dir, 'b.csv');
    const writer = new CsvFileWriter(path, ['x']);
    await writer.write(['1']);
    await writer.discard();
    expect(readdirSync(dir).filter((name) => name.startsWith('b.csv'))).toEqual([]);
  });
});

describe('CsvLineWriter', () => {
  const dir = mkdtempSync(join(tmpdir(), 'csv-lines-'));
  const partials = (name: string) => readdirSync(dir).filter((file) => file.startsWith(`${name}.`) && file.endsWith('.partial'));

  it('writes the header and quoted records, and names the file only when finished', async () => {
    const path = join(dir, 'a.csv');
    const writer = new CsvLineWriter(path, ['x', 'y']);
    // Two short records never fill the stream's buffer: write() asks no one to wait.
    expect(writer.write(['1', 'has, comma'])).toBeUndefined();
    expect(writer.write(['2', 'has "quote"'])).toBeUndefined();
    expect(existsSync(path)).toBe(false);
    const { rows, bytes } = await writer.finish();
    const text = readFileSync(path, 'utf8');
    expect(text).toBe('x,y\n1,"has, comma"\n2,"has ""quote"""\n');
    expect({ rows, bytes }).toEqual({ rows: 2, bytes: Buffer.byteLength(text) });
    expect(partials('a.csv')).toEqual([]);
  });

  it('an extract without records still has its header row', async () => {
    const path = join(dir, 'empty.csv');
    expect(await new CsvLineWriter(path, ['x', 'y']).finish()).toEqual({ rows: 0, bytes: 4 });
    expect(readFileSync(path, 'utf8')).toBe('x,y\n');
  });

  it('takes CSV written elsewhere as it is, after what was written before, counting its records', async () => {
    const path = join(dir, 'raw.csv');
    const writer = new CsvLineWriter(path, ['x', 'y']);
    expect(writer.write(['0', 'é'])).toBeUndefined();
    expect(writer.writeCsv(Buffer.from('1,"a\nb"\n2,'), 1)).toBeUndefined();
    expect(writer.writeCsv(Buffer.from('c\n'), 1)).toBeUndefined();
    expect(await writer.finish()).toEqual({ rows: 3, bytes: Buffer.byteLength('x,y\n0,é\n1,"a\nb"\n2,c\n') });
    expect(readFileSync(path, 'utf8')).toBe('x,y\n0,é\n1,"a\nb"\n2,c\n');
  });

  it('keeps the order of a large extract written in many flushes, waiting when the file asks it to', async () => {
    const path = join(dir, 'large.csv');
    const writer = new CsvLineWriter(path, ['n', 'text']);
    let waits = 0;
    for (let n = 0; n < 60_000; n++) {
      const full = n % 2 ? writer.writeCsv(Buffer.from(`${n},"raw ${'x'.repeat(40)}"\n`), 1) : writer.write([String(n), `line ${'y'.repeat(40)}`]);
      if (full) {
        waits++;
        await full;
      }
    }
    const { rows } = await writer.finish();
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(rows).toBe(60_000);
    expect(lines).toHaveLength(60_002); // header, records, and the empty string after the last line feed
    expect(lines.slice(1, -1).map((line) => Number(line.split(',')[0]))).toEqual(Array.from({ length: 60_000 }, (_, n) => n));
    expect(waits).toBeGreaterThan(0);
  });

  it('discard removes the partial file and leaves no result', async () => {
    const path = join(dir, 'gone.csv');
    const writer = new CsvLineWriter(path, ['x']);
    expect(writer.write(['1'])).toBeUndefined();
    expect(writer.writeCsv(Buffer.from('2\n'), 1)).toBeUndefined();
    await writer.discard();
    expect(existsSync(path)).toBe(false);
    expect(partials('gone.csv')).toEqual([]);
  });
});

describe('a file that fails while an extract is written (disk full, directory gone)', () => {
  const missing = join(tmpdir(), `csv-missing-${process.pid}`, 'nested', 'x.csv');

  it('CsvLineWriter: the failure reaches the writer, not the process', async () => {
    const writer = new CsvLineWriter(missing, ['x']);
    const big = Buffer.alloc(300 * 1024, 'a'); // more than one flush each
    let failure: unknown;
    try {
      for (let i = 0; i < 10; i++) await writer.writeCsv(big, 1);
      await writer.finish();
    } catch (error) {
      failure = error;
    }
    expect(failure).toMatchObject({ code: 'ENOENT' });
    await writer.discard();
  });

  it('CsvFileWriter: the failure reaches finish()', async () => {
    const writer = new CsvFileWriter(missing, ['x']);
    await writer.write(['1']);
    await expect(writer.finish()).rejects.toMatchObject({ code: 'ENOENT' });
    await writer.discard();
  });
});
