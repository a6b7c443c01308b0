import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager, QueryRunner } from 'typeorm';
import type { ParsedBatch, RejectedRow, SettlementRecord } from '../settlement-record';
import { CARD_TRANSACTION_COLUMNS, tsvStream } from './record-rows';
import { BatchWriteResult, SettlementBatchWriter, SettlementFileRef, transactionRunner } from './settlement-batch-writer';
import { BatchStore, StoredOrigin, writeBatch } from './write-batch';

const COLUMNS = CARD_TRANSACTION_COLUMNS.join(', ');

/**
 * Where the slow path stages a batch: session-private (concurrent loads never see each other's
 * rows), emptied at every commit and after each use, so two batches in one transaction stay apart.
 */
const STAGING = 'settlement_load_staging';
const SAVEPOINT = 'settlement_batch_copy';
const UNIQUE_VIOLATION = '23505';

/**
 * PostgreSQL. Fast path: COPY FROM STDIN (pg-copy-streams) straight into card_transactions, inside a
 * savepoint; as fast as psql's \copy, and the common case (a file of new records). When the COPY
 * meets a stored DOC_IDT (a duplicate, or a concurrent load's row), the savepoint is rolled back and
 * the batch goes the insert-ignore way: COPY into a temporary staging table, then one
 * INSERT … SELECT … ON CONFLICT (doc_idt) DO NOTHING. ON CONFLICT costs ~20% on every row, hence
 * only on demand.
 */
export class PostgresBatchWriter implements SettlementBatchWriter {
  async write(manager: EntityManager, file: SettlementFileRef, batch: ParsedBatch): Promise<BatchWriteResult> {
    return writeBatch(new PostgresStore(transactionRunner(manager)), file, batch);
  }
}

class PostgresStore implements BatchStore {
  constructor(private readonly runner: QueryRunner) {}

  keyOf(docIdt: string): string {
    return docIdt;
  }

  async insertIgnore(records: SettlementRecord[], fileId: string): Promise<number> {
    await this.runner.query(`SAVEPOINT ${SAVEPOINT}`);
    try {
      const copied = await this.copy('card_transactions', records, fileId);
      await this.runner.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
      return copied;
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      await this.runner.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
    }
    // IF NOT EXISTS: the table lives as long as the pooled session; a rolled-back batch takes it away.
    await this.runner.query(`CREATE TEMP TABLE IF NOT EXISTS ${STAGING} (LIKE card_transactions) ON COMMIT DELETE ROWS`);
    await this.copy(STAGING, records, fileId);
    // COLLATE "C": rows are locked in the order the fast path copies them (JavaScript's, bytewise),
    // the same in every concurrent load, so two loads sharing DOC_IDTs wait instead of deadlocking.
    const result = await this.runner.query(
      `INSERT INTO card_transactions (${COLUMNS}) SELECT ${COLUMNS} FROM ${STAGING}
       ORDER BY doc_idt COLLATE "C" ON CONFLICT (doc_idt) DO NOTHING`,
      [],
      true,
    );
    await this.runner.query(`TRUNCATE ${STAGING}`);
    return result.affected ?? 0;
  }

  /** COPY of tab-separated rows into `table`, on the transaction's own connection. */
  private async copy(table: string, records: SettlementRecord[], fileId: string): Promise<number> {
    const client = (await this.runner.connect()) as PoolClient;
    const stream = client.query(copyFrom(`COPY ${table} (${COLUMNS}) FROM STDIN`));
    await pipeline(tsvStream(records, fileId), stream);
    return stream.rowCount;
  }

  async findStored(docIdts: string[]): Promise<StoredOrigin[]> {
    const rows: Array<{ doc_idt: string; file_id: string; line: number }> = await this.runner.query(
      'SELECT doc_idt, file_id, line FROM card_transactions WHERE doc_idt = ANY($1::varchar[])',
      [docIdts],
    );
    return rows.map((r) => ({ docIdt: r.doc_idt, fileId: r.file_id, line: Number(r.line) }));
  }

  async fileNames(ids: string[]): Promise<Map<string, string>> {
    const rows: Array<{ id: string; name: string }> = await this.runner.query('SELECT id, name FROM settlement_files WHERE id = ANY($1::varchar[])', [ids]);
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async insertRejects(fileId: string, rejects: RejectedRow[]): Promise<void> {
    await this.runner.query(
      `INSERT INTO settlement_rejects (file_id, line, "column", reason, raw)
       SELECT $1, * FROM unnest($2::int[], $3::varchar[], $4::varchar[], $5::varchar[])
       ON CONFLICT (file_id, line) DO NOTHING`,
      [fileId, rejects.map((r) => r.line), rejects.map((r) => r.column), rejects.map((r) => r.reason), rejects.map((r) => r.raw)],
    );
  }
}
