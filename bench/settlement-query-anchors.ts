/**
 * The uncached read's stream and its anchor (§Performance): a stream of distinct GET /api/transactions
 * queries (no two alike, so none is a cache hit), and a bare mysql2 pool running, for the same
 * stream at the same concurrency, the statements the product sends for each of them: its page and
 * its COUNT, built by the product's own settlement-sql.ts, bound the same way, sent concurrently as
 * the product sends them. Both sides run the product's SQL, so a cheaper statement moves both.
 */
import { createPool } from 'mysql2/promise';
import { countStatement, pageStatement } from '../libs/settlement-query/src/settlement-sql';
import type { SettlementListQuery } from '../libs/settlement-query/src/settlement-list-query';
import type { Load } from './http-load';

export const MERCHANTS = 1000;
const DAYS = 730;
/** The product's settlement pool (libs/database data-source-options, `connectionLimit`). */
export const PRODUCT_POOL_SIZE = 20;

export const merchantId = (i: number) => `MERCH${String(i % MERCHANTS).padStart(10, '0')}`;

/** The cached read's request: one of the first `MERCHANTS` merchants' latest records. */
export const merchantPath = (i: number) => `/api/transactions?filter_by=MERCHANT_ID&filter_value=${merchantId(i)}&sort_by=TRANS_DATE&sort_order=desc&limit=10`;

/**
 * Query `i` of the distinct stream: merchant `i mod 1000`, its latest records from a date that
 * moves by a day every 1,000 queries (730,000 distinct queries, each counting up to ~980 records).
 */
function distinct(i: number): { merchant: string; dateFrom: string } {
  if (i >= MERCHANTS * DAYS) throw new Error(`the distinct stream has ${MERCHANTS * DAYS} queries`);
  const day = new Date(Date.UTC(2024, 0, 1) + Math.floor(i / MERCHANTS) * 86_400_000);
  return { merchant: merchantId(i), dateFrom: day.toISOString().slice(0, 10) };
}

export const distinctPath = (i: number) => {
  const { merchant, dateFrom } = distinct(i);
  return `/api/transactions?filter_by=MERCHANT_ID&filter_value=${merchant}&date_from=${dateFrom}&sort_by=TRANS_DATE&sort_order=desc&limit=10`;
};

/** Query `i` as the product's service normalises it (settlement-query.service.ts `normalise`). */
export function distinctQuery(i: number): SettlementListQuery {
  const { merchant, dateFrom } = distinct(i);
  return {
    filter: { column: 'MERCHANT_ID', value: merchant },
    dateFrom,
    dateTo: null,
    sort: { column: 'TRANS_DATE', order: 'desc' },
    skip: 0,
    limit: 10,
    after: null,
  };
}

/** How the product sends a statement: mysql2 `query` (text protocol) or `execute` (prepared). */
export type SendMode = 'query' | 'execute';

/**
 * The database's ceiling: `connections` workers, each sending query `from + n`'s page and COUNT
 * together (as the product does) and taking the next when both have answered, for `seconds`.
 * Latency is per query, page and COUNT both answered.
 */
export async function mysqlAnchor(url: string, from: number, seconds: number, connections: number, mode: SendMode): Promise<Load & { queries: number }> {
  const pool = createPool({ uri: url, connectionLimit: PRODUCT_POOL_SIZE });
  let next = from;
  let failed = 0;
  const latencies: number[] = [];
  const send = (statement: { sql: string; params: unknown[] }) =>
    mode === 'execute' ? pool.execute(statement.sql, statement.params as never[]) : pool.query(statement.sql, statement.params);
  try {
    const end = Date.now() + seconds * 1000;
    const worker = async () => {
      while (Date.now() < end) {
        const query = distinctQuery(next++);
        const started = process.hrtime.bigint();
        try {
          await Promise.all([send(pageStatement('mysql', query)), send(countStatement('mysql', query))]);
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        } catch {
          failed++;
        }
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: connections }, worker));
    const elapsed = (Date.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]);
    return { rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), failed, queries: next - from };
  } finally {
    await pool.end();
  }
}
