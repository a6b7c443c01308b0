import type { Repository } from 'typeorm';
import type { User } from './entities/user.entity';
import { IDENTITY_BATCH_MAX, IdentityLoader } from './identity-loader';

/** A repository whose driver writes `?` placeholders and whose table holds `rows`. */
function setup(rows: Array<{ id: string; username: string; role: string }>, fail = false) {
  const queries: Array<{ sql: string; ids: string[] }> = [];
  const repo = {
    manager: {
      connection: {
        driver: {
          escapeQueryWithParameters: (sql: string, params: { ids: string[] }) => [sql.replace(':...ids', params.ids.map(() => '?').join(', ')), params.ids],
        },
      },
    },
    query: jest.fn(async (sql: string, ids: string[]) => {
      queries.push({ sql, ids });
      if (fail) throw new Error('connection lost');
      return rows.filter((row) => ids.includes(row.id));
    }),
  } as unknown as Repository<User>;
  return { loader: new IdentityLoader(repo), queries };
}

const alice = { id: 'u1', username: 'alice', role: 'operator' };
const bob = { id: 'u2', username: 'bob', role: 'user' };

describe('IdentityLoader', () => {
  it('answers lookups of one turn of the event loop with one query, each id asked once', async () => {
    const { loader, queries } = setup([alice, bob]);
    const answers = await Promise.all([loader.find('u1'), loader.find('u2'), loader.find('u1'), loader.find('ghost')]);
    expect(answers).toEqual([alice, bob, alice, null]);
    expect(queries).toHaveLength(1);
    expect(queries[0].ids).toEqual(['u1', 'u2', 'ghost']);
    expect(queries[0].sql).toBe('SELECT id, username, role FROM users WHERE id IN (?, ?, ?) AND NOT disabled');
  });

  it('sends a lookup made after a query went out in a query of its own (it sees the table as of after it)', async () => {
    const { loader, queries } = setup([alice]);
    await loader.find('u1');
    await loader.find('u1');
    expect(queries).toHaveLength(2);
  });

  it(`splits a batch of more than ${IDENTITY_BATCH_MAX} ids`, async () => {
    const { loader, queries } = setup([alice]);
    const ids = Array.from({ length: IDENTITY_BATCH_MAX + 5 }, (_, i) => (i === 0 ? 'u1' : `x${i}`));
    const answers = await Promise.all(ids.map((id) => loader.find(id)));
    expect(answers[0]).toEqual(alice);
    expect(answers.slice(1).every((answer) => answer === null)).toBe(true);
    expect(queries.map((q) => q.ids.length)).toEqual([IDENTITY_BATCH_MAX, 5]);
  });

  it('fails every lookup of a batch whose query failed, and the next batch queries again', async () => {
    const failing = setup([alice], true);
    const results = await Promise.allSettled([failing.loader.find('u1'), failing.loader.find('u2')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const { loader } = setup([alice]);
    await expect(loader.find('u1')).resolves.toEqual(alice);
  });
});
