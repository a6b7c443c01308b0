import { ValidationError } from '@app/core';
import { CursorCodec } from './cursor-codec';

const problemOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    const [detail] = (error as ValidationError).details as Array<{ field: string; problems: string[] }>;
    expect(detail.field).toBe('cursor');
    return detail.problems[0];
  }
  throw new Error('expected a 400 about the cursor');
};

describe('CursorCodec', () => {
  const codec = new CursorCodec('a-secret-key-of-at-least-32-bytes-long!');
  const scope = CursorCodec.scope(['AMOUNT', 'desc', null, null, null, null]);

  it('round-trips a position, NULL sort values included', () => {
    for (const position of [
      { sortValue: '-12.50', docIdt: 'DOC-1' },
      { sortValue: null, docIdt: 'x_9' },
    ]) {
      expect(codec.decode(scope, codec.encode(scope, position))).toEqual(position);
    }
  });

  it('is URL-safe and opaque', () => {
    expect(codec.encode(scope, { sortValue: 'a/b+c', docIdt: 'D' })).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('refuses a cursor whose payload was changed', () => {
    const [, mac] = codec.encode(scope, { sortValue: '1.00', docIdt: 'D1' }).split('.');
    const forged = Buffer.from(JSON.stringify({ v: 1, q: scope, k: '999.00', i: 'D1' })).toString('base64url');
    expect(problemOf(() => codec.decode(scope, `${forged}.${mac}`))).toMatch(/not valid/);
  });

  it('refuses a cursor signed with another key', () => {
    const other = new CursorCodec('another-secret-key-of-at-least-32-bytes');
    expect(problemOf(() => codec.decode(scope, other.encode(scope, { sortValue: '1.00', docIdt: 'D1' })))).toMatch(/not valid/);
  });

  it('refuses a cursor issued for another query', () => {
    const token = codec.encode(scope, { sortValue: '1.00', docIdt: 'D1' });
    const otherScope = CursorCodec.scope(['AMOUNT', 'asc', null, null, null, null]);
    expect(problemOf(() => codec.decode(otherScope, token))).toMatch(/belongs to another query/);
  });

  it.each(['', '.', 'abc', 'abc.', '.abc', 'x'.repeat(600), 'bm90IGpzb24.AAAAAAAAAAAAAAAAAAAAAA'])('refuses %p', (token) => {
    expect(problemOf(() => codec.decode(scope, token))).toMatch(/not|cursor/);
  });

  it('refuses a correctly signed payload of the wrong shape', () => {
    // Signed with the right key but not something encode() makes: the shape is still checked.
    const body = Buffer.from(JSON.stringify({ v: 1, q: scope, k: 5, i: 'D1' })).toString('base64url');
    const mac = (codec as unknown as { mac(body: string): Buffer }).mac(body).toString('base64url');
    expect(problemOf(() => codec.decode(scope, `${body}.${mac}`))).toMatch(/not a cursor this API issued/);
  });

  it('scopes differ when any part of the query differs', () => {
    const parts = ['TRANS_DATE', 'asc', 'MERCHANT_ID', 'M1', '2026-01-01', null];
    const scopes = new Set([CursorCodec.scope(parts)]);
    for (let i = 0; i < parts.length; i++) {
      const changed = [...parts];
      changed[i] = changed[i] === null ? 'x' : null;
      scopes.add(CursorCodec.scope(changed));
    }
    expect(scopes.size).toBe(parts.length + 1);
  });
});
