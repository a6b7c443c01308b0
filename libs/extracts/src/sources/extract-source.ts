import type { DataSource } from 'typeorm';
import type { ExtractParams } from '../dto/generate-data.dto';
import type { ExtractSql } from '../sql/period-bucketing';

/** A SELECT for the detailed rows, with `?` placeholders, run through streamRows. */
export interface DetailedQuery {
  sql: string;
  params: unknown[];
}

/**
 * What one extract source (§Extracts: `transactions`, `settlement`) contributes: its data source,
 * its CSV columns, the aggregate the database computes and the detailed rows it streams. The
 * processor does the rest (file, back-pressure, progress, time-out) the same way for every source.
 */
export interface ExtractSourceReader {
  readonly dataSource: DataSource;
  /** The dialect's SQL of this source's data source (finance and settlement may differ). */
  readonly sql: ExtractSql;
  readonly aggregatedHeaders: readonly string[];
  readonly detailedHeaders: readonly string[];
  /** Every aggregated row of the period, computed exactly by the database, as CSV cells. */
  aggregate(ownerId: string, params: ExtractParams): Promise<string[][]>;
  /** How many records the detailed extract will write (for progress). */
  count(ownerId: string, params: ExtractParams): Promise<number>;
  detailedQuery(ownerId: string, params: ExtractParams): DetailedQuery;
  /** One streamed row (as the driver returned it) as CSV cells: money normalised, text neutralised. */
  detailedRow(row: unknown[]): string[];
  /**
   * The same rows with every cell already as detailedRow makes it, computed by the database, for a
   * dialect that writes CSV itself (`sql.csvCells`, PostgreSQL): streamed with copyCsv, no row ever
   * reaches JavaScript. Undefined where the dialect cannot, or the source's cells need JavaScript.
   */
  detailedCsvQuery?(ownerId: string, params: ExtractParams): DetailedQuery | undefined;
}
