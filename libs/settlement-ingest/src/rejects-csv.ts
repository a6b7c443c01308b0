import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { format } from 'fast-csv';
import { neutralise } from '@app/core';
import type { SettlementReject } from './entities/settlement-reject.entity';

export const REJECTS_HEADERS = ['line', 'column', 'reason', 'raw'];

/**
 * Streams rejected rows as CSV (`line,column,reason,raw`) with back-pressure. Text cells are
 * neutralised against CSV injection: a raw line is somebody else's file, opened in a spreadsheet.
 */
export async function writeRejectsCsv(rows: AsyncIterable<SettlementReject>, out: Writable): Promise<void> {
  const csv = format({ headers: REJECTS_HEADERS, writeHeaders: true, alwaysWriteHeaders: true });
  csv.pipe(out);
  for await (const row of rows) {
    if (!csv.write([row.line, neutralise(row.column), neutralise(row.reason), neutralise(row.raw)])) await once(csv, 'drain');
  }
  csv.end();
  await once(out, 'finish');
}
