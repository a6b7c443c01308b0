import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { FINANCE_DB, SETTLEMENT_DB } from '@app/database';
import { TestApp, createTestApp } from '@app/testing';

describe('foundation: health, docs, errors, request ids', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ HTTP_BODY_LIMIT: '64kb' });
  });
  afterAll(() => t.close());

  it('GET /health names every part and answers 200 when all are up', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    expect(Object.keys(res.body.details).sort()).toEqual(['audit', 'disk', 'finance_database', 'queue', 'redis', 'settlement_database']);
    expect(res.body.details.finance_database.status).toBe('up');
    expect(res.body.details.settlement_database.status).toBe('up');
  });

  it('GET /health/live and /health/ready answer 200', async () => {
    await t.http().get('/health/live').expect(200, { status: 'ok' });
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body.status).toBe('ok');
  });

  it('serves Swagger UI at /docs and the document, with bearer auth, at /docs-json', async () => {
    const ui = await t.http().get('/docs').expect(200);
    expect(ui.text).toContain('swagger');
    const doc = await t.http().get('/docs-json').expect(200);
    expect(doc.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.body.paths['/health/ready']).toBeDefined();
  });

  it('puts X-Request-Id on every response, echoing a safe incoming id and replacing an unsafe one', async () => {
    const fresh = await t.http().get('/health/live');
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await t.http().get('/health/live').set('X-Request-Id', 'abc-123.x');
    expect(echoed.headers['x-request-id']).toBe('abc-123.x');
    const hostile = await t.http().get('/health/live').set('X-Request-Id', '<script>alert(1)</script>');
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown route with the one error shape', async () => {
    const res = await t.http().get('/no/such/route').expect(404);
    expect(res.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: expect.stringContaining('/no/such/route'),
      requestId: res.headers['x-request-id'],
    });
  });

  it('answers a URL that does not decode with 400 in the error shape', async () => {
    const res = await t.http().get('/api/transactions/%E0%A4%A').expect(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'Request URL is not valid', requestId: res.headers['x-request-id'] });
  });

  it('answers a body over the limit with 413 in the error shape', async () => {
    const res = await t
      .http()
      .post('/health')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ blob: 'x'.repeat(70 * 1024) }))
      .expect(413);
    expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large', requestId: res.headers['x-request-id'] });
  });

  it('answers malformed JSON with 400 naming the problem, not 500', async () => {
    const res = await t.http().post('/health').set('Content-Type', 'application/json').send('{"a":').expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, message: 'Request body is not valid JSON' });
  });

  it('answers a body of a type the route does not read with 415 naming the types it does', async () => {
    const res = await t.http().post('/api/token').set('Content-Type', 'application/xml').send('<user>admin</user>').expect(415);
    expect(res.body).toMatchObject({
      statusCode: 415,
      error: 'Unsupported Media Type',
      message: expect.stringContaining('application/json'),
      requestId: res.headers['x-request-id'],
    });
  });

  it('answers a deeply nested body with 400, not a stack overflow', async () => {
    const body = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const res = await t.http().post('/api/token').set('Content-Type', 'application/json').send(body).expect(400);
    expect(res.body.details).toEqual([{ field: 'body', problems: ['the body is nested more than 16 levels deep'] }]);
  });

  it('sets security headers and no CORS header when CORS_ORIGINS is unset', async () => {
    const res = await t.http().get('/health/live').set('Origin', 'https://evil.example');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it.each([FINANCE_DB, SETTLEMENT_DB])('%s: migrations ran and match the entities (no drift)', async (name) => {
    const dataSource = t.app.get<DataSource>(getDataSourceToken(name));
    expect(await dataSource.showMigrations()).toBe(false);
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('writes JSON log lines carrying the request id', async () => {
    const res = await t.http().get('/health/live');
    const id = res.headers['x-request-id'];
    const line = t.logs.map((l) => JSON.parse(l)).find((l) => l.requestId === id && l.msg === 'request');
    expect(line).toMatchObject({ method: 'GET', path: '/health/live', status: 200, level: 'info' });
  });

  it('keeps the request id in log lines written after a body was read', async () => {
    const res = await t.http().post('/api/token').send({ username: 'admin', password: 'wrong password' }).expect(401);
    const id = res.headers['x-request-id'];
    const line = t.logs.map((l) => JSON.parse(l)).find((l) => l.requestId === id && l.msg === 'request');
    expect(line).toMatchObject({ method: 'POST', path: '/api/token', status: 401 });
  });
});

describe('foundation: CORS for configured origins', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ CORS_ORIGINS: 'https://app.example.com' });
  });
  afterAll(() => t.close());

  it('allows a listed origin and exposes X-Request-Id', async () => {
    const res = await t.http().options('/health').set('Origin', 'https://app.example.com').set('Access-Control-Request-Method', 'GET');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
  });

  it('lets a browser send Idempotency-Key and read Idempotent-Replayed and Retry-After', async () => {
    const preflight = await t
      .http()
      .options('/create-transaction')
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type,idempotency-key');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']?.toLowerCase()).toContain('idempotency-key');
    const res = await t.http().get('/health/live').set('Origin', 'https://app.example.com');
    expect(res.headers['access-control-expose-headers']).toEqual(expect.stringContaining('Idempotent-Replayed'));
    expect(res.headers['access-control-expose-headers']).toEqual(expect.stringContaining('Retry-After'));
  });

  it('does not allow another origin', async () => {
    const res = await t.http().get('/health/live').set('Origin', 'https://evil.example');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
