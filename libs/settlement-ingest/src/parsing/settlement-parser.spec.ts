import { Readable } from 'node:stream';
import { REJECT_RAW_MAX } from '../entities/settlement-reject.entity';
import { canonicalRow, CANONICAL_HEADER, RowValues } from '../generator';
import { CANONICAL_PROFILE, ParsedBatch, RejectedRow, SettlementFileError, SettlementProfile, SettlementRecord } from '../settlement-record';
import { parseSettlementFile } from './settlement-parser';

const FULL_PAN = '4111111111111111';
const MASKED = '411111******1111';

function row(values: RowValues = {}): string {
  return canonicalRow({ DOC_IDT: 'D1', TRANS_DATE: '2024-03-01', AMOUNT: '12.50', ...values });
}

function file(...lines: string[]): string {
  return `${CANONICAL_HEADER}\n${lines.map((l) => `${l}\n`).join('')}`;
}

async function* chunksOf(parts: Array<Buffer | string>): AsyncGenerator<Buffer> {
  for (const part of parts) yield typeof part === 'string' ? Buffer.from(part) : part;
}

interface Parsed {
  batches: ParsedBatch[];
  records: SettlementRecord[];
  rejects: RejectedRow[];
}

async function parse(
  input: string | Buffer | Array<Buffer | string>,
  profile: SettlementProfile = CANONICAL_PROFILE,
  options: { batchSize?: number; skipThroughLine?: number } = {},
): Promise<Parsed> {
  const parts = Array.isArray(input) ? input : [input];
  const batches: ParsedBatch[] = [];
  for await (const batch of parseSettlementFile(chunksOf(parts), profile, options)) batches.push(batch);
  return {
    batches,
    records: batches.flatMap((b) => b.records),
    rejects: batches.flatMap((b) => b.rejects),
  };
}

async function failure(input: string | Buffer, profile: SettlementProfile = CANONICAL_PROFILE): Promise<SettlementFileError> {
  const batches: ParsedBatch[] = [];
  try {
    for await (const batch of parseSettlementFile(chunksOf([input]), profile)) batches.push(batch);
  } catch (error) {
    expect(batches).toHaveLength(0);
    expect(error).toBeInstanceOf(SettlementFileError);
    return error as SettlementFileError;
  }
  throw new Error('expected a SettlementFileError');
}

const SEMICOLON: SettlementProfile = {
  name: 'acme',
  folder: 'acme',
  delimiter: ';',
  encoding: 'latin1',
  decimalSeparator: ',',
  thousandsSeparator: '.',
  dateFormat: 'DD/MM/YYYY',
  columns: { Belegnummer: 'DOC_IDT', Datum: 'TRANS_DATE', Betrag: 'AMOUNT' },
  defaultCurrency: 'EUR',
};

describe('parseSettlementFile: the file as a whole', () => {
  it('fails an empty file, a file of only a BOM and one of only blank lines', async () => {
    for (const input of ['', '\uFEFF', '\n\r\n\n']) {
      expect((await failure(input)).message).toBe('empty file: no header row');
    }
  });

  it('yields nothing for a header without rows', async () => {
    expect((await parse(`${CANONICAL_HEADER}\n`)).batches).toEqual([]);
    expect((await parse(CANONICAL_HEADER)).batches).toEqual([]);
  });

  it('fails a file without a header row, naming the missing columns', async () => {
    const error = await failure(`${row()}\n${row({ DOC_IDT: 'D2' })}\n`);
    expect(error.message).toMatch(/^no header row/);
    expect(error.message).toContain('missing DOC_IDT, TRANS_DATE, AMOUNT');
  });

  it('names every missing required column', async () => {
    const error = await failure('doc_idt,currency\nD1,VND\n');
    expect(error.message).toMatch(/^header lacks required columns: missing TRANS_DATE, AMOUNT/);
  });

  it('fails a header naming a column twice, whatever the case, spaces or renames', async () => {
    expect((await failure('DOC_IDT,TRANS_DATE,AMOUNT, amount \nD1,2024-01-01,1,2\n')).message).toBe('header names a column twice: AMOUNT (columns 3 and 4)');
    const renamed = { ...SEMICOLON, encoding: 'utf-8' as const };
    expect((await failure('Belegnummer;DOC_IDT;Datum;Betrag\n', renamed)).message).toContain('DOC_IDT (columns 1 and 2)');
  });

  it('fails a header that is not valid UTF-8 under a UTF-8 profile', async () => {
    const latin1Header = Buffer.from('DOC_IDT,TRANS_DATE,AMOUNT,Bemerkung\xe9\n', 'latin1');
    expect((await failure(latin1Header)).message).toMatch(/^header row \(line 1\) is not valid UTF-8/);
  });

  it('fails a UTF-8 file with a BOM under a latin1 profile instead of misreading it', async () => {
    const input = Buffer.from('\uFEFFBelegnummer;Datum;Betrag\n', 'utf8');
    expect((await failure(input, SEMICOLON)).message).toContain('byte order mark');
  });

  it('fails a file whose header row is an unterminated quote', async () => {
    expect((await failure('DOC_IDT,"TRANS_DATE,AMOUNT\n')).message).toMatch(/^header row \(line 1\): unterminated quoted field/);
  });

  it('matches header names without regard to case or spaces, in any order, ignoring unknown columns', async () => {
    const { records } = await parse(' amount ,Extra,trans_date,Doc_Idt\n7.00,x,2024-01-02,A\n');
    expect(records).toEqual([expect.objectContaining({ docIdt: 'A', transDate: '2024-01-02', amount: '7.00', line: 2 })]);
  });
});

describe('parseSettlementFile: records', () => {
  it('reads every column into canonical form, with defaults for absent and empty cells', async () => {
    const full = row({
      TRANS_TIME: '23:59:59',
      CURRENCY: 'usd',
      CARD_NO: MASKED,
      MERCHANT_ID: 'M'.repeat(15),
      TERMINAL_ID: 'T'.repeat(16),
      MCC: '5411',
      RRN: '123456789012',
      AUTH_CODE: 'AB12CD',
      TRANS_TYPE: 'refund',
      AMOUNT: '-12.50',
      FEE: '0.3',
      SETTLE_DATE: '2024-03-02',
    });
    const { records, rejects } = await parse(file(full, row({ DOC_IDT: 'D2' })));
    expect(rejects).toEqual([]);
    expect(records).toEqual([
      {
        line: 2,
        docIdt: 'D1',
        transDate: '2024-03-01',
        transTime: '23:59:59',
        amount: '-12.50',
        currency: 'USD',
        cardNo: MASKED,
        merchantId: 'M'.repeat(15),
        terminalId: 'T'.repeat(16),
        mcc: '5411',
        rrn: '123456789012',
        authCode: 'AB12CD',
        transType: 'REFUND',
        fee: '0.3',
        settleDate: '2024-03-02',
        raw: full,
      },
      expect.objectContaining({
        line: 3,
        docIdt: 'D2',
        transTime: null,
        currency: 'VND',
        cardNo: null,
        merchantId: null,
        transType: 'PURCHASE',
        fee: null,
        settleDate: null,
      }),
    ]);
  });

  it('reads a file with only the required columns', async () => {
    const { records } = await parse('DOC_IDT,TRANS_DATE,AMOUNT\nX-1,2024-12-31,0\n');
    expect(records).toEqual([expect.objectContaining({ docIdt: 'X-1', amount: '0', currency: 'VND', transType: 'PURCHASE' })]);
  });

  it('strips a BOM', async () => {
    const { records } = await parse(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(file(row()))]));
    expect(records.map((r) => r.docIdt)).toEqual(['D1']);
  });

  it('reads CRLF line ends without keeping the CR', async () => {
    const text = `${CANONICAL_HEADER}\r\n${row({ SETTLE_DATE: '2024-03-05' })}\r\n\r\n${row({ DOC_IDT: 'D2' })}\r\n`;
    const { records, rejects } = await parse(text);
    expect(rejects).toEqual([]);
    expect(records.map((r) => [r.line, r.settleDate, r.raw.includes('\r')])).toEqual([
      [2, '2024-03-05', false],
      [4, null, false],
    ]);
  });

  it('skips blank lines, counting them', async () => {
    const { records, rejects } = await parse(`${CANONICAL_HEADER}\n\n${row()}\n   \n\n${row({ DOC_IDT: 'D2' })}`);
    expect(rejects).toEqual([]);
    expect(records.map((r) => r.line)).toEqual([3, 6]);
  });

  it('reads quoted delimiters, quotes and line breaks, with the right line numbers after them', async () => {
    const text =
      'DOC_IDT,TRANS_DATE,AMOUNT,MERCHANT_ID,NOTE\n' +
      'A,2024-01-01,1.00,"M,1","say ""hi""\nsecond line\r\nthird"\n' +
      'B,2024-01-01,2.00,M2,"a,b"\n' +
      'C,2024-01-01,"3.00",,\n';
    const { records, rejects } = await parse(text);
    expect(rejects).toEqual([]);
    expect(records.map((r) => [r.docIdt, r.line, r.merchantId, r.amount])).toEqual([
      ['A', 2, 'M,1', '1.00'],
      ['B', 5, 'M2', '2.00'],
      ['C', 6, null, '3.00'],
    ]);
    expect(records[0].raw).toBe('A,2024-01-01,1.00,"M,1","say ""hi""\nsecond line\r\nthird"');
  });

  it('reads a semicolon file through its profile: latin1, DD/MM/YYYY, decimal comma, thousands dot, renames', async () => {
    const text = 'Belegnummer;Datum;Betrag;Currency;Merchant_Id;Fee\nB1;29/02/2024;1.234,50;;Café Müller;0,5\nB2;01/03/2024;-7;usd;;\n';
    const { records, rejects } = await parse(Buffer.from(text, 'latin1'), SEMICOLON);
    expect(rejects).toEqual([]);
    expect(records).toEqual([
      expect.objectContaining({ docIdt: 'B1', transDate: '2024-02-29', amount: '1234.50', currency: 'EUR', merchantId: 'Café Müller', fee: '0.5' }),
      expect.objectContaining({ docIdt: 'B2', transDate: '2024-03-01', amount: '-7', currency: 'USD', fee: null }),
    ]);
  });

  it('fails a semicolon file read without a profile: its header is one unknown column', async () => {
    const error = await failure('DOC_IDT;TRANS_DATE;AMOUNT\nD1;2024-01-01;1\n');
    expect(error.message).toMatch(/^no header row/);
  });

  it('reads windows-1252 characters latin1 does not have', async () => {
    const profile: SettlementProfile = { ...CANONICAL_PROFILE, name: 'w', encoding: 'windows-1252' };
    const input = Buffer.concat([Buffer.from('DOC_IDT,TRANS_DATE,AMOUNT,MERCHANT_ID\nD1,2024-01-01,1,'), Buffer.from([0x80, 0x93, 0x41, 0x94, 0x0a])]);
    const { records } = await parse(input, profile);
    expect(records[0].merchantId).toBe('\u20ac\u201cA\u201d');
  });
});

describe('parseSettlementFile: rejects', () => {
  async function rejectOf(values: RowValues): Promise<RejectedRow> {
    const { records, rejects } = await parse(file(row(values)));
    expect(records).toEqual([]);
    expect(rejects).toHaveLength(1);
    return rejects[0];
  }

  it('rejects a row with too many or too few fields and loads the rest', async () => {
    const { records, rejects } = await parse(file(`${row()},extra`, row({ DOC_IDT: 'D2' }), 'D3,2024-01-01,1'));
    expect(records.map((r) => r.docIdt)).toEqual(['D2']);
    expect(rejects).toEqual([
      { line: 2, column: null, reason: '15 fields, header has 14', raw: `${row()},extra` },
      { line: 4, column: null, reason: '3 fields, header has 14', raw: 'D3,2024-01-01,1' },
    ]);
  });

  it('rejects a date that does not exist and one in another format', async () => {
    expect(await rejectOf({ TRANS_DATE: '2024-02-30' })).toEqual(
      expect.objectContaining({ line: 2, column: 'TRANS_DATE', reason: 'TRANS_DATE: 2024-02-30 is not a real date' }),
    );
    expect((await rejectOf({ TRANS_DATE: '01/02/2024' })).reason).toBe('TRANS_DATE: 01/02/2024 is not a date YYYY-MM-DD');
    expect((await rejectOf({ SETTLE_DATE: '2023-02-29' })).reason).toBe('SETTLE_DATE: 2023-02-29 is not a real date');
    expect((await rejectOf({ TRANS_TIME: '24:00:00' })).column).toBe('TRANS_TIME');
  });

  it.each([
    ['1,234.50', 'AMOUNT: 1,234.50 is not a decimal (separator ".", no thousands separator)'],
    ['1e5', 'AMOUNT: 1e5 is not a decimal (separator ".", no thousands separator)'],
    ['12.345', 'AMOUNT: 12.345 has more than 2 decimals'],
    ['abc', 'AMOUNT: abc is not a decimal (separator ".", no thousands separator)'],
    ['', 'AMOUNT: required, empty'],
    ['12345678901234', 'AMOUNT: more than 13 integer digits'],
    ['+5', 'AMOUNT: +5 is not a decimal (separator ".", no thousands separator)'],
  ])('rejects the amount %j', async (amount, reason) => {
    expect(await rejectOf({ AMOUNT: amount })).toEqual(expect.objectContaining({ column: 'AMOUNT', reason }));
  });

  it('rejects an unknown TRANS_TYPE and accepts any letter case of a known one', async () => {
    expect(await rejectOf({ TRANS_TYPE: 'PAYMENT' })).toEqual(
      expect.objectContaining({ column: 'TRANS_TYPE', reason: 'TRANS_TYPE: PAYMENT is not PURCHASE, REFUND, REVERSAL, CHARGEBACK or CASH' }),
    );
    const { records } = await parse(file(row({ TRANS_TYPE: 'Chargeback' })));
    expect(records[0].transType).toBe('CHARGEBACK');
  });

  it('names the first failing column in column order', async () => {
    const reject = await rejectOf({ DOC_IDT: 'bad id', TRANS_DATE: 'x', AMOUNT: 'y' });
    expect(reject.column).toBe('DOC_IDT');
    expect((await rejectOf({ CURRENCY: 'ABC', MCC: '1' })).column).toBe('CURRENCY');
  });

  it.each([
    [{ DOC_IDT: 'x'.repeat(33) }, 'DOC_IDT'],
    [{ CURRENCY: 'EURO' }, 'CURRENCY'],
    [{ MERCHANT_ID: 'M'.repeat(16) }, 'MERCHANT_ID'],
    [{ TERMINAL_ID: 'T'.repeat(17) }, 'TERMINAL_ID'],
    [{ MCC: '541' }, 'MCC'],
    [{ RRN: '1234567890123' }, 'RRN'],
    [{ AUTH_CODE: '1234567' }, 'AUTH_CODE'],
    [{ FEE: '1.234' }, 'FEE'],
    [{ CARD_NO: '4111' }, 'CARD_NO'],
    [{ CARD_NO: '411111**1111' }, 'CARD_NO'],
  ] as Array<[RowValues, string]>)('rejects %j in %s', async (values, column) => {
    const reject = await rejectOf(values);
    expect(reject.column).toBe(column);
    expect(reject.reason.startsWith(`${column}: `)).toBe(true);
  });

  it('cuts an echoed value at 40 characters', async () => {
    const reject = await rejectOf({ MERCHANT_ID: 'M'.repeat(500) });
    expect(reject.reason).toBe(`MERCHANT_ID: ${'M'.repeat(40)}… is longer than 15 characters`);
  });

  it('rejects a truncated last line (an open quote at the end of the file) and keeps the rows before it', async () => {
    const text = `${file(row())}D2,2024-01-01,"1.00`;
    const { records, rejects } = await parse(text);
    expect(records.map((r) => r.docIdt)).toEqual(['D1']);
    expect(rejects).toEqual([
      { line: 3, column: null, reason: 'unterminated quoted field: the file ends inside quotes (truncated?)', raw: 'D2,2024-01-01,"1.00' },
    ]);
  });

  it('reads a last line without a line break', async () => {
    const { records } = await parse(`${CANONICAL_HEADER}\n${row()}`);
    expect(records.map((r) => r.line)).toEqual([2]);
  });

  it('rejects text after a closing quote', async () => {
    const { rejects } = await parse(file('D1,2024-01-01,"1.00"x,,,,,,,,,,,'));
    expect(rejects[0]).toEqual(expect.objectContaining({ line: 2, column: null, reason: 'field 3: text after its closing quote' }));
  });
});

describe('parseSettlementFile: card numbers', () => {
  it('masks a full PAN in the record and its raw text', async () => {
    const { records } = await parse(file(row({ CARD_NO: FULL_PAN }), row({ DOC_IDT: 'D2', CARD_NO: '5500-0000-0000-0004' })));
    expect(records.map((r) => r.cardNo)).toEqual([MASKED, '550000******0004']);
    expect(records[0].raw).toBe(row({ CARD_NO: MASKED }));
    expect(records[1].raw).toBe(row({ DOC_IDT: 'D2', CARD_NO: '550000******0004' }));
  });

  it('masks a quoted, space-grouped full PAN in the raw text', async () => {
    const text = file(`D1,2024-03-01,,12.50,,"4111 1111 1111 1111",,,,,,,,`);
    const { records } = await parse(text);
    expect(records[0].cardNo).toBe(MASKED);
    expect(records[0].raw).toBe(`D1,2024-03-01,,12.50,,${MASKED},,,,,,,,`);
  });

  it('accepts masked PANs with * or X, 13 to 19 long', async () => {
    const { records, rejects } = await parse(file(row({ CARD_NO: '411111XXX1111' }), row({ DOC_IDT: 'D2', CARD_NO: '411111*********1111' })));
    expect(rejects).toEqual([]);
    expect(records.map((r) => r.cardNo)).toEqual(['411111XXX1111', '411111*********1111']);
  });

  it('never shows a full PAN in a reject, whichever rule the row breaks', async () => {
    const rows = [
      row({ CARD_NO: FULL_PAN, AMOUNT: 'abc' }),
      row({ DOC_IDT: 'D2', CARD_NO: '4111 1111 1111 1111', TRANS_DATE: '2024-02-30' }),
      row({ DOC_IDT: 'D3', CARD_NO: '4111-1111-1111-1111-1111' }),
      row({ DOC_IDT: 'D4', MERCHANT_ID: FULL_PAN }),
      row({ DOC_IDT: 'D5', MERCHANT_ID: '4111 1111 1111 1111' }),
      `${row({ DOC_IDT: 'D6', CARD_NO: FULL_PAN })},extra`,
      row({ DOC_IDT: 'D7', RRN: FULL_PAN }),
      row({ DOC_IDT: 'D8', TRANS_TYPE: FULL_PAN }),
    ];
    const { rejects } = await parse(file(...rows));
    expect(rejects).toHaveLength(rows.length);
    const digits = (text: string) => text.replace(/[\s-]/g, '');
    for (const reject of rejects) {
      expect(digits(reject.reason)).not.toContain(FULL_PAN);
      expect(digits(reject.raw)).not.toContain(FULL_PAN);
    }
    expect(rejects[0].raw).toBe(row({ CARD_NO: MASKED, AMOUNT: 'abc' }));
    expect(rejects[1].raw).toContain(`,${MASKED},`);
    expect(rejects[3].reason).toBe(`MERCHANT_ID: ${MASKED} is longer than 15 characters`);
    expect(rejects[4].raw).toContain(`,${MASKED},`);
    expect(rejects[2].reason).not.toContain('4111');
  });
});

describe('parseSettlementFile: card numbers outside CARD_NO', () => {
  // Found by the fuzz: a PAN in TERMINAL_ID or DOC_IDT was stored and served as it was.
  it('masks a card number in MERCHANT_ID and TERMINAL_ID, as the archived file shows them', async () => {
    const { records, rejects } = await parse(
      file(row({ TERMINAL_ID: FULL_PAN }), row({ DOC_IDT: 'D2', MERCHANT_ID: '378282246310005' }), row({ DOC_IDT: 'D3', TERMINAL_ID: '4111111111111112' })),
    );
    expect(rejects).toEqual([]);
    expect(records.map((r) => [r.merchantId, r.terminalId])).toEqual([
      [null, MASKED],
      ['378282*****0005', null],
      // Not a card number (it fails the Luhn check): kept as it is.
      [null, '4111111111111112'],
    ]);
  });

  it('rejects a DOC_IDT that holds a card number, showing it masked', async () => {
    const { records, rejects } = await parse(
      file(row({ DOC_IDT: FULL_PAN }), row({ DOC_IDT: `X-${FULL_PAN}` }), row({ DOC_IDT: '4111-1111-1111-1111' }), row({ DOC_IDT: '4111111111111112' })),
    );
    expect(records.map((r) => r.docIdt)).toEqual(['4111111111111112']);
    expect(rejects.map((r) => [r.line, r.column, r.reason])).toEqual(
      [2, 3, 4].map((line) => [line, 'DOC_IDT', 'DOC_IDT: holds a card number, which is never stored (card numbers go in CARD_NO)']),
    );
    for (const reject of rejects) expect(reject.raw.replace(/-/g, '')).not.toContain(FULL_PAN);
  });
});

describe('parseSettlementFile: encodings', () => {
  const latin1File = Buffer.from(
    `${CANONICAL_HEADER}\n${row({ MERCHANT_ID: 'PLAIN' })}\n${row({ DOC_IDT: 'D2', MERCHANT_ID: 'Café' })}\n${row({ DOC_IDT: 'D3' })}\n`,
    'latin1',
  );

  it('loads the ASCII rows of a latin1 file under a UTF-8 profile and rejects the others', async () => {
    const { records, rejects } = await parse(latin1File);
    expect(records.map((r) => r.docIdt)).toEqual(['D1', 'D3']);
    expect(rejects).toEqual([expect.objectContaining({ line: 3, column: null, reason: expect.stringMatching(/^not valid UTF-8/) })]);
  });

  it('loads every row of the same file under a latin1 profile', async () => {
    const { records, rejects } = await parse(latin1File, { ...CANONICAL_PROFILE, name: 'l', encoding: 'latin1' });
    expect(rejects).toEqual([]);
    expect(records.map((r) => r.merchantId)).toEqual(['PLAIN', 'Café', null]);
  });

  it('rejects a row cut inside a multi-byte character at the end of the file', async () => {
    const text = Buffer.from(file(row()) + row({ DOC_IDT: 'D2', MERCHANT_ID: 'Caf\u00e9' }));
    const { records, rejects } = await parse(text.subarray(0, text.length - 1));
    expect(records.map((r) => r.docIdt)).toEqual(['D1']);
    expect(rejects.map((r) => r.line)).toEqual([3]);
  });
});

describe('parseSettlementFile: long records', () => {
  it('accepts a 100 KB field in an ignored column and rejects one in a checked column, keeping a bounded raw', async () => {
    const big = 'x'.repeat(100 * 1024);
    const text = 'DOC_IDT,TRANS_DATE,AMOUNT,NOTE,MERCHANT_ID\n' + `A,2024-01-01,1,"${big}",M\n` + `B,2024-01-01,1,,${big}\n` + 'C,2024-01-01,1,,M\n';
    const { records, rejects } = await parse(text);
    expect(records.map((r) => [r.docIdt, r.line])).toEqual([
      ['A', 2],
      ['C', 4],
    ]);
    expect(records[0].raw.length).toBeGreaterThan(100 * 1024);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toEqual(expect.objectContaining({ line: 3, column: 'MERCHANT_ID' }));
    expect(rejects[0].raw).toHaveLength(REJECT_RAW_MAX);
    expect(rejects[0].reason.length).toBeLessThan(100);
  });

  it('rejects a record longer than 1 MiB without losing count of the lines after it', async () => {
    const huge = `${'y'.repeat(700 * 1024)}\n${'z'.repeat(700 * 1024)}`;
    const text = `DOC_IDT,TRANS_DATE,AMOUNT,NOTE\nA,2024-01-01,1,"${huge}"\nB,2024-01-01,2,x\n`;
    // In 64 KiB chunks, as a file stream delivers it.
    const buffer = Buffer.from(text);
    const parts: Buffer[] = [];
    for (let i = 0; i < buffer.length; i += 65536) parts.push(buffer.subarray(i, i + 65536));
    const { records, rejects } = await parse(parts);
    expect(rejects).toEqual([expect.objectContaining({ line: 2, column: null, reason: 'record longer than 1 MiB' })]);
    expect(rejects[0].raw.length).toBeLessThanOrEqual(REJECT_RAW_MAX);
    expect(records.map((r) => [r.docIdt, r.line])).toEqual([['B', 4]]);
  });

  it('rejects an unquoted line longer than 1 MiB', async () => {
    const text = `DOC_IDT,TRANS_DATE,AMOUNT,NOTE\nA,2024-01-01,1,${'y'.repeat(1100 * 1024)}\nB,2024-01-01,2,x\n`;
    const buffer = Buffer.from(text);
    const parts: Buffer[] = [];
    for (let i = 0; i < buffer.length; i += 16384) parts.push(buffer.subarray(i, i + 16384));
    const { records, rejects } = await parse(parts);
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([[2, 'record longer than 1 MiB']]);
    expect(records.map((r) => r.line)).toEqual([3]);
  });
});

describe('parseSettlementFile: chunk boundaries', () => {
  // CRLF, a BOM, multi-byte characters (2, 3 and 4 bytes), quoted delimiters, quotes and line breaks.
  const text =
    '\uFEFFDOC_IDT,TRANS_DATE,AMOUNT,MERCHANT_ID,NOTE\r\n' +
    'A1,2024-01-01,1.50,Café,"a,b ""q""\r\nline2"\r\n' +
    '\r\n' +
    'A2,2024-02-29,-2,漢字,😀\r\n' +
    'A3,2024-02-30,3,x,y\r\n' +
    `A4,2024-03-01,4,"${FULL_PAN}","z"\r\n` +
    'A5,2024-03-02,5,,';
  const bytes = Buffer.from(text, 'utf8');

  it('gives the same result however the bytes are split in two', async () => {
    const whole = await parse(bytes);
    expect(whole.records.map((r) => [r.docIdt, r.line])).toEqual([
      ['A1', 2],
      ['A2', 5],
      ['A5', 8],
    ]);
    expect(whole.rejects.map((r) => [r.line, r.column])).toEqual([
      [6, 'TRANS_DATE'],
      [7, 'MERCHANT_ID'],
    ]);
    expect(whole.records[0].merchantId).toBe('Café');
    expect(whole.records[1].merchantId).toBe('漢字');
    for (let cut = 1; cut < bytes.length; cut++) {
      const split = await parse([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect({ cut, records: split.records, rejects: split.rejects }).toEqual({ cut, records: whole.records, rejects: whole.rejects });
    }
  });

  it('gives the same result fed one byte at a time', async () => {
    const whole = await parse(bytes);
    const single = await parse(Array.from(bytes, (b) => Buffer.from([b])));
    expect(single.records).toEqual(whole.records);
    expect(single.rejects).toEqual(whole.rejects);
  });

  it('reads a Readable stream', async () => {
    const batches: ParsedBatch[] = [];
    for await (const batch of parseSettlementFile(Readable.from([bytes]), CANONICAL_PROFILE)) batches.push(batch);
    expect(batches.flatMap((b) => b.records).map((r) => r.docIdt)).toEqual(['A1', 'A2', 'A5']);
  });
});

describe('parseSettlementFile: batches and resuming', () => {
  // Lines: 1 header, 2 R1, 3 R2 (bad), 4-5 R3 (two lines), 6 blank, 7 R4, 8 R5, 9 R6, 10 R7
  const text =
    'DOC_IDT,TRANS_DATE,AMOUNT,NOTE\n' +
    'R1,2024-01-01,1,\n' +
    'R2,2024-01-01,bad,\n' +
    'R3,2024-01-01,3,"two\nlines"\n' +
    '\n' +
    'R4,2024-01-01,4,\n' +
    'R5,2024-01-01,5,\n' +
    'R6,2024-01-01,6,\n' +
    'R7,2024-01-01,7,\n';

  it('cuts batches of records plus rejects, in file order, each ending at its last physical line', async () => {
    const { batches } = await parse(text, CANONICAL_PROFILE, { batchSize: 3 });
    expect(batches.map((b) => [b.records.map((r) => r.docIdt), b.rejects.map((r) => r.line), b.lastLine])).toEqual([
      [['R1', 'R3'], [3], 5],
      [['R4', 'R5', 'R6'], [], 9],
      [['R7'], [], 10],
    ]);
  });

  it('yields exactly one batch when the batch size is the number of rows', async () => {
    const { batches } = await parse(text, CANONICAL_PROFILE, { batchSize: 7 });
    expect(batches.map((b) => [b.records.length + b.rejects.length, b.lastLine])).toEqual([[7, 10]]);
  });

  it('skips every row starting at or before skipThroughLine', async () => {
    const all = await parse(text, CANONICAL_PROFILE, { batchSize: 3 });
    for (const batch of all.batches) {
      const rest = await parse(text, CANONICAL_PROFILE, { batchSize: 3, skipThroughLine: batch.lastLine });
      const after = (line: number) => line > batch.lastLine;
      expect(rest.records).toEqual(all.records.filter((r) => after(r.line)));
      expect(rest.rejects).toEqual(all.rejects.filter((r) => after(r.line)));
    }
    const fromInside = await parse(text, CANONICAL_PROFILE, { skipThroughLine: 4 });
    expect(fromInside.records.map((r) => r.docIdt)).toEqual(['R4', 'R5', 'R6', 'R7']);
    const fromFourth = await parse(text, CANONICAL_PROFILE, { skipThroughLine: 3 });
    expect(fromFourth.records.map((r) => r.docIdt)).toEqual(['R3', 'R4', 'R5', 'R6', 'R7']);
  });

  it('still fails a bad file when resuming', async () => {
    await expect(parse('X\n1\n', CANONICAL_PROFILE, { skipThroughLine: 5 })).rejects.toThrow(SettlementFileError);
  });

  it('refuses a batch size below 1', async () => {
    await expect(parse(text, CANONICAL_PROFILE, { batchSize: 0 })).rejects.toThrow(RangeError);
  });
});
