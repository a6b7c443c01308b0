import { Readable, pipeline } from 'node:stream';
import { format } from 'fast-csv';
import { neutralise } from '@app/core';
import type { SettlementReject } from './entities/settlement-reject.entity';

export const REJECTS_HEADERS = ['line', 'column', 'reason', 'raw'];

/**
 * Rejected rows as a CSV stream (`line,column,reason,raw`) with back-pressure: rows are read as the
 * client takes them, and a client that goes away stops the read. Text cells are neutralised against
 * CSV injection: a raw line is somebody else's file, opened in a spreadsheet.
 */
export function rejectsCsv(rows: AsyncIterable<SettlementReject>): Readable {
  const csv = format({ headers: REJECTS_HEADERS, writeHeaders: true, alwaysWriteHeaders: true });
  const cells = Readable.from(
    (async function* () {
      for await (const row of rows) yield [row.line, neutralise(row.column), neutralise(row.reason), neutralise(row.raw)];
    })(),
  );
  pipeline(cells, csv, () => undefined);
  return csv;
}
