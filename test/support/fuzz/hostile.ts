import { JsonLike, RawJson, nested } from './bodies';
import type { Random } from './random';

/**
 * Values no well-behaved client sends, by kind. A fuzz case picks from them for one input at a time;
 * each kind is reported in the run's coverage, so a kind that stops being drawn is noticed.
 *
 * No value here is a Luhn-valid run of 13–19 digits: a card number a user keeps in their own free
 * text (a transaction's description) comes back to them as written, which is not what the oracle
 * judges. CARD_NUMBERS go only where the product promises to mask them: settlement files, and the
 * settlement query's filter_value (which an error may quote, masked).
 */
export const HOSTILE_TEXT: Record<string, readonly string[]> = {
  empty: ['', ' ', '   ', '\t', '\n', '\r\n'],
  huge: ['a'.repeat(256), 'x'.repeat(10_000), 'é'.repeat(40_000), '💳'.repeat(20_000)],
  nul: ['\u0000', 'a\u0000b', 'admin\u0000', '\u0000\u0000\u0000'],
  surrogate: ['\ud800', '\udfff', 'a\udfffb', '\udc00\ud800', 'x\ud83d'],
  control: ['\u0001', '\u0007\u0008', '\u001b[31mred\u001b[0m', 'line\r\nInjected: header', '\u007f', '\u0085', '\u2028\u2029', '\f\v'],
  numberText: [
    '1e309',
    '-1e309',
    '18446744073709551616',
    '9007199254740993',
    '-0',
    'NaN',
    'Infinity',
    '-Infinity',
    '0x1F',
    '1_000',
    '1e3',
    '00001',
    '+1',
    '.5',
    '1.',
    '1,5',
    '１２３',
    '٣',
    '0b101',
    '1e-400',
    '123456789012345678901234567890',
  ],
  sql: [
    "' OR '1'='1",
    "'; DROP TABLE users; --",
    '" OR 1=1 --',
    "admin'--",
    '1 UNION SELECT username, hashed_password FROM users',
    '%',
    '_',
    "\\'",
    '1; SELECT pg_sleep(10)',
    "' AND SLEEP(5) AND '1'='1",
    'DOC_IDT; --',
    'DOC_IDT desc, (SELECT 1)',
  ],
  jsonInjection: [
    '{"role":"admin"}',
    '","role":"admin',
    '"}, {"role": "admin',
    '{"$gt":""}',
    '{"$ne":null}',
    '[]',
    'null',
    'true',
    '{"__proto__":{"isAdmin":true}}',
    '\\"',
    '\\u0000',
    '{"a":'.repeat(50),
  ],
  html: ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><svg onload=alert(1)>', '&lt;&#x3C;', 'javascript:alert(1)'],
  path: [
    '../../etc/passwd',
    '..%2F..%2Fetc%2Fpasswd',
    '..\\..\\windows\\win.ini',
    '/etc/passwd',
    'file:///etc/passwd',
    '....//....//',
    '%2e%2e%2f',
    'inbox/../../secret',
    'C:\\boot.ini',
    '~/.ssh/id_rsa',
  ],
  unicode: [
    'e\u0301',
    'é',
    'ﬁ',
    '\u212b',
    '\u00c5',
    'ａｄｍｉｎ',
    'admin\u200b',
    '\u202eevil',
    'аdmin',
    '\ufeffadmin',
    'İ',
    'ß',
    'ǅ',
    'a\u0301\u0301\u0301\u0301\u0301\u0301',
    '𝕒𝕕𝕞𝕚𝕟',
    'Ⅻ',
    '\u00a0',
    '\u3000',
  ],
  format: ['%s%s%s%n', '${7*7}', '{{7*7}}', '#{7*7}', '%(x)s', '\\u0000', '\\', '"', "'", '`'],
  prototype: ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'],
  date: [
    '2026-02-30',
    '0000-00-00',
    '9999-12-31T23:59:59Z',
    '2026-01-01T25:00:00Z',
    '+275760-09-13T00:00:00.000Z',
    '-271821-04-20T00:00:00Z',
    'now',
    '2026-01-15T10:00:00+99:99',
    '2026-13-01',
    '20260115',
    '1970-01-01',
    '2026-01-15T10:00:00',
    '2026-01-15 10:00:00+00:00',
  ],
  uuid: [
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    'not-a-uuid',
    '{3f1c2a9e-8d7b-4c6a-9e5f-1a2b3c4d5e6f}',
    '3F1C2A9E-8D7B-4C6A-9E5F-1A2B3C4D5E6F',
    '3f1c2a9e8d7b4c6a9e5f1a2b3c4d5e6f',
    '3f1c2a9e-8d7b-4c6a-9e5f-1a2b3c4d5e6f0',
    'g0000000-0000-0000-0000-000000000000',
    '1',
    '-1',
  ],
  base64: ['=', '==', 'eyJ2IjoxfQ', 'eyJ2IjoxfQ.', '.abc', 'a.b', 'e30.e30', 'eyJfX3Byb3RvX18iOnsiYSI6MX19.AAAA', 'A'.repeat(511) + '.A', '-_-_.-_-_'],
};

export type HostileTextKind = keyof typeof HOSTILE_TEXT;

/** Luhn-valid test card numbers (the card schemes' published ones), with separators and without. */
export const CARD_NUMBERS = [
  '4111111111111111',
  '5555555555554444',
  '378282246310005',
  '6011111111111117',
  '3530111333300000',
  '4000056655665556',
  '2223003122003222',
];

/** JSON values that are not text, for any field. */
export const HOSTILE_JSON: Record<string, () => JsonLike> = {
  null: () => null,
  true: () => true,
  false: () => false,
  zero: () => 0,
  negative: () => -1,
  negativeZero: () => new RawJson('-0'),
  fraction: () => 1.5,
  overflow: () => new RawJson('1e309'),
  negativeOverflow: () => new RawJson('-1e309'),
  twoTo64: () => new RawJson('18446744073709551616'),
  pastSafe: () => new RawJson('9007199254740993'),
  underflow: () => new RawJson('1e-400'),
  longInteger: () => new RawJson('123456789012345678901234567890123456789'),
  emptyArray: () => [],
  array: () => ['a', 'b'],
  emptyObject: () => ({}),
  object: () => ({ a: 1 }),
  protoObject: () => new RawJson('{"__proto__":{"role":"admin","isAdmin":true}}'),
  deep: () => nested(20, 'array'),
  deeper: () => nested(2_000, 'object'),
  wideArray: () => new RawJson(`[${'1,'.repeat(50_000)}1]`),
};

/** A hostile text of any kind, and the kind it was. */
export function hostileText(rng: Random, kinds: readonly string[] = Object.keys(HOSTILE_TEXT)): { kind: string; value: string } {
  const kind = rng.pick(kinds);
  return { kind, value: rng.pick(HOSTILE_TEXT[kind]) };
}

/** A hostile JSON value for a field: text of any kind, or a value of another type. */
export function hostileJson(rng: Random): { kind: string; value: JsonLike } {
  if (rng.chance(0.55)) return hostileText(rng);
  const kind = rng.pick(Object.keys(HOSTILE_JSON));
  return { kind: `json:${kind}`, value: HOSTILE_JSON[kind]() };
}

/** Query or form text that cannot be written by encodeURIComponent: raw percent sequences. */
export const RAW_ENCODED = ['%', '%zz', '%E0%A4%A', '%ED%A0%80', '%C0%AF', '%FF%FE', '%00', '%u0041', '+%2B+', '%25%32%35'];
