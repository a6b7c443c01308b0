import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { Response } from 'supertest';
import { TestApp, createTestApp, loginAdmin } from '@app/testing';
import {
  BodyExample,
  FORM_TYPE,
  JSON_TYPE,
  MULTIPART_TYPE,
  OpenApiDocument,
  OperationRef,
  Schema,
  bodyExamples,
  bodyProperties,
  fetchDocument,
  fillPath,
  operationsOf,
  queryExample,
  sendBody,
} from '../../../test/support/openapi';

/**
 * §HTTP "Inputs out of range are 400", driven from the OpenAPI document so that every input of every
 * route is covered, a route added later included: an integer past its documented range, and a NUL
 * or an unpaired surrogate in any text, answer 400 naming the field, once. The integration tier runs
 * this file on PostgreSQL and MariaDB, where a NUL used to reach the database (a 500 on PostgreSQL).
 */

const NUL = 'a\u0000b';
const LONE_SURROGATE = 'a\udfffb';

interface Input {
  ref: OperationRef;
  name: string;
  where: 'query' | 'path' | 'body';
  schema: Schema;
  /** The body it belongs to, for body fields. */
  body?: BodyExample;
}

function inputsOf(doc: OpenApiDocument): Input[] {
  return operationsOf(doc).flatMap((ref) => {
    const parameters: Input[] = (ref.operation.parameters ?? [])
      .filter((p) => p.in === 'query' || p.in === 'path')
      .map((p) => ({ ref, name: p.name, where: p.in as 'query' | 'path', schema: p.schema ?? {} }));
    const fields = bodyExamples(doc, ref.operation)
      // One example per content type is enough: the rules are the body's, whichever example carries it.
      .filter((body, index, all) => all.findIndex((other) => other.contentType === body.contentType) === index)
      .flatMap((body) =>
        Object.entries(bodyProperties(doc, ref.operation, body.contentType))
          .filter(([, schema]) => schema.format !== 'binary')
          .map(([name, schema]): Input => ({ ref, name, where: 'body', schema, body })),
      );
    return [...parameters, ...fields];
  });
}

const label = (input: Input) => `${input.ref.key} ${input.where}${input.body ? ` (${input.body.contentType})` : ''} ${input.name}`;

describe('inputs out of range are 400, naming the field (every input of /docs-json)', () => {
  let t: TestApp;
  let doc: OpenApiDocument;
  let inputs: Input[];
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp();
    doc = await fetchDocument(t);
    inputs = inputsOf(doc);
    admin = await loginAdmin(t);
  });
  afterAll(() => t.close());

  /**
   * The route's example request with one input replaced, as the admin (who has every role, so the
   * request reaches validation). Path parameters get a well-formed id unless they are the input.
   */
  function sendWith(input: Input, value: unknown): Promise<Response> {
    const { ref } = input;
    const pathValues: Record<string, string> = Object.fromEntries(
      (ref.operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => [p.name, randomUUID()]),
    );
    if (input.where === 'path') pathValues[input.name] = String(value);
    const query = queryExample(ref.operation);
    if (input.where === 'query') query[input.name] = String(value);
    let request = t.http()[ref.method](fillPath(ref.path, pathValues)).query(query);
    if (ref.operation.security) request = request.auth(admin, { type: 'bearer' });
    const body = input.body ?? bodyExamples(doc, ref.operation)[0];
    if (!body) return request;
    return sendBody(request, doc, ref.operation, input.body ? { ...body, value: { ...body.value, [input.name]: value } } : body);
  }

  const problemsFor = (res: Response, field: string) =>
    (res.body.details as Array<{ field: string; problems: string[] }> | undefined)?.find((d) => d.field === field)?.problems;

  it('finds inputs to check on every route that takes any', () => {
    const routes = new Set(inputs.map((input) => input.ref.key));
    for (const route of [
      'POST /token',
      'POST /api/token',
      'POST /create-user',
      'GET /transactions',
      'POST /generate-data',
      'GET /api/transactions',
      'GET /api/settlement/files',
      'POST /api/settlement/files',
      'GET /task-status/{task_id}',
    ]) {
      expect(routes).toContain(route);
    }
  });

  it('documents every numeric input as an integer with its range (minimum and maximum)', () => {
    // Amounts are decimal strings; every input typed as a number is a whole number with bounds.
    const numeric = inputs.filter((i) => i.schema.type === 'integer' || i.schema.type === 'number');
    const unbounded = numeric.filter((i) => i.schema.type !== 'integer' || i.schema.minimum === undefined || i.schema.maximum === undefined).map(label);
    expect(unbounded).toEqual([]);
    expect(inputs.filter((i) => i.schema.type === 'integer').length).toBeGreaterThanOrEqual(8);
  });

  it('answers 400 naming the field, with one message, for an integer past its range: 1e30, 2^64, max + 1, min - 1', async () => {
    const wrong: string[] = [];
    for (const input of inputs.filter((i) => i.schema.type === 'integer')) {
      // Text inputs (query, form) carry digits; JSON carries numbers.
      const asText = input.where !== 'body' || input.body?.contentType !== JSON_TYPE;
      const values: unknown[] = asText
        ? ['1e30', '18446744073709551616', String(input.schema.maximum! + 1), String(input.schema.minimum! - 1)]
        : [1e30, 18446744073709551616, input.schema.maximum! + 1, input.schema.minimum! - 1];
      for (const value of values) {
        const res = await sendWith(input, value);
        const problems = problemsFor(res, input.name);
        if (res.status !== 400 || problems?.length !== 1) wrong.push(`${label(input)}=${value}: ${res.status} ${JSON.stringify(res.body.details ?? res.body)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers 400 naming the field for a NUL in any text input: body, form, multipart, query or path', async () => {
    const wrong: string[] = [];
    const texts = inputs.filter((i) => i.schema.type === 'string');
    expect(new Set(texts.map((i) => i.body?.contentType ?? i.where))).toEqual(new Set([JSON_TYPE, FORM_TYPE, MULTIPART_TYPE, 'query', 'path']));
    for (const input of texts) {
      const res = await sendWith(input, NUL);
      const problems = problemsFor(res, input.name);
      if (res.status !== 400 || problems?.[0] !== `${input.name} must not contain a NUL character (U+0000)`) {
        wrong.push(`${label(input)}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers 400 naming the field for an unpaired surrogate in any JSON text (the only encoding that can carry one)', async () => {
    const wrong: string[] = [];
    for (const input of inputs.filter((i) => i.schema.type === 'string' && i.body?.contentType === JSON_TYPE)) {
      for (const value of [LONE_SURROGATE, 'a\ud800', '\udc00\ud800']) {
        const res = await sendWith(input, value);
        if (res.status !== 400 || problemsFor(res, input.name)?.[0] !== `${input.name} must be valid Unicode text (it holds an unpaired surrogate)`) {
          wrong.push(`${label(input)}=${JSON.stringify(value)}: ${res.status} ${JSON.stringify(res.body)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it.each(['/token', '/api/token'])('POST %s: a NUL in the username is a 400, as JSON and as a form, never a 500', async (path) => {
    for (const send of [
      () =>
        t
          .http()
          .post(path)
          .send({ username: `ad${'\u0000'}min`, password: 'whatever-password' }),
      () => t.http().post(path).type('form').send(`username=ad%00min&password=whatever-password`),
    ]) {
      const res = await send();
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        statusCode: 400,
        message: 'Invalid input: username',
        details: [{ field: 'username', problems: ['username must not contain a NUL character (U+0000)'] }],
      });
    }
  });

  it('stores nothing that holds a lone surrogate: a category "\\udfff" is refused, not stored', async () => {
    const res = await t
      .http()
      .post('/create-transaction')
      .auth(admin, { type: 'bearer' })
      .send({ amount: '1.00', currency: 'USD', category: '\udfff', occurred_at: '2026-01-15T10:00:00Z' });
    expect(res.status).toBe(400);
    const list = await t.http().get('/transactions').auth(admin, { type: 'bearer' }).expect(200);
    expect(list.body.total).toBe(0);
  });

  // Found by the fuzz: a JSON body sent as a form is one field named by the whole JSON, and the 400
  // echoed that name, the password in it included.
  it.each(['/token', '/create-user', '/generate-data'])('POST %s: a JSON body sent as a form is refused without echoing what it held', async (path) => {
    const password = 'pw-0123456789ab';
    const res = await t
      .http()
      .post(path)
      .auth(admin, { type: 'bearer' })
      .set('Content-Type', FORM_TYPE)
      .send(JSON.stringify({ username: 'alice', password, days_before: 3 }));
    expect(res.status).toBe(400);
    expect(res.text).not.toContain(password);
    expect(res.body.details[0]).toEqual({
      field: expect.stringMatching(/^\(a field whose name of \d+ characters is not shown\)$/),
      problems: [expect.stringMatching(/should not exist$/)],
    });
  });

  // Found by the fuzz: a 404 quoted the URL it was asked for, card number and all.
  it('masks a card number in an error that quotes the request', async () => {
    for (const send of [
      () => t.http().put('/api/transactions?filter_value=4111111111111111').auth(admin, { type: 'bearer' }),
      () => t.http().get('/no-such-route/4111111111111111'),
    ]) {
      const res = await send();
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('4111111111111111');
      expect(res.body.message).toContain('411111******1111');
    }
  });

  it('GET /api/settlement/files?skip=18446744073709551616 (a 500 before) and skip=1e30: 400 naming skip', async () => {
    for (const skip of ['18446744073709551616', '1e30']) {
      const res = await t.http().get('/api/settlement/files').query({ skip }).auth(admin, { type: 'bearer' }).expect(400);
      expect(res.body.details).toEqual([{ field: 'skip', problems: [expect.any(String)] }]);
    }
  });

  /** Sends `request` as raw bytes on a new connection and answers the status line + headers and the body. */
  const raw = async (request: string | Buffer): Promise<{ head: string; body: string }> => {
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString('utf8')));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      socket.write(request);
    });
    const [head, ...rest] = answer.split('\r\n\r\n');
    return { head, body: rest.join('\r\n\r\n') };
  };

  it('a NUL in a header value is refused by the HTTP parser, in the error shape, naming the header', async () => {
    const { head, body } = await raw(
      Buffer.concat([Buffer.from('GET /users/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a'), Buffer.from([0]), Buffer.from('b\r\n\r\n')]),
    );
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(head).toMatch(/\r\nX-Request-Id: [0-9a-f-]{36}/);
    expect(JSON.parse(body)).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      message: 'Invalid input: Authorization',
      details: [{ field: 'Authorization', problems: ['the Authorization header must not contain a NUL or another control character'] }],
      requestId: expect.any(String),
    });
  });

  // Found by the fuzz: Node answered these two itself, bare (no body, no request id).
  it('an HTTP/1.1 request without Host: 400 in the error shape naming Host; HTTP/1.0 needs none', async () => {
    const { head, body } = await raw('GET /health/live HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(head).toMatch(/\r\nx-request-id: \S+/i);
    expect(JSON.parse(body)).toMatchObject({
      statusCode: 400,
      message: 'Invalid input: Host',
      details: [{ field: 'Host', problems: ['an HTTP/1.1 request must carry a Host header'] }],
    });
    expect((await raw('GET /health/live HTTP/1.0\r\n\r\n')).head).toMatch(/^HTTP\/1\.1 200 OK/);
  });

  it('an Expect other than 100-continue: 417 in the error shape naming Expect', async () => {
    const { head, body } = await raw('POST /api/token HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}');
    expect(head).toMatch(/^HTTP\/1\.1 417 Expectation Failed/);
    expect(head).toMatch(/\r\nX-Request-Id: [0-9a-f-]{36}/);
    expect(JSON.parse(body)).toMatchObject({
      statusCode: 417,
      message: 'Invalid input: Expect',
      details: [{ field: 'Expect', problems: ['only "100-continue" can be met'] }],
    });
  });

  // Found by the fuzz: a 300 KB array of 100,000 `{}` was 100,000 unknown fields, a 7 MB answer.
  it('a body holding more than 1,000 values: one short 400 naming the body', async () => {
    const res = await t
      .http()
      .post('/create-transaction')
      .auth(admin, { type: 'bearer' })
      .type('json')
      .send(`[${'{},'.repeat(100_000)}{}]`)
      .expect(400);
    expect(res.body.details).toEqual([{ field: 'body', problems: ['the body holds more than 1000 values (fields and array elements)'] }]);
    expect(res.text.length).toBeLessThan(1_000);
  });
});

describe('one message per broken rule; forms read like JSON', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await loginAdmin(t);
  });
  afterAll(() => t.close());

  it.each([
    ['skip=-1', { skip: '-1' }, 'skip', 'skip must not be less than 0'],
    ['limit=-5', { limit: '-5' }, 'limit', 'limit must not be less than 1'],
    ['limit=5000', { limit: '5000' }, 'limit', 'limit must not be greater than 1000'],
    ['skip=abc', { skip: 'abc' }, 'skip', 'skip must be a whole number'],
  ])('GET /api/transactions?%s names the one rule broken', async (_name, query, field, message) => {
    const res = await t.http().get('/api/transactions').query(query).auth(admin, { type: 'bearer' }).expect(400);
    expect(res.body.details).toEqual([{ field, problems: [message] }]);
  });

  it('a JSON string where a number belongs names the type rule only', async () => {
    const res = await t.http().post('/generate-data').auth(admin, { type: 'bearer' }).send({ days_before: '30' }).expect(400);
    expect(res.body.details).toEqual([{ field: 'days_before', problems: ['days_before must be an integer number'] }]);
  });

  it('a missing required field is said to be required, once', async () => {
    const res = await t.http().post('/api/token').send({ password: 'x' }).expect(400);
    expect(res.body.details).toEqual([{ field: 'username', problems: ['username is required'] }]);
  });

  it('a form-encoded POST /generate-data is converted like JSON: days_before=30&detailed=true is accepted', async () => {
    const res = await t.http().post('/generate-data').auth(admin, { type: 'bearer' }).type('form').send('days_before=30&detailed=true').expect(202);
    expect(res.body.task_id).toEqual(expect.any(String));
    const bad = await t.http().post('/generate-data').auth(admin, { type: 'bearer' }).type('form').send('days_before=0').expect(400);
    expect(bad.body.details).toEqual([{ field: 'days_before', problems: ['days_before must not be less than 1'] }]);
  });
});
