import { STATUS_CODES } from 'node:http';
import type { OpenApiDocument } from './support/openapi';
import { operationsOf } from './support/openapi';
import { describeRequest } from './support/fuzz/campaign';
import { FuzzTarget, generateCase } from './support/fuzz/generator';
import { FuzzRequest, FuzzResponse, serialise } from './support/fuzz/http';
import { OracleOptions, fullCardNumbers, problemsOf } from './support/fuzz/oracle';
import { Random } from './support/fuzz/random';
import { signJwt } from './support/fuzz/tokens';

/**
 * The fuzz test's own parts (apps/api/test/fuzz.e2e-spec.ts), without a server: each check of the
 * oracle fails on what it is there to catch, and a seed makes the same requests.
 */

const options: OracleOptions = {
  secrets: [
    { name: 'SECRET_KEY', value: 'the-secret-key-of-this-test' },
    { name: "the user's token", value: 'aaaa.bbbb.user', echoed: true },
    { name: "the admin's token", value: 'aaaa.bbbb.admin', echoed: true },
  ],
  patterns: [{ name: 'a password', pattern: /pw-[0-9a-f]{12}/ }],
  internals: ['/srv/payments'],
  isHealthPath: (path) => path === '/health',
};

function answer(status: number, body: unknown, headers: Record<string, string> = {}): FuzzResponse {
  return {
    status,
    headers: { 'x-request-id': 'rid-1', 'content-type': 'application/json; charset=utf-8', ...headers },
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  };
}

const shaped = (status: number, extra: object = {}) => ({
  statusCode: status,
  error: STATUS_CODES[status],
  message: 'Invalid input: a',
  requestId: 'rid-1',
  ...extra,
});
const asUser: FuzzRequest = { method: 'GET', target: '/x', headers: [['Authorization', 'Bearer aaaa.bbbb.user']] };

describe('fuzz oracle', () => {
  it('finds nothing wrong with a 2xx, or a 4xx in the error shape', () => {
    expect(problemsOf('GET', '/x', answer(200, { id: 'a' }), options)).toEqual([]);
    expect(problemsOf('POST', '/x', answer(400, shaped(400, { details: [{ field: 'a', problems: ['a is required'] }] })), options)).toEqual([]);
    expect(problemsOf('GET', '/x', answer(401, shaped(401), { 'www-authenticate': 'Bearer' }), options)).toEqual([]);
  });

  it('fails a 5xx, an answer without X-Request-Id, and every way out of the error shape', () => {
    expect(problemsOf('GET', '/x', answer(500, shaped(500)), options)).toEqual(['answered 500']);
    expect(problemsOf('GET', '/x', answer(200, {}, { 'x-request-id': '' }), options)).toEqual(['no X-Request-Id header']);
    expect(problemsOf('GET', '/x', answer(400, 'Bad Request', { 'content-type': 'text/plain' }), options)).toEqual(['a 400 that is not JSON (text/plain)']);
    expect(problemsOf('GET', '/x', answer(404, { message: 'Not Found' }), options)).toEqual([
      'error body statusCode undefined for a 404',
      'error body error undefined, not "Not Found"',
      'error body requestId undefined is not the X-Request-Id "rid-1"',
    ]);
    expect(problemsOf('GET', '/x', answer(400, shaped(400, { stack: 'x', details: [{ field: 'a' }] })), options)).toEqual([
      'error body has fields outside the shape: stack',
      'error body details are not [{field, problems: [text]}]: [{"field":"a"}]',
    ]);
    expect(problemsOf('GET', '/x', answer(401, shaped(401)), options)).toEqual(['401 without WWW-Authenticate: Bearer']);
    expect(problemsOf('GET', '/x', answer(429, shaped(429)), options)).toEqual(['429 without Retry-After']);
  });

  it('fails a full card number anywhere, but not the digits of a hash', () => {
    expect(fullCardNumbers('card 4111111111111111, amex 378282246310005, masked 411111******1111, not Luhn 4111111111111112')).toEqual([
      '4111111111111111',
      '378282246310005',
    ]);
    // A sha256 whose digit run 84968302746083 passes the Luhn check.
    expect(fullCardNumbers('a6cf658f22f8d6d1f981081dd84968302746083cdad27482594f898900f49960')).toEqual([]);
    expect(problemsOf('GET', '/x', answer(200, { TERMINAL_ID: '5555555555554444' }), options)).toEqual([
      'a full card number in the body: {"TERMINAL_ID":"555555…4444',
    ]);
    // Even one the request carried: an error that quotes it masks it.
    const quoted: FuzzRequest = { method: 'PUT', target: '/x?filter_value=4111111111111111', headers: [] };
    expect(problemsOf('PUT', '/x', answer(404, shaped(404, { message: 'Cannot PUT /x?filter_value=4111111111111111' })), options, quoted)).toHaveLength(1);
  });

  it('fails SECRET_KEY, a password, a hash, a stack trace, a server path and another role’s token, but not the caller’s own', () => {
    const leaks = answer(200, {
      a: 'the-secret-key-of-this-test',
      b: 'pw-0123456789ab',
      c: '$2b$10$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz01234',
      d: 'at handle (/srv/payments/dist/main.js:10:5)',
      e: 'aaaa.bbbb.admin aaaa.bbbb.user',
      hashed_password: 'x',
    });
    expect(problemsOf('GET', '/x', leaks, options, asUser)).toEqual([
      'SECRET_KEY in the body',
      "the admin's token in the body",
      'a password in the body: pw-0123456789ab',
      'a bcrypt password hash in the body',
      'a stack trace in the body: at handle (/srv/payments/dist/main.js:10:5)',
      'the server path /srv/payments in the body',
      'a field named "hashed_password" in the body',
    ]);
    expect(problemsOf('GET', '/x', answer(200, {}, { 'set-cookie': 'session=aaaa.bbbb.user' }), options, asUser)).toEqual([]);
    expect(problemsOf('GET', '/x', answer(200, {}, { 'set-cookie': 'session=aaaa.bbbb.user' }), options)).toEqual(["the user's token in the headers"]);
  });

  it('judges a health answer as Terminus, not as an error, and still fails its 503 (nothing is down here)', () => {
    expect(problemsOf('GET', '/health', answer(200, { status: 'ok', details: {} }), options)).toEqual([]);
    expect(problemsOf('GET', '/health', answer(200, { status: 'fine' }), options)).toEqual(['a health answer with status "fine"']);
    expect(problemsOf('GET', '/health', answer(503, { status: 'error', details: {} }, { 'retry-after': '5' }), options)).toEqual(['answered 503']);
  });
});

describe('fuzz cases', () => {
  const doc: OpenApiDocument = {
    paths: {
      '/things/{id}': {
        post: {
          operationId: 'thing',
          security: [{ bearer: [] }],
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', example: 'abc' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 10 } },
          ],
          requestBody: { content: { 'application/json': { example: { name: 'x', amount: '1.00' } } } },
          responses: {},
        },
      },
    },
  };
  const secretKey = 'the-secret-key-of-this-test';
  const token = (role: string) => signJwt({ sub: `${role}-id`, role, iat: 1_800_000_000, exp: 1_800_001_800 }, secretKey);
  const target: FuzzTarget = {
    doc,
    tokens: { anonymous: undefined, user: token('user'), subscriber: token('user'), operator: token('operator'), admin: token('admin') },
    secretKey,
    meaningful: () => undefined,
    file: () => ({ kind: 'sample', filename: 'x.csv', data: Buffer.from('DOC_IDT\n1\n') }),
  };
  const [op] = operationsOf(doc);
  const bytes = (seed: number, index: number) => {
    const fuzzCase = generateCase(target, index, Random.forCase(seed, index), op, 'user');
    return JSON.stringify({
      ...fuzzCase.request,
      body: fuzzCase.request.body?.toString('base64'),
      raw: fuzzCase.request.raw?.toString('base64'),
      mutations: fuzzCase.mutations,
    });
  };

  it('sends the same request for the same seed and case, and others for another seed', () => {
    // Tokens made during a case (an expired one, say) are dated from now.
    jest.useFakeTimers({ now: new Date('2026-11-12T10:00:00Z') });
    try {
      const cases = Array.from({ length: 300 }, (_, i) => i);
      const first = cases.map((i) => bytes(1, i));
      expect(cases.map((i) => bytes(1, i))).toEqual(first);
      expect(cases.filter((i) => bytes(2, i) === first[i]).length).toBeLessThan(30);
      expect(new Set(first.map((text) => JSON.parse(text).mutations.length)).size).toBeGreaterThan(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('frames a chunked request it writes itself, so that the server is not left waiting for its body', () => {
    const head = 'DELETE /x HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nX-Note: ключ\r\nConnection: close\r\n\r\n';
    const request = (body?: Buffer): FuzzRequest => ({
      method: 'DELETE',
      target: '/x',
      headers: [
        ['Transfer-Encoding', 'chunked'],
        ['X-Note', 'ключ'],
      ],
      body,
    });
    expect(serialise(request()).toString('utf8')).toBe(`${head}0\r\n\r\n`);
    expect(serialise(request(Buffer.from('{"a":1}'))).toString('utf8')).toBe(`${head}7\r\n{"a":1}\r\n0\r\n\r\n`);
  });

  it('describes a request to replay it, its token left out and its body cut short', () => {
    const text = describeRequest({
      method: 'POST',
      target: '/things/abc',
      headers: [['Authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl']],
      body: Buffer.from(`{"a":"${'x'.repeat(2_000)}"}`),
    });
    expect(text.split('\n')).toEqual([
      'POST /things/abc',
      'Authorization: "Bearer <token>"',
      `body (2008 bytes): ${JSON.stringify(`{"a":"${'x'.repeat(594)}… (2008 characters)`)}`,
    ]);
  });
});
