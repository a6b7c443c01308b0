import { Readable } from 'node:stream';
import { maskPansInText } from '@app/core';
import { PanMaskingStream, maskPanBytes } from './pan-masking';

async function maskChunks(chunks: string[], encoding: BufferEncoding = 'utf8'): Promise<string> {
  const out: Buffer[] = [];
  const stream = Readable.from(chunks.map((c) => Buffer.from(c, encoding))).pipe(new PanMaskingStream());
  for await (const chunk of stream) out.push(chunk as Buffer);
  return Buffer.concat(out).toString(encoding);
}

describe('PanMaskingStream', () => {
  const row = 'D1,2026-01-05,10.00,VND,4111111111111111,M1\n';

  it('masks a Luhn-valid PAN and leaves other digit runs alone', async () => {
    expect(await maskChunks([row + 'D2,2026-01-05,1234567890123.45,VND,,M2\n'])).toBe(
      'D1,2026-01-05,10.00,VND,411111******1111,M1\nD2,2026-01-05,1234567890123.45,VND,,M2\n',
    );
  });

  it('masks a PAN cut by every possible chunk boundary', async () => {
    for (let i = 1; i < row.length; i++) {
      expect(await maskChunks([row.slice(0, i), row.slice(i)])).toBe('D1,2026-01-05,10.00,VND,411111******1111,M1\n');
    }
  });

  it('keeps non-ASCII bytes of any encoding intact', async () => {
    const text = 'Café Ñandú,4111111111111111,Zürich\n';
    expect(await maskChunks([text], 'latin1')).toBe('Café Ñandú,411111******1111,Zürich\n');
    expect(await maskChunks([text], 'utf8')).toBe('Café Ñandú,411111******1111,Zürich\n');
  });

  it('passes a long run of digits (not a PAN) through unchanged', async () => {
    const digits = '1'.repeat(50);
    expect(await maskChunks([digits.slice(0, 20), digits.slice(20)])).toBe(digits);
  });

  it('masks exactly what maskPansInText masks, on random digit-heavy text', () => {
    let state = 42;
    const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    for (let round = 0; round < 300; round++) {
      const text = Array.from({ length: 200 }, () => (random() < 0.85 ? String(Math.floor(random() * 10)) : ',;x '[Math.floor(random() * 4)])).join('');
      expect(maskPanBytes(Buffer.from(text, 'latin1')).toString('latin1')).toBe(maskPansInText(text));
    }
  });
});
