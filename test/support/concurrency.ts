import type { ServerKind } from './databases';
import { target } from './test-app';

/**
 * The database layouts a write-path suite runs on: embedded (SQLite) in the e2e tier; in the
 * integration tier once with the finance database on PostgreSQL and once on MariaDB.
 */
export const WRITE_LAYOUTS: Array<{ finance: ServerKind; settlement: ServerKind }> =
  target() === 'services'
    ? [
        { finance: 'postgres', settlement: 'mysql' },
        { finance: 'mysql', settlement: 'postgres' },
      ]
    : [{ finance: 'postgres', settlement: 'mysql' }];

/** How many callers the concurrency rule asks for (§HTTP Concurrency: 16+). */
export const AT_ONCE = 16;

/** Runs `count` calls, `AT_ONCE` at a time, and answers their statuses in call order. */
export async function inWaves(count: number, call: (i: number) => PromiseLike<{ status: number }>): Promise<number[]> {
  const statuses: number[] = [];
  for (let start = 0; start < count; start += AT_ONCE) {
    const wave = await Promise.all(Array.from({ length: Math.min(AT_ONCE, count - start) }, (_, k) => call(start + k)));
    statuses.push(...wave.map((r) => r.status));
  }
  return statuses;
}

/** `{status: how many}`, for asserting a whole set of answers at once. */
export const histogram = (statuses: number[]) => statuses.reduce<Record<number, number>>((h, s) => ({ ...h, [s]: (h[s] ?? 0) + 1 }), {});
