import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '@app/core';

/** Where a keyset page ends: the last row's sort value (null for a NULL cell) and its DOC_IDT. */
export interface CursorPosition {
  sortValue: string | null;
  docIdt: string;
}

const VERSION = 1;
const MAC_BYTES = 16;
export const CURSOR_MAX_LENGTH = 512;

interface Payload {
  v: number;
  /** Scope: a digest of the query the cursor was issued for (sort column and order, filter, dates). */
  q: string;
  k: string | null;
  i: string;
}

const bad = (problem: string) => ValidationError.fields([{ field: 'cursor', problems: [problem] }]);

/**
 * Opaque keyset cursors: `base64url(payload).base64url(hmac)`. The HMAC (a key derived from
 * SECRET_KEY, so every replica accepts every other's cursors) makes a forged cursor a 400, and the
 * payload names the query it belongs to, so a cursor reused with another sort, order, filter or date
 * range is a 400 too rather than a silently wrong page. Its values are still bound as parameters and
 * re-validated by the caller: the signature is not the only guard.
 */
export class CursorCodec {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('settlement-query cursor v1').digest();
  }

  /** A short digest of the query shape a cursor is bound to. */
  static scope(parts: readonly unknown[]): string {
    return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 22);
  }

  encode(scope: string, position: CursorPosition): string {
    const payload: Payload = { v: VERSION, q: scope, k: position.sortValue, i: position.docIdt };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /** The position, or a 400 naming `cursor` when it is malformed, forged or from another query. */
  decode(scope: string, token: string): CursorPosition {
    const dot = token.indexOf('.');
    if (token.length > CURSOR_MAX_LENGTH || dot <= 0) throw bad('cursor is not a cursor this API issued');
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = this.mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw bad('cursor is not valid (altered, or issued with another key): start again without it');
    }
    let payload: Partial<Payload>;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<Payload>;
    } catch {
      throw bad('cursor is not a cursor this API issued');
    }
    if (payload.v !== VERSION || typeof payload.i !== 'string' || !(payload.k === null || typeof payload.k === 'string')) {
      throw bad('cursor is not a cursor this API issued');
    }
    if (payload.q !== scope) {
      throw bad('cursor belongs to another query: keep sort_by, sort_order, filter_by, filter_value, date_from and date_to as they were');
    }
    return { sortValue: payload.k, docIdt: payload.i };
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, MAC_BYTES);
  }
}
