import { CsvTokenizer, MAX_RECORD_CHARS, rawFieldSpan, TokenSink } from './csv-tokenizer';

interface Token {
  values?: string[];
  count?: number;
  raw: string;
  line: number;
  endLine: number;
  reason?: string;
}

function tokenize(parts: string[], delimiter = ',', fieldLimit?: number): Token[] {
  const out: Token[] = [];
  const sink: TokenSink = {
    record(values, spans, count, raw, line, endLine) {
      const stored = Math.min(count, fieldLimit ?? count);
      const list = Array.from({ length: stored }, (_, k) => values.slice(spans[k * 2], spans[k * 2 + 1]));
      out.push({ values: list, count, raw, line, endLine });
    },
    broken(line, endLine, rawHead, reason) {
      out.push({ raw: rawHead, line, endLine, reason });
    },
  };
  const tokenizer = new CsvTokenizer(delimiter, sink);
  if (fieldLimit !== undefined) tokenizer.fieldLimit = fieldLimit;
  for (const part of parts) tokenizer.push(part);
  tokenizer.end();
  return out;
}

describe('CsvTokenizer', () => {
  it('splits plain lines, LF or CRLF, with and without a final line break', () => {
    expect(tokenize(['a,b,c\r\nd,,f\n,\ng'])).toEqual([
      { values: ['a', 'b', 'c'], count: 3, raw: 'a,b,c', line: 1, endLine: 1 },
      { values: ['d', '', 'f'], count: 3, raw: 'd,,f', line: 2, endLine: 2 },
      { values: ['', ''], count: 2, raw: ',', line: 3, endLine: 3 },
      { values: ['g'], count: 1, raw: 'g', line: 4, endLine: 4 },
    ]);
  });

  it('skips blank lines but counts them', () => {
    expect(tokenize(['\n\r\na\n\n']).map((t) => [t.raw, t.line])).toEqual([['a', 3]]);
  });

  it('reads quoted delimiters, escaped quotes and line breaks (CRLF kept inside quotes)', () => {
    const tokens = tokenize(['x,"a,b","say ""hi""","1\r\n2\n3"\r\nnext\n']);
    expect(tokens).toEqual([
      { values: ['x', 'a,b', 'say "hi"', '1\r\n2\n3'], count: 4, raw: 'x,"a,b","say ""hi""","1\r\n2\n3"', line: 1, endLine: 3 },
      { values: ['next'], count: 1, raw: 'next', line: 4, endLine: 4 },
    ]);
  });

  it('reads empty quoted fields and a quote inside an unquoted field as it is', () => {
    expect(tokenize(['"",a"b,""""\n'])[0].values).toEqual(['', 'a"b', '"']);
  });

  it('flags text after a closing quote', () => {
    expect(tokenize(['a,"b"c,d\nok\n'])).toEqual([
      { raw: 'a,"b"c,d', line: 1, endLine: 1, reason: 'field 2: text after its closing quote' },
      { values: ['ok'], count: 1, raw: 'ok', line: 2, endLine: 2 },
    ]);
  });

  it('reports an unterminated quote at the end of input as truncated', () => {
    expect(tokenize(['a\n"b\nc'])).toEqual([
      { values: ['a'], count: 1, raw: 'a', line: 1, endLine: 1 },
      { raw: '"b\nc', line: 2, endLine: 3, reason: 'unterminated quoted field: the file ends inside quotes (truncated?)' },
    ]);
  });

  it('gives the same tokens however the text is cut', () => {
    const text = 'h1;h2\r\n"a;\r\n""b""";c\r\n\r\nd;"e"\r\nf;g';
    const whole = tokenize([text], ';');
    expect(whole.map((t) => t.values)).toEqual([
      ['h1', 'h2'],
      ['a;\r\n"b"', 'c'],
      ['d', 'e'],
      ['f', 'g'],
    ]);
    for (let cut = 0; cut <= text.length; cut++) {
      expect(tokenize([text.slice(0, cut), text.slice(cut)], ';')).toEqual(whole);
    }
    expect(tokenize(text.split(''), ';')).toEqual(whole);
  });

  it('counts fields past the limit without keeping them', () => {
    const [token] = tokenize(['a,b,c,d,e\n'], ',', 2);
    expect(token).toEqual({ values: ['a', 'b'], count: 5, raw: 'a,b,c,d,e', line: 1, endLine: 1 });
  });

  it('drops a record longer than MAX_RECORD_CHARS, keeping only its head, and goes on', () => {
    const parts = ['a,"', ...Array.from({ length: 40 }, () => 'x\n'.repeat(16 * 1024)), '"\nb\n'];
    const tokens = tokenize(parts);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toEqual(expect.objectContaining({ line: 1, endLine: 1 + 40 * 16 * 1024, reason: 'record longer than 1 MiB' }));
    expect(tokens[0].raw.length).toBeLessThanOrEqual(4096);
    expect(tokens[0].raw.startsWith('a,"x\nx')).toBe(true);
    expect(tokens[1]).toEqual({ values: ['b'], count: 1, raw: 'b', line: 2 + 40 * 16 * 1024, endLine: 2 + 40 * 16 * 1024 });
    expect(40 * 16 * 1024 * 2).toBeGreaterThan(MAX_RECORD_CHARS);
  });

  it('refuses a delimiter it cannot tell from quoting or line ends', () => {
    for (const delimiter of ['"', '\n', '\r', ';;', '']) expect(() => new CsvTokenizer(delimiter, { record() {}, broken() {} })).toThrow();
  });
});

describe('rawFieldSpan', () => {
  it('finds a field in raw text, quotes included', () => {
    const raw = 'a,"b,""c""",d';
    expect(rawFieldSpan(raw, ',', 1)).toEqual([2, 11]);
    expect(raw.slice(...(rawFieldSpan(raw, ',', 2) as [number, number]))).toBe('d');
    expect(rawFieldSpan(raw, ',', 3)).toBeNull();
  });
});
