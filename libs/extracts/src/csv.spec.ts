import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvFileWriter, neutralise } from './csv';

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
    expect(existsSync(`${path}.partial`)).toBe(false);
  });

  it('discard removes the partial file and leaves no result', async () => {
    const path = join(dir, 'b.csv');
    const writer = new CsvFileWriter(path, ['x']);
    await writer.write(['1']);
    await writer.discard();
    expect(existsSync(`${path}.partial`)).toBe(false);
    expect(existsSync(path)).toBe(false);
  });
});
