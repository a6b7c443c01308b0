import { readFileSync } from 'node:fs';
import { SAMPLE_FILE } from '../openapi';
import { CARD_NUMBERS } from './hostile';
import type { Random } from './random';

const HEADER = 'DOC_IDT,TRANS_DATE,TRANS_TIME,AMOUNT,CURRENCY,CARD_NO,MERCHANT_ID,TERMINAL_ID,MCC,RRN,AUTH_CODE,TRANS_TYPE,FEE,SETTLE_DATE';

/** A well-formed row of the canonical profile, with any cell replaced. */
function row(id: string, cells: Partial<Record<string, string>> = {}): string {
  const base: Record<string, string> = {
    DOC_IDT: id,
    TRANS_DATE: '2026-01-15',
    TRANS_TIME: '10:00:00',
    AMOUNT: '100000',
    CURRENCY: 'VND',
    CARD_NO: '970405******5868',
    MERCHANT_ID: 'MCH000012202',
    TERMINAL_ID: 'TID00121054',
    MCC: '4814',
    RRN: '669891000001',
    AUTH_CODE: '577KGZ',
    TRANS_TYPE: 'PURCHASE',
    FEE: '1000',
    SETTLE_DATE: '2026-01-16',
    ...cells,
  };
  return HEADER.split(',')
    .map((column) => base[column])
    .join(',');
}

/**
 * Settlement files an operator should never upload, by kind: card numbers in every column (stored
 * rows and rejected rows alike must come back masked), broken encodings, broken CSV, sizes past
 * any sane line, formulas, SQL. Each gets fresh DOC_IDTs, so it is a new file, not a duplicate.
 */
const FILES: Record<string, (rng: Random, id: (n: number) => string) => string | Buffer> = {
  cardsEverywhere: (rng, id) =>
    [
      HEADER,
      ...CARD_NUMBERS.map((pan, i) => row(id(i), { CARD_NO: pan })),
      row(id(20), { MERCHANT_ID: CARD_NUMBERS[0] }),
      row(id(21), { TERMINAL_ID: CARD_NUMBERS[1] }),
      row(CARD_NUMBERS[2]),
      row(id(22), { AUTH_CODE: `x${CARD_NUMBERS[3]}y` }),
      row(id(23), { MERCHANT_ID: `"${CARD_NUMBERS[4]},x"` }),
      // Rejected rows: the rejects CSV shows each raw line, card numbers masked.
      row(id(30), { CARD_NO: CARD_NUMBERS[0], TRANS_DATE: '2026-02-30' }),
      row(id(31), { CARD_NO: CARD_NUMBERS[5], AMOUNT: 'lots' }),
      row(id(32), { RRN: CARD_NUMBERS[6], CURRENCY: '€€€' }),
      `${id(33)},${CARD_NUMBERS[1]}`,
      `${CARD_NUMBERS[0]},${CARD_NUMBERS[1]},${CARD_NUMBERS[2]}`,
    ].join('\n') + '\n',
  fresh: (_rng, id) => {
    const lines = readFileSync(SAMPLE_FILE, 'utf8').trim().split('\n');
    return [lines[0], ...lines.slice(1).map((line, i) => line.replace(/^[^,]*/, id(i)))].join('\n') + '\n';
  },
  empty: () => '',
  headerOnly: () => `${HEADER}\n`,
  wrongHeader: (_rng, id) => `A,B,C\n${id(0)},2,3\n`,
  lowerCaseHeader: (_rng, id) => `${HEADER.toLowerCase()}\n${row(id(0))}\n`,
  duplicateColumns: (_rng, id) => `${HEADER},DOC_IDT\n${row(id(0))},${id(1)}\n`,
  extraColumns: (_rng, id) => `${HEADER},EXTRA\n${row(id(0))},x\n`,
  missingCells: (_rng, id) => `${HEADER}\n${id(0)},2026-01-15\n`,
  binary: (rng) => Buffer.from(Array.from({ length: 4_096 }, () => rng.int(256))),
  nulBytes: (_rng, id) => `${HEADER}\n${row(id(0), { MERCHANT_ID: 'MCH\u0000\u0000' })}\n`,
  utf16: (_rng, id) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}\n${row(id(0))}\n`, 'utf16le')]),
  invalidUtf8: (_rng, id) =>
    Buffer.concat([
      Buffer.from(`${HEADER}\n${id(0)},2026-01-15,10:00:00,1,VND,`),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from(',M,T,4814,1,A,PURCHASE,1,2026-01-16\n'),
    ]),
  bom: (_rng, id) => `\ufeff${HEADER}\n${row(id(0))}\n`,
  longLine: (_rng, id) => `${HEADER}\n${row(id(0), { MERCHANT_ID: 'M'.repeat(200_000) })}\n`,
  manyColumns: (_rng, id) => `${HEADER}\n${row(id(0))}${',x'.repeat(5_000)}\n`,
  unterminatedQuote: (_rng, id) => `${HEADER}\n${row(id(0), { MERCHANT_ID: '"unterminated' })}\n${row(id(1))}\n`,
  quotesInside: (_rng, id) => `${HEADER}\n${row(id(0), { MERCHANT_ID: '"a""b"', TERMINAL_ID: '"x\ny"' })}\n`,
  crOnly: (_rng, id) => `${HEADER}\r${row(id(0))}\r${row(id(1))}\r`,
  formulas: (_rng, id) => `${HEADER}\n${row(id(0), { MERCHANT_ID: "=cmd|' /C calc'!A0", TERMINAL_ID: '+SUM(1+1)', AUTH_CODE: '@x', DOC_IDT: `-${id(1)}` })}\n`,
  sql: (_rng, id) => `${HEADER}\n${row(id(0), { MERCHANT_ID: "'; DROP TABLE card_transactions; --", TERMINAL_ID: '" OR 1=1' })}\n`,
  hugeNumbers: (_rng, id) => `${HEADER}\n${row(id(0), { AMOUNT: '9'.repeat(60), FEE: '1e309' })}\n${row(id(1), { AMOUNT: '-0', FEE: 'NaN' })}\n`,
  oddDates: (_rng, id) => `${HEADER}\n${row(id(0), { TRANS_DATE: '0000-00-00', SETTLE_DATE: '9999-12-31' })}\n${row(id(1), { TRANS_TIME: '25:61:61' })}\n`,
  duplicateIds: (_rng, id) => `${HEADER}\n${row(id(0))}\n${row(id(0))}\n${row(id(0), { AMOUNT: '2' })}\n`,
  blankLines: (_rng, id) => `\n\n${HEADER}\n\n${row(id(0))}\n\n\n`,
  manyRows: (_rng, id) => `${HEADER}\n${Array.from({ length: 3_000 }, (_, i) => row(id(i))).join('\n')}\n`,
};

const FILENAMES = [
  'settlement.csv',
  '../../etc/passwd.csv',
  'a'.repeat(300) + '.csv',
  'é💳 ümlaut.csv',
  'no-extension',
  '.csv',
  'x.CSV',
  'x.csv.exe',
  '<script>.csv',
  "'; DROP TABLE x; --.csv",
];

export function hostileCsv(rng: Random, kind = rng.pick(Object.keys(FILES))): { kind: string; filename: string; data: Buffer } {
  const prefix = `FZ${rng.hex(10)}`;
  const built = FILES[kind](rng, (n) => `${prefix}-${n}`);
  return { kind, filename: rng.pick(FILENAMES), data: Buffer.isBuffer(built) ? built : Buffer.from(built, 'utf8') };
}
