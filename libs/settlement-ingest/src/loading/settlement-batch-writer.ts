import type { EntityManager, QueryRunner } from 'typeorm';
import type { ParsedBatch } from '../settlement-record';

/** The file a batch belongs to: its id (stored on every row) and its name (quoted in duplicate reasons). */
export interface SettlementFileRef {
  id: string;
  name: string;
}

export interface BatchWriteResult {
  /** Records inserted by this call. */
  loaded: number;
  /** Rows recorded as rejects: the parser's plus one per record refused as a duplicate DOC_IDT. */
  rejected: number;
  /**
   * Records found already stored under this very file and line (a batch written again after its
   * commit): neither loaded again nor rejected. 0 whenever the caller commits the checkpoint with
   * the batch, as it should.
   */
  alreadyStored: number;
}

/**
 * Stores one parsed batch of a settlement file. One implementation per dialect, chosen by
 * createSettlementBatchWriter from the data source's type (STYLE.md §7). An abstract class rather
 * than an interface only so that it can be Nest's injection token.
 */
export abstract class SettlementBatchWriter {
  /**
   * Inside the caller's transaction (`manager` must come from one, e.g. `dataSource.transaction`):
   * stores the batch's records whose DOC_IDT is not already stored, and the batch's rejects plus one
   * reject per record refused as a duplicate DOC_IDT (stored by any file, or repeated in the batch).
   * Never commits and never fails on a duplicate, even one a concurrent load inserts at the same
   * moment; writing the same batch again after a rollback gives the same result.
   */
  abstract write(manager: EntityManager, file: SettlementFileRef, batch: ParsedBatch): Promise<BatchWriteResult>;
}

/** The caller's query runner, refusing to work outside a transaction (a batch must be all or nothing). */
export function transactionRunner(manager: EntityManager): QueryRunner {
  const runner = manager.queryRunner;
  if (!runner || !runner.isTransactionActive) {
    throw new Error('SettlementBatchWriter.write needs an EntityManager of an open transaction');
  }
  return runner;
}
