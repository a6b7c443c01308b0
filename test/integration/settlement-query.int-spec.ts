import { ChildProcess, spawn } from 'node:child_process';
import Redis from 'ioredis';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SETTLEMENT_DB } from '@app/database';
import { CardTransaction, SettlementDataVersion } from '@app/settlement-ingest';
import { createTestApp, createUser, loginAdmin, stopProcess } from '@app/testing';
import { Row, describeSettlementQuery, record, sorted, toEntity } from '../../apps/api/test/settlement-query.suite';

/**
 * The settlement query suite on PostgreSQL (the e2e file runs it on MariaDB in this tier), then what
 * happens to reads when Redis is unreachable, and when it is stopped and started again under them.
 * The outage uses a redis-server of its own on a spare port: the shared Redis on 6379 is never touched.
 */
describeSettlementQuery({ finance: 'postgres', settlement: 'postgres' });

const OWN_REDIS_PORT = 6391;
const RANGE = { date_from: '1990-01-01', date_to: '1990-12-31', limit: 1000 };

/** The app, an operator, and the helpers every scenario below needs. */
async function settlementApp(env: Record<string, string>) {
  const t = await createTestApp(env);
  const admin = await loginAdmin(t);
  const operator = await createUser(t, admin, { role: 'operator' });
  const dataSource = t.app.get<DataSource>(getDataSourceToken(SETTLEMENT_DB));
  let line = 2;
  return {
    t,
    insert: (rows: Row[]) => dataSource.getRepository(CardTransaction).insert(rows.map((row) => toEntity(row, line++))),
    bump: () => t.app.get(SettlementDataVersion).bump(),
    list: (query: Record<string, string | number> = RANGE) => t.http().get('/api/transactions').query(query).auth(operator.token, { type: 'bearer' }),
    ready: async () => (await t.http().get('/health/ready').expect(200)).body,
  };
}

describe('settlement reads with Redis unreachable (nothing listens on its port)', () => {
  let app: Awaited<ReturnType<typeof settlementApp>>;
  const rows = Array.from({ length: 30 }, (_, i) => record(i + 1, 'U1990'));

  beforeAll(async () => {
    app = await settlementApp({ REDIS_URL: 'redis://127.0.0.1:6399/0' });
    await app.insert(rows);
    await app.bump();
  }, 60_000);
  afterAll(() => app?.t.close());

  it('reads come from the database, quickly, without an error', async () => {
    const started = Date.now();
    for (let i = 0; i < 20; i++) {
      const res = await app.list().expect(200);
      expect(res.body.total).toBe(rows.length);
    }
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('an ingest that completes is seen by the next read', async () => {
    const more = [record(200, 'U1990')];
    await app.insert(more);
    await app.bump();
    const res = await app.list().expect(200);
    expect(res.body.transactions).toEqual(sorted([...rows, ...more], 'DOC_IDT', 'asc'));
  });

  it('/health/ready answers 200 and says Redis is down (degraded)', async () => {
    const body = await app.ready();
    expect(body.status).toBe('degraded');
    expect(body.details.redis.status).toBe('degraded');
    expect(body.details.settlement_database.status).toBe('up');
  });
});

describe('settlement reads while Redis is stopped and started again', () => {
  let app: Awaited<ReturnType<typeof settlementApp>>;
  let redis: ChildProcess | undefined;
  let probe: Redis;
  const rows = Array.from({ length: 40 }, (_, i) => record(i + 1, 'R1990'));

  /** Our own redis-server; refuses to go on if something else already listens on its port. */
  const startRedis = async () => {
    const child = spawn('redis-server', ['--port', String(OWN_REDIS_PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    redis = child;
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`redis-server could not start on port ${OWN_REDIS_PORT} (is the port taken?)`);
      return (await probe.ping()) === 'PONG';
    }, 10_000);
  };
  const total = async () => (await app.list().expect(200)).body.total as number;
  /** Answers the api has stored in this Redis. */
  const cachedEntries = async () => (await probe.keys(`${app.t.env.REDIS_PREFIX}:settlement-query*`)).length;

  beforeAll(async () => {
    probe = new Redis(`redis://127.0.0.1:${OWN_REDIS_PORT}/0`, { lazyConnect: true, maxRetriesPerRequest: 1 });
    probe.on('error', () => undefined);
    await startRedis();
    // A long TTL, so that answers cached before the outage would still be there after it.
    app = await settlementApp({ REDIS_URL: `redis://127.0.0.1:${OWN_REDIS_PORT}/0`, SETTLEMENT_CACHE_TTL_SECONDS: '300' });
    await app.insert(rows); // before any read: data version 0
  }, 60_000);
  afterAll(async () => {
    try {
      await app?.t.close();
    } finally {
      probe?.disconnect();
      if (redis) await stopProcess(redis);
    }
  }, 30_000);

  it('with Redis up, answers are cached (in Redis) until a bump', async () => {
    expect((await app.ready()).details.redis.status).toBe('up');
    expect(await total()).toBe(rows.length); // cached under version 0
    expect(await cachedEntries()).toBeGreaterThan(0);
    await app.insert([record(300, 'R1990')]);
    expect(await total()).toBe(rows.length); // no bump yet: the cached answer
    await app.bump();
    expect(await total()).toBe(rows.length + 1);
  });

  it('Redis stopped: every read answers 200 from the database, and /health/ready says Redis is down', async () => {
    await stopProcess(redis!);
    redis = undefined;
    const written = [record(301, 'R1990'), record(302, 'R1990')];
    await app.insert(written);
    await app.bump(); // cannot reach Redis: the version there stays what it was
    for (let i = 0; i < 20; i++) expect(await total()).toBe(rows.length + 3);
    const ready = await app.ready();
    expect(ready.status).toBe('degraded');
    expect(ready.details.redis.status).toBe('degraded');
  });

  it('Redis started again, empty (data version back to 0): no answer from before the outage, and the cache works again without a restart', async () => {
    await startRedis();
    await waitFor(async () => (await app.ready()).details.redis.status === 'up', 15_000);
    // Version 0 again: what this process cached under version 0 before the outage must be gone.
    for (let i = 0; i < 10; i++) expect(await total()).toBe(rows.length + 3);
    await waitFor(async () => (await total()) === rows.length + 3 && (await cachedEntries()) > 0, 10_000);
    // Cached again: a row written without a bump stays unseen until the bump.
    await app.insert([record(303, 'R1990')]);
    expect(await total()).toBe(rows.length + 3);
    await app.bump();
    expect(await total()).toBe(rows.length + 4);
  }, 40_000);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch((error: Error) => (/could not start/.test(error.message) ? Promise.reject(error) : false))) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
