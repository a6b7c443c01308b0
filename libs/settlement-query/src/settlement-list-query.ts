import type { SettlementColumn } from '@app/settlement-ingest';
import type { CursorPosition } from './cursor-codec';

export type SortOrder = 'asc' | 'desc';

/**
 * A GET /api/transactions request once every parameter is checked and put in canonical form: the
 * column names upper case, values in the form the column stores them. Both the SQL and the cache
 * key are built from this, never from the raw query string.
 */
export interface SettlementListQuery {
  filter: { column: SettlementColumn; value: string } | null;
  /** TRANS_DATE bounds, both included, `YYYY-MM-DD`. */
  dateFrom: string | null;
  dateTo: string | null;
  sort: { column: SettlementColumn; order: SortOrder };
  skip: number;
  limit: number;
  /** Keyset position: rows strictly after it in the sort order. */
  after: CursorPosition | null;
}

/** A settlement record as the API returns it: the file's column names, amounts as decimal strings. */
export type SettlementRecordView = Record<SettlementColumn, string | null>;

/** Records are listed by this when no sort_by is given: DOC_IDT, the order the Momo system showed. */
export const DEFAULT_SORT: SettlementListQuery['sort'] = { column: 'DOC_IDT', order: 'asc' };
export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 1000;
/** Beyond this an offset page costs too much; the cursor reaches any depth. */
export const MAX_SKIP = 10_000_000;
export const RECENT_COUNT = 10;
