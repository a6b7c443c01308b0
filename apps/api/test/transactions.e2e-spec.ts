import { CreatedUser, TestApp, createTestApp, createUser, loginAdmin } from '@app/testing';

const MISSING_ID = '00000000-0000-4000-8000-000000000000';

describe('personal transactions', () => {
  let t: TestApp;
  let admin: string;
  let alice: CreatedUser;
  let bob: CreatedUser;

  const create = (user: CreatedUser, body: object) => t.http().post('/create-transaction').auth(user.token, { type: 'bearer' }).send(body);
  const valid = { amount: '12.5', currency: 'USD', occurred_at: '2026-03-01T10:00:00+07:00', category: 'food', description: 'lunch' };
  const fields = (res: { body: { details?: Array<{ field: string }> } }) => (res.body.details ?? []).map((d) => d.field).sort();

  beforeAll(async () => {
    t = await createTestApp();
    admin = await loginAdmin(t);
    alice = await createUser(t, admin);
    bob = await createUser(t, admin);
  });
  afterAll(() => t.close());

  describe('create', () => {
    it('answers 201 with the id, the amount in the currency’s minor units and the time in UTC', async () => {
      const res = await create(alice, valid).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        amount: '12.50',
        currency: 'USD',
        description: 'lunch',
        category: 'food',
        occurred_at: '2026-03-01T03:00:00.000Z',
        created_at: expect.any(String),
        updated_at: expect.any(String),
        version: 1,
      });
    });

    it.each([
      ['JPY', '1000', '1000'],
      ['BHD', '-1.234', '-1.234'],
      ['USD', '-0.01', '-0.01'],
      ['USD', '99999999999.99', '99999999999.99'],
    ])('keeps %s %s exact as %s', async (currency, amount, shown) => {
      const res = await create(alice, { ...valid, currency, amount }).expect(201);
      expect(res.body.amount).toBe(shown);
    });

    it.each([
      ['1e3', 'exponent'],
      ['12.345', 'more decimals than USD allows'],
      ['NaN', 'not a number'],
      ['Infinity', 'infinity'],
      ['', 'empty'],
      [12.5, 'a JSON number'],
      ['99999999999999999999.99', 'too many digits'],
      ['1,234.50', 'thousands separator'],
      ['+5', 'a plus sign'],
      [' 5', 'spaces'],
      [null, 'null'],
    ])('refuses amount %p (%s) with 400 naming amount', async (amount, _why) => {
      const res = await create(alice, { ...valid, amount }).expect(400);
      expect(fields(res)).toEqual(['amount']);
    });

    it('refuses decimals a zero-decimal currency does not have', async () => {
      const res = await create(alice, { ...valid, currency: 'JPY', amount: '100.5' }).expect(400);
      expect(res.body.details[0].problems[0]).toBe('amount has more decimals than JPY allows (0)');
    });

    it.each(['usd', 'XXX', 'EURO', 'ABC', ''])('refuses currency %p', async (currency) => {
      const res = await create(alice, { ...valid, currency }).expect(400);
      expect(fields(res)).toEqual(['currency']);
    });

    it.each([
      '2026-03-01T10:00:00',
      '2026-03-01',
      '2024-02-30T10:00:00Z',
      '2023-02-29T00:00:00Z',
      'yesterday',
      '2026-03-01T25:00:00Z',
      '2024-01-01T00:00:00+99:99',
      '9999-12-31T23:59:59-14:00',
    ])('refuses occurred_at %p', async (occurred_at) => {
      const res = await create(alice, { ...valid, occurred_at }).expect(400);
      expect(fields(res)).toEqual(['occurred_at']);
    });

    it('refuses a NUL in the description but keeps line breaks', async () => {
      const res = await create(alice, { ...valid, description: 'a\u0000b' }).expect(400);
      expect(fields(res)).toEqual(['description']);
      const ok = await create(alice, { ...valid, description: 'line one\nline two' }).expect(201);
      expect(ok.body.description).toBe('line one\nline two');
    });

    it('accepts 29 February of a leap year', async () => {
      await create(alice, { ...valid, occurred_at: '2024-02-29T23:59:59.999Z' }).expect(201);
    });

    it('names every bad field at once and refuses unknown ones', async () => {
      const res = await create(alice, { amount: 'x', currency: 'x', occurred_at: 'x', user_id: bob.id }).expect(400);
      expect(fields(res)).toEqual(['amount', 'currency', 'occurred_at', 'user_id']);
    });

    it('needs a token', async () => {
      await t.http().post('/create-transaction').send(valid).expect(401);
    });
  });

  describe('ownership', () => {
    it("another user's id answers 404 exactly like a missing id, for update and delete", async () => {
      const mine = (await create(alice, valid).expect(201)).body;
      const theirsUpdate = await t.http().post('/update-transaction').auth(bob.token, { type: 'bearer' }).send({ id: mine.id, amount: '1' }).expect(404);
      const missingUpdate = await t.http().post('/update-transaction').auth(bob.token, { type: 'bearer' }).send({ id: MISSING_ID, amount: '1' }).expect(404);
      expect(theirsUpdate.body.message).toBe(missingUpdate.body.message);
      const theirsDelete = await t.http().post('/delete-transaction').auth(bob.token, { type: 'bearer' }).send({ id: mine.id }).expect(404);
      const missingDelete = await t.http().post('/delete-transaction').auth(bob.token, { type: 'bearer' }).send({ id: MISSING_ID }).expect(404);
      expect(theirsDelete.body.message).toBe(missingDelete.body.message);
      // Still there, unchanged.
      const list = await t.http().get('/transactions?limit=1000').auth(alice.token, { type: 'bearer' }).expect(200);
      expect(list.body.transactions.find((x: { id: string }) => x.id === mine.id)).toMatchObject({ amount: '12.50', version: 1 });
    });

    it("never lists another user's transactions", async () => {
      const carol = await createUser(t, admin);
      await create(carol, { ...valid, amount: '1.00' }).expect(201);
      const res = await t.http().get('/transactions').auth(carol.token, { type: 'bearer' }).expect(200);
      expect(res.body.total).toBe(1);
      const bobs = await t.http().get('/transactions?limit=1000').auth(bob.token, { type: 'bearer' }).expect(200);
      expect(bobs.body.transactions.some((x: { amount: string }) => x.amount === '1.00')).toBe(false);
    });

    it('an admin may change anyone’s transaction', async () => {
      const mine = (await create(alice, valid).expect(201)).body;
      const res = await t.http().post('/update-transaction').auth(admin, { type: 'bearer' }).send({ id: mine.id, category: 'fixed' }).expect(200);
      expect(res.body.category).toBe('fixed');
    });

    it('an id that is not an id is 400; a deleted id is 404', async () => {
      const res = await t.http().post('/delete-transaction').auth(alice.token, { type: 'bearer' }).send({ id: "1' OR '1'='1" }).expect(400);
      expect(fields(res)).toEqual(['id']);
      await t.http().post('/update-transaction').auth(alice.token, { type: 'bearer' }).send({ id: 42, amount: '1' }).expect(400);
      const mine = (await create(alice, valid).expect(201)).body;
      await t.http().post('/delete-transaction').auth(alice.token, { type: 'bearer' }).send({ id: mine.id }).expect(200, { id: mine.id, deleted: true });
      await t.http().post('/delete-transaction').auth(alice.token, { type: 'bearer' }).send({ id: mine.id }).expect(404);
      await t.http().post('/update-transaction').auth(alice.token, { type: 'bearer' }).send({ id: mine.id, amount: '1' }).expect(404);
    });
  });

  describe('update', () => {
    const update = (user: CreatedUser, body: object) => t.http().post('/update-transaction').auth(user.token, { type: 'bearer' }).send(body);

    it('changes the sent fields, bumps the version and keeps the rest', async () => {
      const mine = (await create(alice, valid).expect(201)).body;
      const res = await update(alice, { id: mine.id, amount: '-3.10', occurred_at: '2026-04-01T00:00:00Z' }).expect(200);
      expect(res.body).toMatchObject({ amount: '-3.10', currency: 'USD', category: 'food', occurred_at: '2026-04-01T00:00:00.000Z', version: 2 });
    });

    it('refuses an update with no fields', async () => {
      const mine = (await create(alice, valid).expect(201)).body;
      const res = await update(alice, { id: mine.id }).expect(400);
      expect(res.body.message).toContain('body');
    });

    it('checks the amount against the new currency', async () => {
      const mine = (await create(alice, { ...valid, amount: '10.25' }).expect(201)).body;
      const res = await update(alice, { id: mine.id, currency: 'JPY' }).expect(400);
      expect(fields(res)).toEqual(['amount']);
    });

    it('refuses a version beyond any real one with 400', async () => {
      const mine = (await create(alice, valid).expect(201)).body;
      const res = await update(alice, { id: mine.id, version: 3_000_000_000, amount: '1' }).expect(400);
      expect(fields(res)).toEqual(['version']);
    });

    it('refuses a stale version with 409', async () => {
      const mine = (await create(alice, valid).expect(201)).body;
      await update(alice, { id: mine.id, version: 1, amount: '1' }).expect(200);
      const res = await update(alice, { id: mine.id, version: 1, amount: '2' }).expect(409);
      expect(res.body.message).toMatch(/now version 2/);
    });

    it('of 10 concurrent updates from the same version, exactly one wins and the rest get 409', async () => {
      const mine = (await create(alice, valid).expect(201)).body;
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => update(alice, { id: mine.id, version: 1, amount: `${i + 1}.00` })));
      const statuses = results.map((r) => r.status).sort((a, b) => a - b);
      expect(statuses).toEqual([200, ...Array(9).fill(409)]);
      const winner = results.find((r) => r.status === 200)!;
      const list = await t.http().get('/transactions?limit=1000').auth(alice.token, { type: 'bearer' }).expect(200);
      expect(list.body.transactions.find((x: { id: string }) => x.id === mine.id)).toMatchObject({ amount: winner.body.amount, version: 2 });
    });
  });

  describe('listing', () => {
    let dave: CreatedUser;
    const list = (query: string) => t.http().get(`/transactions${query}`).auth(dave.token, { type: 'bearer' });

    beforeAll(async () => {
      dave = await createUser(t, admin);
      const rows = [
        { amount: '9.00', currency: 'USD', category: 'food', occurred_at: '2026-01-01T00:00:00Z' },
        { amount: '10.00', currency: 'USD', category: 'food', occurred_at: '2026-01-31T23:59:59Z' },
        { amount: '-5.50', currency: 'USD', category: 'rent', occurred_at: '2026-02-01T00:00:00Z' },
        { amount: '1000', currency: 'JPY', category: 'travel', occurred_at: '2026-02-15T12:00:00Z' },
        { amount: '0.10', currency: 'EUR', category: 'food', occurred_at: '2025-12-31T23:59:59Z' },
      ];
      for (const row of rows) await create(dave, row).expect(201);
    });

    it('pages with a total and sums per currency over every match', async () => {
      const res = await list('?limit=2&skip=0').expect(200);
      expect(res.body).toMatchObject({ total: 5, skip: 0, limit: 2 });
      expect(res.body.transactions).toHaveLength(2);
      expect(res.body.totals).toEqual([
        { currency: 'EUR', count: 1, sum: '0.10' },
        { currency: 'JPY', count: 1, sum: '1000' },
        { currency: 'USD', count: 3, sum: '13.50' },
      ]);
    });

    it('sorts by occurred_at descending by default and by amount numerically', async () => {
      const byDate = await list('').expect(200);
      expect(byDate.body.transactions[0].occurred_at).toBe('2026-02-15T12:00:00.000Z');
      const byAmount = await list('?currency=USD&sort_by=amount&sort_order=asc').expect(200);
      expect(byAmount.body.transactions.map((x: { amount: string }) => x.amount)).toEqual(['-5.50', '9.00', '10.00']);
    });

    it('filters by a date range with both ends included (dates mean whole UTC days)', async () => {
      const res = await list('?from=2026-01-01&to=2026-01-31').expect(200);
      expect(res.body.transactions.map((x: { amount: string }) => x.amount).sort()).toEqual(['10.00', '9.00']);
      const instant = await list(`?from=${encodeURIComponent('2026-01-31T23:59:59Z')}&to=${encodeURIComponent('2026-02-01T00:00:00+00:00')}`).expect(200);
      expect(instant.body.total).toBe(2);
    });

    it('filters by category, currency and amount bounds', async () => {
      expect((await list('?category=food').expect(200)).body.total).toBe(3);
      expect((await list('?currency=USD&min_amount=9&max_amount=10').expect(200)).body.total).toBe(2);
      expect((await list('?min_amount=-6&max_amount=-5').expect(200)).body.transactions[0].amount).toBe('-5.50');
    });

    it.each([
      ['?limit=0', 'limit'],
      ['?limit=1001', 'limit'],
      ['?skip=-1', 'skip'],
      ['?skip=abc', 'skip'],
      ['?skip=99999999999999999999', 'skip'],
      ['?sort_by=password', 'sort_by'],
      ['?sort_order=sideways', 'sort_order'],
      ['?from=2024-02-30', 'from'],
      ['?min_amount=1e3', 'min_amount'],
      ['?currency=usd', 'currency'],
      ['?user_id=x', 'user_id'],
    ])('refuses %s naming %s', async (query, field) => {
      const res = await list(query).expect(400);
      expect(fields(res)).toEqual([field]);
    });
  });
});
