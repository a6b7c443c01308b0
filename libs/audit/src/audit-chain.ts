import { createHash } from 'node:crypto';
import { canonicalJson } from '@app/core';

/** The `prev_hash` of the first entry ever: the chain's genesis. */
export const GENESIS_HASH = '0'.repeat(64);

/** What an entry's hash covers: every column but the hashes themselves. */
export interface ChainedFields {
  seq: number;
  id: string;
  at: Date;
  actorId: string | null;
  actorUsername: string;
  action: string;
  subjectType: string;
  subjectId: string | null;
  requestId: string | null;
  before: string | null;
  after: string | null;
}

/** §Audit: `hash = sha256(prev_hash + canonical JSON of the entry)`. */
export function entryHash(prevHash: string, entry: ChainedFields): string {
  const body = canonicalJson({
    seq: entry.seq,
    id: entry.id,
    at: entry.at.toISOString(),
    actor_id: entry.actorId,
    actor_username: entry.actorUsername,
    action: entry.action,
    subject_type: entry.subjectType,
    subject_id: entry.subjectId,
    request_id: entry.requestId,
    before: entry.before,
    after: entry.after,
  });
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

/** The first thing wrong with a chain: which entry, and what happened to it. */
export interface ChainBreak {
  seq: number;
  problem: 'altered' | 'removed' | 'inserted';
  message: string;
}

/**
 * Walks a chain in `seq` order from its anchor (genesis, or where retention cut it) and names the
 * first entry altered (its hash no longer matches its content), removed (a gap in `seq`, or the
 * head ahead of the last entry) or inserted out of band (an entry that does not chain to the one
 * before it, or past the head).
 */
export class ChainWalker {
  private lastSeq: number;
  private lastHash: string;
  checked = 0;

  constructor(anchor: { seq: number; hash: string }) {
    this.lastSeq = anchor.seq;
    this.lastHash = anchor.hash;
  }

  /** The break `entry` shows, or null; after a break the walk is over. */
  next(entry: ChainedFields & { prevHash: string; hash: string }): ChainBreak | null {
    if (entry.seq > this.lastSeq + 1) {
      return {
        seq: this.lastSeq + 1,
        problem: 'removed',
        message: `entry ${this.lastSeq + 1} was removed (the chain goes from ${this.lastSeq} to ${entry.seq})`,
      };
    }
    if (entryHash(entry.prevHash, entry) !== entry.hash) {
      return { seq: entry.seq, problem: 'altered', message: `entry ${entry.seq} was altered: its hash does not match its content` };
    }
    if (entry.prevHash !== this.lastHash) {
      return {
        seq: entry.seq,
        problem: 'inserted',
        message: `entry ${entry.seq} was inserted or rewritten out of band: it does not chain to entry ${this.lastSeq}`,
      };
    }
    this.lastSeq = entry.seq;
    this.lastHash = entry.hash;
    this.checked += 1;
    return null;
  }

  /** After the last entry: the head must name it. */
  end(head: { seq: number; hash: string }): ChainBreak | null {
    if (head.seq > this.lastSeq) return { seq: this.lastSeq + 1, problem: 'removed', message: `entries ${this.lastSeq + 1} to ${head.seq} were removed` };
    if (head.seq < this.lastSeq)
      return { seq: head.seq + 1, problem: 'inserted', message: `entry ${head.seq + 1} was inserted out of band, past the chain's head` };
    if (head.hash !== this.lastHash)
      return { seq: this.lastSeq, problem: 'altered', message: `entry ${this.lastSeq} was altered: the chain's head holds another hash` };
    return null;
  }
}
