import type { Schema } from '../openapi';
import { JsonLike, RawJson } from './bodies';
import { HOSTILE_TEXT, hostileText } from './hostile';
import type { Random } from './random';

/**
 * The hostile parts of a request, by where they go (mutations.ts puts them there): wrong values by a
 * field's type, extra fields, malformed bodies, content types, odd headers, Idempotency-Keys,
 * methods and raw path values.
 */

const AMOUNTS = [
  '1e3',
  '-0.00',
  '0.001',
  '99999999999999999999.99',
  '1,00',
  '１.００',
  'NaN',
  ' 1.00',
  '1.2.3',
  '--1',
  '+1.00',
  '0x10',
  '.5',
  '5.',
  '-',
  '1e-2',
  '٣.٠٠',
  '0'.repeat(300) + '1',
];
const CURRENCIES = ['usd', 'XXX', 'US', '€', 'USDD', 'XTS', 'ＵＳＤ', 'US D', 'U\u0301SD'];
const EMAILS = [
  'a@b',
  'not-an-email',
  '@example.com',
  'a@b@c.com',
  '"a b"@example.com',
  'a@[127.0.0.1]',
  `${'a'.repeat(300)}@x.com`,
  'é@ü.com',
  'ALICE@EXAMPLE.COM',
  'alice@example.com\n',
];

/** A wrong value for a field of a known type (its edges, its neighbours, another type). */
export function typedValue(name: string, schema: Schema | undefined, json: boolean, rng: Random): { kind: string; value: JsonLike } {
  const type = schema?.type;
  if (type === 'integer' || type === 'number') {
    const min = schema?.minimum ?? 0;
    const max = schema?.maximum ?? 2 ** 31;
    const values: JsonLike[] = json
      ? [
          min - 1,
          max + 1,
          1.5,
          new RawJson('-0'),
          2 ** 31,
          new RawJson('9007199254740993'),
          new RawJson('1e309'),
          new RawJson('1e-400'),
          String(min),
          true,
          null,
          [min],
          { value: min },
        ]
      : [String(min - 1), String(max + 1), '1.5', '1e3', '', ' 1', '0x10', '18446744073709551616', '-0', '１', 'NaN'];
    return { kind: 'typed:integer', value: rng.pick(values) };
  }
  if (type === 'boolean')
    return { kind: 'typed:boolean', value: rng.pick<JsonLike>(json ? ['true', 1, 0, 'yes', null, [], {}, [true]] : ['yes', '1', 'TRUE', '', ' true', 'on']) };
  if (schema?.enum?.length) {
    const first = String(schema.enum[0]);
    return {
      kind: 'typed:enum',
      value: rng.pick<JsonLike>([
        first.toUpperCase(),
        `${first} `,
        ` ${first}`,
        'superadmin',
        `${first}\u200b`,
        ...(json ? [1, [first], { role: first }] : []),
      ]),
    };
  }
  if (/amount/.test(name)) return { kind: 'typed:amount', value: rng.pick<JsonLike>([...AMOUNTS, ...(json ? [1.5, 100, new RawJson('1e309')] : [])]) };
  if (/currency/.test(name)) return { kind: 'typed:currency', value: rng.pick(CURRENCIES) };
  if (/email/.test(name)) return { kind: 'typed:email', value: rng.pick(EMAILS) };
  if (/(^|_)(at|from|to|date)$|^date_|expires/.test(name) || schema?.format === 'date-time' || schema?.format === 'date')
    return { kind: 'typed:date', value: rng.pick(HOSTILE_TEXT.date) };
  if (/(^|_)id$/.test(name)) return { kind: 'typed:uuid', value: rng.pick(HOSTILE_TEXT.uuid) };
  return json ? { kind: 'typed:notText', value: rng.pick<JsonLike>([123, true, ['a'], { a: 'b' }, null]) } : hostileText(rng);
}

export const EXTRA_JSON: Array<[string, JsonLike]> = [
  ['not_a_field', 'x'],
  ['__proto__', { role: 'admin', isAdmin: true }],
  ['constructor', { prototype: { role: 'admin' } }],
  ['role', 'admin'],
  ['disabled', false],
  ['is_admin', true],
  ['', 'empty key'],
  ['a.b', 1],
  ['hashed_password', '$2b$10$abcdefghijklmnopqrstuv'],
  ['id', '00000000-0000-0000-0000-000000000000'],
  ['user_id', '00000000-0000-0000-0000-000000000000'],
];
export const EXTRA_FORM = [
  '__proto__[role]=admin',
  'constructor[prototype][role]=admin',
  'role=admin',
  '=x',
  'a[b][c][d]=1',
  'not_a_field=1',
  '__proto__=x',
  'hashed_password=x',
];

export const MALFORMED: Record<string, Array<string | Buffer>> = {
  json: [
    '{',
    '{"a":',
    '{"a":1,}',
    "{'a':1}",
    'NaN',
    '\ufeff{}',
    '{}garbage',
    '[',
    '"unterminated',
    '{"a":1}{"b":2}',
    '',
    ' ',
    'nul',
    '{"a":01}',
    '{"a":.5}',
    '{"a":"\\x41"}',
    '{"a":"\\ud800"}',
    '{"\\u0000":1}',
    Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    Buffer.from('{"username":"x"}', 'utf16le'),
    '['.repeat(100_000),
    '{"a":'.repeat(50_000),
  ],
  form: [
    '=',
    '&&&',
    'a',
    '%',
    '%zz=1',
    'a=%ED%A0%80',
    'username=a&&password',
    'a=1&a',
    '&=&=&',
    `a=${'b'.repeat(2_000_000)}`,
    Buffer.from([0xff, 0xfe, 0x3d, 0x31]),
  ],
  multipart: ['', 'garbage', '--', '--x--', Buffer.from([0, 1, 2, 3, 255])],
};

export const CONTENT_TYPES: Array<string | null> = [
  null,
  'text/plain',
  'application/xml',
  'application/json; charset=utf-16',
  'application/json; charset=iso-8859-1',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  'application/json ; garbage',
  '*/*',
  'a/b/c',
  '',
  ';',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'multipart/form-data; boundary=not-the-boundary',
  'multipart/mixed; boundary=x',
  'application/x-www-form-urlencoded',
  'application/json',
  'text/csv',
  'application/octet-stream',
  `application/json; ${'x=y; '.repeat(500)}`,
  'application/json; charset="utf-8"; charset=latin1',
];

export const ODD_HEADERS: Record<string, (rng: Random) => Array<[string, string]>> = {
  requestId: (rng) => [['X-Request-Id', rng.pick(['a'.repeat(64), 'a'.repeat(65), '../x', ' ', '', 'é', '<script>', 'id with spaces', '%00'])]],
  twoRequestIds: () => [
    ['X-Request-Id', 'first-id'],
    ['X-Request-Id', 'second-id'],
  ],
  accept: (rng) => [['Accept', rng.pick(['text/csv', 'application/xml', 'text/html', '*/*;q=0', 'application/json;q=0', 'garbage', '', 'text/event-stream'])]],
  acceptEncoding: (rng) => [['Accept-Encoding', rng.pick(['gzip', 'br', 'deflate', 'identity;q=0, *;q=0', 'zstd', 'gzip;q=abc', 'x'.repeat(2_000)])]],
  acceptLanguage: () => [['Accept-Language', 'xx-YY;q=2, *;q=-1']],
  forwardedFor: (rng) => [['X-Forwarded-For', rng.pick(['garbage', '1.1.1.1, 2.2.2.2', '::1', '999.999.999.999', '1.1.1.1, '.repeat(500), '', 'unknown'])]],
  forwarded: () => [['Forwarded', 'for="_gazonk";proto=javascript;host=evil']],
  forwardedHostProto: () => [
    ['X-Forwarded-Host', 'evil.example'],
    ['X-Forwarded-Proto', 'gopher'],
  ],
  origin: (rng) => [['Origin', rng.pick(['https://evil.example', 'null', '', 'file://'])]],
  cookie: () => [['Cookie', `${'a=b; '.repeat(1_500)}session=../../x`]],
  range: () => [['Range', 'bytes=0-1,2-3,-5']],
  conditional: () => [
    ['If-None-Match', '*'],
    ['If-Modified-Since', 'not a date'],
  ],
  contentEncoding: (rng) => [['Content-Encoding', rng.pick(['gzip', 'br', 'deflate', 'x-unknown', 'gzip, gzip'])]],
  chunked: () => [['Transfer-Encoding', 'chunked']],
  expect: () => [['Expect', '100-continue']],
  host: (rng) => [['Host', rng.pick(['evil.example', '', 'a'.repeat(1_000), '[::1', '127.0.0.1:99999', 'localhost:0'])]],
  method: () => [['X-HTTP-Method-Override', 'DELETE']],
  many: () => Array.from({ length: 90 }, (_, i): [string, string] => [`X-Fuzz-${i}`, String(i)]),
  big: () => [['X-Big', 'b'.repeat(12_000)]],
  latin1: () => [['X-Note', 'caf\u00e9 \u00ff']],
  nonLatin1: () => [['X-Note', 'ключ 💳']],
  twoContentTypes: () => [
    ['Content-Type', 'application/json'],
    ['Content-Type', 'text/plain'],
  ],
  twoAuthorizations: () => [['Authorization', 'Bearer a.b.c']],
};

export const IDEMPOTENCY_KEYS = [
  '',
  ' ',
  'a'.repeat(256),
  'k'.repeat(255),
  '\t',
  'caf\u00e9',
  '中文',
  '\u0000',
  '\u007f',
  'key with spaces',
  'a\r\nInjected: 1',
  '../../etc/passwd',
  "' OR 1=1 --",
];

export const CHANGE_METHOD = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];

export const RAW_PATH_VALUES = [
  '..',
  '../..',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e',
  '',
  '%',
  '%zz',
  ';jsessionid=1',
  'x?y=1',
  'x%0d%0aSet-Cookie:%20a=b',
  '%2F',
  '//',
  'x/../../health',
  '%ED%A0%80',
  '%C0%AE%C0%AE',
  '.',
  '~',
];
