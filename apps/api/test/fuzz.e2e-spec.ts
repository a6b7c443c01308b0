import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { CursorCodec } from '@app/settlement-query';
import {
  CreatedUser,
  TEST_ADMIN_PASSWORD,
  TEST_SECRET_KEY,
  TestApp,
  createTestApp,
  createUser,
  grantSubscription,
  loginAdmin,
  parseCsv,
  target as tier,
  waitForTask,
} from '@app/testing';
import { SAMPLE_FILE, fetchDocument, operationsOf } from '../../../test/support/openapi';
import { Tally, failureReport, runCampaign, undrawnMutations } from '../../../test/support/fuzz/campaign';
import { FuzzTarget, ROLES, Role } from '../../../test/support/fuzz/generator';
import { CARD_NUMBERS, HOSTILE_TEXT } from '../../../test/support/fuzz/hostile';
import { FuzzClient, FuzzRequest, FuzzResponse } from '../../../test/support/fuzz/http';
import { OracleOptions } from '../../../test/support/fuzz/oracle';
import { Random, seedFrom } from '../../../test/support/fuzz/random';
import { hostileCsv } from '../../../test/support/fuzz/settlement-files';

/**
 * §Reliability: an OpenAPI-driven fuzz of every operation of the running app's /docs-json, as every
 * role and with tokens it must refuse, with hostile values of every kind (test/support/fuzz). Seeded
 * and bounded: the same seed sends the same cases; FUZZ_SEED picks another, FUZZ_CASES=3,17 replays
 * only those cases, FUZZ_REQUESTS changes how many. It fails on any 5xx, any error body outside
 * §HTTP's shape, any secret (SECRET_KEY, a password, a hash, another role's token) or full card
 * number in an answer, and any forged, expired or foreign token let through; a failure names the seed,
 * the case and the request as sent. The integration tier runs it on PostgreSQL, MariaDB and Redis.
 */

const DEFAULT_SEED = 20261112;
const SEED = seedFrom(process.env.FUZZ_SEED, DEFAULT_SEED);
const CASES = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const ONLY = process.env.FUZZ_CASES?.split(',').map(Number);
/** Modest, on a shared 2-core machine: the cases are about inputs, the concurrency tests about load. */
const CONCURRENCY = 8;

/**
 * Each login and each user written costs a bcrypt round (cost 10); uploads and extracts start jobs.
 * They are drawn less often than the cheap routes, and still a hundred times or more each.
 */
const WEIGHTS: Record<string, number> = {
  'POST /token': 0.3,
  'POST /api/token': 0.3,
  'POST /create-user': 0.5,
  'POST /api/settlement/files': 0.6,
  'POST /api/settlement/scan': 0.4,
  'POST /generate-data': 0.6,
};

interface Fixtures {
  users: Record<Exclude<Role, 'anonymous' | 'admin'>, CreatedUser>;
  /** Users the admin's cases may change, disable, grant and revoke freely. */
  victims: string[];
  /** Transactions by owner role. */
  transactions: Partial<Record<Role, string[]>>;
  /** Extract tasks by owner role. */
  tasks: Partial<Record<Role, string[]>>;
  settlementFiles: string[];
  cursors: string[];
  samples: Array<Record<string, string>>;
}

describe(`fuzz: every operation of /docs-json, every role, hostile values (seed ${SEED})`, () => {
  let t: TestApp;
  let client: FuzzClient;
  const fixtures = { transactions: {}, tasks: {}, settlementFiles: [], cursors: [] } as unknown as Fixtures;
  const tokens = {} as Record<Role, string | undefined>;
  const tally = new Tally();
  const started = Date.now();

  beforeAll(async () => {
    t = await createTestApp();
    const server = t.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new FuzzClient((server.address() as AddressInfo).port, CONCURRENCY);

    const admin = await loginAdmin(t);
    tokens.admin = admin;
    tokens.anonymous = undefined;
    fixtures.users = {
      user: await createUser(t, admin, { role: 'user' }),
      subscriber: await createUser(t, admin, { role: 'user' }),
      operator: await createUser(t, admin, { role: 'operator' }),
    };
    await grantSubscription(t, admin, fixtures.users.subscriber.username, 365);
    for (const role of ['user', 'subscriber', 'operator'] as const) tokens[role] = fixtures.users[role].token;
    fixtures.victims = [];
    for (let i = 0; i < 3; i++) fixtures.victims.push((await createUser(t, admin)).username);

    for (const role of ['user', 'subscriber', 'operator', 'admin'] as const) {
      fixtures.transactions[role] = [];
      for (let i = 0; i < 3; i++) {
        const res = await t
          .http()
          .post('/create-transaction')
          .auth(tokens[role]!, { type: 'bearer' })
          .send({ amount: `${i + 1}0.50`, currency: 'USD', category: 'fixture', occurred_at: new Date(Date.now() - i * 86_400_000).toISOString() })
          .expect(201);
        fixtures.transactions[role]!.push(res.body.id);
      }
    }
    const upload = await t.http().post('/api/settlement/files').auth(tokens.operator!, { type: 'bearer' }).attach('file', SAMPLE_FILE).expect(202);
    await waitForTask(t, tokens.operator!, upload.body.task_id);
    fixtures.settlementFiles.push(upload.body.file_id);
    // A file whose rejected rows hold full card numbers: its rejects must show them masked.
    const withCards = await t
      .http()
      .post('/api/settlement/files')
      .auth(tokens.operator!, { type: 'bearer' })
      .attach('file', hostileCsv(new Random(SEED), 'cardsEverywhere').data, { filename: 'cards.csv', contentType: 'text/csv' })
      .expect(202);
    await waitForTask(t, tokens.operator!, withCards.body.task_id);
    fixtures.settlementFiles.push(withCards.body.file_id);
    for (const [role, body] of [
      ['subscriber', { days_before: 30 }],
      ['operator', { days_before: 3650, source: 'settlement', detailed: true }],
    ] as const) {
      const res = await t.http().post('/generate-data').auth(tokens[role]!, { type: 'bearer' }).send(body).expect(202);
      await waitForTask(t, tokens[role]!, res.body.task_id);
      fixtures.tasks[role] = [res.body.task_id];
    }
    for (const sort_by of ['DOC_IDT', 'TRANS_DATE', 'AMOUNT', 'CARD_NO', 'FEE', 'TRANS_TIME']) {
      const res = await t.http().get('/api/transactions').query({ limit: 2, sort_by }).auth(tokens.operator!, { type: 'bearer' }).expect(200);
      if (res.body.next_cursor) fixtures.cursors.push(res.body.next_cursor);
    }
    fixtures.samples = parseCsv(readFileSync(SAMPLE_FILE, 'utf8'));
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await t?.close();
  });

  const oracle = (): OracleOptions => ({
    secrets: [
      { name: 'SECRET_KEY', value: TEST_SECRET_KEY },
      { name: 'the admin password', value: TEST_ADMIN_PASSWORD },
      ...Object.entries(fixtures.users).map(([role, user]) => ({ name: `the ${role}'s password`, value: user.password })),
      // Another role's token is another user's: it never comes back but to the client that sent it.
      ...ROLES.filter((role) => tokens[role]).map((role) => ({ name: `the ${role}'s token`, value: tokens[role]!, echoed: true })),
    ],
    // The fixtures' passwords and every one a case sets (apiTarget) have this form.
    patterns: [{ name: 'a password', pattern: /pw-[0-9a-f]{12}/ }],
    internals: [t.dataDir, process.cwd()],
    isHealthPath: (path) => path === '/health' || path.startsWith('/health/'),
  });

  const logsFor = (requestId: string) => t.logs.filter((line) => line.includes(requestId));

  it(`sends ${CASES} cases, ${CONCURRENCY} at a time, and every answer is a 2xx or an honest 4xx in shape, leaking nothing`, async () => {
    const doc = await fetchDocument(t);
    const operations = operationsOf(doc);
    const taskIds = new Map<string, Role>();
    const fuzzTarget = apiTarget(doc);
    const campaignStarted = Date.now();

    await runCampaign(
      fuzzTarget,
      client,
      {
        seed: SEED,
        cases: CASES,
        only: ONLY,
        concurrency: CONCURRENCY,
        operations,
        weights: WEIGHTS,
        oracle: oracle(),
        observe: (fuzzCase, res) => {
          if (res.status !== 202 || !/json/.test(String(res.headers['content-type']))) return;
          const body = JSON.parse(res.body.toString('utf8')) as { task_id?: string; file_id?: string };
          if (body.task_id) taskIds.set(body.task_id, fuzzCase.role);
          if (body.file_id) fixtures.settlementFiles.push(body.file_id);
        },
      },
      tally,
    );
    const fuzzed = tally.requests;
    const campaignSeconds = (Date.now() - campaignStarted) / 1000;
    const me = await readBack([...taskIds.keys()]);

    console.log(
      [
        `fuzz (${tier()}, seed ${SEED}): ${tally.requests} requests (${fuzzed} cases in ${campaignSeconds.toFixed(1)} s, ${tally.requests - fuzzed} read back), ${((Date.now() - started) / 1000).toFixed(1)} s with the fixtures`,
        `${operations.length} operations of /docs-json × ${ROLES.length} roles, and a refused token for each`,
        `statuses: ${JSON.stringify(tally.histogram())}`,
        `slowest operations (share of the answers' time): ${tally.slowest().join(', ')}`,
        `failures: ${tally.failures.length}`,
      ].join('\n'),
    );
    expect(tally.failures.length === 0 ? 'no failures' : failureReport(SEED, tally.failures, logsFor)).toBe('no failures');
    if (!ONLY) {
      expect(tally.requests).toBeGreaterThanOrEqual(Math.min(CASES, 10_000));
      const uncovered = operations
        .flatMap((op) => [...ROLES.map((role) => `${op.key} as ${role}`), `${op.key} with a refused token`])
        .filter((pair) => !tally.coverage.get(pair));
      expect(uncovered).toEqual([]);
      expect(undrawnMutations(tally)).toEqual([]);
    }
    // The cases never locked the run out: each role kept working to the end, so the last cases were
    // still sent as the role they name, with the same token, role and subscription as at the start.
    const seen = (role: Role) => {
      const body = JSON.parse(me[role].body.toString('utf8')) as { role?: string; disabled?: boolean; subscription?: { active?: boolean } | null };
      return { status: me[role].status, role: body.role, disabled: body.disabled, subscribed: body.subscription?.active ?? false };
    };
    expect(Object.fromEntries(ROLES.map((role) => [role, seen(role)]))).toEqual({
      anonymous: { status: 401, role: undefined, disabled: undefined, subscribed: false },
      user: { status: 200, role: 'user', disabled: false, subscribed: false },
      subscriber: { status: 200, role: 'user', disabled: false, subscribed: true },
      operator: { status: 200, role: 'operator', disabled: false, subscribed: false },
      admin: { status: 200, role: 'admin', disabled: false, subscribed: false },
    });
  }, 600_000);

  /**
   * What the cases stored, read back by every role that may see it: the tasks they started (to their
   * end), the files they uploaded and their rejects, the lists. Stored hostile values must come back
   * as harmless as they went in: no card number unmasked, nothing in the wrong shape.
   */
  async function readBack(taskIds: string[]): Promise<Record<Role, FuzzResponse>> {
    const get = async (path: string, role: Role) => {
      const request: FuzzRequest = { method: 'GET', target: path, headers: tokens[role] ? [['Authorization', `Bearer ${tokens[role]}`]] : [] };
      const res = await client.send(request);
      tally.check(-1, `read back GET ${path} as ${role}`, request, path.split('?')[0], res, oracle());
      return res;
    };
    for (const id of taskIds) await waitForTask(t, tokens.admin!, id, 120_000).catch(() => undefined);
    for (const id of [...taskIds, ...Object.values(fixtures.tasks).flat()]) {
      await get(`/task-status/${id}`, 'admin');
      await get(`/extracts/${id}/download`, 'admin');
    }
    for (const id of fixtures.settlementFiles) {
      await get(`/api/settlement/files/${id}`, 'operator');
      await get(`/api/settlement/files/${id}/rejects`, 'operator');
    }
    const me = {} as Record<Role, FuzzResponse>;
    for (const role of ROLES) {
      await get('/transactions?limit=100', role);
      await get('/', role);
      me[role] = await get('/users/me', role);
    }
    for (const sort_by of ['DOC_IDT', 'MERCHANT_ID', 'CARD_NO', 'TERMINAL_ID']) await get(`/api/transactions?limit=1000&sort_by=${sort_by}`, 'operator');
    await get('/api/settlement/files?limit=100', 'operator');
    return me;
  }

  /** The API as the fuzzer sees it: which values mean something here, and which hostile ones only it knows. */
  function apiTarget(doc: FuzzTarget['doc']): FuzzTarget {
    const cursors = new CursorCodec(TEST_SECRET_KEY);
    const ownerRoles = ['user', 'subscriber', 'operator', 'admin'] as const;
    const usernameOf = (role: Role) => (role === 'admin' ? 'admin' : role === 'anonymous' ? 'nobody' : fixtures.users[role].username);
    const idOf = (pool: Partial<Record<Role, string[]>>, role: Role, rng: Random) => {
      const roll = rng.int(10);
      if (roll < 6 && pool[role]?.length) return rng.pick(pool[role]!);
      if (roll < 8) return rng.pick(ownerRoles.flatMap((r) => pool[r] ?? []));
      return rng.uuid();
    };
    return {
      doc,
      tokens,
      secretKey: TEST_SECRET_KEY,
      meaningful(op, name, where, role, rng) {
        if (where === 'path' && name === 'task_id') return idOf(fixtures.tasks, role, rng);
        if (where === 'path' && name === 'id') return rng.chance(0.8) ? rng.pick(fixtures.settlementFiles) : rng.uuid();
        if (where === 'body' && name === 'id') return idOf(fixtures.transactions, role, rng);
        if (where === 'body' && name === 'username') {
          if (op.path.endsWith('/token')) return rng.pick([usernameOf(rng.pick(ROLES)), ...fixtures.victims, 'nobody', 'admin']);
          if (op.path === '/create-user' && role === 'admin') return rng.chance(0.3) ? `fuzz_${rng.hex(10)}` : rng.pick([...fixtures.victims, 'admin']);
          if (op.path === '/create-user') return rng.chance(0.7) ? usernameOf(role) : rng.pick([...fixtures.victims, 'admin']);
          return rng.pick([...fixtures.victims, 'nobody-by-this-name']);
        }
        if (where === 'body' && name === 'password' && op.path === '/create-user') return `pw-${rng.hex(12)}`;
        if (where === 'body' && name === 'email') return `${rng.hex(8)}@example.com`;
        if (where === 'query' && name === 'cursor') return rng.pick(fixtures.cursors);
        if (where === 'query' && name === 'filter_by') return rng.pick(Object.keys(fixtures.samples[0]));
        if (where === 'query' && name === 'filter_value') {
          const row = rng.pick(fixtures.samples);
          return rng.chance(0.1) ? rng.pick(CARD_NUMBERS) : row[rng.pick(Object.keys(row))];
        }
        return undefined;
      },
      hostile(op, name, where, role, rng) {
        if (where === 'query' && name === 'cursor' && fixtures.cursors.length > 0 && rng.chance(0.6)) {
          const [payload, mac] = rng.pick(fixtures.cursors).split('.');
          if (rng.chance(0.3)) return { kind: 'cursor:tampered', value: `${payload.slice(0, -2)}AA.${mac}` };
          // Signed with the real key, so only the product's own checks of its values stand in the way.
          const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { q: string };
          const value = rng.pick([...HOSTILE_TEXT.sql, ...HOSTILE_TEXT.date, '', 'x'.repeat(300), ...HOSTILE_TEXT.numberText]);
          const forged = cursors.encode(decoded.q, rng.chance(0.5) ? { sortValue: value, docIdt: 'SAMPLE-1' } : { sortValue: null, docIdt: value });
          return { kind: 'cursor:forged', value: forged };
        }
        if (where === 'body' && name === 'role' && op.path === '/create-user' && role !== 'admin') return { kind: 'escalation', value: 'admin' };
        if (where === 'path' && name === 'task_id' && rng.chance(0.3)) return { kind: 'othersTask', value: rng.pick(Object.values(fixtures.tasks).flat()) };
        return undefined;
      },
      file: (rng) => {
        if (rng.chance(0.3)) return { kind: 'sample', filename: 'settlement-sample.csv', data: readFileSync(SAMPLE_FILE) };
        return hostileCsv(rng);
      },
    };
  }
});
