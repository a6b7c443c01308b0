import { maskPansInText } from '@app/core';
import { REJECT_RAW_MAX } from '../entities/settlement-reject.entity';
import type { RejectedRow, SettlementRecord, ParsedBatch } from '../settlement-record';
import type { BatchWriteResult, SettlementFileRef } from './settlement-batch-writer';

/** Where a DOC_IDT is stored: the file and physical line it was loaded from. */
export interface StoredOrigin {
  docIdt: string;
  fileId: string;
  line: number;
}

/**
 * What a dialect provides to writeBatch: the few statements that differ per database, all run on
 * the caller's transaction.
 */
export interface BatchStore {
  /**
   * How the database compares DOC_IDTs: a case-insensitive collation (MySQL's default) makes `ab`
   * and `AB` one key, and the writer must see them as the database does.
   */
  keyOf(docIdt: string): string;
  /** Inserts the records, skipping any whose DOC_IDT is stored (insert-ignore); answers how many went in. */
  insertIgnore(records: SettlementRecord[], fileId: string): Promise<number>;
  /** Where these DOC_IDTs are stored, as last committed (not an older snapshot) or inserted by this transaction. */
  findStored(docIdts: string[]): Promise<StoredOrigin[]>;
  /** File names by id, for the duplicate reasons. */
  fileNames(ids: string[]): Promise<Map<string, string>>;
  /** Inserts the rejects, skipping any already stored for (file, line), so a replayed batch is harmless. */
  insertRejects(fileId: string, rejects: RejectedRow[]): Promise<void>;
}

const REASON_MAX = 255;
const COLUMN_MAX = 32;

export function duplicateReason(fileName: string, line: number): string {
  return clip(`duplicate DOC_IDT: already loaded from ${fileName} line ${line}`, REASON_MAX);
}

/** The reject of a record refused as a duplicate; its raw text may still hold a PAN in a field other than CARD_NO. */
export function duplicateReject(record: SettlementRecord, reason: string): RejectedRow {
  return { line: record.line, column: 'DOC_IDT', reason, raw: clip(maskPansInText(record.raw), REJECT_RAW_MAX) };
}

/** A parser's reject cut to the columns' sizes, so one oversized text never fails a whole batch. */
export function fitReject(reject: RejectedRow): RejectedRow {
  return {
    line: reject.line,
    column: reject.column === null ? null : clip(reject.column, COLUMN_MAX),
    reason: clip(reject.reason, REASON_MAX),
    raw: clip(reject.raw, REJECT_RAW_MAX),
  };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}

/**
 * Keeps the first record of each DOC_IDT (in file order) and lists the later ones with their first.
 * The kept records come back sorted by key: concurrent loads then take their row locks in the same
 * order, so two files sharing DOC_IDTs wait for each other instead of deadlocking.
 */
export function splitRepeats(records: SettlementRecord[], keyOf: (docIdt: string) => string) {
  const firstByKey = new Map<string, SettlementRecord>();
  const repeats: Array<{ record: SettlementRecord; first: SettlementRecord }> = [];
  for (const record of records) {
    const key = keyOf(record.docIdt);
    const first = firstByKey.get(key);
    if (first) repeats.push({ record, first });
    else firstByKey.set(key, record);
  }
  const firsts = [...firstByKey.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, record]) => record);
  return { firsts, repeats };
}

/**
 * The dialect-independent part of SettlementBatchWriter.write: insert-ignore every first occurrence,
 * and only when fewer went in than were sent, look up where the missing ones are stored (the common
 * case, a file of new records, costs one statement).
 */
export async function writeBatch(store: BatchStore, file: SettlementFileRef, batch: ParsedBatch): Promise<BatchWriteResult> {
  const { firsts, repeats } = splitRepeats(batch.records, (id) => store.keyOf(id));
  const loaded = firsts.length > 0 ? await store.insertIgnore(firsts, file.id) : 0;

  let ours = loaded;
  /** The reason given to each refused first occurrence, by key, so its repeats name the same origin. */
  const refusedReason = new Map<string, string>();
  const duplicates: RejectedRow[] = [];
  if (loaded < firsts.length) {
    const stored = new Map((await store.findStored(firsts.map((r) => r.docIdt))).map((s) => [store.keyOf(s.docIdt), s]));
    ours = 0;
    const refused: Array<{ record: SettlementRecord; origin: StoredOrigin }> = [];
    for (const record of firsts) {
      const origin = stored.get(store.keyOf(record.docIdt));
      // Not inserted yet not stored: the database broke insert-ignore's promise; never drop a row silently.
      if (!origin) throw new Error(`DOC_IDT at line ${record.line} was neither inserted nor found stored`);
      if (origin.fileId === file.id && origin.line === record.line) ours += 1;
      else refused.push({ record, origin });
    }
    const names = await namesOf(
      store,
      file,
      refused.map((r) => r.origin.fileId),
    );
    for (const { record, origin } of refused) {
      const reason = duplicateReason(names.get(origin.fileId) ?? origin.fileId, origin.line);
      refusedReason.set(store.keyOf(record.docIdt), reason);
      duplicates.push(duplicateReject(record, reason));
    }
  }
  for (const { record, first } of repeats) {
    const reason = refusedReason.get(store.keyOf(first.docIdt)) ?? duplicateReason(file.name, first.line);
    duplicates.push(duplicateReject(record, reason));
  }

  const rejects = batch.rejects.map(fitReject).concat(duplicates);
  if (rejects.length > 0) await store.insertRejects(file.id, rejects);
  return { loaded, rejected: rejects.length, alreadyStored: ours - loaded };
}

async function namesOf(store: BatchStore, file: SettlementFileRef, fileIds: string[]): Promise<Map<string, string>> {
  const others = [...new Set(fileIds)].filter((id) => id !== file.id);
  const names = others.length > 0 ? await store.fileNames(others) : new Map<string, string>();
  names.set(file.id, file.name);
  return names;
}
