import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Response } from 'supertest';
import type { DataSource } from 'typeorm';
import { FINANCE_DB } from '@app/database';
import { IdempotencyKey } from '@app/idempotency';
import { TestApp, createTestApp, createUser, login, uniqueName, waitForTask } from '@app/testing';
import {
  BodyExample,
  JSON_TYPE,
  MULTIPART_TYPE,
  OpenApiDocument,
  OperationRef,
  bodyExamples,
  fetchDocument,
  fillPath,
  operationsOf,
  queryExample,
  resolveSchema,
  sendBody,
} from '../../../test/support/openapi';

/**
 * Swagger UI is where a newcomer and a frontend start: every request example in /docs-json, sent as
 * it is (each named example, for each content type the route takes, query parameters filled with
 * their examples) with a token of the role the route needs, must succeed; and every error status
 * a route documents must be one it answers, shown here by provoking it.
 */

/** The credentials the examples show: the admin logs in with them, and alice is created with them. */
const EXAMPLE_PASSWORD = 'correct horse battery';
const ALICE = 'alice';
/** The transaction id the update and delete examples name. */
const EXAMPLE_TRANSACTION_ID = '3f1c2a9e-8d7b-4c6a-9e5f-1a2b3c4d5e6f';

type Caller = 'anonymous' | 'admin' | 'operator' | 'alice' | 'user';

interface Fixtures {
  operator: { username: string; password: string };
  user: { username: string; password: string };
  /** Alice's finished extract. */
  extractTask: string;
  /** Alice's extract whose file is gone (410). */
  expiredExtractTask: string;
  /** Alice's extract put back to STARTED (409). */
  unfinishedExtractTask: string;
  settlementFile?: string;
}

/** How to reach a route: who calls it, which path values, and how to show each error it documents. */
interface Plan {
  caller: Caller;
  /** Values for path parameters, which carry no example (an id only exists once made). */
  path?: (f: Fixtures) => Record<string, string>;
  /** A caller with too little role (or no subscription): the 403. */
  forbidden?: Caller;
  /** Token optional: no token is fine, a bad one is a 401. */
  optionalAuth?: boolean;
  /** Provokers for statuses the generic ones cannot show, by status. */
  errors?: Record<number, (ctx: ErrorContext) => Promise<Response>>;
}

interface SendOptions {
  caller?: Caller;
  /** Which documented body to send (default: the first); `body` replaces its value. */
  example?: BodyExample;
  body?: Record<string, unknown>;
  path?: Record<string, string>;
  /** A token to send instead of the caller's; undefined sends none. */
  token?: string;
  file?: Buffer;
  headers?: Record<string, string>;
}

interface ErrorContext {
  send: (options?: SendOptions) => Promise<Response>;
  example: BodyExample | undefined;
  fixtures: Fixtures;
  t: TestApp;
  tokenOf: (caller: Caller) => Promise<string | undefined>;
}

const randomIdPath = (name: string) => () => ({ [name]: randomUUID() });

/** Every operation of the document, in the order the examples are sent (some build on earlier ones). */
const PLANS: Record<string, Plan> = {
  'POST /token': {
    caller: 'anonymous',
    errors: {
      401: ({ send, example }) => send({ body: { ...example!.value, password: 'not the password' } }),
      429: async ({ send, example }) => {
        const body = { ...example!.value, username: uniqueName('locked'), password: 'wrong password' };
        let res = await send({ body });
        for (let attempt = 0; attempt < 10 && res.status !== 429; attempt++) res = await send({ body });
        return res;
      },
    },
  },
  'POST /api/token': {
    caller: 'anonymous',
    errors: {
      401: ({ send, example }) => send({ body: { ...example!.value, password: 'not the password' } }),
      429: async ({ send, example }) => {
        const body = { ...example!.value, username: uniqueName('locked'), password: 'wrong password' };
        let res = await send({ body });
        for (let attempt = 0; attempt < 10 && res.status !== 429; attempt++) res = await send({ body });
        return res;
      },
    },
  },
  'POST /create-user': {
    caller: 'admin',
    forbidden: 'user',
    // The example's email, for another username.
    errors: { 409: ({ send, example }) => send({ body: { ...example!.value, username: uniqueName() } }) },
  },
  'POST /grant-subscription': {
    caller: 'admin',
    forbidden: 'operator',
    errors: { 404: ({ send, example }) => send({ body: { ...example!.value, username: 'nobody-by-this-name' } }) },
  },
  'GET /users/me': { caller: 'alice' },
  'POST /create-transaction': { caller: 'alice' },
  'POST /update-transaction': {
    caller: 'alice',
    errors: {
      404: ({ send, example }) => send({ body: { ...example!.value, id: randomUUID() } }),
      409: async ({ send, example, t, tokenOf }) => {
        const created = await t
          .http()
          .post('/create-transaction')
          .auth((await tokenOf('alice'))!, { type: 'bearer' })
          .send({ amount: '1.00', currency: 'USD', occurred_at: '2026-01-15T10:00:00Z' })
          .expect(201);
        return send({ body: { ...example!.value, id: created.body.id, version: 99 } });
      },
    },
  },
  'GET /transactions': { caller: 'alice' },
  'POST /generate-data': { caller: 'alice', forbidden: 'user' },
  'GET /task-status/{task_id}': {
    caller: 'alice',
    path: (f) => ({ task_id: f.extractTask }),
    errors: { 404: ({ send }) => send({ path: randomIdPath('task_id')() }) },
  },
  // A finished task: its stream sends the final status and ends (an unfinished task's stream would
  // stay open, and supertest waits for the end of a body).
  'GET /task-status/{task_id}/events': {
    caller: 'alice',
    path: (f) => ({ task_id: f.extractTask }),
    errors: { 404: ({ send }) => send({ path: randomIdPath('task_id')() }) },
  },
  'GET /extracts/{task_id}/download': {
    caller: 'alice',
    path: (f) => ({ task_id: f.extractTask }),
    errors: {
      404: ({ send }) => send({ path: randomIdPath('task_id')() }),
      409: ({ send, fixtures }) => send({ path: { task_id: fixtures.unfinishedExtractTask } }),
      410: ({ send, fixtures }) => send({ path: { task_id: fixtures.expiredExtractTask } }),
    },
  },
  'POST /delete-transaction': {
    caller: 'alice',
    errors: { 404: ({ send, example }) => send({ body: { ...example!.value, id: randomUUID() } }) },
  },
  'POST /revoke-subscription': {
    caller: 'admin',
    forbidden: 'operator',
    errors: {
      404: ({ send, example }) => send({ body: { ...example!.value, username: 'nobody-by-this-name' } }),
      // Runs after the example revoked alice's subscription: nothing left to revoke.
      409: ({ send, example }) => send({ body: example!.value }),
    },
  },
  'GET /api/settlement/files': { caller: 'operator', forbidden: 'user' },
  'GET /audit': { caller: 'admin', forbidden: 'operator' },
  'GET /webhook-deliveries': { caller: 'admin', forbidden: 'operator' },
  'POST /api/settlement/files': {
    caller: 'operator',
    forbidden: 'user',
    errors: { 413: ({ send, example }) => send({ body: example!.value, file: Buffer.alloc(80 * 1024, 'D1,2026-01-01,1.00\n') }) },
  },
  'GET /api/settlement/files/{id}': {
    caller: 'operator',
    forbidden: 'user',
    path: (f) => ({ id: f.settlementFile! }),
    errors: { 404: ({ send }) => send({ path: randomIdPath('id')() }) },
  },
  'GET /api/settlement/files/{id}/rejects': {
    caller: 'operator',
    forbidden: 'user',
    path: (f) => ({ id: f.settlementFile! }),
    errors: { 404: ({ send }) => send({ path: randomIdPath('id')() }) },
  },
  'POST /api/settlement/scan': { caller: 'admin', forbidden: 'operator' },
  'GET /api/transactions': { caller: 'operator', forbidden: 'user' },
  'GET /': { caller: 'anonymous', optionalAuth: true },
  'POST /admin/session': { caller: 'admin', forbidden: 'user' },
  'DELETE /admin/session': { caller: 'anonymous' },
  'GET /health': { caller: 'anonymous' },
  'GET /health/live': { caller: 'anonymous' },
  'GET /health/ready': { caller: 'anonymous' },
};

/** A 503 needs a dependency down, which the outage tests and drills show; every route but liveness reaches one. */
const ANSWERS_503_WHEN_A_DEPENDENCY_IS_DOWN = (key: string) => key !== 'GET /health/live';

describe('OpenAPI examples: every request example works as sent, every documented error is answered', () => {
  let t: TestApp;
  let doc: OpenApiDocument;
  let operations: OperationRef[];
  const fixtures = {} as Fixtures;

  const tokenOf = async (caller: Caller): Promise<string | undefined> => {
    switch (caller) {
      case 'anonymous':
        return undefined;
      case 'admin':
        return login(t, 'admin', EXAMPLE_PASSWORD);
      case 'alice':
        return login(t, ALICE, EXAMPLE_PASSWORD);
      default:
        return login(t, fixtures[caller].username, fixtures[caller].password);
    }
  };

  const financeDb = () => t.app.get<DataSource>(getDataSourceToken(FINANCE_DB));

  const exampleOf = (ref: OperationRef) => bodyExamples(doc, ref.operation)[0];

  /** Sends one request to an operation: its example body (or another), its query example, a caller's token. */
  const sender =
    (ref: OperationRef, plan: Plan) =>
    async (options: SendOptions = {}) => {
      const path = fillPath(ref.path, options.path ?? plan.path?.(fixtures) ?? {});
      const token = 'token' in options ? options.token : await tokenOf(options.caller ?? plan.caller);
      let request = t.http()[ref.method](path).query(queryExample(ref.operation));
      if (token) request = request.auth(token, { type: 'bearer' });
      if (options.headers) request = request.set(options.headers);
      const example = options.example ?? exampleOf(ref);
      if (example) return sendBody(request, doc, ref.operation, { ...example, value: options.body ?? example.value }, options.file);
      return request;
    };

  /**
   * A key the caller already used: still running (409 for any request with it) or done for another
   * request (422). Stored as the idempotency layer stores it, so every route with the header shows both.
   */
  const heldKey = async (state: 'running' | 'done', send: (options?: SendOptions) => Promise<Response>, caller: Caller) => {
    const token = (await tokenOf(caller))!;
    const me = await t.http().get('/users/me').auth(token, { type: 'bearer' }).expect(200);
    const key = randomUUID();
    const now = new Date();
    await financeDb()
      .getRepository(IdempotencyKey)
      .insert({
        callerId: me.body.id,
        key,
        requestHash: '0'.repeat(64),
        state,
        status: state === 'done' ? 201 : null,
        body: state === 'done' ? '{}' : null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + 3_600_000),
      });
    return send({ headers: { 'Idempotency-Key': key } });
  };

  beforeAll(async () => {
    // The admin's password is the one the login examples show; uploads past 64 kB answer 413.
    t = await createTestApp({ ADMIN_PASSWORD: EXAMPLE_PASSWORD, SETTLEMENT_UPLOAD_LIMIT: '64kb' });
    doc = await fetchDocument(t);
    operations = operationsOf(doc);

    const admin = (await tokenOf('admin'))!;
    const operator = await createUser(t, admin, { role: 'operator' });
    const user = await createUser(t, admin, { role: 'user' });
    Object.assign(fixtures, { operator, user });
    await t
      .http()
      .post('/create-user')
      .auth(admin, { type: 'bearer' })
      .send({ username: ALICE, email: 'alice@example.com', password: EXAMPLE_PASSWORD, role: 'user' })
      .expect(201);
    await t.http().post('/grant-subscription').auth(admin, { type: 'bearer' }).send({ username: ALICE, days: 30 }).expect(200);
    const alice = (await tokenOf('alice'))!;

    // The transaction the update and delete examples name, alice's, at version 1.
    const created = await t
      .http()
      .post('/create-transaction')
      .auth(alice, { type: 'bearer' })
      .send({ amount: '10.00', currency: 'USD', occurred_at: '2026-01-15T10:00:00Z' })
      .expect(201);
    await financeDb().createQueryBuilder().update('transactions').set({ id: EXAMPLE_TRANSACTION_ID }).where('id = :id', { id: created.body.id }).execute();

    const extract = async () => {
      const res = await t.http().post('/generate-data').auth(alice, { type: 'bearer' }).send({ days_before: 30 }).expect(202);
      expect((await waitForTask(t, alice, res.body.task_id)).state).toBe('SUCCESS');
      return res.body.task_id as string;
    };
    fixtures.extractTask = await extract();
    fixtures.expiredExtractTask = await extract();
    rmSync(`${t.config.get('paths').extractsDir}/${fixtures.expiredExtractTask}.csv`);
    fixtures.unfinishedExtractTask = await extract();
    await financeDb().createQueryBuilder().update('tasks').set({ state: 'STARTED' }).where('id = :id', { id: fixtures.unfinishedExtractTask }).execute();
  }, 120_000);
  afterAll(() => t.close());

  it('plans every operation of the document, and none that is not in it', () => {
    expect(operations.map((ref) => ref.key).sort()).toEqual(Object.keys(PLANS).sort());
  });

  it('lists every operation under exactly one tag', () => {
    expect(operations.filter((ref) => ref.operation.tags?.length !== 1).map((ref) => `${ref.key}: ${ref.operation.tags}`)).toEqual([]);
  });

  it('documents every error in the §HTTP error shape (the health probes answer with Terminus bodies)', () => {
    for (const ref of operations.filter((r) => !r.path.startsWith('/health'))) {
      for (const [status, response] of Object.entries(ref.operation.responses).filter(([s]) => Number(s) >= 400)) {
        const schema = resolveSchema(doc, response.content?.[JSON_TYPE]?.schema);
        expect({ operation: ref.key, status, required: schema.required }).toEqual({
          operation: ref.key,
          status,
          required: ['statusCode', 'error', 'message', 'requestId'],
        });
      }
    }
  });

  describe.each(Object.keys(PLANS))('%s', (key) => {
    const ref = () => operations.find((r) => r.key === key)!;
    const plan = PLANS[key];

    it('answers 2xx to every request example, as sent, with a token of the role it needs', async () => {
      const operation = ref().operation;
      const success = Object.keys(operation.responses)
        .filter((status) => status.startsWith('2'))
        .map(Number);
      const examples = bodyExamples(doc, operation);
      const send = sender(ref(), plan);
      const answers: Array<{ example: string; status: number; body?: unknown }> = [];
      for (const example of examples.length > 0 ? examples : [undefined]) {
        const res = await send({ example });
        answers.push({
          example: example ? `${example.name} as ${example.contentType}` : 'no body',
          status: res.status,
          // The body only where it went wrong, so a failure says why.
          ...(success.includes(res.status) ? {} : { body: res.body }),
        });
        if (key === 'POST /api/settlement/files' && res.status === 202) fixtures.settlementFile = res.body.file_id;
      }
      expect(answers.filter((answer) => !success.includes(answer.status))).toEqual([]);
    });

    it('answers every error status it documents', async () => {
      const operation = ref().operation;
      const example = exampleOf(ref());
      const send = sender(ref(), plan);
      const statuses = Object.keys(operation.responses)
        .map(Number)
        .filter((status) => status >= 400);
      const unshown: string[] = [];
      for (const status of statuses) {
        let res: Response | undefined;
        if (plan.errors?.[status]) {
          res = await plan.errors[status]({ send, example, fixtures, t, tokenOf });
        } else if (status === 400) {
          res = await provoke400(ref(), send, example);
        } else if (status === 401 && operation.security) {
          res = await send({ token: 'not-a-token' });
          expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
          if (!plan.optionalAuth) {
            const anonymous = await send({ token: undefined });
            expect({ status: anonymous.status, challenge: anonymous.headers['www-authenticate'] }).toEqual({ status: 401, challenge: 'Bearer' });
          }
        } else if ((status === 409 || status === 422) && takesIdempotencyKey(operation)) {
          res = await heldKey(status === 409 ? 'running' : 'done', send, plan.caller);
        } else if (status === 403 && plan.forbidden) {
          res = await send({ caller: plan.forbidden });
        } else if (status === 503 && ANSWERS_503_WHEN_A_DEPENDENCY_IS_DOWN(key)) {
          continue;
        }
        if (!res) {
          unshown.push(`${status}: documented, but nothing here shows the route answering it`);
          continue;
        }
        if (res.status !== status) unshown.push(`${status}: answered ${res.status} ${JSON.stringify(res.body)}`);
        else if (!key.startsWith('GET /health'))
          expect(res.body).toMatchObject({ statusCode: status, error: expect.any(String), message: expect.any(String), requestId: expect.any(String) });
        if (status === 401) expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      }
      expect(unshown).toEqual([]);
    });
  });

  /** An unknown field, query parameter or a path value that is not an id: every input here refuses one. */
  async function provoke400(ref: OperationRef, send: ErrorContext['send'], example: BodyExample | undefined): Promise<Response | undefined> {
    if (example?.contentType === MULTIPART_TYPE) {
      // No file at all.
      return t
        .http()
        .post(ref.path)
        .auth((await tokenOf(PLANS[ref.key].caller))!, { type: 'bearer' })
        .field('profile', 'canonical');
    }
    if (example) return send({ body: { ...example.value, not_a_field: 'x' } });
    const parameters = ref.operation.parameters ?? [];
    if (parameters.some((p) => p.in === 'path')) {
      return send({ path: Object.fromEntries(parameters.filter((p) => p.in === 'path').map((p) => [p.name, 'not-an-id'])) });
    }
    if (parameters.some((p) => p.in === 'query')) {
      const token = await tokenOf(PLANS[ref.key].caller);
      const request = t
        .http()
        [ref.method](ref.path)
        .query({ ...queryExample(ref.operation), not_a_parameter: 'x' });
      return token ? request.auth(token, { type: 'bearer' }) : request;
    }
    return undefined;
  }
});

function takesIdempotencyKey(operation: { parameters?: Array<{ in: string; name: string }> }): boolean {
  return operation.parameters?.some((p) => p.in === 'header' && p.name === 'Idempotency-Key') ?? false;
}
