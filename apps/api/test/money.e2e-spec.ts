import { TestApp, createTestApp, createUser, loginAdmin, sumThroughServiceAndDatabase, target } from '@app/testing';

describe(`exact money on the finance database (${target() === 'embedded' ? 'SQLite' : 'PostgreSQL'})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('the sum of 100,000 amounts created through the service equals, to the cent, the sum the database computes', async () => {
    const user = await createUser(t, await loginAdmin(t));
    const { expected, actual, total } = await sumThroughServiceAndDatabase(t, user, 100_000);
    expect(total).toBe(100_000);
    expect(actual).toEqual(expected);
  }, 180_000);
});
