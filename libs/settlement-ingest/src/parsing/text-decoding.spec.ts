import { completeLength, createDecoder } from './text-decoding';

function decodeIn(parts: number[][], encoding: 'utf-8' | 'latin1' | 'windows-1252'): string {
  const decoder = createDecoder(encoding);
  return parts.map((p) => decoder.write(Uint8Array.from(p))).join('') + decoder.end();
}

describe('text decoding', () => {
  const text = 'aé漢😀z';
  const bytes = [...Buffer.from(text, 'utf8')];

  it('decodes UTF-8 split at every byte, characters whole', () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(decodeIn([bytes.slice(0, cut), bytes.slice(cut)], 'utf-8')).toBe(text);
    }
    expect(
      decodeIn(
        bytes.map((b) => [b]),
        'utf-8',
      ),
    ).toBe(text);
  });

  it('puts U+FFFD where bytes are not UTF-8, and for a character cut at the end', () => {
    expect(decodeIn([[0x61, 0xe9, 0x62]], 'utf-8')).toBe('a\uFFFDb');
    expect(decodeIn([[0x61, 0xe6, 0xbc]], 'utf-8')).toBe('a\uFFFD');
  });

  it('keeps a BOM for the parser to drop at the start of the file only', () => {
    expect(
      decodeIn(
        [
          [0xef, 0xbb],
          [0xbf, 0x61],
        ],
        'utf-8',
      ),
    ).toBe('\uFEFFa');
  });

  it('decodes latin1 byte for byte and windows-1252 with its 0x80-0x9F characters', () => {
    const high = [0x80, 0x8a, 0x93, 0x94, 0x9f, 0x81, 0xe9, 0xff];
    expect(decodeIn([high], 'latin1')).toBe('\u0080\u008a\u0093\u0094\u009f\u0081éÿ');
    expect(decodeIn([high], 'windows-1252')).toBe('€Š“”Ÿ\u0081éÿ');
  });

  it('finds where complete UTF-8 characters end', () => {
    const euro = [0xe2, 0x82, 0xac];
    expect(completeLength(Uint8Array.from([0x61, ...euro]))).toBe(4);
    expect(completeLength(Uint8Array.from([0x61, ...euro.slice(0, 2)]))).toBe(1);
    expect(completeLength(Uint8Array.from([0x61, euro[0]]))).toBe(1);
    expect(completeLength(Uint8Array.from([0xf0, 0x9f, 0x98]))).toBe(0);
    expect(completeLength(Uint8Array.from([0x80, 0x80, 0x80, 0x80]))).toBe(4);
  });
});
