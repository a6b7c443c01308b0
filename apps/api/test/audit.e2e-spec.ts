import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource, FindOptionsWhere } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { AuditEntry, AuditPending, AuditRetention, AuditSealer, AuditVerifier, SEAL_DELAY_MS } from '@app/audit';
import { FINANCE_DB } from '@app/database';
import {
  AT_ONCE,
  CreatedUser,
  TEST_ADMIN_PASSWORD,
  TestApp,
  WRITE_LAYOUTS,
  createTestApp,
  createUser,
  histogram,
  inWaves,
  loginAdmin,
  uniqueName,
  waitForTask,
} from '@app/testing';

/**
 * §Audit on every dialect: each audited change leaves exactly one entry, written with it; a change
 * that fails leaves none; concurrent writers leave a chain without gaps that verifies; an entry
 * altered, removed or inserted in SQL is named.
 */
describe.each(WRITE_LAYOUTS)('audit trail (finance on %o)', (servers) => {
  let t: TestApp;
  let admin: string;
  let alice: CreatedUser;
  let finance: DataSource;
  const entries = () => finance.getRepository(AuditEntry);
  /** Answers do not wait for the chain: a reader seals what was committed before it, as GET /audit does. */
  const sealNow = () => t.app.get(AuditSealer).seal();
  const as = (token: string) => ({ post: (path: string) => t.http().post(path).auth(token, { type: 'bearer' }) });
  const of = async (where: FindOptionsWhere<AuditEntry>) => sealNow().then(() => entries().find({ where, order: { seq: 'ASC' } }));
  const verify = () => t.app.get(AuditVerifier).verify();

  beforeAll(async () => {
    t = await createTestApp({}, servers);
    finance = t.app.get<DataSource>(getDataSourceToken(FINANCE_DB));
    admin = await loginAdmin(t);
    alice = await createUser(t, admin);
  });
  afterAll(() => t.close());

  const create = (i = 1) =>
    as(alice.token)
      .post('/create-transaction')
      .send({ amount: `${i}.50`, currency: 'EUR', occurred_at: '2026-05-01T08:00:00Z', category: 'rent' });

  it('a transaction created, updated and deleted leaves one entry each, with the changed fields as decimal strings', async () => {
    const row = (await create().expect(201)).body;
    await as(alice.token).post('/update-transaction').send({ id: row.id, version: row.version, amount: '7.25' }).expect(200);
    await as(alice.token).post('/delete-transaction').send({ id: row.id }).expect(200);
    const trail = await of({ subjectId: row.id });
    expect(trail.map((e) => e.action)).toEqual(['transaction.create', 'transaction.update', 'transaction.delete']);
    expect(trail.every((e) => e.actorId === alice.id && e.actorUsername === alice.username && e.requestId)).toBe(true);
    expect(JSON.parse(trail[0].after!)).toMatchObject({ amount: '1.5000', currency: 'EUR', category: 'rent' });
    expect({ before: JSON.parse(trail[1].before!), after: JSON.parse(trail[1].after!) }).toEqual({
      before: { amount: '1.5000', version: 1 },
      after: { amount: '7.2500', version: 2 },
    });
    expect(JSON.parse(trail[2].before!)).toMatchObject({ amount: '7.2500' });
  });

  it('a change that fails leaves no entry: a stale version, a delete of nothing, a taken username', async () => {
    const row = (await create().expect(201)).body;
    await sealNow();
    const before = await entries().count();
    await as(alice.token)
      .post('/update-transaction')
      .send({ id: row.id, version: row.version + 5, amount: '9.00' })
      .expect(409);
    await as(alice.token).post('/delete-transaction').send({ id: '00000000-0000-4000-8000-000000000000' }).expect(404);
    await as(admin)
      .post('/create-user')
      .send({ username: alice.username.toUpperCase(), email: 'other@example.com', password: 'a-long-password-1' })
      .expect(409);
    await sealNow();
    expect(await entries().count()).toBe(before);
  });

  it('users, subscriptions, extracts, uploads, scans and logins are audited, never with a password', async () => {
    const name = uniqueName('aud');
    const created = await as(admin)
      .post('/create-user')
      .send({ username: name, email: `${name}@example.com`, password: 'first-password-1' })
      .expect(201);
    await as(admin).post('/create-user').send({ username: name, password: 'second-password-2', role: 'operator' }).expect(200);
    await as(admin).post('/grant-subscription').send({ username: name, days: 30 }).expect(200);
    await as(admin).post('/revoke-subscription').send({ username: name }).expect(200);
    await t.http().post('/api/token').send({ username: name, password: 'wrong-password' }).expect(401);
    const token = (await t.http().post('/api/token').send({ username: name, password: 'second-password-2' }).expect(200)).body.access_token;
    const extract = (await as(token).post('/generate-data').send({ days_before: 30, source: 'settlement' }).expect(202)).body.task_id;
    const upload = (
      await as(token)
        .post('/api/settlement/files')
        .attach('file', Buffer.from(`DOC_IDT,TRANS_DATE,AMOUNT\n${name}-1,2026-01-02,1.00`), `${name}.csv`)
        .expect(202)
    ).body;
    const scan = (await as(admin).post('/api/settlement/scan').expect(202)).body.task_id;
    await Promise.all([extract, upload.task_id, scan].map((id) => waitForTask(t, id === scan ? admin : token, id)));

    const userTrail = await of({ subjectId: created.body.id });
    expect(userTrail.map((e) => e.action)).toEqual(['user.create', 'user.update', 'login.success']);
    expect(JSON.parse(userTrail[1].after!)).toEqual({ role: 'operator', password_changed: true });
    const subscriptionTrail = (await entries().find({ order: { seq: 'ASC' } })).filter((e) => e.action.startsWith('subscription.') && e.after?.includes(name));
    expect(subscriptionTrail.map((e) => e.action)).toEqual(['subscription.grant', 'subscription.revoke']);
    expect((await of({ action: 'login.failure', actorUsername: name })).map((e) => JSON.parse(e.after!))).toEqual([{ reason: 'bad_credentials' }]);
    expect((await of({ subjectId: extract })).map((e) => e.action)).toEqual(['extract.request']);
    expect((await of({ subjectId: upload.file_id })).map((e) => e.action)).toEqual(['settlement_file.upload']);
    expect((await of({ subjectId: scan })).map((e) => e.action)).toEqual(['settlement.scan']);
    const text = JSON.stringify(await entries().find());
    for (const secret of ['first-password-1', 'second-password-2', 'wrong-password', TEST_ADMIN_PASSWORD, '$2']) expect(text).not.toContain(secret);
  });

  it(`${AT_ONCE * 4} writers, ${AT_ONCE} at a time, leave a chain without gaps that verifies`, async () => {
    const statuses = histogram(await inWaves(AT_ONCE * 4, (i) => create(i)));
    expect(statuses).toEqual({ 201: AT_ONCE * 4 });
    await sealNow();
    const all = await entries().find({ order: { seq: 'ASC' } });
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    expect(all.slice(1).every((e, i) => e.prevHash === all[i].hash)).toBe(true);
    expect(await verify()).toMatchObject({ ok: true, checked: all.length, break: null });
  });

  it('an answer does not wait for the chain: its entry is sealed moments later, and GET /audit sees it at once; entries a crash left pending are sealed, once, by sealers of two replicas racing each other', async () => {
    const created = await create(7).expect(201);
    const page = await t.http().get('/audit').query({ subject_id: created.body.id }).auth(admin, { type: 'bearer' }).expect(200);
    expect(page.body.entries.map((e: { action: string }) => e.action)).toEqual(['transaction.create']);
    const later = await create(8).expect(201);
    await new Promise((resolve) => setTimeout(resolve, SEAL_DELAY_MS * 4));
    expect(await finance.getRepository(AuditEntry).countBy({ subjectId: later.body.id })).toBe(1);
    expect(await finance.getRepository(AuditPending).count()).toBe(0);
    // Committed but never sealed, as a process killed between its commit and its seal leaves them.
    const orphans = Array.from({ length: 40 }, (_, i) =>
      Object.assign(new AuditPending(), {
        id: randomUUID(),
        at: new Date(Date.now() - 1000 + i),
        actorId: null,
        actorUsername: 'system',
        action: 'test.orphan',
        subjectType: 'test',
        subjectId: `orphan-${i}`,
        requestId: null,
        before: null,
        after: null,
      }),
    );
    await finance.getRepository(AuditPending).insert(orphans);
    const replica = new AuditSealer(finance);
    const [statuses] = await Promise.all([inWaves(AT_ONCE, (i) => create(i)), replica.seal(), t.app.get(AuditSealer).seal(), replica.seal()]);
    expect(histogram(statuses)).toEqual({ 201: AT_ONCE });
    await sealNow();
    expect(await finance.getRepository(AuditPending).count()).toBe(0);
    const sealed = await of({ action: 'test.orphan' });
    expect(sealed.map((e) => e.subjectId)).toEqual(orphans.map((o) => o.subjectId));
    const all = await entries().find({ order: { seq: 'ASC' } });
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    expect(await verify()).toMatchObject({ ok: true, checked: all.length, break: null });
  });

  it(`${AT_ONCE} logins, ${AT_ONCE} creates and ${AT_ONCE} GET /audit at once: one entry per login and per 201, every read 200, the chain verifies`, async () => {
    const before = await finance.getRepository('Transaction').countBy({ userId: alice.id });
    const login = (i: number) =>
      t
        .http()
        .post('/api/token')
        .send({ username: alice.username, password: i % 2 === 0 ? alice.password : 'a-wrong-password' });
    const read = () => t.http().get('/audit').query({ limit: 5 }).auth(admin, { type: 'bearer' });
    const since = new Date(Date.now() - 1);
    const [logins, creates, reads] = await Promise.all([
      inWaves(AT_ONCE, (i) => login(i)),
      Promise.all(Array.from({ length: AT_ONCE }, (_, i) => create(i))),
      inWaves(AT_ONCE, () => read()),
    ]);
    expect(histogram(logins)).toEqual({ 200: AT_ONCE / 2, 401: AT_ONCE / 2 });
    expect(histogram(creates.map((r) => r.status))).toEqual({ 201: AT_ONCE });
    expect(histogram(reads)).toEqual({ 200: AT_ONCE });
    expect((await finance.getRepository('Transaction').countBy({ userId: alice.id })) - before).toBe(AT_ONCE);
    const logged = (await of({ actorUsername: alice.username })).filter((e) => e.at >= since && e.action.startsWith('login.'));
    expect(logged.filter((e) => e.action === 'login.success')).toHaveLength(AT_ONCE / 2);
    expect(logged.filter((e) => e.action === 'login.failure')).toHaveLength(AT_ONCE / 2);
    const createdEntries = await Promise.all(creates.map((r) => of({ subjectId: r.body.id })));
    expect(createdEntries.every((trail) => trail.length === 1)).toBe(true);
    expect(await verify()).toMatchObject({ ok: true, break: null });
  });

  it('GET /audit: admins only, filtered, newest first, with a cursor', async () => {
    const operator = await createUser(t, admin, { role: 'operator' });
    await t.http().get('/audit').auth(operator.token, { type: 'bearer' }).expect(403);
    const page = await t
      .http()
      .get('/audit')
      .query({ actor: alice.username, action: 'transaction.create', limit: 5 })
      .auth(admin, { type: 'bearer' })
      .expect(200);
    expect(page.body.entries).toHaveLength(5);
    expect(
      page.body.entries.every((e: { action: string; actor_username: string }) => e.action === 'transaction.create' && e.actor_username === alice.username),
    ).toBe(true);
    const seqs = page.body.entries.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const next = await t
      .http()
      .get('/audit')
      .query({ actor: alice.username, action: 'transaction.create', limit: 5, cursor: page.body.next_cursor })
      .auth(admin, { type: 'bearer' })
      .expect(200);
    expect(next.body.entries[0].seq).toBeLessThan(seqs[seqs.length - 1]);
    expect(next.body.total).toBe(page.body.total);
  });

  it('names an entry altered, removed or inserted in SQL, and /health says so; retention cuts a prefix and the rest still verifies', async () => {
    const health = await t.http().get('/health').expect(200);
    expect(health.body.details.audit).toMatchObject({ status: 'up' });
    await sealNow();
    const victim = (await entries().find({ order: { seq: 'ASC' }, skip: 3, take: 1 }))[0];

    await entries().update({ seq: victim.seq }, { after: JSON.stringify({ amount: '999999.0000' }) });
    expect((await verify()).break).toMatchObject({ seq: victim.seq, problem: 'altered' });
    await entries().update({ seq: victim.seq }, { after: victim.after });

    await entries().delete({ seq: victim.seq });
    expect((await verify()).break).toMatchObject({ seq: victim.seq, problem: 'removed' });
    await entries().insert(victim);
    expect((await verify()).ok).toBe(true);

    // Retention: everything before the victim made "old"; the chain verifies from its new anchor.
    await entries()
      .createQueryBuilder()
      .update()
      .set({ at: new Date('2020-01-01T00:00:00Z') })
      .where('seq <= :seq', { seq: victim.seq })
      .execute();
    // The dates moved, so those entries no longer match their hashes: cut them, as retention would.
    expect(await t.app.get(AuditRetention).cutExpired()).toBe(victim.seq);
    expect(await verify()).toMatchObject({ ok: true });
  });
});
