import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditEntry, AuditPending, AuditSealer } from '@app/audit';
import { FINANCE_DB, SETTLEMENT_DB } from '@app/database';
import { IdempotencyCleanup, IdempotencyKey } from '@app/idempotency';
import { AT_ONCE, CreatedUser, TestApp, WRITE_LAYOUTS, createTestApp, createUser, histogram, loginAdmin } from '@app/testing';

/**
 * §HTTP Idempotency-Key: a retry with the same key and request is answered from the kept answer and
 * stores nothing twice, on every dialect, even when the retries arrive all at once.
 */
describe.each(WRITE_LAYOUTS)('Idempotency-Key (finance on %o)', (servers) => {
  let t: TestApp;
  let admin: string;
  let alice: CreatedUser;
  let bob: CreatedUser;
  let finance: DataSource;
  let settlement: DataSource;
  const transactionsOf = (user: CreatedUser) => finance.getRepository('Transaction').countBy({ userId: user.id });
  const keys = () => finance.getRepository(IdempotencyKey);

  beforeAll(async () => {
    t = await createTestApp({}, servers);
    finance = t.app.get<DataSource>(getDataSourceToken(FINANCE_DB));
    settlement = t.app.get<DataSource>(getDataSourceToken(SETTLEMENT_DB));
    admin = await loginAdmin(t);
    alice = await createUser(t, admin);
    bob = await createUser(t, admin);
  });
  afterAll(() => t.close());

  const payment = { amount: '12.34', currency: 'EUR', occurred_at: '2026-02-01T09:00:00Z', category: 'rent' };
  const create = (user: CreatedUser, key: string | undefined, body: object = payment) => {
    const request = t.http().post('/create-transaction').auth(user.token, { type: 'bearer' });
    return (key === undefined ? request : request.set('Idempotency-Key', key)).send(body);
  };

  it('a retry with the same key and body is answered from the first answer, marked replayed, and stores nothing', async () => {
    const key = randomUUID();
    const before = await transactionsOf(alice);
    const first = await create(alice, key).expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const retry = await create(alice, key, { category: 'rent', occurred_at: payment.occurred_at, currency: 'EUR', amount: '12.34' }).expect(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect((await transactionsOf(alice)) - before).toBe(1);
  });

  it('the same key with another body answers 422 naming Idempotency-Key, and stores nothing', async () => {
    const key = randomUUID();
    await create(alice, key).expect(201);
    const before = await transactionsOf(alice);
    const other = await create(alice, key, { ...payment, amount: '99.00' }).expect(422);
    expect(other.body).toMatchObject({ statusCode: 422, details: [{ field: 'Idempotency-Key' }] });
    expect(await transactionsOf(alice)).toBe(before);
  });

  it(`${AT_ONCE} simultaneous requests with one key: one row, every 2xx the same answer, the rest 409`, async () => {
    const key = randomUUID();
    const before = await transactionsOf(alice);
    const answers = await Promise.all(Array.from({ length: AT_ONCE }, () => create(alice, key)));
    const statuses = histogram(answers.map((r) => r.status));
    expect(Object.keys(statuses).sort()).toEqual(expect.arrayContaining(['201']));
    expect(statuses[201] + (statuses[409] ?? 0)).toBe(AT_ONCE);
    expect(new Set(answers.filter((r) => r.status === 201).map((r) => r.body.id)).size).toBe(1);
    expect((await transactionsOf(alice)) - before).toBe(1);
    // Once the first has answered, every retry is a replay.
    expect((await create(alice, key).expect(201)).headers['idempotent-replayed']).toBe('true');
    // And the audit trail holds the one create, not one per attempt.
    const [id] = new Set(answers.filter((r) => r.status === 201).map((r) => r.body.id as string));
    await t.app.get(AuditSealer).seal();
    expect(await finance.getRepository(AuditEntry).countBy({ subjectId: id })).toBe(1);
    expect(await finance.getRepository(AuditPending).count()).toBe(0);
  });

  it('keys are per caller: the same key from another user runs their own request', async () => {
    const key = randomUUID();
    const a = await create(alice, key).expect(201);
    const b = await create(bob, key).expect(201);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.body.id).not.toBe(a.body.id);
  });

  it('an answer that is not 2xx is not kept: the corrected request with the same key runs', async () => {
    const key = randomUUID();
    await create(alice, key, { ...payment, amount: 'not money' }).expect(400);
    const fixed = await create(alice, key).expect(201);
    expect(fixed.headers['idempotent-replayed']).toBeUndefined();
  });

  it('a retried delete answers its first 200 again instead of 404', async () => {
    const id = (await create(alice, undefined).expect(201)).body.id;
    const key = randomUUID();
    const remove = () => t.http().post('/delete-transaction').auth(alice.token, { type: 'bearer' }).set('Idempotency-Key', key).send({ id });
    await remove().expect(200);
    const retry = await remove().expect(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    await t.http().post('/delete-transaction').auth(alice.token, { type: 'bearer' }).send({ id }).expect(404);
  });

  it('without the header nothing changes: two sends store two rows', async () => {
    const before = await transactionsOf(alice);
    await create(alice, undefined).expect(201);
    await create(alice, undefined).expect(201);
    expect((await transactionsOf(alice)) - before).toBe(2);
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['not printable ASCII', 'clé-é'],
  ])('a key that is %s answers 400 naming Idempotency-Key', async (_name, key) => {
    const before = await transactionsOf(alice);
    const res = await create(alice, key).expect(400);
    expect(res.body.details).toEqual([{ field: 'Idempotency-Key', problems: [expect.stringContaining('printable ASCII')] }]);
    expect(await transactionsOf(alice)).toBe(before);
  });

  it('a retried upload answers its first 202 and stores neither the file nor its copy again', async () => {
    const operator = await createUser(t, admin, { role: 'operator' });
    const key = randomUUID();
    const name = `idem-${randomUUID()}.csv`;
    const csv = Buffer.from(['DOC_IDT,TRANS_DATE,AMOUNT', `IDEM-${randomUUID().slice(0, 8)},2026-01-02,1.50`].join('\n'));
    const upload = (file: Buffer) =>
      t.http().post('/api/settlement/files').auth(operator.token, { type: 'bearer' }).set('Idempotency-Key', key).attach('file', file, name);
    const first = await upload(csv).expect(202);
    const staged = readdirSync(t.config.get('paths').processingDir).length;
    const retry = await upload(csv).expect(202);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    await upload(Buffer.concat([csv, Buffer.from('\nIDEM-other,2026-01-02,2.00')])).expect(422);
    expect(await settlement.getRepository('SettlementFile').countBy({ name })).toBe(1);
    expect(readdirSync(t.config.get('paths').processingDir).length).toBeLessThanOrEqual(staged);
  });

  it('expired keys are purged by the cleanup schedule, and an expired key runs its request again', async () => {
    const key = randomUUID();
    await create(alice, key).expect(201);
    await keys().update({ callerId: alice.id, key }, { expiresAt: new Date(Date.now() - 1000) });
    expect(await t.app.get(IdempotencyCleanup).purgeExpired()).toBeGreaterThanOrEqual(1);
    expect(await keys().countBy({ callerId: alice.id, key })).toBe(0);
    expect((await create(alice, key).expect(201)).headers['idempotent-replayed']).toBeUndefined();
  });
});
